"""Rewrite posts in place as clean Markdown: the engine of ``zhconvert normalize`` and its hook.

A *post* is a file with YAML front matter (blank lines may come before the opening ``---``). A post
whose body holds HTML is rewritten as clean Markdown; every other file (a README, a post already
in Markdown) is left alone, byte for byte. One exception: with ``images="local"``, a post in
zhconvert's own Markdown (read and written again, it gives back its own bytes) that still shows
remote images, because they failed when it was converted, gets them stored, and only their
addresses change. The rewritten file keeps the byte order mark, line endings, final-newline
convention, permission bits, owner and group of the original, and with ``front_matter="keep"``
its front matter too (its bytes, for a UTF-8 post). It is written as UTF-8, the only encoding
Hexo reads; ``encoding="keep"`` keeps a GB18030 or UTF-16 post's own. A read-only file, a
symbolic link to a file outside the allowed folders, and a file saved by someone else while it
was converted are left as they are and reported; breaking a hard link is said.

Nothing is written unless the result reads back as a post whose body is no longer HTML, so a
second run leaves the file alone (idempotence; with ``images="local"``, unless an image that
failed can be had now) and a writer bug can never turn a post into something else. Writes are
atomic: a killed run leaves each post either as it was or finished.
"""

from __future__ import annotations

import codecs
import dataclasses
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ._api import dumps, loads
from ._atomic import atomic_write_bytes
from .config import (
    CHINESE_CHOICES,
    ENCODING_CHOICES,
    FRONT_MATTER_MODES,
    IMAGE_CHOICES,
    IMAGE_SOURCE_CHOICES,
)
from .errors import OptionError, ZhconvertError
from .model import Block, BlockQuote, Document, Figure, ListBlock, ListItem
from .readers._decode import BOMS

if TYPE_CHECKING:
    from .images.local import LocalImages

__all__ = [
    "CHANGED_WHILE_RUNNING",
    "ENCODING_CHOICES",
    "FRONT_MATTER_MODES",
    "IMAGE_CHOICES",
    "IMAGE_MODES",
    "IMAGE_SOURCE_CHOICES",
    "NormalizeResult",
    "Status",
    "normalize_bytes",
    "normalize_file",
]

MIXED_BODY = "body mixes Markdown with HTML: text outside any HTML element"
#: What ``images`` may be: keep the addresses, store the images with the post, or leave them out.
IMAGE_MODES = ("remote", "local", "omit")
#: The reason given for a post saved by someone else while it was being normalized.
CHANGED_WHILE_RUNNING = "changed while it was being normalized"

#: What happened to one file:
#: ``fixed`` (rewritten), ``would-fix`` (``check=True``: it would have been rewritten),
#: ``unchanged`` (a post already clean, or not a post: left alone), ``failed`` (left alone too).
Status = Literal["fixed", "would-fix", "unchanged", "failed"]


@dataclass(frozen=True, slots=True)
class NormalizeResult:
    """The outcome for one file.

    ``reason`` says why a file was left alone or failed. ``before`` and ``after`` hold the old and
    new bytes when the file changed or would change (for ``--diff``); ``encoding`` decodes
    ``before``, and ``after`` too unless ``reencoded``: then ``after`` is UTF-8.
    ``warnings`` are the reader's remarks on the post.
    """

    path: Path
    status: Status
    reason: str = ""
    before: bytes = b""
    after: bytes = b""
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()
    reencoded: bool = False
    #: Images written as Markdown from hosts that refuse other sites' Referer (for the hint).
    hotlinked: int = 0

    @property
    def changed(self) -> bool:
        """Return whether the file was, or would be, rewritten."""
        return self.status in ("fixed", "would-fix")

    @property
    def after_encoding(self) -> str:
        """Return the encoding that decodes ``after``."""
        return "utf-8" if self.reencoded else self.encoding


