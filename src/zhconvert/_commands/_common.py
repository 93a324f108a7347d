"""What several sub-commands share: reporting and walking input folders."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import ZhconvertError

__all__ = ["POST_SUFFIXES", "UsageError", "error", "iter_posts", "warn"]


class UsageError(ZhconvertError):
    """The command line itself is wrong (exit code 2, like argparse's own errors)."""


#: File endings read as posts when a folder is walked.
POST_SUFFIXES = (".md", ".markdown", ".html", ".htm")


def error(message: str) -> None:
    """Print one ``Error: ...`` line on stderr."""
    print(f"Error: {message}", file=sys.stderr)


def warn(message: str) -> None:
    """Print one ``Warning: ...`` line on stderr."""
    print(f"Warning: {message}", file=sys.stderr)


def iter_posts(
    folder: Path, *, suffixes: Iterable[str] = POST_SUFFIXES, skip: Iterable[Path] = ()
) -> Iterator[Path]:
    """Yield the posts below ``folder`` in a stable order.

    Symbolic links to folders are not followed (no loops); folders in ``skip`` (an output folder
    inside the input, say) and hidden folders are not entered.
    """
    wanted = tuple(s.lower() for s in suffixes)
    skipped = {os.path.realpath(p) for p in skip}
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and os.path.realpath(os.path.join(root, d)) not in skipped
        )
        for name in sorted(files):
            if name.lower().endswith(wanted) and not name.startswith("."):
                yield Path(root, name)
