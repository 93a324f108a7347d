"""A Document as one XHTML content document (one chapter of the book).

The renderer runs once per post, before any image is fetched: every image becomes a slot (the
addresses to try, the markup when it is embedded, the markup when it is not) and a marker in the
text. ``finish`` fills the slots once the images are known, so a post is parsed and rendered once
and only its text, not its Document, is kept while the images download.

Dispatch is a table from block and inline kind to method, as in markdown-it-py's renderer.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .. import model as m
from .._dates import format_shown, in_zone, shown
from . import markup
from .highlight import code_lines
from .mathml import FormulaImage, tex_to_mathml, tex_to_svg

__all__ = ["IMAGE_MODES", "ImageSlot", "RenderedChapter", "finish", "render_chapter"]

IMAGE_MODES = ("embed", "link", "omit")

#: What a figure that has no caption is called when it is shown as a link.
IMAGE_WORD = "图片"
#: The placeholder of an image that could not be fetched, and of one only linked to.
IMAGE_MISSING = "图片未能获取"
IMAGE_LINKED = "图片未嵌入"
VIDEO_WORD = "视频"
ORIGINAL_WORD = "原文"
NOTES_HEADING = "注释"
UNTITLED = "无题"

_SRC = "\x01"
_MARKER = re.compile("\x00([0-9]+)\x00")
_FORMULA_MARKER = re.compile("\x02([0-9]+)\x02")

#: Where inline code may break: after a run of separators, before a name goes on.
_SEPARATORS = r"._/\\:,;(\[{=&?#@\-"
_CODE_BREAK = re.compile(rf"([^\s{_SEPARATORS}][{_SEPARATORS}]+)(?=[^\s{_SEPARATORS})\]}}])")
#: Inline code with a word longer than this between separators may break inside it.
LONG_CODE_WORD = 20
#: A link whose text is its own address is shown at most this long, as the source sites do.
SHOWN_URL = 40


@dataclass(frozen=True, slots=True)
class ImageSlot:
    """An image whose markup depends on whether it could be had.

    ``embedded`` holds ``\\x01`` where the image's address goes.
    """

    candidates: tuple[str, ...]
    embedded: str
    degraded: str


@dataclass(frozen=True, slots=True)
class RenderedChapter:
    """The body of a chapter, with a ``\\x00N\\x00`` marker for each of its ``slots``."""

    body: str
    slots: tuple[ImageSlot, ...]
    has_math: bool
    #: Each distinct formula drawn for readers without MathML; ``\x02N\x02`` marks where the
    #: address of formula N goes.
    formulas: tuple[FormulaImage, ...] = ()


def finish(
    chapter: RenderedChapter,
    *,
    title: str,
    language: str,
    images: Mapping[tuple[str, ...], str | None],
    stylesheet: str = "../style.css",
    formulas: Sequence[str] = (),
) -> bytes:
    """Return the chapter as a complete XHTML file, each image slot filled from ``images``.

    ``formulas`` holds the address of each of the chapter's drawn formulas, in order.
    """
    # ``images`` maps a slot's candidates to the image's address relative to the chapter, or to
    # None when the image could not be had.

    def fill(match: re.Match[str]) -> str:
        slot = chapter.slots[int(match.group(1))]
        href = images.get(slot.candidates)
        if href is None:
            return slot.degraded
        return slot.embedded.replace(_SRC, markup.attr(href))

    body = _MARKER.sub(fill, chapter.body) if chapter.slots else chapter.body
    if chapter.formulas:
        body = _FORMULA_MARKER.sub(lambda found: markup.attr(formulas[int(found[1])]), body)
    return page(title=title, language=language, body=body, stylesheet=stylesheet).encode("utf-8")


def page(*, title: str, language: str, body: str, stylesheet: str, body_class: str = "") -> str:
    """Return an XHTML content document around ``body``."""
    lang = markup.attr(language)
    css_class = f' class="{body_class}"' if body_class else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"'
        f' lang="{lang}" xml:lang="{lang}">\n<head>\n<meta charset="utf-8"/>\n'
        f"<title>{markup.text(' '.join(markup.clean(title).split())) or UNTITLED}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{markup.attr(stylesheet)}"/>\n'
        f"</head>\n<body{css_class}>\n{body}</body>\n</html>\n"
    )


def inline_text(inlines: tuple[m.Inline, ...]) -> str:
    """Return the plain text of ``inlines`` (for alt text, titles and links)."""
    out: list[str] = []
    for node in inlines:
        if isinstance(node, (m.Text, m.InlineCode)):
            out.append(node.text)
        elif isinstance(node, m.InlineMath):
            out.append(node.tex)
        elif isinstance(node, m.Mention):
            out.append("@" + node.name)
        elif isinstance(node, m.LineBreak):
            out.append(" ")
        elif isinstance(node, m.FootnoteRef):
            out.append(f"[{node.number}]")
        elif isinstance(node, m.InlineImage):
            out.append(node.alt)
        elif hasattr(node, "children"):
            out.append(inline_text(node.children))
    return "".join(out)


def format_date(value: dt.datetime | None) -> tuple[str, str]:
    """Return the ``(machine, human)`` forms of a post's date for a ``<time>`` element."""
    if value is None:
        return "", ""
    value = value.replace(microsecond=0)
    offset = value.utcoffset()
    if offset is not None and offset.seconds % 60:
        value = in_zone(value, dt.timezone.utc)  # HTML has no seconds in a zone offset
    # The zone every writer shows (docs/formats.md), in both forms.
    local = shown(value)
    return local.isoformat(), format_shown(local)


