"""The exceptions zhconvert raises: one base class, precise subclasses."""

from __future__ import annotations

import errno as _errno

__all__ = [
    "AccessError",
    "DecodeError",
    "FileError",
    "FileMissingError",
    "FolderGivenError",
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


class FileError(ZhconvertError, OSError):
    """A file or folder cannot be read or written; also an ``OSError``.

    ``errno``, ``strerror`` and ``filename`` are set as on any ``OSError``; the subclasses below
    also derive from the matching built-in (``FileNotFoundError``...), so code written for
    Python's own file errors catches zhconvert's.
    """

    errno_code: int | None = None

    def __init__(
        self,
        reason: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(reason, path=path, line=line, column=column)
        self.errno = self.errno_code
        self.strerror = reason
        self.filename = path

    def with_path(self, path: str) -> ZhconvertError:
        """Return this error, naming ``path`` (also as ``filename``) if it did not name one."""
        if self.path is None:
            self.path = self.filename = path
        return self


class FileMissingError(FileError, FileNotFoundError):
    """The file or folder does not exist."""

    errno_code = _errno.ENOENT


class FolderGivenError(FileError, IsADirectoryError):
    """A folder was given where a file was expected."""

    errno_code = _errno.EISDIR


class AccessError(FileError, PermissionError):
    """The file or folder may not be read or written."""

    errno_code = _errno.EACCES
