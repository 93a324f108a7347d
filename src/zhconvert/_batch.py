"""``convert_folder``: what ``zhconvert convert DIR -o OUT`` does, from Python."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["ConvertReport", "PostResult", "convert_folder"]

StrPath = str | os.PathLike[str]


@dataclass(frozen=True, slots=True)
class PostResult:
    """One post of a batch: where it was written, or why not, and what was recovered."""

    source: str
    target: str
    error: str | None  # ``<file>: <reason>``, or None when the post was written
    warnings: tuple[str, ...] = ()  # ``<file>: <what was recovered>``


@dataclass(frozen=True, slots=True)
class ConvertReport:
    """What ``convert_folder`` did: a result per post, in the order of the inputs.

    ``unreadable`` holds ``<folder>: cannot read folder (<reason>)`` for each folder that could
    not be walked; its posts are missing from ``posts``.
    """

    out: str
    posts: tuple[PostResult, ...]
    unreadable: tuple[str, ...] = ()

    @property
    def converted(self) -> int:
        """Return how many posts were written."""
        return sum(1 for post in self.posts if post.error is None)

    @property
    def failed(self) -> tuple[PostResult, ...]:
        """Return the posts that could not be converted."""
        return tuple(post for post in self.posts if post.error is not None)

    @property
    def ok(self) -> bool:
        """Return whether every post was written and every folder read (exit code 0)."""
        return not self.unreadable and all(post.error is None for post in self.posts)

    def summary(self) -> str:
        """Return the one-line summary the CLI prints."""
        text = f"converted {self.converted} of {len(self.posts)} posts into {self.out}"
        failed = len(self.posts) - self.converted
        if failed:
            text += f"; {failed} failed"
        if self.unreadable:
            text += f"; {len(self.unreadable)} folder(s) could not be read"
        return text


def convert_folder(
    src: StrPath | Iterable[StrPath],
    out: StrPath,
    to: str = "markdown",
    *,
    jobs: int | None = None,
    dask: str | None = None,
    strict: bool = False,
    exclude: Iterable[str] = (),
    progress: bool = False,
    **options: Any,
) -> ConvertReport:
    """Convert the posts of folders (or files) into the folder ``out``, mirroring their tree.

    ``to`` is a writer's name (``markdown``, ``text``, ``json``, ``epub``, a plugin's) and
    ``options`` its options, as ``dumps`` takes them (``chinese`` and ``cjk_spacing`` too).
    The posts are converted in ``jobs`` local processes (default: one per core), or on the
    Dask cluster whose scheduler is at ``dask`` (``"tcp://host:8786"``; its workers need
    zhconvert and the files at the same paths). Files matching an ``exclude`` glob are left
    alone. A post that cannot be converted is reported in the result, never raised; errors
    about the whole run (no such folder, an output that would replace an input, a scheduler
    out of reach) raise ``ZhconvertError``. ``progress`` shows a progress bar on stderr.
    """
    from ._commands.convert import _get_writer, convert_posts
    from .config import Config
    from .errors import OptionError
    from .writers import make_options

    if jobs is not None and jobs < 1:
        raise OptionError(f"convert_folder: jobs must be 1 or more, not {jobs}")
    sources = [src] if isinstance(src, (str, os.PathLike)) else list(src)
    inputs = [os.fspath(path) for path in sources]
    output = os.fspath(out)
    writer = _get_writer(to)
    # Checked once, here, rather than reported for every post.
    text_options = {k: options[k] for k in ("chinese", "cjk_spacing") if k in options}
    make_options(writer, {k: v for k, v in options.items() if k not in text_options})
    if text_options:
        from .chinese import check_text_options

        check_text_options(**text_options)
    args = argparse.Namespace(inputs=inputs, output=output, strict=strict, images=None)
    config = Config().override(exclude=exclude)
    if len(inputs) == 1 and os.path.isfile(inputs[0]):
        # One file too goes into the folder ``out`` (the command line would write the file).
        from .errors import ZhconvertError

        try:
            os.makedirs(output, exist_ok=True)
        except OSError as exc:
            raise ZhconvertError(f"cannot write: {exc.strerror or exc}", path=output) from None
    planned, results, unreadable = convert_posts(
        args,
        writer.name,
        dict(options),
        config,
        workers=jobs or os.cpu_count() or 1,
        dask=dask,
        progress=progress,
    )
    posts = tuple(
        PostResult(job.source, job.target or "", result[1], tuple(result[2]))
        for job, result in zip(planned, results, strict=True)
    )
    return ConvertReport(output, posts, tuple(unreadable))
