"""Rewrite posts in place as clean Markdown: the engine of ``zhconvert normalize`` and its hook.

A *post* is a file with YAML front matter (blank lines may come before the opening ``---``). A post
whose body holds HTML is rewritten as clean Markdown; every other file (a README, a post already
in Markdown) is left alone, byte for byte. The rewritten file keeps the encoding, byte order mark,
line endings, final-newline convention and permission bits of the original, and with
``front_matter="keep"`` its front matter bytes too.

Nothing is written unless the result reads back as a post whose body is no longer HTML, so a
second run always leaves the file alone (idempotence) and a writer bug can never turn a post into
something else. Writes are atomic: a killed run leaves each post either as it was or finished.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ._api import dumps, loads
from ._atomic import atomic_write_bytes
from .config import CHINESE_CHOICES, FRONT_MATTER_MODES, IMAGE_CHOICES
from .errors import OptionError, ZhconvertError
from .model import Block, BlockQuote, Document, Figure, ListBlock, ListItem
from .readers._decode import BOMS

__all__ = [
    "FRONT_MATTER_MODES",
    "IMAGE_CHOICES",
    "NormalizeResult",
    "Status",
    "normalize_bytes",
    "normalize_file",
]

MIXED_BODY = "body mixes Markdown with HTML: text outside any HTML element"

#: What happened to one file:
#: ``fixed`` (rewritten), ``would-fix`` (``check=True``: it would have been rewritten),
#: ``unchanged`` (a post already clean, or not a post: left alone), ``failed`` (left alone too).
Status = Literal["fixed", "would-fix", "unchanged", "failed"]


@dataclass(frozen=True, slots=True)
class NormalizeResult:
    """The outcome for one file.

    ``reason`` says why a file was left alone or failed. ``before`` and ``after`` hold the old and
    new bytes when the file changed or would change (for ``--diff``); ``encoding`` decodes both.
    ``warnings`` are the reader's remarks on the post.
    """

    path: Path
    status: Status
    reason: str = ""
    before: bytes = b""
    after: bytes = b""
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Return whether the file was, or would be, rewritten."""
        return self.status in ("fixed", "would-fix")


def normalize_file(
    path: str | os.PathLike[str],
    *,
    check: bool = False,
    front_matter: str = "keep",
    images: str = "best",
    chinese: str | None = None,
    cjk_spacing: bool = False,
) -> NormalizeResult:
    """Rewrite the post at ``path`` as clean Markdown if its body holds HTML.

    With ``check=True`` nothing is written. Never raises for a bad file: a file that cannot be
    read or converted is left untouched and reported as ``failed``. ``chinese`` and
    ``cjk_spacing`` are ``zhconvert.dumps``' Chinese-text options, applied to the body (the
    front matter follows ``front_matter``: kept as it is, or written from the converted
    metadata).
    """
    _check_options(front_matter, images, chinese, cjk_spacing)
    shown = Path(os.fspath(path))
    # Write through a symbolic link: replacing the link itself would turn it into a copy.
    target = Path(os.path.realpath(shown)) if shown.is_symlink() else shown
    try:
        before_stat = os.stat(target)
        if not stat.S_ISREG(before_stat.st_mode):
            return NormalizeResult(shown, "failed", "not a regular file")
        data = target.read_bytes()
    except FileNotFoundError:
        return NormalizeResult(shown, "failed", "no such file")
    except PermissionError:
        return NormalizeResult(shown, "failed", "permission denied")
    except OSError as exc:
        return NormalizeResult(shown, "failed", f"cannot read: {exc.strerror or exc}")

    try:
        outcome = _convert(
            data,
            path=str(shown),
            front_matter=front_matter,
            images=images,
            chinese=chinese,
            cjk_spacing=cjk_spacing,
        )
    except ZhconvertError as exc:
        return NormalizeResult(shown, "failed", _reason(exc))
    except RecursionError:
        return NormalizeResult(shown, "failed", "the post is nested too deeply to convert")
    except Exception as exc:  # a reader or writer bug must not cost the user a post
        return NormalizeResult(
            shown, "failed", f"internal error ({type(exc).__name__}: {exc}); please report it"
        )

    if outcome.after is None:
        return NormalizeResult(shown, "unchanged", outcome.reason, warnings=outcome.warnings)
    changed = NormalizeResult(
        shown,
        "would-fix" if check else "fixed",
        before=data,
        after=outcome.after,
        encoding=outcome.encoding,
        warnings=outcome.warnings,
    )
    if check:
        return changed

    try:
        now = os.stat(target)
        if (now.st_mtime_ns, now.st_size) != (before_stat.st_mtime_ns, before_stat.st_size):
            # Someone saved the file while it was converted: their edit wins.
            return NormalizeResult(shown, "failed", "changed while it was being normalized")
        atomic_write_bytes(target, outcome.after, mode=before_stat.st_mode & 0o7777)
    except ZhconvertError as exc:
        return NormalizeResult(shown, "failed", _reason(exc))
    except OSError as exc:
        return NormalizeResult(shown, "failed", f"cannot write: {exc.strerror or exc}")
    return changed


