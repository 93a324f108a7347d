"""``zhconvert convert``: posts to Markdown, text, JSON or EPUB; a file, stdin or a folder."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import (
    BATCH_GC_THRESHOLD,
    UsageError,
    add_hotlink_argument,
    add_settings_arguments,
    add_verbosity_arguments,
    batch_gc,
    error,
    iter_posts,
    load_settings,
    note,
    positive_int,
    warn,
)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ..config import Config
    from ..images import ImageStats

HELP = "convert posts to markdown, text, json or epub"
DESCRIPTION = """\
Convert posts to another format. A file goes to a file (-o FILE) or to standard output; '-'
reads standard input. Folders are converted into an output folder (-o DIR) that mirrors their
tree, in parallel (--jobs) or on a Dask cluster (--dask). Bad files are named on stderr and the
others still converted; the exit code is then 1.

Settings (--chinese, --cjk-spacing, front-matter, exclude) are also read from [tool.zhconvert] in
pyproject.toml or zhconvert.toml (see zhconvert config); options given here win."""
EPILOG = """\
examples:
  zhconvert convert post.md                        Markdown on standard output
  zhconvert convert post.md -t txt --wrap 72       plain text wrapped at 72 columns
  zhconvert convert post.md -o post.json           the format follows the extension
  cat post.md | zhconvert convert - -t md          standard input
  zhconvert convert _posts/ -t md -o clean/        a folder, mirrored into clean/
  zhconvert convert _posts/ -o clean/ --images local
                                                   ... with the images in clean/images/
  zhconvert convert /shared/posts -o /shared/clean --dask tcp://scheduler:8786
                                                   the same, on a Dask cluster
  zhconvert convert post.md -t epub -o post.epub   one post as an e-book
  zhconvert convert post.md --chinese tw           Traditional Chinese for Taiwan
  zhconvert convert post.md --cjk-spacing          a space between 中文 and English
"""

_EXTENSION_FORMATS = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".json": "json",
    ".epub": "epub",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="post files, folders, or -")
    parser.add_argument(
        "-t",
        "--to",
        dest="format",
        metavar="FORMAT",
        help="output format: markdown (md), text (txt, plain), json, epub, or a plugin's name "
        "(default: from the -o extension, else markdown)",
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="output file or folder ('-' or absent: stdout)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=positive_int,
        default=None,
        metavar="N",
        help="worker processes for folders (default: the number of cores)",
    )
    parser.add_argument(
        "--dask",
        metavar="ADDRESS",
        default=None,
        help="convert on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786); "
        "its workers need zhconvert and the files at the same paths (see docs/scale.md)",
    )
    parser.add_argument(
        "--front-matter",
        choices=("keep", "normalize", "none"),
        default=None,
        help="markdown: keep the front matter as it was (default), write normalized "
        "metadata, or none",
    )
    add_hotlink_argument(parser)
    parser.add_argument(
        "--wrap", type=positive_int, default=None, metavar="N", help="text: wrap lines at N columns"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="treat front matter that does not parse as an error instead of a warning",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files matching GLOB found in folders (repeatable; added to the configured "
        "globs)",
    )
    add_verbosity_arguments(
        parser,
        quiet="print no progress bar, no warnings and no summary (errors still are)",
        verbose="also name each file as it is written",
    )
    add_settings_arguments(parser)
    parser.add_argument(
        "--image-folder",
        metavar="DIR",
        default=None,
        help="--images local: store the images in DIR (default: Hexo's conventions, else an "
        "images folder in the output folder)",
    )
    from .book import add_epub_arguments

    add_epub_arguments(parser)


@dataclass(frozen=True)
class _Job:
    source: str  # a path, or "-" for standard input
    target: str | None  # a path, or None for standard output
    format: str
    options: dict[str, Any]
    strict: bool
    # Host suffixes to count images from hosts that refuse other sites' Referer with (beyond
    # zhconvert's list), for the hint at the end; None: not counted.
    referer_hosts: tuple[str, ...] | None = None
    # What becomes of the images: remote, local (see _LOCAL_IMAGES) or omit; an EPUB's own
    # choice is among its writer options.
    images: str = "remote"


def _get_writer(fmt: str) -> Any:
    """Return the writer for ``fmt``; an unknown name's error suggests the closest known one."""
    import difflib

    from ..errors import UnknownFormatError
    from ..writers import BUILTIN_ALIASES, available_formats, get_writer

    try:
        return get_writer(fmt)
    except UnknownFormatError as exc:
        names = [*available_formats(), *BUILTIN_ALIASES]
        close = difflib.get_close_matches(fmt.strip().lower(), names, n=1, cutoff=0.6)
        if not close or exc.reason.startswith("the writer plugin"):
            raise
        raise UnknownFormatError(f"{exc.reason}; did you mean -t {close[0]}?") from None