def normalize_file(
    path: str | os.PathLike[str],
    *,
    check: bool = False,
    front_matter: str = "keep",
    images: str = "remote",
    chinese: str | None = None,
    cjk_spacing: bool = False,
    roots: Iterable[str | os.PathLike[str]] | None = None,
    encoding: str = "utf-8",
    hotlink: str = "markdown",
    referer_hosts: Iterable[str] = (),
    image_source: str = "best",
    image_store: LocalImages | None = None,
) -> NormalizeResult:
    """Rewrite the post at ``path`` as clean Markdown if its body holds HTML.

    With ``check=True`` nothing is written. Never raises for a bad file: a file that cannot be
    read or converted is left untouched and reported as ``failed``. ``chinese`` and
    ``cjk_spacing`` are ``zhconvert.dumps``' Chinese-text options, applied to the body (the
    front matter follows ``front_matter``: kept as it is, or written from the converted
    metadata). A symbolic link is followed only to a file inside one of the folders ``roots``
    (default: the folder that holds the link); the link itself stays a link. ``encoding``:
    ``"utf-8"`` writes a GB18030 or UTF-16 post as UTF-8 (``reencoded``), ``"keep"`` in its own.
    ``hotlink`` and ``referer_hosts`` are the Markdown writer's options of those names.

    ``images``: ``"remote"`` keeps the images' addresses, ``"omit"`` leaves the images out (their
    captions stay), ``"local"`` stores them with the post through ``image_store`` (a
    ``zhconvert.images.local.LocalImages``; default: one with the default cache, for this call)
    and links them, also the remote images left in a post already in zhconvert's own Markdown;
    with ``check=True`` nothing is downloaded (and such a post is ``unchanged``).
    ``image_source``: figures point at the full-size image (``"best"``) or the one the page
    showed (``"src"``).
    """
    plan = _image_plan(images, image_source, image_store, check=check, path=path)
    _check_options(front_matter, plan.mode, chinese, cjk_spacing, encoding)
    try:
        return _normalize_file(
            path,
            check=check,
            front_matter=front_matter,
            images=plan,
            chinese=chinese,
            cjk_spacing=cjk_spacing,
            roots=roots,
            encoding=encoding,
            hotlink=hotlink,
            referer_hosts=referer_hosts,
        )
    finally:
        if plan.owned and plan.store is not None:
            plan.store.fetcher.close()


def _normalize_file(
    path: str | os.PathLike[str],
    *,
    check: bool,
    front_matter: str,
    images: _ImagePlan,
    chinese: str | None,
    cjk_spacing: bool,
    roots: Iterable[str | os.PathLike[str]] | None,
    encoding: str,
    hotlink: str,
    referer_hosts: Iterable[str],
) -> NormalizeResult:
    shown = Path(os.fspath(path))
    target = Path(os.path.realpath(shown))
    outside = _outside(shown, target, roots)
    if outside:
        return NormalizeResult(shown, "failed", outside)
    try:
        # What was read is pinned by the identity of the open file, not by its name; opened
        # without blocking, so that a FIFO named like a post is refused, not waited on.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(target, flags)
        try:
            before_stat = os.fstat(fd)
            if not stat.S_ISREG(before_stat.st_mode):
                return NormalizeResult(shown, "failed", "not a regular file")
            with os.fdopen(os.dup(fd), "rb") as handle:
                data = handle.read()
        finally:
            os.close(fd)
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
            encoding=encoding,
            hotlink=hotlink,
            referer_hosts=tuple(referer_hosts),
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
    warnings = outcome.warnings
    if not check and before_stat.st_nlink > 1:
        # A rename gives the post a new inode: the other names keep the old content. Writing
        # in place would keep the link but not the atomicity that protects the post.
        warnings += (
            f"had {before_stat.st_nlink} hard links; the rewritten post is a new file, the "
            "other names keep the old content",
        )
    changed = NormalizeResult(
        shown,
        "would-fix" if check else "fixed",
        before=data,
        after=outcome.after,
        encoding=outcome.encoding,
        warnings=warnings,
        reencoded=outcome.reencoded,
        hotlinked=outcome.hotlinked,
    )
    if check:
        return changed
    read_only = _read_only(target, before_stat)
    if read_only:
        return NormalizeResult(shown, "failed", read_only, warnings=outcome.warnings)

    def still_as_read() -> None:
        # Last look, once the new file is written and flushed, just before it takes the name.
        if not _same_file_and_content(target, before_stat, data):
            raise _ChangedWhileRunning

    try:
        still_as_read()  # the common case: the edit came while the post was being converted
        atomic_write_bytes(
            target,
            outcome.after,
            mode=stat.S_IMODE(before_stat.st_mode),
            owner=(before_stat.st_uid, before_stat.st_gid),
            before_replace=still_as_read,
        )
    except _ChangedWhileRunning:
        # Someone saved the file while it was converted: their edit wins.
        return NormalizeResult(shown, "failed", CHANGED_WHILE_RUNNING, warnings=outcome.warnings)
    except ZhconvertError as exc:
        return NormalizeResult(shown, "failed", _reason(exc), warnings=outcome.warnings)
    except OSError as exc:
        return NormalizeResult(shown, "failed", f"cannot write: {exc.strerror or exc}")
    return changed


class _ChangedWhileRunning(Exception):
    """The post is no longer the file that was read."""