def normalize_bytes(
    data: bytes,
    *,
    path: str | None = None,
    front_matter: str = "keep",
    images: str = "best",
    chinese: str | None = None,
    cjk_spacing: bool = False,
) -> bytes | None:
    """Return the normalized bytes of a post, or ``None`` when it is to be left alone.

    Raises ``ZhconvertError`` when the post cannot be converted safely.
    """
    _check_options(front_matter, images, chinese, cjk_spacing)
    return _convert(
        data,
        path=path,
        front_matter=front_matter,
        images=images,
        chinese=chinese,
        cjk_spacing=cjk_spacing,
    ).after


# ---------------------------------------------------------------------------------------------
# The conversion


@dataclass(frozen=True, slots=True)
class _Outcome:
    after: bytes | None
    reason: str = ""
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()


def _convert(
    data: bytes,
    *,
    path: str | None,
    front_matter: str,
    images: str,
    chinese: str | None = None,
    cjk_spacing: bool = False,
) -> _Outcome:
    doc = loads(data, path=path)
    original_front_matter = doc.front_matter
    if original_front_matter is None:
        return _Outcome(None, "not a post (no front matter)")
    if doc.source.body_format != "html":
        return _Outcome(None, f"body is {doc.source.body_format}, not HTML", warnings=doc.warnings)

    source = doc.source
    bom, codec = _bom_and_codec(data, source.encoding, source.bom)
    raw = data[len(bom) :]
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as exc:
        # The reader replaced bad bytes to read the post; writing that back would lose them.
        raise ZhconvertError(
            f"not valid {codec} (byte {exc.start + len(bom)}: {exc.reason}); left as it was"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith(original_front_matter.text) and _text_outside_html(
        text[len(original_front_matter.text) :]
    ):
        return _Outcome(None, MIXED_BODY, codec, doc.warnings)
    if images == "src":
        doc = _prefer_src_images(doc)

    rendered = dumps(
        doc, "markdown", front_matter=front_matter, chinese=chinese, cjk_spacing=cjk_spacing
    )
    if not isinstance(rendered, str):
        raise ZhconvertError("the Markdown writer returned bytes, not text")
    if front_matter == "keep":
        fm_text = original_front_matter.text
        # The writer starts the block on the first line; the file keeps its own lines before it.
        written = fm_text.lstrip(" \t\n")
        if not rendered.startswith(written) or fm_text[: len(fm_text) - len(written)].strip():
            raise ZhconvertError("the Markdown writer did not keep the front matter")
        head = _original_front_matter(raw, fm_text, codec)
        body = rendered[len(written) :]
    else:
        head = b""
        body = rendered

    # The file's own convention, whatever the writer ends with (the corpus has no final newline).
    # With no body left, the file ends with its front matter's closing line as it is.
    body = body.rstrip("\n")
    if source.final_newline and body.strip():
        body += "\n"
    if source.newline != "\n":
        body = body.replace("\n", source.newline)
    try:
        after = bom + head + body.encode(codec)
    except UnicodeEncodeError as exc:
        raise ZhconvertError(
            f"the Markdown has a character {exc.object[exc.start : exc.end]!r} that {codec}"
            " cannot encode"
        ) from None
    if after == data:
        return _Outcome(None, "already clean", codec, doc.warnings)

    _check_stable(after, doc, path=path, front_matter=front_matter)
    return _Outcome(after, "", codec, doc.warnings)


def _text_outside_html(body: str) -> bool:
    """Return whether ``body`` has text outside every HTML element: Markdown mixed with HTML.

    Generated bodies (Zhihu, cnBeta and the like) are HTML from end to end, inside one wrapper
    element. A hand-written Markdown post that merely starts with an HTML line (an ``<img>``, a
    ``<!-- more -->``) has its Markdown outside any element; converting it as HTML would flatten
    its paragraphs, lists and code, so such a post is left alone.
    """
    from lxml import etree

    parser = etree.HTMLParser(
        recover=True, no_network=True, remove_comments=False, encoding="utf-8"
    )
    source = f"<html><body>{body}</body></html>".encode("utf-8", "surrogatepass")
    try:
        root = etree.fromstring(source, parser)
    except (etree.ParserError, ValueError):
        # The reader parsed it as HTML; with no verdict here, its verdict stands.
        return False
    element = root.find("body") if root is not None else None
    if element is None:
        return False
    loose = [element.text or ""]
    loose.extend(child.tail or "" for child in element)
    return any(piece.strip() for piece in loose)


def _bom_and_codec(data: bytes, encoding: str, has_bom: bool) -> tuple[bytes, str]:
    if has_bom:
        for mark, codec in BOMS:
            if data.startswith(mark):
                return mark, codec
        raise ZhconvertError(f"the reader found a byte order mark for {encoding} that is not there")
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise ZhconvertError(f"unknown encoding {encoding!r}") from None
    # The mark, if any, was handled above; a "-sig" or bare UTF-16 codec would add one.
    return b"", {"utf-8-sig": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}.get(
        codec, codec
    )


def _original_front_matter(raw: bytes, fm_text: str, codec: str) -> bytes:
    """Return the file's own bytes for the front matter, whose text (newlines normalized) is known.

    Taking the bytes from the file, not re-encoding ``fm_text``, keeps mixed line endings and
    anything else the blog relies on exactly as they were.
    """
    # The front matter is at most a few kilobytes: decode only a generous prefix.
    limit = len(fm_text.encode(codec)) * 2 + 16
    text = raw[:limit].decode(codec, errors="replace")
    index = count = 0
    while count < len(fm_text) and index < len(text):
        index += 2 if text.startswith("\r\n", index) else 1
        count += 1
    original = text[:index]
    if original.replace("\r\n", "\n").replace("\r", "\n") != fm_text:
        raise ZhconvertError("cannot find the front matter's own bytes to keep them")
    head = original.encode(codec)
    if not raw.startswith(head):
        raise ZhconvertError("cannot find the front matter's own bytes to keep them")
    return head


def _check_stable(after: bytes, doc: Document, *, path: str | None, front_matter: str) -> None:
    """Refuse a result that would not read back as a post with a Markdown body.

    Such a result would either lose the post's front matter or be converted again by the next
    run; both would break the promise that normalize is safe and idempotent.
    """
    again = loads(after, path=path)
    if again.front_matter is None:
        raise ZhconvertError("the converted post would lose its front matter; left as it was")
    if (
        front_matter == "keep"
        and doc.front_matter is not None
        and again.front_matter.text != doc.front_matter.text
    ):
        raise ZhconvertError("the converted post would change its front matter; left as it was")
    if again.source.body_format == "html":
        raise ZhconvertError(
            "the converted Markdown still reads as HTML (a second run would change it again);"
            " left as it was"
        )


def _prefer_src_images(doc: Document) -> Document:
    """Return ``doc`` with each figure pointing at the image the page showed (its first fallback).

    The Markdown writer knows one URL per figure, so the choice is made here, on the document.
    """
    return dataclasses.replace(doc, blocks=tuple(_src_block(block) for block in doc.blocks))


def _src_block(block: Block) -> Block:
    if isinstance(block, Figure):
        if not block.fallbacks:
            return block
        first, *rest = block.fallbacks
        return dataclasses.replace(block, url=first, fallbacks=(block.url, *rest))
    if isinstance(block, BlockQuote):
        return BlockQuote(tuple(_src_block(child) for child in block.children))
    if isinstance(block, ListBlock):
        items = tuple(ListItem(tuple(_src_block(c) for c in item.children)) for item in block.items)
        return dataclasses.replace(block, items=items)
    return block


def _check_options(
    front_matter: str, images: str, chinese: str | None = None, cjk_spacing: bool = False
) -> None:
    if front_matter not in FRONT_MATTER_MODES:
        raise OptionError(f'front_matter must be "keep" or "normalize", not {front_matter!r}')
    if images not in IMAGE_CHOICES:
        raise OptionError(f'images must be "best" or "src", not {images!r}')
    if chinese is not None and chinese not in CHINESE_CHOICES:
        raise OptionError(f"chinese must be one of s, t, tw, hk (or none), not {chinese!r}")
    if not isinstance(cjk_spacing, bool):
        raise OptionError(f"cjk_spacing must be True or False, not {cjk_spacing!r}")


def _reason(exc: ZhconvertError) -> str:
    """Return the error's message without the file name the caller prints anyway."""
    text = str(exc)
    if exc.path and text.startswith(f"{exc.path}: "):
        text = text[len(exc.path) + 2 :]
    return text
