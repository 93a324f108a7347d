"""Chapters, images and metadata into one EPUB file, through ebooklib, byte for byte reproducible.

ebooklib writes the package document, the EPUB 3 navigation document and the EPUB 2 NCX; this
module gives it content documents it does not re-parse (plain items, not ``EpubHtml``), fixes the
zip entries' time stamps and attributes, and takes ``dcterms:modified`` from the newest post. The
identifier is a UUID derived from everything that goes into the book, so the same inputs give the
same file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import io
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .._dates import format_day, in_zone, shown, zip_time
from ..images import ImageResource
from . import markup
from .xhtml import UNTITLED, page

__all__ = ["MATH_DIR", "BookMeta", "Chapter", "TocGroup", "assemble", "stylesheet"]

#: The zip time stamp and ``dcterms:modified`` of a book none of whose posts has a date.
NO_DATE = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)

# Every name below is fixed so that ids and paths never depend on anything but the inputs.
TEXT_DIR = "text"
IMAGE_DIR = "images"
#: Formulas drawn for readers without MathML (not pictures: ``--images omit`` keeps them).
MATH_DIR = "math"
STYLE_FILE = "style.css"
TITLE_PAGE = f"{TEXT_DIR}/titlepage.xhtml"
COVER_PAGE = f"{TEXT_DIR}/cover.xhtml"
NAV_FILE = "nav.xhtml"
TOC_WORD = "目录"
COVER_WORD = "封面"
TITLE_PAGE_WORD = "扉页"
IDENTIFIER_NAMESPACE = uuid.UUID("6f1d3c5e-2b8a-5e44-9c1e-7a5b0d2f9e31")


@dataclass(frozen=True, slots=True)
class Chapter:
    """One post, rendered: ``file_name`` is relative to the package folder."""

    file_name: str
    title: str
    content: bytes
    has_math: bool = False
    group: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TocGroup:
    """A heading in the table of contents and what is under it (chapters or groups)."""

    title: str
    children: tuple[TocGroup | Chapter, ...]


@dataclass(frozen=True, slots=True)
class BookMeta:
    """What the package document says about the book."""

    title: str
    language: str
    #: Who wrote the book as the title page shows it ("甲、乙、丙 等").
    creator: str = ""
    #: Each author as its own ``dc:creator`` (the ``creator`` alone when empty).
    creators: tuple[str, ...] = ()
    date: dt.datetime | None = None
    modified: dt.datetime | None = None
    subjects: tuple[str, ...] = ()
    source: str = ""
    description: str = ""


def stylesheet() -> bytes:
    """Return the book's CSS, shipped as package data."""
    return resources.files("zhconvert.epub").joinpath("style.css").read_bytes()


def _utc(value: dt.datetime | None) -> dt.datetime:
    """Return the zip time stamp (and ``dcterms:modified``) for a book whose newest post is this.

    A zip entry records only 1980 to 2107; a post dated outside (2189 is in the corpus) gives
    the nearest time the zip can hold rather than a book that cannot be written.
    """
    if value is None:
        return NO_DATE
    return max(zip_time(value), dt.datetime(1980, 1, 2, tzinfo=dt.timezone.utc))


def _w3c_date(value: dt.datetime) -> str:
    """Return ``value`` as ``dc:date`` wants it: UTC, ``YYYY-MM-DDThh:mm:ssZ``, any year."""
    utc = in_zone(value, dt.timezone.utc)
    return f"{format_day(utc)}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}Z"


def _identifier(
    meta: BookMeta,
    toc: Sequence[TocGroup | Chapter],
    chapters: Sequence[Chapter],
    images: Sequence[ImageResource],
    cover: ImageResource | None,
    title_page: bytes,
) -> str:
    digest = hashlib.sha256()
    for value in (meta.title, meta.language, *meta.creators, meta.source, *meta.subjects):
        digest.update(value.encode("utf-8") + b"\x00")
    digest.update(title_page)
    for chapter in chapters:
        digest.update(chapter.file_name.encode("utf-8") + b"\x00")
        digest.update(hashlib.sha256(chapter.content).digest())
    for image in images:
        digest.update(image.digest.encode("ascii"))
    if cover is not None:
        digest.update(b"cover" + cover.digest.encode("ascii"))
    digest.update(repr(_toc_shape(toc)).encode("utf-8"))
    return f"urn:uuid:{uuid.uuid5(IDENTIFIER_NAMESPACE, digest.hexdigest())}"