def _outside(shown: Path, target: Path, roots: Iterable[str | os.PathLike[str]] | None) -> str:
    """Return why ``shown``, a link to ``target``, may not be followed; ``""`` when it may."""
    if target == Path(os.path.abspath(shown)):
        return ""  # no link on the way
    if roots is None:
        folders = [Path(os.path.realpath(os.path.dirname(os.path.abspath(shown))))]
    else:
        folders = [Path(os.path.realpath(root)) for root in roots]
    if any(target == folder or folder in target.parents for folder in folders):
        return ""
    return (
        f"a symbolic link to {target}, outside the folders given; left alone (name the "
        "folder that holds that file to normalize it)"
    )


def _read_only(target: Path, info: os.stat_result) -> str:
    """Return why the file at ``target`` is not to be rewritten, or ``""``.

    A rename replaces a file whatever its mode (for root, or in a folder the user may write),
    so the file's own permissions are checked first: a post made read-only is meant to stay.
    """
    if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        return "read-only; left as it was"
    if not os.access(target, os.W_OK):
        return "not writable by this user; left as it was"
    return ""


def _same_file_and_content(target: Path, before: os.stat_result, data: bytes) -> bool:
    """Return whether ``target`` is still the file that was read, holding ``data``.

    The inode, size, modification and change times catch nearly every save; the bytes catch an
    edit of the same size within one tick of the file system's clock.
    """
    try:
        with open(target, "rb") as handle:
            now = os.fstat(handle.fileno())
            if (now.st_dev, now.st_ino, now.st_size, now.st_mtime_ns, now.st_ctime_ns) != (
                before.st_dev,
                before.st_ino,
                before.st_size,
                before.st_mtime_ns,
                before.st_ctime_ns,
            ):
                return False
            return handle.read(len(data) + 1) == data
    except OSError:
        return False  # gone, or no longer readable: nothing of it may be replaced


def normalize_bytes(
    data: bytes,
    *,
    path: str | None = None,
    front_matter: str = "keep",
    images: str = "remote",
    chinese: str | None = None,
    cjk_spacing: bool = False,
    encoding: str = "utf-8",
    hotlink: str = "markdown",
    referer_hosts: Iterable[str] = (),
    image_source: str = "best",
    image_store: LocalImages | None = None,
) -> bytes | None:
    """Return the normalized bytes of a post, or ``None`` when it is to be left alone.

    Raises ``ZhconvertError`` when the post cannot be converted safely. ``images`` and
    ``image_source`` are ``normalize_file``'s; ``"local"`` needs ``path`` (where the post is)
    and ``image_store``.
    """
    plan = _image_plan(images, image_source, image_store, check=False, path=path, owned=False)
    _check_options(front_matter, plan.mode, chinese, cjk_spacing, encoding)
    return _convert(
        data,
        path=path,
        front_matter=front_matter,
        images=plan,
        chinese=chinese,
        cjk_spacing=cjk_spacing,
        encoding=encoding,
        hotlink=hotlink,
        referer_hosts=tuple(referer_hosts),
    ).after


# ---------------------------------------------------------------------------------------------
# The conversion


@dataclass(frozen=True, slots=True)
class _Outcome:
    after: bytes | None
    reason: str = ""
    encoding: str = "utf-8"
    warnings: tuple[str, ...] = ()
    reencoded: bool = False
    hotlinked: int = 0


@dataclass(frozen=True, slots=True)
class _Style:
    """The Markdown writer's options of a run (``normalize_file``'s of those names)."""

    front_matter: str
    chinese: str | None
    cjk_spacing: bool
    hotlink: str
    referer_hosts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Writing:
    """How a post is written back: its file's own mark and codec, and the writer's options.

    ``raw`` is the file without its byte order mark ``bom``; ``reencode`` says the Markdown is
    written as UTF-8 although the file was in ``codec``.
    """

    bom: bytes
    codec: str
    raw: bytes
    reencode: bool
    style: _Style


