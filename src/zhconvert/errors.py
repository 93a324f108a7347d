"""The exceptions zhconvert raises: one base class, precise subclasses."""

from __future__ import annotations

__all__ = [
    "DecodeError",
    "FrontMatterError",
    "NotTextError",
    "OptionError",
    "UnknownFormatError",
    "ZhconvertError",
]


class ZhconvertError(Exception):
    """Base class of every error zhconvert raises on purpose.

    ``path``, ``line`` and ``column`` (1-based) are set where known; ``str()`` gives one line:
    ``<path>: <reason> (at line L, column C)``.
    """

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.line = line
        self.column = column
        super().__init__(reason)

    def with_path(self, path: str) -> ZhconvertError:
        """Return this error, naming ``path`` if it did not name a file yet."""
        if self.path is None:
            self.path = path
        return self

    def __str__(self) -> str:
        text = self.reason
        if self.line is not None:
            text += f" (at line {self.line}"
            text += f", column {self.column})" if self.column is not None else ")"
        if self.path:
            text = f"{self.path}: {text}"
        return text


class DecodeError(ZhconvertError):
    """The bytes are not text in any encoding zhconvert recognises."""


class NotTextError(DecodeError):
    """The file is binary (an image, an archive...), not a post."""


class FrontMatterError(ZhconvertError):
    """The YAML front matter does not parse, or is not a mapping."""


class UnknownFormatError(ZhconvertError):
    """No writer is registered under that format name."""


class OptionError(ZhconvertError):
    """A writer was given an option it does not know, or a bad value."""
