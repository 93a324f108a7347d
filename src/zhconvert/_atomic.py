"""Atomic file writes: a temporary file in the same folder, then one rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from .errors import ZhconvertError

__all__ = ["atomic_write_bytes"]


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Replace ``path`` with ``data`` so that a reader sees the old file or the new, never half.

    ``mode`` sets the permission bits of the new file (default: those of the file it replaces,
    else the umask's default).
    """
    folder = path.parent if str(path.parent) else Path(".")
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        except OSError:
            mode = None
    try:
        # A short fixed prefix: the post's own name may already be near the file-name limit.
        fd, tmp_name = tempfile.mkstemp(prefix=".zhconvert-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ZhconvertError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
        _fsync_folder(folder)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise ZhconvertError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
        raise


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable, where the platform allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
