"""``zhconvert convert``: posts to Markdown, text, JSON or EPUB; a file, stdin or a folder."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import (
    BATCH_GC_THRESHOLD,
    UsageError,
    add_settings_arguments,
    add_verbosity_arguments,
    batch_gc,
    error,
    iter_posts,
    load_settings,
    positive_int,
    warn,
)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from ..config import Config

HELP = "convert posts to markdown, text, json or epub"
DESCRIPTION = """\
Convert posts to another format. A file goes to a file (-o FILE) or to standard output; '-'
reads standard input. Folders are converted into an output folder (-o DIR) that mirrors their
tree, in parallel (--jobs). Bad files are named on stderr and the others still converted; the
exit code is then 1.

Settings (--chinese, --cjk-spacing, front-matter, exclude) are also read from [tool.zhconvert] in
pyproject.toml or zhconvert.toml (see zhconvert config); options given here win."""
EPILOG = """\
examples:
  zhconvert convert post.md                        Markdown on standard output
  zhconvert convert post.md -t txt --wrap 72       plain text wrapped at 72 columns
  zhconvert convert post.md -o post.json           the format follows the extension
  cat post.md | zhconvert convert - -t md          standard input
  zhconvert convert _posts/ -t md -o clean/        a folder, mirrored into clean/
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
        "--front-matter",
        choices=("keep", "normalize", "none"),
        default=None,
        help="markdown: keep the front matter as it was (default), write normalized "
        "metadata, or none",
    )
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
        quiet="print no warnings and no summary (errors still are)",
        verbose="also name each file as it is written",
    )
    add_settings_arguments(parser)
    from .book import add_epub_arguments

    add_epub_arguments(parser)


@dataclass(frozen=True)
class _Job:
    source: str  # a path, or "-" for standard input
    target: str | None  # a path, or None for standard output
    format: str
    options: dict[str, Any]
    strict: bool


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
    if writer.name == "text" and args.wrap is not None:
        options["wrap"] = args.wrap
    if writer.name == "epub":
        from .book import epub_options

        options.update(epub_options(args))
    if args.front_matter is not None and writer.name != "markdown":
        raise UsageError(f"--front-matter applies to markdown, not to {writer.name}")
    if args.wrap is not None and writer.name != "text":
        raise UsageError(f"--wrap applies to text, not to {writer.name}")
    # Taken by every writer, plugins included (zhconvert.dumps applies them).
    options.update({k: v for k, v in config.text_options.items() if v})
    return options


#: Output folders this process has made (or found): one mkdir per folder, not per post.
_MADE_FOLDERS: set[Path] = set()


def convert_one(job: _Job) -> tuple[str, str | None, tuple[str, ...]]:
    """Convert one post; return ``(source, error or None, warnings)``. Never raises."""
    from .. import dumps, load, loads
    from .._atomic import atomic_write_bytes
    from ..errors import ZhconvertError

    try:
        if job.source == "-":
            doc = loads(sys.stdin.buffer.read(), path="<stdin>", strict=job.strict)
        else:
            doc = load(job.source, strict=job.strict)
        out = dumps(doc, job.format, **job.options)
        data = out if isinstance(out, bytes) else out.encode("utf-8")
        if job.target is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
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
        return job.source, str(exc.with_path(job.source)), ()
    except RecursionError:
        return job.source, f"{job.source}: too deeply nested to convert", ()
    except MemoryError:
        return job.source, f"{job.source}: out of memory", ()
    except Exception as exc:  # a bug must cost one file, not the whole folder
        return job.source, f"{job.source}: internal error: {type(exc).__name__}: {exc}", ()
    prefix = "<stdin>" if job.source == "-" else job.source
    return job.source, None, tuple(f"{prefix}: {w}" for w in doc.warnings)


def _same_file(source: str, target: str) -> bool:
    if source == "-":
        return False
    try:
        return os.path.samefile(source, target)
    except OSError:
        return False  # a target that does not exist yet (or a source that is gone) is no risk


