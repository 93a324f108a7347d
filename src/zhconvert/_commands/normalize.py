"""``zhconvert normalize``: rewrite posts in place as clean Markdown (the pre-commit hook).

Exit codes follow mdformat and ruff format, as pre-commit expects: 0 nothing changed; 1 a file
was rewritten (or, with ``--check``, would be) or could not be read or converted; 2 usage or
configuration errors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ENCODING_CHOICES
from ._common import add_hotlink_argument, add_settings_arguments, add_verbosity_arguments

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from ..config import Config
    from ..images.local import LocalImages
    from ..normalize import NormalizeResult

HELP = "rewrite posts with HTML bodies in place as clean Markdown (pre-commit hook)"
DESCRIPTION = """\
Rewrite each post (a Markdown file with YAML front matter) whose body holds HTML as clean
Markdown, in place. Posts already in Markdown and files without front matter (a README) are left
byte for byte as they were; the one exception is --images local, which stores the remote images
of a post in zhconvert's own Markdown (one that failed before) and changes only their addresses.
Each file is written as UTF-8, which Hexo reads (a GB18030 or UTF-16 post is re-encoded and the
report says so; --encoding keep keeps it), and keeps its byte order mark, line endings, final
newline, permission bits, owner and group; writes are atomic. Folders are walked for *.md and
*.markdown. Read-only files, symbolic links to files outside the folders named, and files saved
while normalize runs are reported and left as they are.

Settings come from [tool.zhconvert] in pyproject.toml or from zhconvert.toml, searched from the
working directory up to the repository root; options given here win (zhconvert config shows
them). --chinese and --cjk-spacing apply to the posts being rewritten; with front-matter
"keep" the front matter stays byte for byte as it is.