def _check_output(args: argparse.Namespace, fmt: str) -> None:
    """Refuse, before any work, an unknown format and a folder converted to one book's name."""
    from ..errors import UnknownFormatError

    try:
        writer = _get_writer(fmt)
    except UnknownFormatError as exc:
        if exc.reason.startswith("the writer plugin"):
            raise  # an installed plugin that does not load: not the command line's fault
        raise UsageError(f"-t/--to {fmt}: {exc.reason}") from None
    output = args.output or ""
    several = len(args.inputs) > 1 or any(os.path.isdir(name) for name in args.inputs)
    if several and output.lower().endswith(".epub"):
        # convert writes one file per post, into a folder: that folder would be named *.epub.
        raise UsageError(
            f"-o {output}: convert writes one {writer.name} file per post into a folder; "
            f"for one book of them all, use: zhconvert book {' '.join(args.inputs)} -o {output}"
        )


def _writer_options(args: argparse.Namespace, fmt: str, config: Config) -> dict[str, Any]:
    writer = _get_writer(fmt)
    options: dict[str, Any] = {}
    if writer.name == "markdown":
        # The configuration's front-matter (keep or normalize) applies to Markdown only.
        front_matter = args.front_matter or config.front_matter.value
        if front_matter != "keep":
            options["front_matter"] = front_matter
        if config.hotlink.value != "markdown":
            options["hotlink"] = config.hotlink.value
        if config.referer_hosts.value:
            options["referer_hosts"] = config.referer_hosts.value
    if writer.name == "text" and args.wrap is not None:
        options["wrap"] = args.wrap
    from .book import EPUB_IMAGES, image_mode

    mode = image_mode(config, writer.name, to_file=args.output not in (None, "-"))
    if writer.name == "epub":
        from .book import epub_options

        options.update(epub_options(args))
        options["images"] = EPUB_IMAGES.get(mode, mode)
    if args.front_matter is not None and writer.name != "markdown":
        raise UsageError(f"--front-matter applies to markdown, not to {writer.name}")
    if args.hotlink is not None and writer.name != "markdown":
        raise UsageError(f"--hotlink applies to markdown, not to {writer.name}")
    if args.wrap is not None and writer.name != "text":
        raise UsageError(f"--wrap applies to text, not to {writer.name}")
    # Taken by every writer, plugins included (zhconvert.dumps applies them).
    options.update({k: v for k, v in config.text_options.items() if v})
    return options


#: Output folders this process has made (or found): one mkdir per folder, not per post.
_MADE_FOLDERS: set[Path] = set()