def render_chapter(doc: m.Document, *, images: str = "embed") -> RenderedChapter:
    """Render ``doc`` as the body of one chapter: title, byline, blocks and footnotes."""
    return _ChapterRenderer(doc, images).render()


class _ChapterRenderer:
    def __init__(self, doc: m.Document, images: str) -> None:
        self.doc = doc
        self.images = images
        self.slots: list[ImageSlot] = []
        self.has_math = False
        self.footnotes = {note.number: note for note in doc.footnotes}
        self.ref_counts: dict[int, int] = {}
        self.heading_ranks = _heading_ranks(doc.blocks)
        self.formulas: dict[bytes, int] = {}
        self.formula_images: list[FormulaImage] = []
        self.last_heading = 1  # the chapter's title
        self.byline_bio = ""
        self.byline_url = ""

    # -- the whole chapter ---------------------------------------------------------------------

    def render(self) -> RenderedChapter:
        meta = self.doc.meta
        out = ['<section class="post" epub:type="chapter">\n']
        title = " ".join(markup.clean(meta.title).split())
        out.append(f'<h1 id="title">{markup.text(title) or UNTITLED}</h1>\n')
        body = self._body_blocks()  # first: it may move an answer's bio into the byline
        out.append(self._byline())
        out.extend(self._blocks(body))
        out.append(self._footnotes())
        out.append("</section>\n")
        return RenderedChapter(
            "".join(out), tuple(self.slots), self.has_math, tuple(self.formula_images)
        )

    def _body_blocks(self) -> tuple[m.Block, ...]:
        blocks = self.doc.blocks
        title = self.doc.meta.title
        bylines = [block for block in blocks if isinstance(block, m.Byline)]
        # The question above its first answer (知乎日报) or a first paragraph that repeats the
        # title says again what the chapter's h1 says; a post that is its title alone keeps it.
        above_answer = len(blocks) > 1 and isinstance(blocks[1], m.Byline)
        if len(blocks) > 1 and _repeats_title(blocks[0], title, loosely=above_answer):
            blocks = blocks[1:]
        # A single answer's "who answered" line says what the chapter's byline already says;
        # its bio joins that byline.
        if len(bylines) == 1 and blocks and blocks[0] is bylines[0]:
            only = bylines[0]
            if " ".join(only.author.split()) == " ".join(self.doc.meta.author.split()):
                self.byline_bio = " ".join(only.bio.split())
                self.byline_url = only.url
                return blocks[1:]
        return blocks

    def _byline(self) -> str:
        meta = self.doc.meta
        parts: list[str] = []
        if meta.author.strip():
            name = markup.text(meta.author.strip())
            answer = markup.safe_href(self.byline_url) if self.byline_url else None
            if answer:  # the answer's own address, which the byline dropped would have linked
                name = f'<a href="{markup.attr(answer)}">{name}</a>'
            author = f'<span class="author">{name}</span>'
            if self.byline_bio:
                author += f'<span class="author-bio">（{markup.text(self.byline_bio)}）</span>'
            parts.append(author)
        machine, human = format_date(meta.date)
        if machine:
            parts.append(f'<time datetime="{markup.attr(machine)}">{markup.text(human)}</time>')
        source = meta.feed.strip() or meta.site.strip()
        if source:
            parts.append(f'<span class="source">{markup.text(source)}</span>')
        href = markup.safe_href(meta.url) if meta.url else None
        if href:
            parts.append(f'<a class="original" href="{markup.attr(href)}">{ORIGINAL_WORD}</a>')
        if not parts:
            return ""
        return '<p class="byline">' + '<span class="sep"> · </span>'.join(parts) + "</p>\n"

    def _footnotes(self) -> str:
        if not self.doc.footnotes:
            return ""
        out = [
            '<section class="footnotes" epub:type="footnotes">\n',
            f'<h2 class="footnotes-heading">{NOTES_HEADING}</h2>\n',
        ]
        for note in self.doc.footnotes:
            content = markup.text(note.text)
            href = markup.safe_href(note.url) if note.url else None
            if href:
                shown = markup.text(note.url.strip())
                link = f'<a class="footnote-url" href="{markup.attr(href)}">{shown}</a>'
                content = f"{content} {link}" if content else link
            number = note.number
            if number in self.ref_counts:
                back = f'<a class="footnote-back" href="#fnref-{number}" role="doc-backlink">↩</a>'
                out.append(
                    f'<aside class="footnote" id="fn-{number}" epub:type="footnote"'
                    f' role="doc-footnote"><p><span class="footnote-number">[{number}]</span> '
                    f"{content} {back}</p></aside>\n"
                )
            else:
                out.append(
                    f'<div class="footnote" id="fn-{number}"><p>'
                    f'<span class="footnote-number">[{number}]</span> {content}</p></div>\n'
                )
        out.append("</section>\n")
        return "".join(out)

    # -- blocks --------------------------------------------------------------------------------

    def _blocks(self, blocks: tuple[m.Block, ...]) -> list[str]:
        out = []
        for block in blocks:
            handler: Callable[[Any], str] | None = getattr(
                self, _BLOCK_METHODS.get(type(block), ""), None
            )
            # A kind this writer does not know (a newer model) is left out, not a crash.
            out.append(handler(block) if handler is not None else "")
        return out

    def _inlines(self, inlines: tuple[m.Inline, ...], in_link: bool = False) -> str:
        out = []
        for node in inlines:
            name = _INLINE_METHODS.get(type(node))
            if name is None:
                out.append(markup.text(str(getattr(node, "text", ""))))
                continue
            handler: Callable[[Any, bool], str] = getattr(self, name)
            out.append(handler(node, in_link))
        return "".join(out)

    def _paragraph(self, block: m.Paragraph) -> str:
        content = self._inlines(block.children)
        return f"<p>{content}</p>\n" if content.strip() else ""

    def _heading(self, block: m.Heading) -> str:
        # The post's title is the only h1; the post's own levels, whatever they were, become
        # h2, h3, ... in order, and a heading is never more than one level below the last.
        level = min(self.heading_ranks.get(block.level, 2), self.last_heading + 1, 6)
        self.last_heading = level
        return f"<h{level}>{self._inlines(block.children)}</h{level}>\n"

    def _figure(self, block: m.Figure) -> str:
        caption_text = " ".join(inline_text(block.caption).split())
        caption = self._inlines(block.caption) if block.caption else ""
        # Alt text stands in for the picture where it is not shown, and is never shown beside it.
        alt = " ".join(block.alt.split()) or caption_text
        candidates = _candidates((block.url, *block.fallbacks))
        href = markup.safe_href(block.url)
        if self.images == "omit":
            shown = caption if caption_text else markup.text(alt)
            return f'<p class="caption">{shown}</p>\n' if alt else ""
        linked = self.images == "link" and bool(href)
        label = markup.text(caption_text or alt or IMAGE_WORD)
        degraded = _image_placeholder(IMAGE_LINKED if linked else IMAGE_MISSING, href, label)
        if self.images == "link" or not candidates:
            return degraded
        figcaption = f"<figcaption>{caption}</figcaption>" if caption_text else ""
        embedded = (
            f'<figure class="figure"><img src="{_SRC}" alt="{markup.attr(alt)}"/>'
            f"{figcaption}</figure>\n"
        )
        return self._slot(candidates, embedded, degraded)

    def _math_block(self, block: m.MathBlock) -> str:
        return f'<div class="math">{self._math(block.tex, display=True)}</div>\n'

    def _code_block(self, block: m.CodeBlock) -> str:
        language = re.sub(r"[^A-Za-z0-9_+\-]", "", block.language)
        css = f' class="language-{language}"' if language else ""
        # A newline right after <pre> would be dropped by HTML parsers, so the text starts inline.
        return f'<pre class="code"><code{css}>{code_lines(block.text, language)}</code></pre>\n'

    def _blockquote(self, block: m.BlockQuote) -> str:
        inner = "".join(self._blocks(block.children))
        return f"<blockquote>\n{inner}</blockquote>\n" if inner.strip() else ""

    def _list(self, block: m.ListBlock) -> str:
        if not block.items:
            return ""
        if block.ordered:
            start = f' start="{block.start}"' if block.start != 1 else ""
            tag = "ol"
        else:
            start, tag = "", "ul"
        items = []
        for item in block.items:
            children = item.children
            if len(children) == 1 and isinstance(children[0], m.Paragraph):
                items.append(f"<li>{self._inlines(children[0].children)}</li>\n")
            else:
                items.append("<li>\n" + "".join(self._blocks(children)) + "</li>\n")
        return f"<{tag}{start}>\n{''.join(items)}</{tag}>\n"

    def _table(self, block: m.Table) -> str:
        if not block.header and not block.rows:
            return ""
        out = ['<div class="table"><table>\n']
        if block.header:
            cells = "".join(f"<th>{self._inlines(cell.children)}</th>" for cell in block.header)
            out.append(f"<thead><tr>{cells}</tr></thead>\n")
        if block.rows:
            out.append("<tbody>\n")
            for row in block.rows:
                cells = "".join(f"<td>{self._inlines(cell.children)}</td>" for cell in row)
                out.append(f"<tr>{cells}</tr>\n")
            out.append("</tbody>\n")
        out.append("</table></div>\n")
        return "".join(out)

    def _thematic_break(self, block: m.ThematicBreak) -> str:
        return "<hr/>\n"

    def _card(self, kind: str, url: str, title: str, image: str, word: str) -> str:
        href = markup.safe_href(url)
        label = markup.text(title.strip() or url.strip() or word)
        if kind == "video-card":
            label = f'<span class="card-kind">{word}</span> {label}'
        if not href:
            return f'<p class="card {kind}">{label}</p>\n'
        plain = f'<p class="card {kind}"><a href="{markup.attr(href)}">{label}</a></p>\n'
        candidates = _candidates((image,)) if image else ()
        if self.images != "embed" or not candidates:
            return plain
        embedded = (
            f'<div class="card {kind}"><a href="{markup.attr(href)}">'
            f'<img class="card-image" src="{_SRC}" alt=""/><span class="card-title">{label}'
            "</span></a></div>\n"
        )
        return self._slot(candidates, embedded, plain)

    def _link_card(self, block: m.LinkCard) -> str:
        return self._card("link-card", block.url, block.title, block.image, "链接")

    def _video_card(self, block: m.VideoCard) -> str:
        return self._card("video-card", block.url, block.title, block.poster, VIDEO_WORD)

    def _answer_byline(self, block: m.Byline) -> str:
        name = markup.text(block.author.strip())
        href = markup.safe_href(block.url) if block.url else None
        if href and name:
            name = f'<a href="{markup.attr(href)}">{name}</a>'
        bio = markup.text(block.bio.strip())
        bio_part = f'<span class="answer-bio">{bio}</span>' if bio else ""
        if not name and not bio:
            return ""
        return f'<p class="answer-byline"><span class="answer-author">{name}</span>{bio_part}</p>\n'

    # -- inlines -------------------------------------------------------------------------------

    def _text(self, node: m.Text, in_link: bool) -> str:
        return markup.text(node.text)

    def _styled(self, node: _Styled, in_link: bool) -> str:
        tag = _STYLE_TAGS[type(node)]
        content = self._inlines(node.children, in_link)
        return f"<{tag}>{content}</{tag}>" if content else ""

    def _inline_code(self, node: m.InlineCode, in_link: bool) -> str:
        # A line may end after a separator (``std::``, ``build_``, ``a/``), never inside a name:
        # an identifier that cannot break would leave the line before it stretched apart.
        marked = _CODE_BREAK.sub("\\1\x00", markup.clean(node.text))
        return "<code>" + "<wbr/>".join(map(_code_segment, marked.split("\x00"))) + "</code>"

    def _link(self, node: m.Link, in_link: bool) -> str:
        content = self._inlines(node.children, True)
        href = markup.safe_href(node.url)
        if in_link or not href:
            return content
        shown = inline_text(node.children).strip()
        tip = " ".join(node.title.split())
        title = f' title="{markup.attr(tip)}"' if tip else ""
        words_only = all(isinstance(child, (m.Text, m.InlineCode)) for child in node.children)
        if not content.strip() or (words_only and _is_address(shown, node.url)):
            # An address as its own text is shortened as the source sites show it, and may
            # break anywhere: a line must not stretch because a URL did not fit its end.
            short = _short_address(node.url.strip() or shown)
            return f'<a class="url" href="{markup.attr(href)}"{title}>{markup.text(short)}</a>'
        return f'<a href="{markup.attr(href)}"{title}>{content}</a>'

    def _line_break(self, node: m.LineBreak, in_link: bool) -> str:
        return "<br/>"

    def _inline_math(self, node: m.InlineMath, in_link: bool) -> str:
        return self._math(node.tex, display=False)

    def _math(self, tex: str, *, display: bool) -> str:
        converted = tex_to_mathml(tex, display)
        if converted is None:
            return f'<code class="tex">{markup.text(tex)}</code>'
        self.has_math = True
        drawn = tex_to_svg(tex, display)
        if drawn is None:
            return converted
        # Readers without MathML (Kindle among them) show the drawing named by ``altimg``.
        number = self.formulas.setdefault(drawn.data, len(self.formulas))
        if number == len(self.formula_images):
            self.formula_images.append(drawn)
        fallback = (
            f' altimg="\x02{number}\x02" altimg-width="{drawn.width:.1f}px"'
            f' altimg-height="{drawn.height:.1f}px" altimg-valign="{-drawn.depth:.1f}px"'
        )
        return converted.replace("<math", "<math" + fallback, 1)

    def _footnote_ref(self, node: m.FootnoteRef, in_link: bool) -> str:
        number = node.number
        if number not in self.footnotes or in_link:
            return f"<sup>[{number}]</sup>"
        count = self.ref_counts.get(number, 0) + 1
        self.ref_counts[number] = count
        ref_id = f"fnref-{number}" if count == 1 else f"fnref-{number}-{count}"
        return (
            f'<sup><a class="noteref" id="{ref_id}" href="#fn-{number}" epub:type="noteref"'
            f' role="doc-noteref">[{number}]</a></sup>'
        )

    def _mention(self, node: m.Mention, in_link: bool) -> str:
        name = markup.text("@" + node.name)
        href = markup.safe_href(node.url) if node.url else None
        if in_link or not href:
            return name
        return f'<a class="mention" href="{markup.attr(href)}">{name}</a>'

    def _inline_image(self, node: m.InlineImage, in_link: bool) -> str:
        alt = " ".join(node.alt.split())
        href = markup.safe_href(node.url)
        label = markup.text(alt or IMAGE_WORD)
        if in_link or not href:
            degraded = f"[{label}]"
        else:
            degraded = f'<a class="image-link" href="{markup.attr(href)}">[{label}]</a>'
        if self.images == "omit":
            return markup.text(alt)
        candidates = _candidates((node.url,))
        if self.images == "link" or not candidates:
            return degraded
        embedded = f'<img class="inline" src="{_SRC}" alt="{markup.attr(alt)}"/>'
        return self._slot(candidates, embedded, degraded)

    # -- image slots ---------------------------------------------------------------------------

    def _slot(self, candidates: tuple[str, ...], embedded: str, degraded: str) -> str:
        self.slots.append(ImageSlot(candidates, embedded, degraded))
        return f"\x00{len(self.slots) - 1}\x00"