def _convert(
    data: bytes,
    *,
    path: str | None,
    front_matter: str,
    images: _ImagePlan,
    chinese: str | None = None,
    cjk_spacing: bool = False,
    encoding: str = "utf-8",
    hotlink: str = "markdown",
    referer_hosts: tuple[str, ...] = (),
    recheck: bool = True,
) -> _Outcome:
    doc = loads(data, path=path)
    original_front_matter = doc.front_matter
    if original_front_matter is None:
        return _Outcome(None, "not a post (no front matter)")
    source = doc.source
    style = _Style(front_matter, chinese, cjk_spacing, hotlink, referer_hosts)
    if source.body_format != "html":
        reason = f"body is {source.body_format}, not HTML"
        if source.body_format != "markdown" or images.mode != "local":
            return _Outcome(None, reason, warnings=doc.warnings)
        return _localize_markdown(data, doc, images, path, reason, encoding, style)

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
    # Hexo reads UTF-8 only: a post in another encoding shows as mojibake until it is UTF-8.
    reencode = encoding == "utf-8" and codec != "utf-8"
    writing = _Writing(bom, codec, raw, reencode, style)
    doc = _choose_images(doc, images)
    if images.mode == "local" and images.store is not None and path is not None:
        doc = images.store.localize(doc, path)
    after = _render(doc, writing)
    if after == data:
        return _Outcome(None, "already clean", codec, doc.warnings)

    def left_alone_next_time() -> bool:
        # A post of nothing but images written as <img> (hotlink="html") reads as HTML again;
        # that is safe when the next run converts it to itself, which is what is checked.
        if not recheck:
            return False
        try:
            again = _convert(
                after,
                path=path,
                front_matter=front_matter,
                images=images,
                chinese=chinese,
                cjk_spacing=cjk_spacing,
                encoding=encoding,
                hotlink=hotlink,
                referer_hosts=referer_hosts,
                recheck=False,
            )
        except ZhconvertError:
            return False
        return again.after is None

    _check_stable(after, doc, path=path, front_matter=front_matter, idempotent=left_alone_next_time)
    return _Outcome(after, "", codec, doc.warnings, reencode, _hotlinked(doc, writing))


def _localize_markdown(
    data: bytes,
    doc: Document,
    images: _ImagePlan,
    path: str | None,
    reason: str,
    encoding: str,
    style: _Style,
) -> _Outcome:
    """Store the remote images of a post already in Markdown, changing nothing but their addresses.

    The images that failed when the post was converted stay remote; ``--images local`` tries
    them again on a later run. Only zhconvert's own Markdown is rewritten: a post that, read and
    written again with its images remote, gives back its own bytes. Then only the addresses of
    the images now stored change. Any other Markdown (written by hand, or by another tool) is
    left alone, its images not even asked for.
    """
    from .images.local import image_candidates

    store = images.store
    if store is None or path is None or not image_candidates(doc):
        return _Outcome(None, reason, warnings=doc.warnings)
    source = doc.source
    try:
        bom, codec = _bom_and_codec(data, source.encoding, source.bom)
        reencode = encoding == "utf-8" and codec != "utf-8"
        writing = _Writing(bom, codec, data[len(bom) :], reencode, style)
        doc = _choose_images(doc, images)
        own = _render(doc, writing) == data
    except ZhconvertError:
        own = False  # not something the writer gives back: not its own Markdown either
    if not own:
        return _Outcome(
            None,
            f"{reason}; not zhconvert's own Markdown (writing it again would change more than "
            "its image addresses), so its remote images are left as they are",
            warnings=doc.warnings,
        )
    localized = store.localize(doc, path)
    after = _render(localized, writing) if localized is not doc else data
    if after == data:
        # Counted in the summary with their reasons; the next run asks again once it may.
        return _Outcome(
            None, f"{reason}; its remote images could not be stored yet", codec, doc.warnings
        )
    _check_stable(after, localized, path=path, front_matter=style.front_matter)
    return _Outcome(after, "", codec, doc.warnings, reencode, _hotlinked(localized, writing))


def _choose_images(doc: Document, images: _ImagePlan) -> Document:
    """Return ``doc`` with the image addresses ``images`` chooses, or without images (``omit``)."""
    if images.source == "src":
        doc = _prefer_src_images(doc)
    if images.mode == "omit":
        from .images.local import omit_images

        doc = omit_images(doc)
    return doc