def convert_one(job: _Job) -> _Result:
    """Convert one post; return ``(source, error or None, warnings, hotlinked)``. Never raises.

    ``hotlinked`` counts the images written from hosts that refuse other sites' Referer, when
    ``job.referer_hosts`` asks for it (else 0).
    """
    from .. import dumps, load, loads
    from .._atomic import atomic_write_bytes
    from ..errors import ZhconvertError

    try:
        if job.source == "-":
            doc = loads(sys.stdin.buffer.read(), path="<stdin>", strict=job.strict)
        else:
            doc = load(job.source, strict=job.strict)
        stored: tuple[str, ...] = ()
        if job.images == "omit":
            from ..images.local import omit_images

            doc = omit_images(doc)
        elif job.images == "local" and job.target is not None and _LOCAL_IMAGES:
            local = _LOCAL_IMAGES[0]
            said = len(local.warnings)
            doc = local.localize(doc, job.target)
            stored = tuple(local.warnings[said:])
        image_stats = None
        if _get_writer(job.format).name == "epub":
            # What the EPUB writer's fetcher made of the images: this post's, returned to the
            # run (from a worker process or a Dask worker too) to add up for its summary.
            from ..images import start_collecting, stop_collecting

            start_collecting()
            try:
                out = dumps(doc, job.format, **job.options)
            finally:
                image_stats = stop_collecting()
        else:
            out = dumps(doc, job.format, **job.options)
        hotlinked = 0
        if job.referer_hosts is not None:
            from ..images.hosts import referer_images

            hotlinked = referer_images(doc, job.referer_hosts)
        data = out if isinstance(out, bytes) else out.encode("utf-8")
        if job.target is None:
            try:
                sys.stdout.buffer.write(data)
                sys.stdout.buffer.flush()
            except BrokenPipeError:
                raise  # the reader left (``| head``): not an error to report
            except OSError as exc:  # a full disk, /dev/full
                raise ZhconvertError(
                    f"cannot write: {exc.strerror or exc}", path="standard output"
                ) from None
        else:
            target = Path(job.target)
            if target.parent not in _MADE_FOLDERS:
                try:
                    target.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise ZhconvertError(
                        f"cannot write: {exc.strerror or exc}", path=job.target
                    ) from None
                _MADE_FOLDERS.add(target.parent)
            # Atomic, but not flushed to the disk file by file: the output can be made again
            # from its input, and an fsync per post would cost more than converting it.
            atomic_write_bytes(target, data, durable=False)
    except ZhconvertError as exc:
        return job.source, str(exc.with_path(job.source)), (), 0, None
    except BrokenPipeError:
        raise
    except RecursionError:
        return job.source, f"{job.source}: too deeply nested to convert", (), 0, None
    except MemoryError:
        return job.source, f"{job.source}: out of memory", (), 0, None
    except Exception as exc:  # a bug must cost one file, not the whole folder
        return (
            job.source,
            f"{job.source}: internal error: {type(exc).__name__}: {exc}",
            (),
            0,
            None,
        )
    prefix = "<stdin>" if job.source == "-" else job.source
    warnings = (*(f"{prefix}: {w}" for w in doc.warnings), *stored)
    images = image_stats if image_stats is not None and image_stats.wanted else None
    return job.source, None, warnings, hotlinked, images


#: The image store of a run with ``--images local``, which converts in this process.
_LOCAL_IMAGES: list[Any] = []


#: ``(source, error or None, warnings, images from hosts checking the Referer, what became of
#: the images an EPUB writer fetched, or None)``.
_Result = tuple[str, str | None, tuple[str, ...], int, "ImageStats | None"]

#: What the progress file holds for each job: not started, being converted, converted.
_PENDING, _STARTED, _DONE = b"\0", b"\1", b"\2"