def _convert_chunk(jobs: list[_Job]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """Convert ``jobs`` in a worker process, one post at a time (see ``_watch_parent``)."""
    results = []
    for job in jobs:
        with _BUSY:
            if _ORPHANED.is_set() or os.getppid() != _PARENT[0]:
                break
            results.append(convert_one(job))
    return results


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
    # The converter's modules, loaded while the parent is still planning the work.
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
    args: argparse.Namespace, fmt: str, options: dict[str, Any], config: Config
) -> tuple[list[_Job], list[str]]:
    """Return the jobs, and a line for each folder that could not be read."""
    from ..errors import ZhconvertError
    from ..writers import get_writer

    extension = get_writer(fmt).extension
    output = args.output
    inputs = [str(i) for i in args.inputs]
    folders = [i for i in inputs if i != "-" and os.path.isdir(i)]
    single = len(inputs) == 1 and not folders
    if single:
        target = None if output in (None, "-") else output
        if target is not None and os.path.isdir(target):
            target = str(Path(target) / (Path(inputs[0]).stem + extension))
        if target is None and get_writer(fmt).binary and sys.stdout.isatty():
            raise ZhconvertError(f"{fmt} output is binary: give -o FILE")
        return [_Job(inputs[0], target, fmt, options, args.strict)], []
    if output in (None, "-"):
        raise UsageError("several inputs or a folder need an output folder: -o DIR")
    if "-" in inputs:
        raise UsageError("'-' (standard input) cannot be mixed with other inputs")
    out_dir = Path(output)
    if out_dir.exists() and not out_dir.is_dir():
        raise ZhconvertError(f"{output}: exists and is not a folder")
    jobs: list[_Job] = []
    unreadable: list[str] = []
    taken: dict[str, str] = {}
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            pairs = [
                (p, p.relative_to(path))
                for p in iter_posts(path, skip=[out_dir], onerror=unreadable.append)
                if not config.is_excluded(p)
            ]
        else:
            pairs = [(path, Path(path.name))]
        for source, relative in pairs:
            target = out_dir / relative.with_suffix(extension)
            key = os.path.normcase(str(target))
            counter = 2
            # Two posts that map to one output name (a.md and a.markdown) are both kept.
            while key in taken:
                target = out_dir / relative.with_name(f"{relative.stem}-{counter}{extension}")
                key = os.path.normcase(str(target))
                counter += 1
            taken[key] = str(source)
            jobs.append(_Job(str(source), str(target), fmt, options, args.strict))
    return jobs, unreadable


def run(args: argparse.Namespace) -> int:
    from ..errors import ZhconvertError

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output and args.output != "-" else ""
        fmt = _EXTENSION_FORMATS.get(suffix, "markdown")
    _check_output(args, fmt)
    config = load_settings(args, exclude=args.exclude)
    from ..chinese import check_text_options

    check_text_options(**config.text_options)  # a missing library fails once, not per file
    workers = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if workers < 1:
        raise UsageError("--jobs must be at least 1")
    folders = any(name != "-" and os.path.isdir(name) for name in args.inputs)
    # The workers for a folder start first: they load the converter while this process plans.
    with _worker_pool(workers if folders else 1) as pool:
        options = _writer_options(args, fmt, config)
        _MADE_FOLDERS.clear()  # a folder made by an earlier run in this process may be gone
        jobs, unreadable = _plan(args, fmt, options, config)
        # Only what the command line names is checked up front; a bad file found in a folder
        # is reported on its own while the others are converted.
        for name in args.inputs:
            if name != "-" and not os.path.exists(name):
                raise ZhconvertError("no such file", path=name)
        for job in jobs:
            if job.target is not None and _same_file(job.source, job.target):
                raise UsageError(f"{job.target}: the output would overwrite the input")
        results: list[tuple[str, str | None, tuple[str, ...]]]
        with batch_gc(len(jobs) > 1):
            if pool is None or len(jobs) < 2:
                results = [convert_one(job) for job in jobs]
            else:
                results = _run_parallel(pool, jobs, workers)
    failed = 0
    for line in unreadable:
        error(line)
    # Results come in the order of the jobs, in parallel too.
    for job, (source, problem, warnings) in zip(jobs, results, strict=True):
        if not args.quiet:
            for warning in warnings:
                warn(warning)
        if problem is not None:
            failed += 1
            error(problem)
        elif args.verbose:
            print(f"converted: {source} -> {job.target or '<stdout>'}", file=sys.stderr)
    if (len(jobs) > 1 or unreadable) and not args.quiet:
        done = len(jobs) - failed
        summary = f"converted {done} of {len(jobs)} posts into {args.output}"
        if failed:
            summary += f"; {failed} failed"
        if unreadable:
            summary += f"; {len(unreadable)} folder(s) could not be read"
        print(summary, file=sys.stderr)
    return 1 if failed or unreadable else 0


@contextlib.contextmanager
def _worker_pool(workers: int) -> Iterator[ProcessPoolExecutor | None]:
    """Start ``workers`` worker processes (None for one: this process converts)."""
    if workers < 2:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_start_worker, initargs=(os.getpid(),)
    )
    try:
        # Started now (where workers are forked, all at once), with SIGINT ignored from their
        # first instant: a worker that Ctrl-C killed would break the pool, and on Python
        # before 3.12 a broken pool can hang the parent at exit (CPython issue gh-107219).
        with _sigint_ignored():
            pool.submit(_warm_up)
        yield pool
    except BaseException:
        # Ctrl-C, or an error while planning: no new chunk starts, the workers finish the one
        # they are converting (a few dozen milliseconds) and exit.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


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


def _run_parallel(
    pool: ProcessPoolExecutor, jobs: list[_Job], workers: int
) -> list[tuple[str, str | None, tuple[str, ...]]]:
    # Chunks amortize the inter-process overhead (a few hundred microseconds each); many per
    # worker keep them all busy to the end, when the last chunk may leave the others idle.
    size = max(1, min(16, len(jobs) // (workers * 8)))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    results: list[tuple[str, str | None, tuple[str, ...]]] = []
    for chunk_results in pool.map(_convert_chunk, chunks):
        results.extend(chunk_results)
    return results