exit status: 0 nothing to change, 1 files were (or with --check would be) rewritten or could not
be converted, 2 usage or configuration error."""
EPILOG = """\
examples:
  zhconvert normalize source/_posts/             rewrite every HTML post below the folder
  zhconvert normalize --check source/_posts/     list what would change, write nothing
  zhconvert normalize --diff post.md             show the change as a unified diff
  zhconvert normalize --front-matter normalize post.md
                                                 also rewrite the front matter (ISO dates)
  zhconvert normalize --exclude 'drafts/**' .    skip files matching a glob
  zhconvert normalize --chinese tw _posts/       also convert the text to Traditional (Taiwan)
  zhconvert normalize --images local source/_posts/
                                                 download the images and keep them with the
                                                 posts (Hexo's asset folder or source/images)
"""

#: File endings taken from a folder (a file named on the command line is always taken).
FOLDER_SUFFIXES = (".md", ".markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="post files and folders")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; name each file that would change (exit 1 if any)",
    )
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print a unified diff of each change on standard output (implies --check)",
    )
    parser.add_argument(
        "--front-matter",
        choices=("keep", "normalize"),
        default=None,
        help="keep: the front matter bytes stay as they are (default); "
        "normalize: write typed metadata (ISO dates, repaired title)",
    )
    from .book import Choices

    group = parser.add_argument_group("images")
    group.add_argument(
        "--images",
        # embed is refused with the fix; best and src are the old --image-source, with a warning.
        choices=Choices(("remote", "local", "omit"), old=("embed", "best", "src")),
        default=None,
        help="remote: keep the images' addresses (default); local: download each image once, "
        "store it with the posts (Hexo's post asset folder or source/images, else an images "
        "folder beside the post) and link it; omit: leave the images out, keeping captions",
    )
    group.add_argument(
        "--image-source",
        choices=("best", "src"),
        default=None,
        help="best: the full-size image (default); src: the image URL the page showed",
    )
    group.add_argument(
        "--image-folder",
        metavar="DIR",
        default=None,
        help="--images local: store the images in DIR instead",
    )
    group.add_argument(
        "--cache",
        metavar="DIR",
        dest="cache_dir",
        default=None,
        help="--images local: keep downloads in DIR (default: the user's cache folder)",
    )
    group.add_argument(
        "--no-cache", action="store_true", default=None, help="neither read nor fill the cache"
    )
    group.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="no network: images only from the cache, the others stay remote "
        "(also ZHCONVERT_OFFLINE=1)",
    )
    add_hotlink_argument(parser)
    parser.add_argument(
        "--encoding",
        choices=ENCODING_CHOICES,
        default=None,
        help="utf-8: write a rewritten GB18030 or UTF-16 post as UTF-8, which Hexo reads "
        "(default); keep: in its own encoding",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files matching GLOB (repeatable; added to the configured globs)",
    )
    add_verbosity_arguments(
        parser,
        quiet="print errors only: no warnings, no fixed/would fix lines",
        verbose="also name each file left alone, and why",
    )
    add_settings_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ..config import ConfigError
    from ._common import error, load_settings, note, refuse_standard_input

    refuse_standard_input("normalize", args.paths)
    try:
        config = load_settings(
            args,
            front_matter=args.front_matter,
            images=args.images,
            encoding=args.encoding,
            exclude=args.exclude,
            hotlink=args.hotlink,
            image_source=args.image_source,
            image_folder=args.image_folder,
        )
    except ConfigError as exc:
        error(str(exc))
        return 2
    from .book import image_mode

    images = image_mode(config, "normalize")
    text_options = config.text_options
    from ..chinese import check_text_options

    check_text_options(**text_options)  # a missing library fails once, not once per post

    check = args.check or args.diff
    store: LocalImages | None = None
    if images == "local" and not check:
        from ..images.local import LocalImages, open_fetcher

        options = {"cache_dir": args.cache_dir, "no_cache": args.no_cache, "offline": args.offline}
        store = LocalImages(open_fetcher(options), folder=config.image_folder_path())
    try:
        return _normalize_all(args, config, images, store, check)
    finally:
        if store is not None:
            store.fetcher.close()
            if not args.quiet:
                from ..images import summary_lines

                for line in summary_lines(store.fetcher.stats, verbose=args.verbose):
                    note(line)


def _normalize_all(
    args: argparse.Namespace, config: Config, images: str, store: LocalImages | None, check: bool
) -> int:
    """Normalize every file the arguments name; return the exit code."""
    from ..normalize import CHANGED_WHILE_RUNNING, normalize_file
    from ._common import error, note, warn

    text_options = config.text_options
    said = 0
    failed = changed = False
    hotlinked = 0  # images written as Markdown from hosts that refuse other sites' Referer
    roots = _roots(args.paths)
    for path, skip in _collect(args.paths, config):
        if skip == MISSING:
            error(f"{path}: {MISSING}")
            failed = True
            continue
        if skip:
            if args.verbose:
                note(f"left alone: {path}: {skip}")
            continue
        result = normalize_file(
            path,
            check=check,
            front_matter=config.front_matter.value,
            images=images,
            image_source=config.image_source.value,
            image_store=store,
            chinese=text_options["chinese"],
            cjk_spacing=text_options["cjk_spacing"],
            roots=roots,
            encoding=config.encoding.value,
            hotlink=config.hotlink.value,
            referer_hosts=config.referer_hosts.value,
        )
        if store is not None and not args.quiet:
            for message in store.warnings[said:]:
                warn(message)
            said = len(store.warnings)
        if result.status == "failed":
            if result.reason == CHANGED_WHILE_RUNNING:
                # Nothing is wrong with the file: it is simply newer than this run.
                warn(f"{path}: {result.reason}; the new content was kept, run normalize again")
            else:
                error(f"{path}: {result.reason}")
            failed = True
            continue
        if not result.changed:
            if args.verbose:
                note(f"left alone: {path}: {result.reason}")
            continue
        changed = True
        if result.status == "fixed":
            hotlinked += result.hotlinked
        if not args.quiet:
            for message in result.warnings:
                warn(message if message.startswith(f"{path}:") else f"{path}: {message}")
        if args.diff:
            _print_diff(result)
        if not args.quiet:
            reencoded = f" ({result.encoding.upper()} → UTF-8)" if result.reencoded else ""
            note(f"{'would fix' if check else 'fixed'}: {path}{reencoded}")
    if hotlinked and not args.quiet:
        from ..images.hosts import hint_line

        note(hint_line(hotlinked))
    return 1 if changed or failed else 0


MISSING = "no such file or folder"
EXCLUDED = "excluded"


def _roots(paths: list[str]) -> list[str]:
    """Return the folders symbolic links may lead into: those named, and those of named files."""
    import os

    return [
        os.path.realpath(name if os.path.isdir(name) else os.path.dirname(os.path.abspath(name)))
        for name in paths
    ]


def _collect(paths: list[str], config: Config) -> Iterator[tuple[Path, str]]:
    """Yield ``(file, why_skipped)`` for every file to look at, in order, each once.

    ``why_skipped`` is ``""`` for a file to normalize, else ``MISSING`` or ``EXCLUDED``.
    """
    import os

    from ._common import iter_posts

    seen: set[str] = set()
    for name in paths:
        path = Path(name)
        if path.is_dir():
            candidates: Iterable[Path] = iter_posts(path, suffixes=FOLDER_SUFFIXES)
        elif path.exists() or path.is_symlink():
            candidates = [path]
        else:
            yield path, MISSING
            continue
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key in seen:
                continue
            seen.add(key)
            yield candidate, EXCLUDED if config.is_excluded(candidate) else ""


def _print_diff(result: NormalizeResult) -> None:
    import difflib

    from .._terminal import printable

    before = result.before.decode(result.encoding, errors="replace").splitlines(keepends=True)
    after = result.after.decode(result.after_encoding, errors="replace").splitlines(keepends=True)
    name = printable(result.path.as_posix())  # the header lines are the name's alone
    out = sys.stdout
    for line in difflib.unified_diff(before, after, f"a/{name}", f"b/{name}"):
        out.write(line)
        if not line.endswith(("\n", "\r")):
            out.write("\n\\ No newline at end of file\n")
    out.flush()
