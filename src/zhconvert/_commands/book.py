"""``zhconvert book``: files and folders into one EPUB collection (or several volumes).

This module is imported whenever the CLI starts, so it imports nothing heavy at the top: the EPUB
stack (ebooklib, httpx, Pillow) loads only inside ``run`` and ``epub_options``' callers.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ._common import positive_int, positive_number

if TYPE_CHECKING:
    from ..config import Config

HELP = "build one EPUB book from post files and folders"
DESCRIPTION = """\
Build one EPUB 3 book (with an EPUB 2 table of contents for older readers) from post files and
folders (searched recursively for .md, .markdown, .html and .htm files that have front matter).
Each post is a chapter; the same answer found twice is kept once, the newest copy. Images are
downloaded and embedded by default (cached on disk, so a second build needs no network); an image
that cannot be had becomes a link. The same inputs and options always give the same bytes."""
EPILOG = """\
examples:
  zhconvert book _posts/ -o archive.epub
      every post below _posts/, oldest first, grouped by category
  zhconvert book _posts/知乎热榜 _posts/知乎日报 -o zhihu.epub --title 知乎精选 --author 我
      two folders as one book with its own title and author
  zhconvert book _posts/ -o archive.epub --split 500
      volumes of at most 500 posts: archive-1.epub, archive-2.epub, ...
  zhconvert book _posts/ -o archive.epub --group-by month --sort date
      the table of contents by year and month
  zhconvert book _posts/ -o light.epub --images remote
      no downloads: each image is a link to its address
  zhconvert book _posts/ -o archive.epub --image-dir saved-images/ --no-cache
      images from a folder first (by file name), no disk cache
  zhconvert convert post.md -t epub -o post.epub --cover cover.jpg
      one post as a book (the same book and image options)
"""


class Choices(tuple[str, ...]):
    """An option's choices, as help and errors show them, that also accept the ``old`` spellings.

    argparse lists an option's choices by iterating them and checks a value with ``in``.
    """

    old: frozenset[str]

    def __new__(cls, shown: tuple[str, ...], *, old: tuple[str, ...] = ()) -> Choices:
        choices = super().__new__(cls, shown)
        choices.old = frozenset(old)
        return choices

    def __contains__(self, value: object) -> bool:
        return value in self.old or tuple.__contains__(self, value)


def add_epub_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the book and image options shared by ``book`` and ``convert -t epub``."""
    group = parser.add_argument_group("EPUB book and image options")
    group.add_argument("--title", help="the book's title (default: the post's, or the output name)")
    group.add_argument(
        "--author", help="the book's author (default: the posts' authors)", metavar="NAME"
    )
    group.add_argument("--language", metavar="TAG", help="the book's language (default: zh-CN)")
    group.add_argument(
        "--cover",
        metavar="IMAGE",
        help="an image file for the cover (default: the first post's header image, if embedded)",
    )
    group.add_argument(
        "--images",
        choices=Choices(("remote", "local", "embed", "omit"), old=("link",)),
        help="EPUB: embed the images (default), keep their addresses (remote), or leave them out "
        "keeping their captions (omit); Markdown: remote (default), local (download them next "
        "to the output and link them relatively) or omit; text and JSON: remote or omit",
    )
    group.add_argument(
        "--cache",
        metavar="DIR",
        dest="cache_dir",
        help="keep downloaded images in DIR (default: the user's cache folder)",
    )
    group.add_argument(
        "--no-cache", action="store_true", default=None, help="neither read nor fill the cache"
    )
    group.add_argument(
        "--image-dir", metavar="DIR", help="take images from DIR first, by file name"
    )
    group.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="no network: images only from --image-dir and the cache, the others fail at once "
        "(also ZHCONVERT_OFFLINE=1)",
    )
    group.add_argument(
        "--timeout",
        type=positive_number,
        metavar="SECONDS",
        help="give up on one image request after this long (default: 20)",
    )
    group.add_argument(
        "--image-budget",
        type=positive_number,
        metavar="SECONDS",
        help="stop downloading images after this long in all; the rest are links (default: 600)",
    )


#: command-line destination -> option name of the EPUB writer.
_EPUB_OPTIONS = {
    "title": "title",
    "author": "author",
    "language": "language",
    "cover": "cover",
    "cache_dir": "cache_dir",
    "no_cache": "no_cache",
    "image_dir": "image_dir",
    "offline": "offline",
    "timeout": "timeout",
    "image_budget": "image_budget",
}


