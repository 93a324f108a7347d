"""A one-line progress bar on stderr, for long runs at a terminal (book, convert)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ._terminal import printable

__all__ = ["Progress"]


class Progress:
    """Shows ``label done/total detail`` on one line, redrawn at most ten times a second."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.label = ""
        self.total = 0
        self.count = 0
        self.detail = ""
        self._drawn = 0.0

    def start(self, label: str, total: int) -> None:
        """Begin a phase of ``total`` steps."""
        self.label, self.total, self.count, self.detail = label, total, 0, ""
        self._draw(force=True)

    def advance(self, steps: int = 1) -> None:
        """Count ``steps`` more steps done."""
        self.update(self.count + steps)

    def update(self, done: int, detail: str | None = None) -> None:
        """Set how many steps are done, and what to say of them after the count."""
        self.count = done
        if detail is not None:
            self.detail = detail
        self._draw(force=done >= self.total)

    def done(self) -> None:
        """End the phase, leaving its last figures on their own line."""
        if self.enabled and self.total:
            self._draw(force=True)
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, *, force: bool) -> None:
        if not self.enabled or not self.total:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.1:
            return
        self._drawn = now
        width = 30
        filled = width * self.count // self.total
        bar = "#" * filled + "-" * (width - filled)
        detail = f" ({printable(self.detail)})" if self.detail else ""
        self.stream.write(
            f"\r{printable(self.label):<15} [{bar}] {self.count}/{self.total}{detail}"
        )
        self.stream.flush()