def _toc_shape(entries: Sequence[TocGroup | Chapter]) -> list[object]:
    return [
        (entry.title, _toc_shape(entry.children))
        if isinstance(entry, TocGroup)
        else entry.file_name
        for entry in entries
    ]


def title_page(
    meta: BookMeta, *, posts: int, first: dt.datetime | None, last: dt.datetime | None
) -> bytes:
    """Return the title page: title, author, how many posts and which dates they span."""
    lines = [
        f'<section class="titlepage" epub:type="titlepage">\n<h1 class="book-title">'
        f"{markup.text(meta.title) or UNTITLED}</h1>\n"
    ]
    if meta.creator:
        lines.append(f'<p class="book-author">{markup.text(meta.creator)}</p>\n')
    facts = [f"共 {posts} 篇"]
    if first is not None and last is not None:
        start, end = format_day(shown(first)), format_day(shown(last))
        facts.append(start if start == end else f"{start} 至 {end}")
    lines.append(f'<p class="book-facts">{markup.text(" · ".join(facts))}</p>\n')
    if meta.description:
        lines.append(f'<p class="book-description">{markup.text(meta.description)}</p>\n')
    lines.append("</section>\n")
    return page(
        title=meta.title or UNTITLED,
        language=meta.language,
        body="".join(lines),
        stylesheet=f"../{STYLE_FILE}",
        body_class="titlepage",
    ).encode("utf-8")


def _cover_page(meta: BookMeta, cover: ImageResource) -> bytes:
    body = (
        '<section class="cover" epub:type="cover">\n'
        f'<img class="cover-image" src="../{IMAGE_DIR}/{cover.file_name}"'
        f' alt="{markup.attr(meta.title or COVER_WORD)}"/>\n</section>\n'
    )
    return page(
        title=meta.title or COVER_WORD,
        language=meta.language,
        body=body,
        stylesheet=f"../{STYLE_FILE}",
        body_class="cover",
    ).encode("utf-8")