_Styled = m.Strong | m.Emphasis | m.Underline | m.Strikethrough | m.Superscript | m.Subscript
_STYLE_TAGS: dict[type, str] = {
    m.Strong: "strong",
    m.Emphasis: "em",
    m.Underline: "u",
    m.Strikethrough: "s",
    m.Superscript: "sup",
    m.Subscript: "sub",
}
_BLOCK_METHODS: dict[type, str] = {
    m.Paragraph: "_paragraph",
    m.Heading: "_heading",
    m.Figure: "_figure",
    m.MathBlock: "_math_block",
    m.CodeBlock: "_code_block",
    m.BlockQuote: "_blockquote",
    m.ListBlock: "_list",
    m.Table: "_table",
    m.ThematicBreak: "_thematic_break",
    m.LinkCard: "_link_card",
    m.VideoCard: "_video_card",
    m.Byline: "_answer_byline",
}
_INLINE_METHODS: dict[type, str] = {
    **{kind: "_styled" for kind in _STYLE_TAGS},
    m.Text: "_text",
    m.InlineCode: "_inline_code",
    m.Link: "_link",
    m.LineBreak: "_line_break",
    m.InlineMath: "_inline_math",
    m.FootnoteRef: "_footnote_ref",
    m.Mention: "_mention",
    m.InlineImage: "_inline_image",
}