def _convert_chunk(progress: str, chunk: list[tuple[int, _Job]]) -> list[tuple[int, _Result]]:
    """Convert ``chunk`` in a worker process, one post at a time (see ``_watch_parent``).

    Each job's state is written at its index in the file ``progress`` as it starts and ends, so
    that the parent can tell which post a worker was converting when it died.
    """
    fd = _PROGRESS_FILES.get(progress)
    if fd is None:
        fd = os.open(progress, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        _PROGRESS_FILES[progress] = fd
    results = []
    for index, job in chunk:
        with _BUSY:
            if _ORPHANED.is_set() or os.getppid() != _PARENT[0]:
                break
            os.pwrite(fd, _STARTED, index)
            results.append((index, convert_one(job)))
            os.pwrite(fd, _DONE, index)
    return results


#: Open progress files of this worker, by path.
_PROGRESS_FILES: dict[str, int] = {}


#: Held while a worker converts a post; set once the worker's parent is gone.
_BUSY = threading.Lock()
_ORPHANED = threading.Event()
_PARENT = [0]


def _start_worker(parent: int) -> None:
    """Run in each worker as it starts: watch for the death of ``parent``."""
    # Ctrl-C reaches the whole process group; the parent alone answers it (see _worker_pool),
    # so that no worker prints a traceback of its own, whatever it was doing.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import gc

    gc.set_threshold(*BATCH_GC_THRESHOLD)  # as in the parent (inherited where workers fork)
    _PARENT[0] = parent
    # The converter's modules: inherited where workers are forked (see _preload), else loaded
    # here while the parent is still planning the work.
    from .. import _api  # noqa: F401
    from ..readers import _frontmatter, html  # noqa: F401

    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    # A parent killed outright (SIGKILL) cannot stop its workers, and a worker waiting for its
    # next chunk would wait for ever (its siblings hold the queue open). The worker finishes
    # the post it is writing and exits; between posts, _convert_chunk checks for itself.
    while os.getppid() == parent:
        time.sleep(0.1)
    _ORPHANED.set()
    with _BUSY:
        os._exit(1)


def _plan(
    args: argparse.Namespace,
    fmt: str,
    options: dict[str, Any],
    config: Config,
    protected: list[str],
) -> tuple[list[_Job], list[str]]:
    """Return the jobs, and a line for each folder that could not be read.

    Posts found in the folders but excluded are added to ``protected``.
    """
    from ..errors import ZhconvertError
    from ..writers import get_writer

    extension = get_writer(fmt).extension
    output = args.output
    # Counted for the hint at the end: Markdown images written as ![](…). Counted after
    # --images local or omit rewrote the post, so only images still on their hosts are.
    referer = (
        config.referer_hosts.value
        if get_writer(fmt).name == "markdown" and config.hotlink.value == "markdown"
        else None
    )
    inputs = [str(i) for i in args.inputs]
    folders = [i for i in inputs if i != "-" and os.path.isdir(i)]
    single = len(inputs) == 1 and not folders
    if single:
        target = None if output in (None, "-") else output
        if target is not None and os.path.isdir(target):
            target = str(Path(target) / (Path(inputs[0]).stem + extension))
        if target is None and get_writer(fmt).binary and sys.stdout.isatty():
            raise ZhconvertError(f"{fmt} output is binary: give -o FILE")
        return [_Job(inputs[0], target, fmt, options, args.strict, referer)], []
    if output in (None, "-"):
        raise UsageError("several inputs or a folder need an output folder: -o DIR")
    if "-" in inputs:
        raise UsageError("'-' (standard input) cannot be mixed with other inputs")
    out_dir = Path(output)
    if out_dir.exists() and not out_dir.is_dir():
        raise ZhconvertError(f"{output}: exists and is not a folder")
    jobs: list[_Job] = []
    unreadable: list[str] = []
    taken: set[str] = set()
    # Output names are compared as the resolved output folder plus the relative name, folded:
    # on a case-insensitive or normalizing file system (macOS, Windows) A.md and a.md are one.
    out_key = os.path.realpath(out_dir)
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            pairs = []
            for post in iter_posts(path, skip=[out_dir], onerror=unreadable.append):
                if config.is_excluded(post):
                    # An excluded post is still the user's file: no output may replace it.
                    protected.append(str(post))
                else:
                    pairs.append((post, post.relative_to(path)))
        else:
            pairs = [(path, Path(path.name))]
        for source, relative in pairs:
            target = out_dir / relative.with_suffix(extension)
            counter = 2
            # Two posts that map to one output name (a.md and a.markdown) are both kept.
            while _name_key(out_key, target.relative_to(out_dir)) in taken:
                target = out_dir / relative.with_name(f"{relative.stem}-{counter}{extension}")
                counter += 1
            taken.add(_name_key(out_key, target.relative_to(out_dir)))
            jobs.append(_Job(str(source), str(target), fmt, options, args.strict, referer))
    return jobs, unreadable


def _name_key(folder: str, relative: Path) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", os.path.join(folder, relative)).casefold()


def _refuse_overwrites(jobs: list[_Job], protected: list[str]) -> None:
    """Raise if an output of this run would replace one of its inputs (or another protected file).

    Files are compared by identity (device and inode), so a hard link, a symbolic link or a
    name that differs only in case on a case-insensitive file system is caught too. A target
    that does not exist yet replaces nothing. Checked before anything is written.
    """
    from ..errors import ZhconvertError

    inputs: dict[tuple[int, int], str] = {}
    for name in [*protected, *(job.source for job in jobs)]:
        if name == "-":
            continue
        try:
            info = os.stat(name)
        except OSError:
            continue  # reported when it is read
        inputs.setdefault((info.st_dev, info.st_ino), name)
    for job in jobs:
        if job.target is None:
            continue
        try:
            info = os.stat(job.target)
        except OSError:
            continue
        victim = inputs.get((info.st_dev, info.st_ino))
        if victim is None:
            continue
        if victim == job.source:
            written = "" if job.target == victim else f" {job.target}"
            reason = f"the output{written} would replace this input"
        else:
            written = "" if job.target == victim else f" ({job.target})"
            reason = f"the output of {job.source}{written} would replace this input"
        raise ZhconvertError(f"{reason}; nothing was written", path=victim)


def run(args: argparse.Namespace) -> int:
    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output and args.output != "-" else ""
        fmt = _EXTENSION_FORMATS.get(suffix, "markdown")
    _check_output(args, fmt)
    config = load_settings(
        args,
        exclude=args.exclude,
        hotlink=args.hotlink,
        images=args.images,
        image_folder=args.image_folder,
    )
    from ..chinese import check_text_options

    check_text_options(**config.text_options)  # a missing library fails once, not per file
    workers = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise UsageError("--jobs must be at least 1")
    if args.dask is not None:
        import importlib.util

        if importlib.util.find_spec("distributed") is None:
            from .._dask import MISSING

            raise UsageError(MISSING)
    options = _writer_options(args, fmt, config)
    show = not args.quiet and _is_terminal(sys.stderr)
    from ..images import start_collecting, stop_collecting, summary_lines

    start_collecting()  # what the EPUB writer's images became, for the summary
    try:
        jobs, results, unreadable = convert_posts(
            args, fmt, options, config, workers=workers, dask=args.dask, progress=show
        )
    finally:
        image_stats = stop_collecting()
    failed = hotlinked = 0
    for line in unreadable:
        error(line)
    # Results come in the order of the jobs, in parallel too.
    for job, (source, problem, warnings, referer_images, images) in zip(jobs, results, strict=True):
        hotlinked += referer_images
        if images is not None:
            image_stats.add(images)
        if not args.quiet:
            for warning in warnings:
                warn(warning)
        if problem is not None:
            failed += 1
            error(problem)
        elif args.verbose:
            note(f"converted: {source} -> {job.target or '<stdout>'}")
    if (len(jobs) > 1 or unreadable) and not args.quiet:
        done = len(jobs) - failed
        summary = f"converted {done} of {len(jobs)} posts into {args.output}"
        if failed:
            summary += f"; {failed} failed"
        if unreadable:
            summary += f"; {len(unreadable)} folder(s) could not be read"
        note(summary)
    if not args.quiet:
        for line in summary_lines(image_stats, verbose=args.verbose):
            note(line)
    if hotlinked and not args.quiet:
        from ..images.hosts import hint_line

        note(hint_line(hotlinked))
    return 1 if failed or unreadable else 0


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def convert_posts(
    args: argparse.Namespace,
    fmt: str,
    options: dict[str, Any],
    config: Config,
    *,
    workers: int,
    dask: str | None = None,
    progress: bool = False,
) -> tuple[list[_Job], list[_Result], list[str]]:
    """Plan the jobs of ``args.inputs`` and run them; return the jobs, results and bad folders.

    The one path of ``zhconvert convert`` and ``zhconvert.convert_folder``: in this process,
    in ``workers`` local processes, or on the Dask cluster at ``dask``. Results come in the
    order of the jobs. ``progress`` shows a progress bar on stderr.
    """
    from .._progress import Progress
    from ..errors import ZhconvertError
    from .book import image_mode

    writer = _get_writer(fmt).name
    images = "remote" if writer == "epub" else image_mode(config, writer)
    if images == "local" and dask is not None:
        raise UsageError(
            "--images local converts in this process (each image is stored once); "
            "leave out --dask, or use --images remote"
        )
    folders = any(name != "-" and os.path.isdir(name) for name in args.inputs)
    several = folders or len(args.inputs) > 1
    # With --images local, one fetcher in this process downloads each image once for all posts.
    local = workers if folders and dask is None and images != "local" else 1
    # The workers for a folder start first: they are forked with the converter loaded, and
    # wait for their work while this process plans it.
    with _worker_pool(local, fmt) as pool, _local_images(args, config, images, several):
        _MADE_FOLDERS.clear()  # a folder made by an earlier run in this process may be gone
        protected: list[str] = []
        jobs, unreadable = _plan(args, fmt, options, config, protected)
        if images != "remote":
            jobs = [dataclasses.replace(job, images=images) for job in jobs]
        # Only what the command line names is checked up front; a bad file found in a folder
        # is reported on its own while the others are converted.
        for name in args.inputs:
            if name != "-" and not os.path.exists(name):
                raise ZhconvertError("no such file", path=name)
        if dask is not None and any(job.source == "-" or job.target is None for job in jobs):
            raise UsageError("--dask converts files into files: name them, and give -o")
        _refuse_overwrites(jobs, protected)
        bar = Progress(progress and len(jobs) > 1)
        bar.start("posts converted", len(jobs))
        results: list[_Result]
        with batch_gc(len(jobs) > 1):
            if dask is not None:
                from .._dask import run_on_cluster

                results = run_on_cluster(jobs, dask, advance=bar.advance)
            elif pool is None or len(jobs) < 2:
                results = []
                for job in jobs:
                    results.append(convert_one(job))
                    bar.advance()
            else:
                results = _run_parallel(pool, jobs, workers, bar.advance)
        bar.done()
    return jobs, results, unreadable


@contextlib.contextmanager
def _local_images(
    args: argparse.Namespace, config: Config, images: str, several: bool
) -> Iterator[None]:
    """Open the image store of ``--images local`` for the run (nothing for other modes).

    The fetcher is closed at the end, which adds its counts to the run's image summary.
    """
    if images != "local":
        yield
        return
    from ..images.local import LocalImages, open_fetcher
    from .book import epub_options

    fetcher = open_fetcher(epub_options(args))
    fallback = Path(args.output) / "images" if several and args.output else None
    _LOCAL_IMAGES[:] = [LocalImages(fetcher, folder=config.image_folder_path(), fallback=fallback)]
    try:
        yield
    finally:
        _LOCAL_IMAGES.clear()
        fetcher.close()


@contextlib.contextmanager
def _worker_pool(workers: int, fmt: str = "markdown") -> Iterator[ProcessPoolExecutor | None]:
    """Start ``workers`` worker processes (None for one: this process converts)."""
    if workers < 2:
        yield None
        return
    import gc
    from concurrent.futures import ProcessPoolExecutor

    _preload(fmt)
    try:
        pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)
        )
        try:
            # Started now (where workers are forked, all at once), with SIGINT ignored from
            # their first instant: a worker that Ctrl-C killed would break the pool, and on
            # Python before 3.12 a broken pool can hang the parent at exit (gh-107219).
            with _sigint_ignored():
                pool.submit(_warm_up)
            yield pool
        except BaseException:
            # Ctrl-C, or an error while planning: no new chunk starts, the workers finish the
            # one they are converting (a few dozen milliseconds) and exit.
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        gc.unfreeze()  # what _preload froze is this process's to collect again