def assemble(
    meta: BookMeta,
    toc: Sequence[TocGroup | Chapter],
    images: Sequence[ImageResource],
    *,
    cover: ImageResource | None = None,
    posts: int | None = None,
    first: dt.datetime | None = None,
    last: dt.datetime | None = None,
    formulas: Sequence[ImageResource] = (),
) -> bytes:
    """Return the EPUB file holding the chapters in ``toc`` (in order), ``images`` and the
    drawn ``formulas`` (in ``MATH_DIR``)."""
    from ebooklib import epub

    meta = dataclasses.replace(
        meta,
        title=_plain(meta.title) or UNTITLED,
        creator=_plain(meta.creator),
        creators=tuple(dict.fromkeys(filter(None, map(_plain, meta.creators or (meta.creator,))))),
        subjects=tuple(dict.fromkeys(filter(None, map(_plain, meta.subjects)))),
        source=_plain(meta.source),
        description=_plain(meta.description),
    )
    chapters = list(_chapters(toc))
    distinct_images = sorted(
        {image.file_name: image for image in images}.values(), key=lambda image: image.file_name
    )
    front = title_page(
        meta, posts=len(chapters) if posts is None else posts, first=first, last=last
    )
    modified = _utc(meta.modified)

    book = epub.EpubBook()
    book.set_identifier(_identifier(meta, toc, chapters, distinct_images, cover, front))
    book.set_title(meta.title or UNTITLED)
    book.set_language(meta.language)
    # Several authors are several creators (calibre lists each), never one "甲、乙 等" string.
    for number, creator in enumerate(meta.creators, start=1):
        book.add_author(creator, uid="creator" if number == 1 else f"creator-{number}")
    if meta.date is not None:
        book.add_metadata("DC", "date", _w3c_date(meta.date))
    for subject in meta.subjects:
        book.add_metadata("DC", "subject", subject)
    if meta.source:
        book.add_metadata("DC", "source", meta.source)
    if meta.description:
        book.add_metadata("DC", "description", meta.description)

    book.add_item(
        epub.EpubItem(
            uid="style", file_name=STYLE_FILE, media_type="text/css", content=stylesheet()
        )
    )
    spine: list[Any] = []
    if cover is not None:
        cover_image = epub.EpubCover(uid="cover-image", file_name=f"{IMAGE_DIR}/{cover.file_name}")
        cover_image.media_type = cover.media_type
        cover_image.content = cover.data
        book.add_item(cover_image)
        book.add_metadata(None, "meta", "", {"name": "cover", "content": "cover-image"})
        cover_doc = _document("cover", COVER_PAGE, _cover_page(meta, cover))
        book.add_item(cover_doc)
        spine.append(cover_doc)
        book.guide.append({"type": "cover", "href": COVER_PAGE, "title": COVER_WORD})
    front_doc = _document("titlepage", TITLE_PAGE, front)
    book.add_item(front_doc)
    nav = epub.EpubNav(uid="nav", file_name=NAV_FILE, title=TOC_WORD)
    nav.add_link(href=STYLE_FILE, rel="stylesheet", type="text/css")
    book.add_item(nav)
    book.add_item(epub.EpubNcx())
    book.guide.append({"type": "title-page", "href": TITLE_PAGE, "title": TITLE_PAGE_WORD})
    spine.append(front_doc)
    if len(chapters) > 1:
        # A contents page with one entry is a page to turn past; the reader's menu still has it.
        spine.append(nav)
        book.guide.append({"type": "toc", "href": NAV_FILE, "title": TOC_WORD})

    for number, chapter in enumerate(chapters, start=1):
        item = _document(f"post-{number}", chapter.file_name, chapter.content)
        if chapter.has_math:
            item.properties = ["mathml"]
        book.add_item(item)
        spine.append(item)
    if chapters:
        book.guide.append(
            {
                "type": "text",
                "href": chapters[0].file_name,
                "title": _plain(chapters[0].title) or UNTITLED,
            }
        )
    for image in distinct_images:
        if cover is not None and image.file_name == cover.file_name:
            continue  # already in the book as the cover image
        item = epub.EpubImage(
            uid=image.file_name.rsplit(".", 1)[0],
            file_name=f"{IMAGE_DIR}/{image.file_name}",
            media_type=image.media_type,
            content=image.data,
        )
        book.add_item(item)
    for formula in sorted({f.file_name: f for f in formulas}.values(), key=lambda f: f.file_name):
        book.add_item(
            epub.EpubImage(
                uid="math-" + formula.digest[:20],
                file_name=f"{MATH_DIR}/{formula.file_name}",
                media_type=formula.media_type,
                content=formula.data,
            )
        )
    book.spine = spine
    book.toc = _ebooklib_toc(toc, epub)

    out = io.BytesIO()
    writer = _writer_class()(out, book, modified)
    writer.process()
    writer.write()
    return out.getvalue()


def _plain(text: str) -> str:
    """Return ``text`` on one line, without what XML cannot hold (for metadata and the TOC)."""
    return " ".join(markup.clean(text).split())


def _document(uid: str, file_name: str, content: bytes) -> Any:
    from ebooklib import epub

    return epub.EpubItem(
        uid=uid, file_name=file_name, media_type="application/xhtml+xml", content=content
    )


def _chapters(entries: Sequence[TocGroup | Chapter]) -> list[Chapter]:
    out: list[Chapter] = []
    for entry in entries:
        if isinstance(entry, TocGroup):
            out.extend(_chapters(entry.children))
        else:
            out.append(entry)
    return out


def _ebooklib_toc(entries: Sequence[TocGroup | Chapter], epub: Any) -> list[Any]:
    toc: list[Any] = []
    for entry in entries:
        if isinstance(entry, TocGroup):
            # A heading links to its first chapter: the NCX cannot have a navPoint without one.
            first = _chapters(entry.children)[0].file_name
            heading = epub.Section(_plain(entry.title) or UNTITLED, first)
            toc.append((heading, _ebooklib_toc(entry.children, epub)))
        else:
            uid = "toc-" + entry.file_name.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            toc.append(epub.Link(entry.file_name, _plain(entry.title) or UNTITLED, uid))
    return toc


