"""The HTML body reader, with Zhihu's site rules.

The body is parsed with lxml's HTML parser (libxml2; the same tree builder bs4 uses with
``"lxml"``, without bs4's per-node overhead) and walked once. Dispatch is by tag through two
tables, ``_BLOCK_TAGS`` and ``_INLINE_TAGS``, plus ``_CLASS_HANDLERS`` for Zhihu's page skeleton
(``div.answer``, ``div.view-more``...). The fallback for a tag in neither table: its children are
read as if it were not there (so unknown wrappers never lose text), except for the tags in
``_DROPPED_TAGS`` (scripts, styles, forms, embedded objects), which are dropped whole.

Block-level things met inside running text (a link card inside ``<p>``, a figure inside a link)
are hoisted: the paragraph is split around them, so the document keeps its closed shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, unquote_plus, urlsplit

from lxml import etree

from ..model import (
    Block,
    BlockQuote,
    Byline,
    CodeBlock,
    Emphasis,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    Inline,
    InlineCode,
    InlineImage,
    InlineMath,
    LineBreak,
    Link,
    LinkCard,
    ListBlock,
    ListItem,
    MathBlock,
    Mention,
    Paragraph,
    Strikethrough,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    Underline,
    VideoCard,
    merge_texts,
)
from ._safety import DROPPED_TAGS as _DROPPED_TAGS
from ._safety import has_safe_scheme, resolve_control_references

__all__ = ["HtmlBody", "read_html", "unwrap_redirect"]

Piece = Inline | Block

# Every element name of HTML (current and obsolete). A "<name" whose name is not here is text
# that the feed forgot to escape (``Map<String, Consumer<String>>``, ``#include <cstdio>``).
_HTML_TAGS = frozenset(
    [
        "a",
        "abbr",
        "acronym",
        "address",
        "applet",
        "area",
        "article",
        "aside",
        "audio",
        "b",
        "base",
        "basefont",
        "bdi",
        "bdo",
        "bgsound",
        "big",
        "blink",
        "blockquote",
        "body",
        "br",
        "button",
        "canvas",
        "caption",
        "center",
        "cite",
        "code",
        "col",
        "colgroup",
        "data",
        "datalist",
        "dd",
        "del",
        "details",
        "dfn",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "em",
        "embed",
        "fieldset",
        "figcaption",
        "figure",
        "font",
        "footer",
        "form",
        "frame",
        "frameset",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "head",
        "header",
        "hgroup",
        "hr",
        "html",
        "i",
        "iframe",
        "image",
        "img",
        "input",
        "ins",
        "isindex",
        "kbd",
        "keygen",
        "label",
        "legend",
        "li",
        "link",
        "listing",
        "main",
        "map",
        "mark",
        "marquee",
        "math",
        "menu",
        "menuitem",
        "meta",
        "meter",
        "nav",
        "nobr",
        "noembed",
        "noframes",
        "noscript",
        "object",
        "ol",
        "optgroup",
        "option",
        "output",
        "p",
        "param",
        "picture",
        "plaintext",
        "pre",
        "progress",
        "q",
        "rb",
        "rp",
        "rt",
        "rtc",
        "ruby",
        "s",
        "samp",
        "script",
        "search",
        "section",
        "select",
        "slot",
        "small",
        "source",
        "spacer",
        "span",
        "strike",
        "strong",
        "style",
        "sub",
        "summary",
        "sup",
        "svg",
        "table",
        "tbody",
        "td",
        "template",
        "textarea",
        "tfoot",
        "th",
        "thead",
        "time",
        "title",
        "tr",
        "track",
        "tt",
        "u",
        "ul",
        "var",
        "video",
        "wbr",
        "xmp",
    ]
)
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)")
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9:_-]*)")
_WS = re.compile(r"[ \t\n\r\f]+")
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_NEWLINE = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\n\r\f]*(?=[{_CJK}])")
_ANSWER_HEADER = re.compile(r"^\s*(\S.{0,60}?)\s*的回答\s*$")

_PARSER = etree.HTMLParser(
    recover=True,
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    default_doctype=False,  # type: ignore[call-arg]
    encoding="utf-8",
)


@dataclass(frozen=True, slots=True)
class HtmlBody:
    """What the HTML reader found: blocks, footnotes and the page's own link (日报's question)."""

    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...]
    url: str = ""


def read_html(html: str) -> HtmlBody:
    """Read an HTML body into blocks."""
    return _Reader().read(html)


def _is_tag_name(name: str) -> bool:
    name = name.lower()
    # Custom elements (their names have a hyphen) are tags too; code never looks like that.
    return name in _HTML_TAGS or ("-" in name and not name.endswith("-"))


def _escape_bogus_tags(html: str) -> str:
    """Escape the ``<`` of every "tag" that is no HTML element (``List<String>``, ``<cstdio>``)."""
    # Most posts have none: one C-level scan for the names decides, and only a post that has a
    # bogus name pays for the substitution.
    bogus = {name for name in set(_TAG_NAME.findall(html)) if not _is_tag_name(name)}
    if not bogus:
        return html
    if len(bogus) <= 32:
        names = "|".join(re.escape(name) for name in sorted(bogus, key=len, reverse=True))
        return re.sub(rf"<(/?(?:{names})(?![A-Za-z0-9:_-]))", r"&lt;\1", html)

    # Many names (hostile input): one set lookup per tag keeps it linear.
    def fix(match: re.Match[str]) -> str:
        return "&lt;" + match.group(0)[1:] if match.group(2) in bogus else match.group(0)

    return _TAG_START.sub(fix, html)


#: HTML's void elements. libxml2 knows only HTML 4's, so it makes the content after <embed>,
#: <source>, <track> or <wbr> their children: the reader reads those children as what follows.
_VOID_TAGS = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
#: Deeper markup is flattened (its text kept): no real post comes near, hostile ones go far
#: beyond, and both libxml2 (256 levels) and Python's stack have limits.
MAX_DEPTH = 100
#: Whether a parsed body has an element nested deeper than ``MAX_DEPTH`` (one walk in C).
_TOO_DEEP = etree.XPath("boolean(/html/body" + "/*" * (MAX_DEPTH + 1) + ")")


def _cap_nesting(html: str, limit: int = MAX_DEPTH) -> str:
    """Drop the tags (never the text) that would nest deeper than ``limit``."""
    stack: list[tuple[str, bool]] = []
    kept_depth = 0
    drops: list[tuple[int, int]] = []
    position = 0
    while True:
        match = _TAG_START.search(html, position)
        if match is None:
            break
        # A tag ends at the next ">": quotes are not honoured, so that a "<" without any ">"
        # after it costs one search, not a scan per "<" (which made hostile input quadratic).
        # A ">" inside a quoted attribute ends the tag early; that can only count more tags.
        end = html.find(">", match.end())
        if end < 0:
            break
        position = end + 1
        name = match.group(2).lower()
        if name in _VOID_TAGS or html[end - 1] == "/":
            continue
        span = (match.start(), end + 1)
        if not match.group(1):
            keep = kept_depth < limit
            stack.append((name, keep))
            if keep:
                kept_depth += 1
            else:
                drops.append(span)
            continue
        # A closing tag closes the nearest open one of its name (misnesting is common).
        for index in range(len(stack) - 1, -1, -1):
            if stack[index][0] == name:
                for _, was_kept in stack[index:]:
                    kept_depth -= was_kept
                if not stack[index][1]:
                    drops.append(span)
                del stack[index:]
                break
    if not drops:
        return html
    drops.sort()
    out: list[str] = []
    last = 0
    for start, end in drops:
        out.append(html[last:start])
        last = end
    out.append(html[last:])
    return "".join(out)


def _parse(source: str) -> etree._Element | None:
    return etree.fromstring(
        ("<html><body>" + source + "</body></html>").encode("utf-8", "surrogatepass"), _PARSER
    )


def _classes(el: etree._Element) -> list[str]:
    value = el.get("class")
    return value.split() if value else []


def _itertext(el: etree._Element) -> str:
    return "".join(t for t in el.itertext() if isinstance(t, str))


def _collapse(text: str) -> str:
    if "\n" in text:
        text = _CJK_NEWLINE.sub("", text)
    return _WS.sub(" ", text)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        number = int(value.strip())
    except ValueError:
        return None
    return number if number > 0 else None


def unwrap_redirect(href: str) -> str:
    """Return the target of a ``link.zhihu.com/?target=`` redirect (decoded once or twice).

    Any other URL comes back unchanged; so does a redirect with an empty target.
    """
    try:
        parts = urlsplit(href)
    except ValueError:
        return href
    if parts.hostname != "link.zhihu.com":
        return href
    targets = parse_qs(parts.query).get("target")
    if not targets or not targets[0].strip():
        return href
    target = targets[0].strip()
    for _ in range(3):  # encoded twice in the wild; a bound keeps hostile input cheap
        if re.match(r"(?i)^[a-z][a-z0-9+.-]*%3a", target):
            target = unquote(target)
        else:
            break
    if not re.match(r"(?i)^[a-z][a-z0-9+.-]*:", target):
        return href  # not a URL after all: the redirect itself is the best link there is
    return target


def _clean_url(raw: str | None) -> str | None:
    """Return a safe absolute-or-relative URL, or None for a dangerous or empty one."""
    if not raw:
        return None
    url = raw.strip()
    if not url:
        return None
    if url.startswith("//"):
        url = "https:" + url
    url = unwrap_redirect(url)
    return url if has_safe_scheme(url) else None


def _image_url(raw: str | None) -> str | None:
    url = _clean_url(raw)
    if url is None or not url.lower().startswith(("http://", "https://")):
        return None
    return url


def _trim(inlines: list[Inline]) -> tuple[Inline, ...]:
    """Merge text runs, drop spaces at the edges and around line breaks, and edge breaks."""
    if len(inlines) == 1 and isinstance(inlines[0], Text):  # most paragraphs: one plain run
        text = inlines[0].text.strip(" ")
        return (Text(text),) if text else ()
    items = merge_texts(inlines)
    last = len(items) - 1
    emptied = False
    for index, item in enumerate(items):
        if isinstance(item, Text):
            text = item.text
            if index == 0 or isinstance(items[index - 1], LineBreak):
                text = text.lstrip(" ")
            if index == last or isinstance(items[index + 1], LineBreak):
                text = text.rstrip(" ")
            if text is not item.text and text != item.text:
                items[index] = Text(text)
                emptied = emptied or not text
    if emptied:
        items = [i for i in items if not (isinstance(i, Text) and not i.text)]
    start, end = 0, len(items)
    while start < end and isinstance(items[start], LineBreak):
        start += 1
    while end > start and isinstance(items[end - 1], LineBreak):
        end -= 1
    return tuple(items[start:end])


def _has_content(inlines: tuple[Inline, ...]) -> bool:
    for item in inlines:
        if isinstance(item, Text):
            if item.text.strip():
                return True
        elif not isinstance(item, LineBreak):
            return True
    return False


def _plain(inlines: tuple[Inline, ...] | list[Inline]) -> str:
    out: list[str] = []
    stack: list[Inline] = list(reversed(inlines))
    while stack:
        item = stack.pop()
        if isinstance(item, (Text, InlineCode)):
            out.append(item.text)
        elif isinstance(item, InlineMath):
            out.append(item.tex)
        elif isinstance(item, Mention):
            out.append("@" + item.name)
        elif isinstance(item, LineBreak):
            out.append("\n")
        elif hasattr(item, "children"):
            stack.extend(reversed(item.children))
    return "".join(out)


_BLOCK_TYPES = (
    Paragraph,
    Heading,
    Figure,
    MathBlock,
    CodeBlock,
    BlockQuote,
    ListBlock,
    Table,
    ThematicBreak,
    LinkCard,
    VideoCard,
    Byline,
)


class _Reader:
    def __init__(self) -> None:
        self.footnotes: dict[int, Footnote] = {}
        self.page_url = ""
        # Fallback URLs and sizes of images, for a lone image that becomes a Figure.
        self.image_info: dict[str, tuple[tuple[str, ...], int | None, int | None]] = {}

    # -- entry ----------------------------------------------------------------------------

    def read(self, html: str) -> HtmlBody:
        source = html.replace("&#123;", "{").replace("&#125;", "}")
        source = _escape_bogus_tags(resolve_control_references(source))
        root = _parse(source)
        # Real posts nest a dozen levels: the tags are counted only where the tree is deep (and
        # libxml2 stops at 256 levels, dropping what lies below), and the capped source is read
        # again.
        if root is not None and _TOO_DEEP(root):
            root = _parse(_cap_nesting(source))
        body = root.find("body") if root is not None else None
        blocks = self.flow(body) if body is not None else []
        if blocks and isinstance(blocks[0], Paragraph):
            match = _ANSWER_HEADER.match(_plain(blocks[0].children))
            if match and all(isinstance(c, (Text, LineBreak)) for c in blocks[0].children):
                blocks[0] = Byline(author=match.group(1))
        footnotes = tuple(self.footnotes[k] for k in sorted(self.footnotes))
        return HtmlBody(blocks=tuple(blocks), footnotes=footnotes, url=self.page_url)

    # -- block flow -----------------------------------------------------------------------

    def flow(self, container: etree._Element) -> list[Block]:
        """Read the children of ``container`` as a sequence of blocks."""
        return self.flow_nodes(container.text, container)

    def flow_nodes(self, text: str | None, children: Iterable[etree._Element]) -> list[Block]:
        """Read ``text`` and then ``children`` (each with its tail) as a sequence of blocks."""
        blocks: list[Block] = []
        pending: list[Piece] = []
        if text:
            pending.append(Text(_collapse(text)))
        for child in children:
            tag = child.tag
            if isinstance(tag, str):
                tag = tag.lower()
                handler = self._block_handler(child, tag)
                if handler is not None:
                    self.flush(pending, blocks)
                    pending = []
                    blocks.extend(handler(self, child))
                elif tag in _VOID_TAGS and tag in _DROPPED_TAGS:
                    pending.extend(self.inline_children(child))  # see _VOID_TAGS
                elif tag not in _DROPPED_TAGS:
                    pending.extend(self.inline(child, tag))
            if child.tail:
                pending.append(Text(_collapse(child.tail)))
        self.flush(pending, blocks)
        return blocks

    def _block_handler(
        self, el: etree._Element, tag: str
    ) -> Callable[[_Reader, etree._Element], list[Block]] | None:
        for cls in _classes(el):
            class_handler = _CLASS_HANDLERS.get(cls)
            if class_handler is not None:
                return class_handler
        return _BLOCK_TAGS.get(tag)

    def flush(self, pending: list[Piece], blocks: list[Block]) -> None:
        """Turn pending inline pieces into paragraphs, splitting around hoisted blocks."""
        if not pending:
            return
        if len(pending) == 1 and isinstance(pending[0], Text) and pending[0].text.isspace():
            return  # the white space between two blocks, the commonest case by far
        run: list[Inline] = []
        for piece in pending:
            if isinstance(piece, _BLOCK_TYPES):
                self._paragraph(run, blocks)
                run = []
                blocks.append(piece)
            else:
                run.append(piece)
        self._paragraph(run, blocks)

    def _paragraph(self, run: list[Inline], blocks: list[Block]) -> None:
        inlines = _trim(run)
        if not _has_content(inlines):
            return
        only = inlines[0] if len(inlines) == 1 else None
        if isinstance(only, Link) and len(only.children) == 1:
            inner = only.children[0]
            # A picture linked to itself (news sites do this) is just a figure.
            if isinstance(inner, InlineImage) and inner.url == only.url:
                only = inner
        if isinstance(only, InlineImage):
            fallbacks, width, height = self.image_info.get(only.url, ((), None, None))
            caption: tuple[Inline, ...] = (Text(only.alt),) if only.alt.strip() else ()
            blocks.append(Figure(only.url, caption, fallbacks, width, height))
        elif isinstance(only, InlineMath):
            blocks.append(MathBlock(only.tex))
        else:
            blocks.append(Paragraph(inlines))

    # -- block handlers -------------------------------------------------------------------

    def container(self, el: etree._Element) -> list[Block]:
        return self.flow(el)

    def heading(self, el: etree._Element) -> list[Block]:
        level = int(el.tag[1])
        pieces = self.inline_children(el)
        inlines = [p for p in pieces if not isinstance(p, _BLOCK_TYPES)]
        hoisted = [p for p in pieces if isinstance(p, _BLOCK_TYPES)]
        text = _trim(inlines)
        out: list[Block] = [Heading(level, text)] if _has_content(text) else []
        return out + hoisted

    def blockquote(self, el: etree._Element) -> list[Block]:
        children = self.flow(el)
        return [BlockQuote(tuple(children))] if children else []

    def list_block(self, el: etree._Element) -> list[Block]:
        items: list[ListItem] = []
        # Text or tags directly inside <ul> (broken or flattened markup) become items too. They
        # are read where they are (never copied into a new element: lxml refuses to hold some
        # characters the parser let through, such as control characters).
        stray_text: str | None = el.text
        stray: list[etree._Element] = []

        def flush_stray() -> None:
            nonlocal stray_text, stray
            if stray or (stray_text and stray_text.strip()):
                blocks = self.flow_nodes(stray_text, stray)
                if blocks:
                    items.append(ListItem(tuple(blocks)))
            stray_text, stray = None, []

        for child in el:
            if isinstance(child.tag, str) and child.tag.lower() == "li":
                flush_stray()
                blocks = self.flow(child)
                if blocks:
                    items.append(ListItem(tuple(blocks)))
                stray_text = child.tail
            else:
                stray.append(child)  # read with its tail
        flush_stray()
        if not items:
            return []
        ordered = el.tag.lower() == "ol"
        start = _int(el.get("start")) or 1 if ordered else 1
        return [ListBlock(tuple(items), ordered=ordered, start=start)]

    def code_block(self, el: etree._Element) -> list[Block]:
        pre = el if el.tag.lower() in ("pre", "xmp", "listing", "plaintext") else el.find(".//pre")
        if pre is None:
            return self.flow(el)
        language = ""
        for candidate in (pre.find(".//code"), pre, el):
            if candidate is None:
                continue
            for cls in _classes(candidate):
                if cls.startswith(("language-", "lang-")):
                    language = cls.split("-", 1)[1]
                    break
            language = language or (candidate.get("data-lang") or "")
            if language:
                break
        text = _preformatted_text(pre).rstrip("\n")
        if text.startswith("\n"):
            text = text[1:]  # HTML drops the newline right after <pre>
        return [CodeBlock(text, language.strip())] if text.strip() else []

    def figure(self, el: etree._Element) -> list[Block]:
        candidates: list[str] = []
        formulas: list[Piece] = []
        width = height = None
        for img in el.iter("img"):
            if _is_formula(img):
                formulas.extend(self.img(img))
                continue
            for attr in ("data-original", "data-actualsrc", "src", "data-src"):
                url = _image_url(img.get(attr))
                if url and url not in candidates:
                    candidates.append(url)
            width = width or _int(img.get("data-rawwidth")) or _int(img.get("width"))
            height = height or _int(img.get("data-rawheight")) or _int(img.get("height"))
        caption_el = el.find(".//figcaption")
        caption: tuple[Inline, ...] = ()
        hoisted: list[Block] = []
        if caption_el is not None:
            pieces = self.inline_children(caption_el)
            caption = _trim([p for p in pieces if not isinstance(p, _BLOCK_TYPES)])
            hoisted = [p for p in pieces if isinstance(p, _BLOCK_TYPES)]
        out: list[Block] = []
        if candidates:
            out.append(Figure(candidates[0], caption, tuple(candidates[1:]), width, height))
        elif _has_content(caption):
            out.append(Paragraph(caption))
        out.extend(hoisted)
        for formula in formulas:
            if isinstance(formula, MathBlock):
                out.append(formula)
            elif isinstance(formula, InlineMath):
                out.append(MathBlock(formula.tex))
        # Anything else a figure holds (text, paragraphs: broken or hand-made markup) follows it.
        removed = [*el.iter("img"), *([caption_el] if caption_el is not None else [])]
        rest = _without(el, removed)
        if rest is not None:
            out.extend(self.flow(rest))
        return out

    def table(self, el: etree._Element) -> list[Block]:
        # Text outside the cells (a caption, stray text or paragraphs in broken markup) comes
        # first, where browsers show it; cells are read by the table itself.
        rest = _without(el, _cells(el))
        out = self.flow(rest) if rest is not None else []
        table = self._table(el)
        return [*out, *table] if table else out

    def _table(self, el: etree._Element) -> list[Block]:
        rows: list[tuple[TableCell, ...]] = []
        header: tuple[TableCell, ...] = ()
        for index, tr in enumerate(_rows(el)):
            cells: list[TableCell] = []
            all_th = True
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                all_th = all_th and cell.tag.lower() == "th"
                cells.append(TableCell(self.cell_inlines(cell)))
            if not cells:
                continue
            parent = tr.getparent()
            in_head = parent is not None and parent.tag == "thead"
            if index == 0 and not rows and (all_th or in_head):
                header = tuple(cells)
            else:
                rows.append(tuple(cells))
        if not header and not rows:
            return []
        return [Table(header, tuple(rows))]

    def cell_inlines(self, cell: etree._Element) -> tuple[Inline, ...]:
        parts: list[Inline] = []
        for block in self.flow(cell):
            if parts:
                parts.append(LineBreak())
            if isinstance(block, (Paragraph, Heading)):
                parts.extend(block.children)
            elif isinstance(block, Figure):
                parts.append(InlineImage(block.url, _plain(block.caption)))
            elif isinstance(block, MathBlock):
                parts.append(InlineMath(block.tex))
            elif isinstance(block, CodeBlock):
                parts.append(InlineCode(block.text))
            else:
                parts.append(Text(_block_text(block)))
        inlines = _trim(parts)
        if not _has_content(inlines) or _plain(inlines).strip("\xa0 ") == "":
            return ()
        return inlines

    def thematic_break(self, el: etree._Element) -> list[Block]:
        return [ThematicBreak()]

    def answer(self, el: etree._Element) -> list[Block]:
        """Read a 知乎日报 ``div.answer``: its byline, then its content."""
        author = bio = url = ""
        content = None
        for node in el.iter():
            if not isinstance(node.tag, str):
                continue
            classes = _classes(node)
            if "author" in classes and not author:
                author = _collapse(_itertext(node)).strip().rstrip("，,:： ")
            elif "bio" in classes and not bio:
                bio = _collapse(_itertext(node)).strip()
            elif "originUrl" in classes and not url:
                url = _clean_url(node.get("href")) or ""
            elif "content" in classes and content is None:
                content = node
        out: list[Block] = [Byline(author, bio, url)] if author else []
        if content is not None:
            out.extend(self.flow(content))
        return out

    def view_more(self, el: etree._Element) -> list[Block]:
        link = el.find(".//a")
        if link is not None and not self.page_url:
            self.page_url = _clean_url(link.get("href")) or ""
        return []

    def nothing(self, el: etree._Element) -> list[Block]:
        return []

    # -- inline ---------------------------------------------------------------------------

    def inline_children(self, el: etree._Element) -> list[Piece]:
        pieces: list[Piece] = []
        if el.text:
            pieces.append(Text(_collapse(el.text)))
        for child in el:
            tag = child.tag
            if isinstance(tag, str):
                tag = tag.lower()
                if tag in _VOID_TAGS and tag in _DROPPED_TAGS:
                    pieces.extend(self.inline_children(child))  # see _VOID_TAGS
                elif tag not in _DROPPED_TAGS:
                    handler = self._block_handler(child, tag)
                    if handler is not None and tag not in _INLINE_TAGS:
                        pieces.extend(handler(self, child))
                    else:
                        pieces.extend(self.inline(child, tag))
            if child.tail:
                pieces.append(Text(_collapse(child.tail)))
        return pieces

    def inline(self, el: etree._Element, tag: str) -> list[Piece]:
        handler = _INLINE_TAGS.get(tag)
        if handler is None:
            return self.inline_children(el)
        return handler(self, el)

    def wrap(self, cls: Callable[[tuple[Inline, ...]], Inline], el: etree._Element) -> list[Piece]:
        pieces = merge_texts(self.inline_children(el))
        out: list[Piece] = []
        run: list[Inline] = []

        def close() -> None:
            if not run:
                return
            # Line breaks at the edges of a span belong outside it (<b>知<br></b>).
            start, end = 0, len(run)
            while start < end and isinstance(run[start], LineBreak):
                start += 1
            while end > start and isinstance(run[end - 1], LineBreak):
                end -= 1
            if _has_content(tuple(run[start:end])):
                out.extend(run[:start])
                out.append(cls(tuple(run[start:end])))
                out.extend(run[end:])
            else:
                out.extend(run)
            run.clear()

        for piece in pieces:
            if isinstance(piece, _BLOCK_TYPES):
                close()
                out.append(piece)
            else:
                run.append(piece)
        close()
        return out

    def strong(self, el: etree._Element) -> list[Piece]:
        return self.wrap(Strong, el)

    def emphasis(self, el: etree._Element) -> list[Piece]:
        return self.wrap(Emphasis, el)

    def underline(self, el: etree._Element) -> list[Piece]:
        return self.wrap(Underline, el)

    def strikethrough(self, el: etree._Element) -> list[Piece]:
        return self.wrap(Strikethrough, el)

    def subscript(self, el: etree._Element) -> list[Piece]:
        return self.wrap(Subscript, el)

    def superscript(self, el: etree._Element) -> list[Piece]:
        numero = _int(el.get("data-numero"))
        url = _clean_url(el.get("data-url")) or ""
        text = (el.get("data-text") or "").strip()
        if numero is not None and (url or text):
            self.footnotes.setdefault(numero, Footnote(numero, _collapse(text).strip(), url))
            return [FootnoteRef(numero)]
        return self.wrap(Superscript, el)

    def inline_code(self, el: etree._Element) -> list[Piece]:
        text = _preformatted_text(el).replace("\n", " ")
        return [InlineCode(text)] if text else []

    def line_break(self, el: etree._Element) -> list[Piece]:
        return [LineBreak()]

    def span(self, el: etree._Element) -> list[Piece]:
        tex = el.get("data-tex")
        if tex is not None and "ztext-math" in _classes(el):
            return [_math(tex)]
        return self.inline_children(el)

    def link(self, el: etree._Element) -> list[Piece]:
        url = _clean_url(el.get("href"))
        classes = _classes(el)
        if url and "member_mention" in classes:
            name = _collapse(_itertext(el)).strip().lstrip("@")
            return [Mention(name, url)] if name else []
        if url and (el.get("data-draft-type") == "link-card" or "video-box" in classes):
            return self.card(el, url)
        split_url = [
            node
            for node in el
            if isinstance(node.tag, str) and {"invisible", "visible"} & set(_classes(node))
        ]
        if split_url:
            # Zhihu shortens long link texts with hidden spans; the full URL is the text.
            children: list[Piece] = [Text("".join(_itertext(n) for n in split_url))]
        else:
            children = self.inline_children(el)
        if url is None:
            return children
        out: list[Piece] = []
        run: list[Inline] = []
        for piece in merge_texts(children):
            if isinstance(piece, _BLOCK_TYPES):
                if run:
                    out.append(Link(url, tuple(run)))
                    run = []
                out.append(piece)
            else:
                run.append(piece)
        if run and _has_content(tuple(run)):
            out.append(Link(url, _trim(run) or tuple(run)))
        elif not out:
            out.append(Link(url, (Text(url),)))
        else:
            out.extend(run)
        return out

    def card(self, el: etree._Element, url: str) -> list[Piece]:
        """Read a link card or a video card; content wrapped inside it follows it."""
        blocks: list[Block] = []
        title_parts: list[str] = []
        title_el = next((n for n in el.iter() if "title" in _classes(n)), None)
        has_blocks = any(
            isinstance(n.tag, str) and n.tag.lower() in _BLOCK_TAGS for n in el.iterdescendants()
        )
        if has_blocks:
            blocks = self.flow(el)
        elif title_el is not None:
            title_parts.append(_itertext(title_el))
        else:
            title_parts.append(_itertext(el))
        title = _collapse("".join(title_parts)).strip()
        is_video = "/zvideo/" in url or "video-box" in _classes(el) or "/video/" in url
        if is_video:
            poster = _image_url(el.get("data-poster")) or ""
            if not poster and not has_blocks:
                for img in el.iter("img"):
                    poster = _image_url(img.get("src")) or ""
                    break
            card: Block = VideoCard(url, title, poster)
        else:
            card = LinkCard(url, title, _image_url(el.get("data-image")) or "")
        return [card, *blocks]

    def img(self, el: etree._Element) -> list[Piece]:
        if _is_formula(el):
            tex = el.get("alt") or ""
            if not tex.strip() or tex.strip() == "[公式]":
                src = el.get("src") or ""
                tex = (
                    unquote_plus(parse_qs(urlsplit(src).query).get("tex", [""])[0])
                    if "tex=" in src
                    else ""
                )
                if not tex:
                    query = src.split("tex=", 1)[1] if "tex=" in src else ""
                    tex = unquote_plus(query)
            return [_math(tex)] if tex.strip() else []
        candidates: list[str] = []
        for attr in ("data-original", "data-actualsrc", "src", "data-src"):
            url = _image_url(el.get(attr))
            if url and url not in candidates:
                candidates.append(url)
        if not candidates:
            return []
        width = _int(el.get("data-rawwidth")) or _int(el.get("width"))
        height = _int(el.get("data-rawheight")) or _int(el.get("height"))
        self.image_info.setdefault(candidates[0], (tuple(candidates[1:]), width, height))
        return [InlineImage(candidates[0], _collapse(el.get("alt") or "").strip())]

    def noscript(self, el: etree._Element) -> list[Piece]:
        # Lazy-loading markup repeats the image: <noscript><img></noscript><img data-actualsrc>.
        # Then only the copy's images go; any text in it stays.
        pieces = self.inline_children(el)
        parent = el.getparent()
        if parent is not None:
            for sibling in parent:
                if sibling is not el and isinstance(sibling.tag, str) and sibling.tag == "img":
                    return [p for p in pieces if not isinstance(p, (InlineImage, Figure))]
        return pieces


def _math(tex: str) -> Piece:
    tex = tex.strip()
    if tex.endswith("\\\\"):
        return MathBlock(tex[:-2].rstrip())
    return InlineMath(tex)


def _is_formula(img: etree._Element) -> bool:
    return img.get("eeimg") is not None or "zhihu.com/equation" in (img.get("src") or "")


def _rows(table: etree._Element) -> Iterator[etree._Element]:
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            yield from (r for r in child if isinstance(r.tag, str) and r.tag.lower() == "tr")


def _cells(table: etree._Element) -> list[etree._Element]:
    """Return the cells ``Reader.table`` reads: those of the rows ``_rows`` finds."""
    return [
        cell
        for row in _rows(table)
        for cell in row
        if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")
    ]


def _without(el: etree._Element, removed: list[etree._Element]) -> etree._Element | None:
    """Return a copy of ``el`` in which the descendants in ``removed`` are empty (tails kept).

    None when nothing but whitespace would be left, which is the common case: the copy is only
    made when there is something to read in it.
    """
    nodes = list(el.iterdescendants())  # holds the proxies, so that their ids stay unique
    gone = {id(node) for node in removed}
    inside: set[int] = set()
    left = bool(el.text and el.text.strip())
    for node in nodes:
        parent = node.getparent()
        if parent is not None and (id(parent) in gone or id(parent) in inside):
            inside.add(id(node))  # goes with the removed node it is in
            continue
        tail = bool(node.tail and node.tail.strip())
        if id(node) in gone:
            left = left or tail
            continue
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        text = bool(node.text and node.text.strip())
        left = left or tail or text or tag not in _STRUCTURE_TAGS
    if not left:
        return None
    from copy import deepcopy

    copy = deepcopy(el)
    copy.tail = None
    for original, node in zip(nodes, list(copy.iterdescendants()), strict=True):
        if id(original) in gone and id(original) not in inside:
            # Emptied and renamed rather than removed: moving each tail to the text before it
            # would copy that text again and again (quadratic for thousands of images).
            node.clear(keep_tail=True)  # type: ignore[call-arg]  # lxml-stubs predate it
            node.tag = _EMPTIED
    return copy


#: The name of an element ``_without`` emptied: a tag no table knows, read as nothing but its tail.
_EMPTIED = "zhconvert-emptied"

_HAS_BR = etree.XPath("boolean(.//br)")

#: Tags that only give a table or a figure its shape; alone they leave nothing to read.
_STRUCTURE_TAGS = frozenset(
    ["tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "col", "img", "noscript", "br"]
)


def _preformatted_text(el: etree._Element) -> str:
    """Return the text of ``el`` with whitespace kept, ``<br>`` as a newline."""
    if _HAS_BR(el) is False:
        # Without a <br> all there is to it is libxml2's text serialization (highlighted code is
        # hundreds of spans).
        return etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    out: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            if node is not el and node.tail:
                out.append(node.tail)
            continue
        if isinstance(node.tag, str) and node.tag.lower() == "br":
            out.append("\n")
        elif node.text and isinstance(node.tag, str):
            out.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return "".join(out)


def _block_text(block: Block) -> str:
    if isinstance(block, (LinkCard, VideoCard)):
        return block.title or block.url
    if isinstance(block, Byline):
        return block.author
    if isinstance(block, BlockQuote):
        return " ".join(_block_text(b) for b in block.children)
    if isinstance(block, ListBlock):
        return " ".join(_block_text(b) for item in block.items for b in item.children)
    if isinstance(block, Table):
        rows = (block.header, *block.rows)
        return " ".join(_plain(c.children) for row in rows for c in row)
    if isinstance(block, (Paragraph, Heading)):
        return _plain(block.children)
    return ""


_Handler = Callable[[_Reader, etree._Element], list[Block]]
_InlineHandler = Callable[[_Reader, etree._Element], list[Piece]]

_BLOCK_TAGS: dict[str, _Handler] = {
    **{
        tag: _Reader.container
        for tag in (
            [
                "p",
                "div",
                "section",
                "article",
                "main",
                "header",
                "footer",
                "aside",
                "nav",
                "address",
                "center",
                "details",
                "summary",
                "dl",
                "dt",
                "dd",
                "hgroup",
                "body",
                "html",
                "search",
                "fieldset",
                "legend",
                "caption",
                "figcaption",
            ]
        )
    },
    **{f"h{level}": _Reader.heading for level in range(1, 7)},
    "blockquote": _Reader.blockquote,
    "ul": _Reader.list_block,
    "ol": _Reader.list_block,
    "menu": _Reader.list_block,
    "pre": _Reader.code_block,
    "xmp": _Reader.code_block,
    "listing": _Reader.code_block,
    "plaintext": _Reader.code_block,
    "figure": _Reader.figure,
    "table": _Reader.table,
    "hr": _Reader.thematic_break,
}

_CLASS_HANDLERS: dict[str, _Handler] = {
    "answer": _Reader.answer,
    "view-more": _Reader.view_more,
    "highlight": _Reader.code_block,
    "avatar": _Reader.nothing,
    "originUrl": _Reader.nothing,
    "img-place-holder": _Reader.nothing,
}

_INLINE_TAGS: dict[str, _InlineHandler] = {
    "b": _Reader.strong,
    "strong": _Reader.strong,
    "i": _Reader.emphasis,
    "em": _Reader.emphasis,
    "cite": _Reader.emphasis,
    "dfn": _Reader.emphasis,
    "var": _Reader.emphasis,
    "u": _Reader.underline,
    "ins": _Reader.underline,
    "s": _Reader.strikethrough,
    "del": _Reader.strikethrough,
    "strike": _Reader.strikethrough,
    "sup": _Reader.superscript,
    "sub": _Reader.subscript,
    "code": _Reader.inline_code,
    "kbd": _Reader.inline_code,
    "samp": _Reader.inline_code,
    "tt": _Reader.inline_code,
    "br": _Reader.line_break,
    "span": _Reader.span,
    "a": _Reader.link,
    "img": _Reader.img,
    "noscript": _Reader.noscript,
}