def _preload(fmt: str) -> None:
    """Load everything a conversion needs, once, before the workers are forked.

    Forked workers then start with it loaded (an import of the reader, the writer and the site
    rules costs about a fifth of a second of CPU, which each worker would pay again), and the
    objects made so far are frozen out of the garbage collector, so that no collection in a
    worker touches (and copies) the pages it shares with this process.
    """
    import gc

    from .. import _api, _atomic  # noqa: F401
    from ..readers import _frontmatter, html  # noqa: F401
    from ..readers.sites import all_rules

    all_rules()
    _get_writer(fmt)
    gc.freeze()


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ignore SIGINT in this process (and the processes it forks) for a moment."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; _start_worker ignores it anyway
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _warm_up() -> None:
    """Nothing: ``_start_worker`` has loaded the converter by the time this runs."""


#: Why a post is reported when its worker died twice while converting it.
WORKER_DIED = "its worker process died twice (killed, or out of memory); not converted"
#: The warning for a post converted again, alone, after its worker died.
WORKER_RETRIED = "converted again, alone: a worker process died (killed, or out of memory)"


def _run_parallel(
    pool: ProcessPoolExecutor,
    jobs: list[_Job],
    workers: int,
    advance: Callable[[int], None] | None = None,
) -> list[_Result]:
    """Convert ``jobs`` in ``pool``; a worker that dies costs only the post it was converting.

    When a worker dies (killed, out of memory), the pool is broken: every post not yet
    converted is run again in a new pool, except the ones being converted at that moment. Each
    of those is retried once, alone in a pool of one worker, where a second death is certainly
    its own: it is then reported by name, and the rest of the folder is still converted.
    """
    import tempfile

    from ..errors import ZhconvertError

    results: list[_Result | None] = [None] * len(jobs)
    suspects: list[int] = []
    try:
        fd, progress = tempfile.mkstemp(prefix="zhconvert-progress-")
    except OSError as exc:
        raise ZhconvertError(
            f"cannot make a temporary file: {exc.strerror or exc}", path=tempfile.gettempdir()
        ) from None
    os.close(fd)
    current = pool
    try:
        pending = list(range(len(jobs)))
        while pending:
            if not _run_round(current, jobs, pending, results, progress, workers, advance):
                break
            current.shutdown(wait=True)  # no worker of the broken pool writes any more
            states = Path(progress).read_bytes()
            started = {i for i in pending if results[i] is None and states[i : i + 1] == _STARTED}
            if not started:
                # A worker died between posts: nothing to blame, so no retry round would end.
                started = {i for i in pending if results[i] is None}
            suspects.extend(sorted(started))
            pending = [i for i in pending if results[i] is None and i not in started]
            current = _new_pool(workers)
        for index in suspects:
            results[index] = _run_alone(jobs[index], index, progress)
            if advance is not None:
                advance(1)
    finally:
        if current is not pool:
            current.shutdown(wait=True, cancel_futures=True)
        with contextlib.suppress(OSError):
            os.unlink(progress)
    return [result for result in results if result is not None]


