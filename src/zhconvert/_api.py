"""The four public verbs: ``load``, ``loads``, ``dump``, ``dumps``."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from ._atomic import atomic_write_bytes
from .errors import AccessError, FileError, FileMissingError, FolderGivenError, ZhconvertError
from .model import Document
from .readers import read_post
from .writers import get_writer, make_options

__all__ = ["dump", "dumps", "load", "loads"]

StrPath = str | os.PathLike[str]


def loads(text: str | bytes, *, path: str | None = None, strict: bool = False) -> Document:
    """Parse a post given as text or bytes into a Document.

    Bytes are decoded by detection (BOM, UTF-8, GB18030); the encoding is recorded on
    ``doc.source``. With ``strict=True``, front matter that does not parse raises
    ``FrontMatterError``; otherwise what can be recovered is used and a warning is recorded in
    ``doc.warnings``. ``path`` only names the post in errors and warnings.
    """
    try:
        return read_post(text, path=path, strict=strict)
    except ZhconvertError as exc:
        raise (exc.with_path(path) if path else exc) from None


def load(path: StrPath, *, strict: bool = False) -> Document:
    """Read the post at ``path`` into a Document."""
    name = os.fspath(path)
    try:
        mode = os.stat(name).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(name)
        if not stat.S_ISREG(mode):
            raise FileError("not a regular file", path=name)
        data = Path(name).read_bytes()
    except FileError:
        raise
    except IsADirectoryError:
        raise FolderGivenError("is a folder, not a file", path=name) from None
    except FileNotFoundError:
        raise FileMissingError("no such file", path=name) from None
    except PermissionError:
        raise AccessError("permission denied", path=name) from None
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror or exc}", path=name) from None
    return loads(data, path=name, strict=strict)


def dumps(
    doc: Document,
    format: str = "markdown",
    *,
    chinese: str | None = None,
    cjk_spacing: bool = False,
    **options: Any,
) -> str | bytes:
    """Render a Document in ``format``: ``str`` for text formats, ``bytes`` for EPUB.

    ``chinese`` (``"s"``, ``"t"``, ``"tw"``, ``"hk"``; ``None`` or ``"none"``: as it is) and
    ``cjk_spacing`` are taken by every writer, plugins included: they rewrite the document's
    prose before it is written (see ``zhconvert.chinese``). Other ``options`` are the writer's own.
    """
    writer = get_writer(format)
    writer_options = make_options(writer, options)
    if chinese is not None or cjk_spacing is not False:
        from .chinese import apply_text_options

        doc = apply_text_options(doc, chinese=chinese, cjk_spacing=cjk_spacing)
    return writer.write(doc, writer_options)


def dump(
    doc: Document,
    path: StrPath,
    format: str = "markdown",
    *,
    chinese: str | None = None,
    cjk_spacing: bool = False,
    **options: Any,
) -> None:
    """Write a Document to ``path`` in ``format``, atomically (temporary file, then rename).

    Takes the same options as `dumps`.
    """
    out = dumps(doc, format, chinese=chinese, cjk_spacing=cjk_spacing, **options)
    data = out if isinstance(out, bytes) else out.encode("utf-8")
    atomic_write_bytes(Path(os.fspath(path)), data)