def epub_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the EPUB writer options given on the command line, but ``images`` (``image_mode``)."""
    return {
        option: getattr(args, dest)
        for dest, option in _EPUB_OPTIONS.items()
        if getattr(args, dest, None) is not None
    }


#: The ``--images`` choices each kind of output takes; the first is its default.
IMAGE_MODES = {
    "epub": ("embed", "remote", "omit"),
    "markdown": ("remote", "local", "omit"),
    "normalize": ("remote", "local", "omit"),
}
_OTHER_MODES = ("remote", "omit")

#: The EPUB writer's name for ``remote``.
EPUB_IMAGES = {"remote": "link"}


def image_mode(config: Config, output: str, *, to_file: bool = True) -> str:
    """Return what becomes of images for ``output`` (a writer's name, or ``normalize``).

    The command line's ``--images`` must suit the output (a ``UsageError`` names the fix); a
    configuration file's value that does not suit it leaves the output its default, so that a
    blog's ``images = "local"`` does not break its ``book``.
    """
    from ..config import COMMAND_LINE
    from ._common import UsageError

    modes = IMAGE_MODES.get(output, _OTHER_MODES)
    wanted = config.images
    if wanted.origin != COMMAND_LINE:
        return wanted.value if wanted.value in modes and wanted.origin != "default" else modes[0]
    mode = wanted.value
    name = "a book" if output == "epub" else output
    if mode == "embed" and output != "epub":
        fix = (
            "--images local (download the images next to the output) or --images remote"
            if "local" in modes
            else "--images remote or --images omit"
        )
        raise UsageError(f"--images embed applies to EPUB, not to {name}; use {fix}")
    if mode == "local" and "local" not in modes:
        if output == "epub":
            raise UsageError(
                "--images local applies to markdown output and normalize; an EPUB carries its "
                "images with --images embed"
            )
        raise UsageError(
            f"--images local applies to markdown output and normalize, not to {output}; use "
            "-t markdown, or --images remote or --images omit"
        )
    if mode == "local" and not to_file:
        raise UsageError(
            "--images local stores the images next to the output: give -o FILE or -o DIR"
        )
    return mode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``book`` command's arguments."""
    parser.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="post files and folders (searched recursively)"
    )
    parser.add_argument("-o", "--output", required=True, metavar="BOOK.epub", help="the book")
    parser.add_argument(
        "--sort",
        choices=("date", "title", "path"),
        default="date",
        help="order of the posts (default: date, oldest first)",
    )
    parser.add_argument(
        "--group-by",
        choices=("source", "month", "none"),
        default="source",
        help="how the table of contents is grouped (default: source, by category)",
    )
    parser.add_argument(
        "--split",
        type=positive_int,
        metavar="N",
        help="at most N posts per volume: BOOK-1.epub, BOOK-2.epub, ...",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive_int,
        metavar="N",
        help="processes reading posts (default: the number of cores)",
    )
    from ._common import add_settings_arguments, add_verbosity_arguments

    add_verbosity_arguments(
        parser,
        quiet="no progress bar, no warnings, no summary",
        verbose="also name each post skipped because it is not a post (no front matter), "
        "and each image that failed, with why",
    )
    add_epub_arguments(parser)
    add_settings_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Build the book; return 1 when a post had to be skipped, else 0."""

    from ..chinese import check_text_options
    from ..epub.book import build_book
    from ._common import load_settings, note, refuse_standard_input, warn

    refuse_standard_input("book", args.inputs)
    config = load_settings(args, images=args.images)
    check_text_options(**config.text_options)  # a missing library fails once, before any work
    options = epub_options(args)
    mode = image_mode(config, "epub")
    options["images"] = EPUB_IMAGES.get(mode, mode)
    options.update({k: v for k, v in config.text_options.items() if v})
    report = build_book(
        args.inputs,
        args.output,
        sort=args.sort,
        group_by=args.group_by,
        split=args.split,
        jobs=args.jobs,
        progress=False if args.quiet else None,
        **options,
    )
    if not args.quiet:
        # ``Warning: <file>: <what was recovered>``, as ``convert`` prints them.
        for message in report.warnings:
            warn(message)
        for message in report.unreadable:
            warn(f"skipped: {message}")
        if args.verbose:
            for path in report.not_posts:
                note(f"not a post (no front matter), left out: {path}")
        note(report.summary())
        from ..images import summary_lines

        for line in summary_lines(report.images, verbose=args.verbose):
            note(line)
    # Like ``convert`` on a folder: the book is written, but a post that could not be read is
    # a failure the exit code must show.
    return 1 if report.unreadable else 0