def _run_round(
    pool: ProcessPoolExecutor,
    jobs: list[_Job],
    pending: list[int],
    results: list[_Result | None],
    progress: str,
    workers: int,
    advance: Callable[[int], None] | None = None,
) -> bool:
    """Convert the ``pending`` jobs in ``pool``, filling ``results``; return whether it broke."""
    from concurrent.futures.process import BrokenProcessPool

    os.truncate(progress, 0)
    os.truncate(progress, len(jobs))
    # Chunks amortize the inter-process overhead (a few hundred microseconds each); many per
    # worker keep them all busy to the end, when the last chunk may leave the others idle.
    size = max(1, min(16, len(pending) // (workers * 8)))
    chunks = [
        [(i, jobs[i]) for i in pending[start : start + size]]
        for start in range(0, len(pending), size)
    ]
    futures = []
    broken = False
    try:
        for chunk in chunks:
            futures.append(pool.submit(_convert_chunk, progress, chunk))
    except BrokenProcessPool:  # a worker died already: the chunks submitted are still waited on
        broken = True
    for future in futures:
        try:
            done = future.result()
            for index, result in done:
                results[index] = result
            if advance is not None:
                advance(len(done))
        except BrokenProcessPool:
            broken = True
    return broken


def _run_alone(job: _Job, index: int, progress: str) -> _Result:
    """Retry one post whose worker died, in a pool of its own."""
    from concurrent.futures.process import BrokenProcessPool

    pool = _new_pool(1)
    try:
        os.truncate(progress, 0)
        os.truncate(progress, index + 1)
        done = pool.submit(_convert_chunk, progress, [(index, job)]).result()
    except BrokenProcessPool:
        return job.source, f"{job.source}: {WORKER_DIED}", (), 0, None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if not done:
        return job.source, f"{job.source}: {WORKER_DIED}", (), 0, None
    source, problem, warnings, hotlinked, images = done[0][1]
    return source, problem, (*warnings, f"{job.source}: {WORKER_RETRIED}"), hotlinked, images


def _new_pool(workers: int) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor

    with _sigint_ignored():
        return ProcessPoolExecutor(
            max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)
        )