def _candidates(urls: tuple[str, ...]) -> tuple[str, ...]:
    """Return the fetchable addresses among ``urls``, best first, without repeats."""
    seen: dict[str, None] = {}
    for url in urls:
        normalized = markup.fetchable_url(url) if url else None
        if normalized:
            seen.setdefault(normalized, None)
    return tuple(seen)


def _code_segment(segment: str) -> str:
    """Return a piece of inline code between break points; a very long one may break anywhere."""
    # A 32-digit number or a hash is not read as a word, and would stretch the line before it.
    if max((len(word) for word in segment.split()), default=0) > LONG_CODE_WORD:
        return f'<span class="long">{markup.text(segment)}</span>'
    return markup.text(segment)


def _heading_ranks(blocks: tuple[m.Block, ...]) -> dict[int, int]:
    """Map each heading level the post uses to its XHTML level: the highest to 2, and so on."""
    levels: set[int] = set()

    def walk(items: tuple[m.Block, ...]) -> None:
        for block in items:
            if isinstance(block, m.Heading):
                levels.add(block.level)
            elif isinstance(block, m.BlockQuote):
                walk(block.children)
            elif isinstance(block, m.ListBlock):
                for item in block.items:
                    walk(item.children)

    walk(blocks)
    return {level: min(rank, 6) for rank, level in enumerate(sorted(levels), start=2)}


