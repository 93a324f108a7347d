"""Atomic file writes: a temporary file in the same folder, then one rename.

Where Linux allows it (``O_TMPFILE``), the data is first written to a file that has no name at
all and is only given a name once complete: its final name when no file has it yet, else a
temporary name that is then renamed over the old file. A process killed while writing leaves
nothing behind, not even a hidden temporary file. Elsewhere the temporary file is named from the
start (``.zhconvert-*.tmp``), and a kill can leave that file, never a partial target.

A target that is a character device or a FIFO (``/dev/null``, a named pipe), or a link in ``/dev``
to one (``/dev/stdout``), is written to directly: there is no file to replace, and replacing the
device node (as root, in ``/dev``) would destroy it. Any other symbolic link is itself replaced,
never written through, so a link planted in an output folder cannot redirect a write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import ZhconvertError

__all__ = ["atomic_write_bytes"]

# A short fixed prefix: the post's own name may already be near the file-name limit.
_PREFIX = ".zhconvert-"
_SUFFIX = ".tmp"


def atomic_write_bytes(
    path: Path,
    data: bytes,
    *,
    mode: int | None = None,
    durable: bool = True,
    owner: tuple[int, int] | None = None,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Replace ``path`` with ``data`` so that a reader sees the old file or the new, never half.

    ``mode`` sets the permission bits of the new file (default: those of the file it replaces,
    else the umask's default). ``owner`` is the ``(uid, gid)`` the new file must have; when the
    system refuses it (only root may give a file away), nothing is written and the error says
    so. ``durable`` flushes the file and its folder to the disk before and after the rename
    (``fsync``), so that the new file also survives a power cut or a crash of the system.
    Without it the write is as atomic for every other process (a killed writer still leaves the
    old file or the new), only not flushed: right for output that can be made again from its
    input, at a fraction of the cost. ``before_replace`` is called once the new file is complete
    (and flushed), immediately before it takes the name; whatever it raises cancels the write
    (the new file is removed) and reaches the caller.
    """
    special = _special_target(path)
    if special:
        _write_directly(path, data)
        return
    folder = path.parent if str(path.parent) else Path(".")
    exists = True
    if mode is None:
        try:
            mode = path.stat().st_mode & 0o7777
        except FileNotFoundError:
            exists = False
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        except OSError:
            mode = None
    # With a last check to make, the file is never linked straight to its final name.
    direct = None if exists or before_replace is not None else path
    tmp_name: str | None = None
    try:
        named = _write_unnamed(folder, data, mode, durable, direct, owner)
        if named is None:
            import tempfile

            fd, tmp_name = tempfile.mkstemp(prefix=_PREFIX, suffix=_SUFFIX, dir=folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                if owner is not None:
                    _give_away(handle.fileno(), owner)  # first: it clears set-id bits
                if mode is not None:
                    os.fchmod(handle.fileno(), mode)
                if durable:
                    os.fsync(handle.fileno())
        elif named != os.fspath(path):
            tmp_name = named
        if tmp_name is not None:
            if before_replace is not None:
                before_replace()
            os.replace(tmp_name, path)
            tmp_name = None
        if durable:
            _fsync_folder(folder)
    except BaseException as exc:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
        if isinstance(exc, OSError):
            raise ZhconvertError(f"cannot write: {exc.strerror or exc}", path=str(path)) from None
        raise


def _special_target(path: Path) -> bool:
    """Return whether ``path`` is a device or FIFO to write into, not to replace.

    A symbolic link is followed to one only from ``/dev`` or ``/proc`` (``/dev/stdout``,
    ``/dev/fd/1``): a link planted in an output folder, to ``/dev/port`` say, is replaced like any
    other link. Raises for a block device, a socket or a folder: nothing sensible goes there.
    """
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
            if folder != "/dev" and not folder.startswith("/proc/"):
                return False
            info = os.stat(path)
    except OSError:
        return False  # missing, or a dangling link: a new file takes the name
    if stat.S_ISREG(info.st_mode):
        return False
    if stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode):
        return True
    what = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
    raise ZhconvertError(f"cannot write: {what}", path=str(path))


def _write_directly(path: Path, data: bytes) -> None:
    """Write ``data`` into a device or FIFO (``/dev/stdout``, ``/dev/null``, a named pipe).

    A FIFO nobody reads is an error at once, not a wait for ever.
    """
    nonblocking = getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, os.O_WRONLY | nonblocking | getattr(os, "O_CLOEXEC", 0))
        try:
            if nonblocking:
                os.set_blocking(fd, True)  # a full pipe is waited on, not an error
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        reason = "nobody reads it" if exc.errno == errno.ENXIO else exc.strerror or str(exc)
        raise ZhconvertError(f"cannot write: {reason}", path=str(path)) from None


def _give_away(fd: int, owner: tuple[int, int]) -> None:
    """Give the open file ``fd`` the owner and group ``owner``, or raise saying it cannot."""
    info = os.fstat(fd)
    if (info.st_uid, info.st_gid) == owner:
        return
    try:
        os.fchown(fd, *owner)
    except OSError as exc:
        raise ZhconvertError(
            f"cannot keep its owner and group ({owner[0]}:{owner[1]}): "
            f"{(exc.strerror or str(exc)).lower()}; left as it was"
        ) from None


def _write_unnamed(
    folder: Path,
    data: bytes,
    mode: int | None,
    durable: bool,
    target: Path | None,
    owner: tuple[int, int] | None = None,
) -> str | None:
    """Write ``data`` to a nameless file in ``folder``, then name it; return that name.

    ``target`` is a name no file had a moment ago: the complete file is given that name at once
    (linking never replaces a file, so one that appeared meanwhile is safe), which spares the
    rename. Otherwise, or if it did appear, the name is a temporary one for the caller to rename.
    None where the platform or the file system has no nameless files (or no ``/proc`` to name
    them through): the caller then writes a named temporary file instead.
    """
    flag = getattr(os, "O_TMPFILE", 0)
    if not flag:
        return None
    try:
        fd = os.open(folder, flag | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600)
    except OSError as exc:
        if exc.errno in (errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOSYS):
            return None
        raise
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if owner is not None:
            _give_away(fd, owner)  # before the mode: a change of owner clears set-id bits
        if mode is not None:
            os.fchmod(fd, mode)
        if durable:
            os.fsync(fd)
        try:
            # linkat(AT_SYMLINK_FOLLOW) on /proc/self/fd/N gives the open file a name; a
            # src_dir_fd makes Python call linkat rather than link, which would not follow.
            proc = os.open("/proc", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                if target is not None:
                    try:
                        os.link(f"self/fd/{fd}", target, src_dir_fd=proc, follow_symlinks=True)
                        return os.fspath(target)
                    except FileExistsError:
                        pass
                name = os.path.join(folder, f"{_PREFIX}{os.urandom(6).hex()}{_SUFFIX}")
                os.link(f"self/fd/{fd}", name, src_dir_fd=proc, follow_symlinks=True)
            finally:
                os.close(proc)
        except OSError as exc:
            if exc.errno in (errno.ENOENT, errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP):
                return None  # no /proc, or linking is not allowed: write a named file instead
            raise
        return name
    finally:
        os.close(fd)


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