@functools.cache
def _writer_class() -> type:
    from ebooklib import epub
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]

    ncx = "{http://www.daisy.org/z3986/2005/ncx/}"

    class ReproducibleWriter(epub.EpubWriter):  # type: ignore[misc]
        """ebooklib's writer with fixed zip metadata and a hidden landmarks list."""

        def __init__(self, out: io.BytesIO, book: Any, modified: dt.datetime) -> None:
            super().__init__(
                out,
                book,
                {
                    "epub3_pages": False,
                    "mtime": modified.replace(tzinfo=None),
                    "landmark_title": "导航",
                    "compresslevel": 9,
                },
            )
            self.date_time = modified.timetuple()[:6]

        def write(self) -> None:
            self.out = _FixedZipFile(
                self.file_name, self.date_time, compresslevel=self.options["compresslevel"]
            )
            try:
                self.out.writestr(
                    "mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED
                )
                self._write_container()
                self._write_opf()
                self._write_items()
            finally:
                self.out.close()

        def _get_nav(self, item: Any) -> bytes:
            epub_type = "{http://www.idpf.org/2007/ops}type"
            xhtml = "{http://www.w3.org/1999/xhtml}"
            root = etree.fromstring(super()._get_nav(item))
            for nav in root.iter("{http://www.w3.org/1999/xhtml}nav"):
                if nav.get(epub_type) == "landmarks":
                    nav.set("hidden", "hidden")
                    # ebooklib copies the EPUB 2 guide type; EPUB 3 spells it "titlepage".
                    for link in nav.iter("{http://www.w3.org/1999/xhtml}a"):
                        if link.get(epub_type) == "title-page":
                            link.set(epub_type, "titlepage")
                else:
                    nav.set("id", "toc")
                    # A group is a label over its posts, not a link to the first of them.
                    for li in nav.iter(f"{xhtml}li"):
                        label = li.find(f"{xhtml}a")
                        if label is not None and li.find(f"{xhtml}ol") is not None:
                            label.tag = f"{xhtml}span"
                            label.attrib.clear()
                            label.set("class", "toc-group")
            out: bytes = etree.tostring(
                root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>"
            )
            return out

        def _get_ncx(self) -> bytes:
            root = etree.fromstring(super()._get_ncx())
            points = list(root.iter(f"{ncx}navPoint"))
            # Each target has one playOrder, in reading order: a group's navPoint (which must
            # point somewhere) shares its first post's.
            orders: dict[str, int] = {}
            for point in points:
                content = point.find(f"{ncx}content")
                src = content.get("src", "") if content is not None else ""
                point.set("playOrder", str(orders.setdefault(src, len(orders) + 1)))
            for meta in root.iter(f"{ncx}meta"):
                if meta.get("name") == "dtb:depth":
                    meta.set("content", str(max(map(_ncx_depth, points), default=1)))
            out: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
            return out

    return ReproducibleWriter


def _ncx_depth(point: Any) -> int:
    """Return how deep ``point`` is in the NCX's navMap (1 for a top-level navPoint)."""
    depth = 0
    while point is not None and point.tag.endswith("navPoint"):
        depth += 1
        point = point.getparent()
    return depth


class _FixedZipFile(zipfile.ZipFile):
    """A zip file whose entries carry one fixed time stamp and plain permissions."""

    def __init__(self, file: io.BytesIO, date_time: tuple[int, ...], *, compresslevel: int) -> None:
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self.fixed_date_time = date_time

    def writestr(  # type: ignore[override]
        self,
        zinfo_or_arcname: str | zipfile.ZipInfo,
        data: str | bytes,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        if isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            name = zinfo_or_arcname.filename
        else:
            name = zinfo_or_arcname
        info = zipfile.ZipInfo(name, date_time=self.fixed_date_time)  # type: ignore[arg-type]
        info.compress_type = self.compression if compress_type is None else compress_type
        info.create_system = 3  # Unix, on every platform, so the bytes do not depend on it
        info.external_attr = 0o100644 << 16
        super().writestr(info, data, compresslevel=compresslevel)