def _comparable(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if c.isalnum())


def _repeats_title(block: m.Block, title: str, *, loosely: bool) -> bool:
    """Return whether ``block`` is a paragraph or heading that only says the post's title again.

    ``loosely``: the question above the answers, which 知乎日报 words a little differently from
    the title ("Apple" for "苹果").
    """
    if not isinstance(block, (m.Paragraph, m.Heading)):
        return False
    if any(not isinstance(node, (m.Text, m.Strong, m.Emphasis)) for node in block.children):
        return False
    said, wanted = _comparable(inline_text(block.children)), _comparable(title)
    if not said or not wanted:
        return False
    if said == wanted:
        return True
    return loosely and difflib.SequenceMatcher(None, said, wanted).ratio() >= 0.75


def _is_address(shown: str, url: str) -> bool:
    """Return whether a link's text is an address (its own or another), not words."""
    if shown == url.strip():
        return True
    return bool(re.fullmatch(r"(?:https?://|www\.)\S{12,}", shown))


def _short_address(url: str) -> str:
    """Return ``url`` without its scheme and ``www.``, cut to ``SHOWN_URL`` characters."""
    shown = re.sub(r"^(?:https?://)?(?:www\.)?", "", url, flags=re.IGNORECASE)
    if len(shown) > SHOWN_URL:
        shown = shown[: SHOWN_URL - 1] + "…"
    return shown


def _image_placeholder(note: str, href: str | None, label: str) -> str:
    """Return the box that stands for an image the book does not hold: what happened, a link."""
    link = f'<a href="{markup.attr(href)}">{label}</a>' if href else label
    return (
        f'<div class="image-missing"><p class="image-note">{note}</p>'
        f'<p class="image-link">{link}</p></div>\n'
    )
