"""The four public verbs: ``load``, ``loads``, ``dump``, ``dumps``."""

from __future__ import annotations

import datetime as _dt
import os
import stat
import time as _time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ._atomic import atomic_write_bytes
from .errors import (
    AccessError,
    FileError,
    FileMissingError,
    FolderGivenError,
    OptionError,
    ZhconvertError,
)
from .model import Document
from .readers import read_post
from .writers import get_writer, make_options

__all__ = ["dump", "dumps", "from_html", "load", "loads"]

StrPath = str | os.PathLike[str]


def loads(text: str | bytes | Any, *, path: str | None = None, strict: bool = False) -> Document:
    """Parse a post given as text or bytes into a Document.

    Bytes are decoded by detection (BOM, UTF-8, GB18030); the encoding is recorded on
    ``doc.source``. With ``strict=True``, front matter that does not parse raises
    ``FrontMatterError``; otherwise what can be recovered is used and a warning is recorded in
    ``doc.warnings``. ``path`` only names the post in errors and warnings. A
    ``frontmatter.Post`` (python-frontmatter) is read as the post it stands for.
    """
    if not isinstance(text, (str, bytes)):
        text = _post_text(text)
    try:
        return read_post(text, path=path, strict=strict)
    except ZhconvertError as exc:
        raise (exc.with_path(path) if path else exc) from None


def from_html(
    html: str | bytes | Any,
    *,
    title: str = "",
    url: str = "",
    author: str = "",
    date: str | _dt.datetime | _time.struct_time | None = None,
    site: str = "",
    categories: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> Document:
    """Read the HTML of a feed item or a web page into a Document.

    ``html`` is a string, UTF-8 bytes, or a BeautifulSoup object or tag (as ``requests`` +
    ``beautifulsoup4`` or ``feedparser`` users have it); it is always read as HTML, through the
    same reader and site rules as a post's body. The keywords are the item's metadata:
    ``date`` takes an RFC 2822 or ISO string (``entry.published``), a ``datetime``, or a
    ``time.struct_time`` in UTC (``entry.published_parsed``); a naive time is China time.
    """
    from .readers import read_item

    when = _item_date(date)
    mapping: dict[str, Any] = {
        "title": title,
        "url": url,
        "site": site,
        "author": author,
        "date": when,
        "categories": list(categories),
        "tags": list(tags),
    }
    doc = read_item(_markup(html), mapping)
    # The item's own author and site are what the caller says, even without the other.
    meta = replace(doc.meta, author=author.strip() or doc.meta.author, site=site.strip())
    return replace(doc, meta=meta)


def _markup(html: object) -> str:
    """Return the HTML text of a string, UTF-8 bytes, or a BeautifulSoup object or tag."""
    if isinstance(html, str):
        return html
    if isinstance(html, bytes):
        return html.decode("utf-8", "replace")
    from bs4.element import PageElement

    if isinstance(html, PageElement):
        return str(html)
    raise OptionError(
        f"from_html takes HTML as str, bytes or a BeautifulSoup object, not {type(html).__name__}"
    )


def _item_date(value: object) -> _dt.datetime | None:
    """Return the aware datetime of a feed item's date, or None without one."""
    if value is None or value == "":
        return None
    if isinstance(value, _time.struct_time):
        return _dt.datetime(*value[:6], tzinfo=_dt.timezone.utc)
    from .readers._frontmatter import parse_date

    when = parse_date(value)
    if when is None:
        raise OptionError(f"from_html: not a date: {value!r}")
    return when


def _post_text(post: object) -> str:
    """Return the text of a python-frontmatter ``Post``: its YAML front matter and its body."""
    import frontmatter

    if not isinstance(post, frontmatter.Post):
        raise OptionError(
            f"loads takes str, bytes or a frontmatter.Post, not {type(post).__name__}"
        )
    text: str = frontmatter.dumps(post)
    return text


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