def _render(doc: Document, writing: _Writing) -> bytes:
    """Return the bytes of the post ``doc`` written as Markdown in its file's own conventions."""
    source, style = doc.source, writing.style
    rendered = dumps(
        doc,
        "markdown",
        front_matter=style.front_matter,
        chinese=style.chinese,
        cjk_spacing=style.cjk_spacing,
        hotlink=style.hotlink,
        referer_hosts=style.referer_hosts,
    )
    if not isinstance(rendered, str):
        raise ZhconvertError("the Markdown writer returned bytes, not text")
    codec = writing.codec
    if style.front_matter == "keep" and doc.front_matter is not None:
        fm_text = doc.front_matter.text
        # The writer starts the block on the first line; the file keeps its own lines before it.
        written = fm_text.lstrip(" \t\n")
        if not rendered.startswith(written) or fm_text[: len(fm_text) - len(written)].strip():
            raise ZhconvertError("the Markdown writer did not keep the front matter")
        head = _original_front_matter(writing.raw, fm_text, codec)
        body = rendered[len(written) :]
        if writing.reencode:
            head = head.decode(codec).encode("utf-8")  # the same characters, newlines and all
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
    out_codec = "utf-8" if writing.reencode else codec
    try:
        # A UTF-8 post keeps its mark or its lack of one; a converted one has none (the mark
        # was UTF-16's, and some tools show a UTF-8 mark as text).
        return (b"" if writing.reencode else writing.bom) + head + body.encode(out_codec)
    except UnicodeEncodeError as exc:
        raise ZhconvertError(
            f"the Markdown has a character {exc.object[exc.start : exc.end]!r} that {out_codec}"
            " cannot encode"
        ) from None


def _hotlinked(doc: Document, writing: _Writing) -> int:
    """Return how many images of ``doc`` are written as Markdown from Referer-checking hosts."""
    if writing.style.hotlink != "markdown":
        return 0
    from .images.hosts import referer_images

    return referer_images(doc, writing.style.referer_hosts)


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


def _check_stable(
    after: bytes,
    doc: Document,
    *,
    path: str | None,
    front_matter: str,
    idempotent: Callable[[], bool] | None = None,
) -> None:
    """Refuse a result that would not read back as a post with a Markdown body.

    Such a result would either lose the post's front matter or be converted again by the next
    run; both would break the promise that normalize is safe and idempotent. A result that
    reads as HTML passes only when ``idempotent()`` says the next run would leave it as it is.
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
    if again.source.body_format == "html" and not (idempotent is not None and idempotent()):
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


@dataclass(frozen=True, slots=True)
class _ImagePlan:
    """What becomes of a post's images.

    ``mode`` is one of ``IMAGE_MODES``; ``source`` which address a figure gets; ``store`` the
    ``LocalImages`` of ``local`` (``owned``: made for one call, closed after it).
    """

    mode: str = "remote"
    source: str = "best"
    store: LocalImages | None = None
    owned: bool = False


def _image_plan(
    images: str,
    image_source: str,
    store: LocalImages | None,
    *,
    check: bool,
    path: str | os.PathLike[str] | None,
    owned: bool = True,
) -> _ImagePlan:
    if images in IMAGE_SOURCE_CHOICES:
        import warnings

        warnings.warn(
            f'images="{images}" is deprecated; use image_source="{images}"',
            DeprecationWarning,
            stacklevel=3,
        )
        image_source, images = images, "remote"
    if image_source not in IMAGE_SOURCE_CHOICES:
        raise OptionError(f'image_source must be "best" or "src", not {image_source!r}')
    if images not in IMAGE_MODES:
        raise OptionError(f'images must be "remote", "local" or "omit", not {images!r}')
    if images != "local":
        return _ImagePlan(images, image_source)
    if check:
        return _ImagePlan("remote", image_source)  # --check downloads and writes nothing
    if path is None:
        raise OptionError('images="local" needs the path of the post (its images go beside it)')
    if store is not None:
        return _ImagePlan(images, image_source, store)
    if not owned:
        raise OptionError('images="local" needs an image_store (zhconvert.images.local)')
    from .images.local import LocalImages, open_fetcher

    return _ImagePlan(images, image_source, LocalImages(open_fetcher({})), owned=True)


def _check_options(
    front_matter: str,
    images: str,
    chinese: str | None = None,
    cjk_spacing: bool = False,
    encoding: str = "utf-8",
) -> None:
    if front_matter not in FRONT_MATTER_MODES:
        raise OptionError(f'front_matter must be "keep" or "normalize", not {front_matter!r}')
    if images not in IMAGE_MODES:
        raise OptionError(f'images must be "remote", "local" or "omit", not {images!r}')
    if chinese is not None and chinese not in CHINESE_CHOICES:
        raise OptionError(f"chinese must be one of s, t, tw, hk (or none), not {chinese!r}")
    if not isinstance(cjk_spacing, bool):
        raise OptionError(f"cjk_spacing must be True or False, not {cjk_spacing!r}")
    if encoding not in ENCODING_CHOICES:
        raise OptionError(f'encoding must be "utf-8" or "keep", not {encoding!r}')


def _reason(exc: ZhconvertError) -> str:
    """Return the error's message without the file name the caller prints anyway."""
    text = str(exc)
    if exc.path and text.startswith(f"{exc.path}: "):
        text = text[len(exc.path) + 2 :]
    return text
