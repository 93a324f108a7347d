"""The generic web reader: any site's HTML body to the document model.

The body is parsed with lxml's HTML parser (libxml2; the same tree builder bs4 uses with
``"lxml"``, without bs4's per-node overhead) and walked once. Dispatch is by tag through two
tables, ``_BLOCK_TAGS`` and ``_INLINE_TAGS``, plus ``_CLASS_HANDLERS`` for highlighters' markup.
The fallback for a tag in neither table: its children are read as if it were not there (so
unknown wrappers never lose text), except for the tags in ``_DROPPED_TAGS`` (scripts, styles,
forms, embedded objects), which are dropped whole.

What one site family does differently lives in a site rule (``readers.sites``): the rules that
claim a post add class handlers and inline handlers to the tables for that read, selectors of
chrome to drop, image attributes and redirector hosts. A rule that raises is caught here: the
element is read generically and the document gets a warning.

Block-level things met inside running text (a link card inside ``<p>``, a figure inside a link)
are hoisted: the paragraph is split around them, so the document keeps its closed shape.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from lxml import etree

from ..model import (
    Block,
    BlockQuote,
    Byline,
    CodeBlock,
    Emphasis,
    Figure,
    Footnote,
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
from . import _links
from ._safety import DROPPED_TAGS as _DROPPED_TAGS
from ._safety import cap_attributes, cut_spans, resolve_control_references
from .sites import Post, SiteRule, redirect_hosts, rules_for, selector_paths

__all__ = ["HtmlBody", "WebReader", "read_html", "unwrap_redirect"]

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
#: MathML's elements, which KaTeX and MathJax write inside <math> (its TeX annotation is read).
_MATHML_TAGS = frozenset(
    [
        "annotation",
        "annotation-xml",
        "semantics",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "merror",
        "mpadded",
        "mphantom",
        "mfenced",
        "menclose",
        "munder",
        "mover",
        "munderover",
        "mmultiscripts",
        "mtable",
        "mtr",
        "mtd",
        "mlabeledtr",
        "maction",
    ]
)
_TAG_START = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)")
_HTML_SPACE = " \t\n\r\f"
_WS = re.compile(f"[{_HTML_SPACE}]+")
_CJK = (
    "\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_CJK_NEWLINE = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\n\r\f]*(?=[{_CJK}])")

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
    warnings: tuple[str, ...] = ()


def read_html(html: str, *, categories: tuple[str, ...] = (), site: str = "") -> HtmlBody:
    """Read an HTML body into blocks, with the site rules that claim it."""
    rules = rules_for(Post(html, categories, site))
    return WebReader(rules).read(html)


def _is_tag_name(name: str) -> bool:
    name = name.lower()
    # Custom elements (their names have a hyphen) are tags too; code never looks like that.
    return name in _HTML_TAGS or name in _MATHML_TAGS or ("-" in name and not name.endswith("-"))


_Trie = dict[str, "_Trie"]
#: The names real posts use most (nearly half of the corpus's tags are spans), tried first.
_COMMON_TAGS = ("span", "p", "br", "div", "strong", "li", "a", "img", "code", "figure")


def _name_pattern(names: frozenset[str], first: tuple[str, ...] = ()) -> str:
    """Return a pattern matching exactly ``names`` at a name's start, spelled as a trie.

    An alternation of 150 names tries each in turn; a trie reads one character per level, and
    tries the branches of the names in ``first`` before the others.
    """
    trie: _Trie = {}
    for name in (*(n for n in first if n in names), *sorted(names)):
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here

    def spell(node: _Trie) -> str:
        branches = [re.escape(char) + spell(node[char]) for char in node if char]
        if "" in node:
            branches.append(f"(?!{_NAME_CHAR})")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return spell(trie)


_NAME_CHAR = "[A-Za-z0-9:_-]"
#: A "<" (with its "/" and name) that may open a bogus tag: its name is no element's in lower
#: case. Real posts write their names in lower case, so most posts have none and the rest a
#: few; ``_is_tag_name`` then tells the rest (capitals, custom elements) from bogus names.
#: Linear: the trie is as deep as the longest name, and the name is read once, to its end.
#: The "/" is inside the test, so that an end tag of a known name fails there at once, with no
#: second try without its "/" (Python 3.10's ``re`` has no possessive ``/?+`` to say so).
_MAYBE_BOGUS = re.compile(
    f"<(?!/?{_name_pattern(_HTML_TAGS | _MATHML_TAGS, _COMMON_TAGS)})/?([A-Za-z]{_NAME_CHAR}*)"
)


def _escape_bogus_tags(html: str) -> str:
    """Escape the ``<`` of every "tag" that is no HTML element (``List<String>``, ``<cstdio>``)."""
    return _MAYBE_BOGUS.sub(_escape_if_bogus, html)


def _escape_if_bogus(match: re.Match[str]) -> str:
    tag = match.group(0)
    return tag if _is_tag_name(match.group(1)) else "&lt;" + tag[1:]


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
    return cut_spans(html, drops)  # found in order: each tag's span lies after the last one


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
    elif "  " not in text and "\t" not in text and "\r" not in text and "\f" not in text:
        return text  # most runs: no white space but single spaces, nothing to collapse
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
    """Return where a known redirector's link (``link.zhihu.com/?target=``...) goes.

    Any other URL comes back unchanged; so does a redirect with an empty target. The table is
    ``_links.REDIRECTORS`` plus the hosts site rules declare.
    """
    return _links.unwrap_redirect(href, redirect_hosts())


def _clean_url(raw: str | None, text: str | None = None) -> str | None:
    """Return a safe absolute-or-relative URL, or None for a dangerous or empty one.

    Redirects are unwrapped and tracking parameters dropped; ``text`` is a link's visible text
    (followed instead of a redirector when it is itself an address).
    """
    if not raw:
        return None
    return _links.clean_link(raw, text, redirects=redirect_hosts())


#: An address that names its scheme (``data:``, ``http:``…), as opposed to a relative one.
_SCHEME_PREFIX = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _list_start(value: str | None) -> int:
    """Return an ``<ol start>`` as a Markdown list can write it (0 to 999,999,999), else 1."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return 1
    return number if 0 <= number <= 999_999_999 else 1


_DESCRIPTOR = re.compile(r"\d+(?:\.\d+)?[wx]")


def _best_of_srcset(value: str) -> str | None:
    """Return the largest image of a ``srcset`` (by its ``w`` or ``x`` descriptor)."""
    best: tuple[float, str] | None = None
    url: str | None = None
    size = 1.0
    for token in value.split():
        comma = token.endswith(",")
        token = token.rstrip(",")
        if url is None:
            url, size = token, 1.0
        elif _DESCRIPTOR.fullmatch(token):
            size = float(token[:-1])
        if comma and url:
            best = (size, url) if best is None or size > best[0] else best
            url = None
    if url:
        best = (size, url) if best is None or size > best[0] else best
    return best[1] if best else None


def embed_url(el: etree._Element) -> str | None:
    """Return the web address an ``<iframe>``, ``<video>`` or ``<audio>`` plays, or None."""
    raw = el.get("src") or el.get("data-src")
    if not raw:
        source = next((s for s in el.iter("source") if s.get("src")), None)
        raw = source.get("src") if source is not None else None
    url = _clean_url(raw)
    if url is None or not url.lower().startswith(("http://", "https://")):
        return None
    return url


def _image_url(raw: str | None) -> str | None:
    url = _links.clean_image_url(raw, redirects=redirect_hosts()) if raw else None
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


def _break_edge(item: Piece) -> bool:
    """Whether ``item`` may go out of a span's edge with a line break: a break or blank text."""
    return isinstance(item, LineBreak) or (isinstance(item, Text) and not item.text.strip(" \t\n"))


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


_Handler = Callable[["WebReader", etree._Element], list[Block]]
_InlineHandler = Callable[["WebReader", etree._Element], list[Piece]]
_Override = Callable[["WebReader", etree._Element], "list[Piece] | None"]


class _Tables:
    """The handler tables and drop selector of one set of site rules (built once per set)."""

    def __init__(self, rules: tuple[SiteRule, ...]) -> None:
        self.class_handlers: dict[str, _Handler] = dict(_CLASS_HANDLERS)
        self.overrides: dict[str, list[_Override]] = {}
        image_attributes: list[str] = []
        caption_attributes: list[str] = []
        drops: list[str] = []
        for rule in rules:
            for cls, method in rule.block_classes.items():
                self.class_handlers[cls] = _guard_block(rule, getattr(rule, method))
            for tag, method in rule.inline_tags.items():
                self.overrides.setdefault(tag, []).append(
                    _guard_inline(rule, getattr(rule, method))
                )
            image_attributes.extend(a for a in rule.image_attributes if a not in image_attributes)
            caption_attributes.extend(rule.caption_attributes)
            drops.extend(rule.drop)
        image_attributes.extend(a for a in _IMAGE_ATTRIBUTES if a not in image_attributes)
        self.image_attributes = tuple(image_attributes)
        self.caption_attributes = (*caption_attributes, *_CAPTION_ATTRIBUTES)
        self.drop_paths = selector_paths(drops)
        self._drops: dict[tuple[str, ...], etree.XPath] = {}

    def drop(self, source: str, spelled: bool) -> etree.XPath | None:
        """Return an XPath of the drop selectors that can match in ``source``, or None.

        Most posts hold none of their rules' chrome, and an XPath of class tests costs more than
        the parse: a selector whose words ``source`` lacks matches nothing, unless a character
        reference spells them (``spelled``).
        """
        paths = tuple(
            path
            for path, words in self.drop_paths
            if spelled or all(word in source for word in words)
        )
        if not paths:
            return None
        xpath = self._drops.get(paths)
        if xpath is None:
            xpath = etree.XPath(" | ".join(paths))
            if len(self._drops) < 64:  # the subsets a rule's posts use; a plugin may have many
                self._drops[paths] = xpath
        return xpath


def _guard_block(rule: SiteRule, method: Callable[..., list[Block]]) -> _Handler:
    def handler(reader: WebReader, el: etree._Element) -> list[Block]:
        try:
            return method(reader, el)
        except Exception as exc:  # odd markup must cost the rule, never the document
            reader.rule_failed(rule, el, exc)
            return reader.generic_block(el)

    return handler


def _guard_inline(rule: SiteRule, method: Callable[..., list[Piece] | None]) -> _Override:
    def handler(reader: WebReader, el: etree._Element) -> list[Piece] | None:
        try:
            return method(reader, el)
        except Exception as exc:  # odd markup must cost the rule, never the document
            reader.rule_failed(rule, el, exc)
            return None

    return handler


_tables: dict[tuple[SiteRule, ...], _Tables] = {}


class WebReader:
    """The generic web reader, with the handlers of the site rules that claimed the post.

    Site rules call back into it: ``flow`` (an element's children as blocks),
    ``inline_children``, ``link``, ``card``, ``img`` and ``warn``.
    """

    def __init__(self, rules: tuple[SiteRule, ...] = ()) -> None:
        self.rules = rules
        tables = _tables.get(rules)
        if tables is None:
            tables = _tables[rules] = _Tables(rules)
        self.tables = tables
        self.footnotes: dict[int, Footnote] = {}
        self.page_url = ""
        self.warnings: list[str] = []
        self.source = ""
        self._closed_tags: frozenset[str] | None = None
        # Fallback URLs and sizes of images, for a lone image that becomes a Figure.
        self.image_info: dict[str, tuple[tuple[str, ...], int | None, int | None]] = {}

    def closed_tags(self) -> frozenset[str]:
        """Return the names of the tags the source closes somewhere (``</dir>``)."""
        if self._closed_tags is None:
            names = set(_CLOSING_TAG.findall(self.source))
            self._closed_tags = frozenset(name.lower() for name in names)
        return self._closed_tags

    def warn(self, message: str) -> None:
        """Record a warning on the document (once per message)."""
        if message not in self.warnings:
            self.warnings.append(message)

    def rule_failed(self, rule: SiteRule, el: etree._Element, exc: Exception) -> None:
        """Record that ``rule`` failed on ``el``, which is then read generically."""
        tag = el.tag if isinstance(el.tag, str) else "?"
        self.warn(
            f"site rule {rule.name!r} failed on a <{tag}> ({type(exc).__name__}: {exc}); "
            "read it as plain web HTML"
        )

    def generic_block(self, el: etree._Element) -> list[Block]:
        """Read ``el`` as blocks without any site rule's class handler."""
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        handler = _BLOCK_TAGS.get(tag)
        if handler is not None:
            return handler(self, el)
        pieces = self.inline(el, tag)
        blocks: list[Block] = []
        self.flush(pieces, blocks)
        return blocks

    # -- entry ----------------------------------------------------------------------------

    def read(self, html: str) -> HtmlBody:
        source = html
        if "&" in source:  # these only change character references (one scan spares three)
            source = source.replace("&#123;", "{").replace("&#125;", "}")
            source = resolve_control_references(source)
        source = cap_attributes(_escape_bogus_tags(source))
        self.source = source
        root = _parse(source)
        # Real posts nest a dozen levels: the tags are counted only where the tree is deep (and
        # libxml2 stops at 256 levels, dropping what lies below), and the capped source is read
        # again.
        if root is not None and _TOO_DEEP(root):
            root = _parse(_cap_nesting(source))
        body = root.find("body") if root is not None else None
        if body is not None:
            spelled = _spells_words(source)
            hidden = _hidden_xpath(source, spelled)
            if hidden is not None:
                _hide(hidden(body))
            drop = self.tables.drop(source, spelled)
            if drop is not None:
                _hide(drop(body))
        blocks = self.flow(body) if body is not None else []
        for rule in self.rules:
            try:
                blocks = rule.finish(self, blocks)
            except Exception as exc:  # the blocks as they were are still a document
                self.rule_failed(rule, body if body is not None else etree.Element("body"), exc)
        footnotes = tuple(self.footnotes[k] for k in sorted(self.footnotes))
        return HtmlBody(
            blocks=tuple(blocks),
            footnotes=footnotes,
            url=self.page_url,
            warnings=tuple(self.warnings),
        )

    # -- block flow -----------------------------------------------------------------------

    def flow(self, container: etree._Element) -> list[Block]:
        """Read the children of ``container`` as a sequence of blocks."""
        return self.flow_nodes(container.text, container)

    def flow_nodes(self, text: str | None, children: Iterable[etree._Element]) -> list[Block]:
        """Read ``text`` and then ``children`` (each with its tail) as a sequence of blocks."""
        blocks: list[Block] = []
        pending: list[Piece] = []
        # White space with nothing pending (between two blocks, mostly) would be trimmed from
        # the paragraph it starts, or make none: it is not read at all.
        if text and text.strip(_HTML_SPACE):
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
                elif tag in _MATH_TAGS:
                    pending.extend(self.math_markup(child))
            tail = child.tail
            if tail and (pending or tail.strip(_HTML_SPACE)):
                pending.append(Text(_collapse(tail)))
        self.flush(pending, blocks)
        return blocks

    def _block_handler(self, el: etree._Element, tag: str) -> _Handler | None:
        if tag == _HIDDEN:
            return WebReader.nothing
        value = el.get("class")
        if value:
            handlers = self.tables.class_handlers
            for cls in value.split():
                class_handler = handlers.get(cls)
                if class_handler is not None:
                    return class_handler
        return _BLOCK_TAGS.get(tag)

    def flush(self, pending: list[Piece], blocks: list[Block]) -> None:
        """Turn pending inline pieces into paragraphs, splitting around hoisted blocks."""
        if not pending:
            return
        if len(pending) == 1 and type(pending[0]) is Text:
            # The commonest cases by far: the white space between two blocks, and a paragraph of
            # one plain run. What ``_paragraph`` would make of it, without its general steps.
            only = pending[0]
            text = only.text.strip(" ")
            if text.strip() and text not in _AD_LABELS:
                blocks.append(Paragraph((only if text is only.text else Text(text),)))
            return
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
        if isinstance(only, Text):
            if only.text not in _AD_LABELS:
                blocks.append(Paragraph(inlines))
            return
        if isinstance(only, Link) and len(only.children) == 1:
            inner = only.children[0]
            # A picture linked to itself (news sites do this) is just a figure.
            if isinstance(inner, InlineImage) and inner.url == only.url:
                only = inner
        if isinstance(only, InlineImage):
            fallbacks, width, height = self.image_info.get(only.url, ((), None, None))
            # A lone image's alt text stands in for it; it is no caption to show under it.
            alt = only.alt if only.alt.strip() else ""
            blocks.append(Figure(only.url, (), fallbacks, width, height, only.title, alt))
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
        start = _list_start(el.get("start")) if ordered else 1
        # <li><p>…</p></li> shows its items a paragraph apart: the list is loose.
        loose = any(
            isinstance(li.tag, str) and li.tag.lower() == "li" and li.find("p") is not None
            for li in el
        )
        return [ListBlock(tuple(items), ordered=ordered, start=start, loose=loose)]

    def code_block(self, el: etree._Element) -> list[Block]:
        """Read a highlighter's block (or a bare ``<pre>``) as code, its language and lines."""
        tag = el.tag.lower()
        pre: etree._Element | None = el if tag in _PRE_TAGS else None
        if pre is None:
            # A line-number table (Hexo, Chroma, Rouge, SyntaxHighlighter): the code cell.
            # Most blocks have no table: a find() in C spares the XPath.
            cells = _CODE_CELL(el) if el.find(".//td") is not None else None
            cell = cells[0] if isinstance(cells, list) and cells else None
            if isinstance(cell, etree._Element):
                inner = cell.find(".//pre")
                pre = inner if inner is not None else cell  # SyntaxHighlighter: <div> lines
            else:
                pre = el.find(".//pre")
        if pre is None:
            return self.flow(el)
        language = _language(el, pre)
        text = _preformatted_text(pre, self.closed_tags).rstrip("\n")
        if text.startswith("\n") and (pre.text or "").startswith("\n"):
            text = text[1:]  # HTML drops the newline right after <pre> (not after <code>)
        return [CodeBlock(text, language.strip())] if text.strip() else []

    def figure(self, el: etree._Element) -> list[Block]:
        # One group per picture: the images of a group share an address (a lazy image and its
        # <noscript> copy); a multi-image figure (少数派's rows) has several.
        groups: list[tuple[list[str], int | None, int | None]] = []
        formulas: list[Piece] = []
        overrides = self.tables.overrides.get("img", ())
        for img in el.iter("img"):
            special = next((p for o in overrides if (p := o(self, img)) is not None), None)
            if special is not None:
                formulas.extend(special)  # a site's image that is no picture (a formula)
                continue
            urls = self.image_candidates(img)
            if not urls:
                continue
            width = _int(img.get("data-rawwidth")) or _int(img.get("width"))
            height = _int(img.get("data-rawheight")) or _int(img.get("height"))
            for index, (known, known_width, known_height) in enumerate(groups):
                if not set(known).isdisjoint(urls):
                    known.extend(u for u in urls if u not in known)
                    groups[index] = (known, known_width or width, known_height or height)
                    break
            else:
                groups.append((urls, width, height))
        caption_el = el.find(".//figcaption")
        caption: tuple[Inline, ...] = ()
        hoisted: list[Block] = []
        if caption_el is not None:
            pieces = self.inline_children(caption_el)
            caption = _trim([p for p in pieces if not isinstance(p, _BLOCK_TYPES)])
            hoisted = [p for p in pieces if isinstance(p, _BLOCK_TYPES)]
        else:
            for attr in self.tables.caption_attributes:
                value = _collapse(el.get(attr) or "").strip()
                if value:
                    caption = (Text(value),)
                    break
        out: list[Block] = []
        if groups:
            last = len(groups) - 1
            for index, (urls, width, height) in enumerate(groups):
                # The caption says what the row of pictures shows: it goes under the last one.
                text = caption if index == last else ()
                out.append(Figure(urls[0], text, tuple(urls[1:]), width, height))
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
        cells = _cells(el)
        if _is_layout(el, cells):
            # A table of one column without a header lays out a page (Google Sites, old
            # newsletters): its cells are the post's blocks, not data.
            return [block for cell in cells for block in self.flow(cell)]
        # Text outside the cells (a caption, stray text or paragraphs in broken markup) comes
        # first, where browsers show it; cells are read by the table itself.
        rest = _without(el, cells)
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
                parts.append(InlineImage(block.url, _plain(block.caption) or block.alt))
            elif isinstance(block, MathBlock):
                parts.append(InlineMath(block.tex))
            elif isinstance(block, CodeBlock):
                parts.append(InlineCode(block.text))
            else:
                if isinstance(block, (LinkCard, VideoCard)) and block.url:
                    parts.append(Link(block.url, (Text(block.title or block.url),)))
                else:
                    parts.append(Text(_block_text(block)))
        inlines = _trim(parts)
        if not _has_content(inlines) or _plain(inlines).strip("\xa0 ") == "":
            return ()
        return inlines

    def thematic_break(self, el: etree._Element) -> list[Block]:
        return [ThematicBreak()]

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
                elif tag not in _DROPPED_TAGS or tag in _EMBED_TAGS:
                    handler = self._block_handler(child, tag)
                    if handler is not None and tag not in _INLINE_TAGS:
                        pieces.extend(handler(self, child))
                    else:
                        pieces.extend(self.inline(child, tag))
                elif tag in _MATH_TAGS:
                    pieces.extend(self.math_markup(child))
            if child.tail:
                pieces.append(Text(_collapse(child.tail)))
        return pieces

    def inline(self, el: etree._Element, tag: str) -> list[Piece]:
        overrides = self.tables.overrides.get(tag)
        if overrides is not None:
            for override in overrides:
                pieces = override(self, el)
                if pieces is not None:
                    return pieces
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
            # Line breaks at the edges of a span belong outside it (<b>知<br></b>), with the
            # blanks beside them (<b>知<br> </b>).
            start, end = 0, len(run)
            while start < end and _break_edge(run[start]):
                start += 1
            while end > start and _break_edge(run[end - 1]):
                end -= 1
            if not any(isinstance(item, LineBreak) for item in run[:start]):
                start = 0
            if not any(isinstance(item, LineBreak) for item in run[end:]):
                end = len(run)
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
        return self.wrap(Superscript, el)

    def inline_code(self, el: etree._Element) -> list[Piece]:
        text = _preformatted_text(el, self.closed_tags).replace("\n", " ")
        return [InlineCode(text)] if text else []

    def line_break(self, el: etree._Element) -> list[Piece]:
        return [LineBreak()]

    def span(self, el: etree._Element) -> list[Piece]:
        return self.inline_children(el)

    def link(self, el: etree._Element, children: list[Piece] | None = None) -> list[Piece]:
        """Read a link; ``children`` (its content read already) or its own children."""
        if children is None:
            children = self.inline_children(el)
        shown = _plain([c for c in children if not isinstance(c, _BLOCK_TYPES)])
        url = _clean_url(el.get("href"), shown)
        if url is None:
            return children
        title = el.get("title") or ""
        out: list[Piece] = []
        run: list[Inline] = []
        for piece in merge_texts(children):
            if isinstance(piece, _BLOCK_TYPES):
                if run:
                    out.append(Link(url, tuple(run), title))
                    run = []
                out.append(piece)
            else:
                run.append(piece)
        if run and _has_content(tuple(run)):
            out.append(Link(url, _trim(run) or tuple(run), title))
        elif not out and "#" not in url:
            # An empty link keeps its address; an empty one to a fragment is a heading's anchor.
            out.append(Link(url, (Text(url),), title))
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

    def image_candidates(self, el: etree._Element) -> list[str]:
        """Return the addresses of an image, best first (lazy attributes, srcset, <picture>)."""
        candidates: list[str] = []
        for attr in self.tables.image_attributes:
            value = el.get(attr)
            if value and attr.endswith("srcset"):
                value = _best_of_srcset(value)
            url = _image_url(value)
            if url and url not in candidates:
                candidates.append(url)
        picture = el.getparent()
        # libxml2 nests what follows a <source> in it (see _VOID_TAGS): <picture><source><img>.
        while picture is not None and picture.tag == "source":
            picture = picture.getparent()
        if picture is not None and picture.tag == "picture":
            for source in picture.iter("source"):
                url = _image_url(_best_of_srcset(source.get("srcset") or ""))
                if url and url not in candidates:
                    candidates.append(url)
        return candidates

    def poster(self, el: etree._Element) -> str:
        """Return the poster image of a ``<video>`` (or a player), or ``""``."""
        return _image_url(el.get("poster") or el.get("data-poster")) or ""

    def math_markup(self, el: etree._Element) -> list[Piece]:
        """Read the TeX a math renderer kept: KaTeX's and MathML's annotation, MathJax's script.

        Nothing else of ``<math>`` or ``<script>`` is read (KaTeX's visible copy is
        ``aria-hidden`` and dropped with the hidden elements).
        """
        if el.tag.lower() == "script":
            kind = (el.get("type") or "").lower()
            tex = (el.text or "").strip() if kind.startswith("math/tex") else ""
            if not tex:
                return []
            return [MathBlock(tex)] if "mode=display" in kind else [InlineMath(tex)]
        for annotation in el.iter("annotation"):
            if "tex" in (annotation.get("encoding") or "").lower():
                tex = (annotation.text or "").strip()
                if tex:
                    return [MathBlock(tex)] if el.get("display") == "block" else [InlineMath(tex)]
        return []

    def embed(self, el: etree._Element) -> list[Block]:
        """Read an ``<iframe>``, ``<video>`` or ``<audio>`` as a card linking what it plays."""
        tag = el.tag.lower()
        for override in self.tables.overrides.get(tag, ()):
            pieces = override(self, el)
            if pieces is not None:
                return [p for p in pieces if isinstance(p, _BLOCK_TYPES)]
        url = embed_url(el)
        if url is None:
            return []
        title = _collapse(el.get("title") or el.get("aria-label") or "").strip()
        if tag == "video":
            return [VideoCard(url, title, self.poster(el))]
        if tag == "audio":
            return [LinkCard(url, title or "音频")]
        return [LinkCard(url, title)]

    def img(self, el: etree._Element) -> list[Piece]:
        candidates = self.image_candidates(el)
        if not candidates:
            # A relative address (a blog's own /images/a.png) is kept when it is all there is.
            relative = _clean_url(el.get("src"))
            if relative is None or _SCHEME_PREFIX.match(relative):
                return []
            candidates = [relative]
        width = _int(el.get("data-rawwidth")) or _int(el.get("width"))
        height = _int(el.get("data-rawheight")) or _int(el.get("height"))
        self.image_info.setdefault(candidates[0], (tuple(candidates[1:]), width, height))
        alt = _collapse(el.get("alt") or "").strip()
        return [InlineImage(candidates[0], alt, el.get("title") or "")]

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


def math(tex: str) -> Piece:
    """Return TeX as inline maths, or as a display formula when it ends in ``\\\\``."""
    tex = tex.strip()
    if tex.endswith("\\\\"):
        return MathBlock(tex[:-2].rstrip())
    return InlineMath(tex)


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


def _is_layout(table: etree._Element, cells: list[etree._Element]) -> bool:
    """Tell whether a table only lays out blocks: one column, no header cell, block content."""
    if not cells or any(cell.tag.lower() == "th" for cell in cells):
        return False
    rows = [row for row in _rows(table)]
    if len(cells) != len(rows) or any(len(cells_of) > 1 for cells_of in _row_cells(rows)):
        return False
    return any(
        isinstance(node.tag, str) and node.tag.lower() in _LAYOUT_CONTENT
        for cell in cells
        for node in cell.iterdescendants()
    )


def _row_cells(rows: list[etree._Element]) -> Iterator[list[etree._Element]]:
    for row in rows:
        yield [c for c in row if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]


#: Content that only a page's layout puts in a table cell.
_LAYOUT_CONTENT = frozenset(["div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "iframe"])


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

#: Tags that only give a table or a figure its shape; alone they leave nothing to read.
_STRUCTURE_TAGS = frozenset(
    ["tr", "td", "th", "thead", "tbody", "tfoot", "colgroup", "col", "img", "noscript", "br"]
)


_PRE_TAGS = frozenset(["pre", "xmp", "listing", "plaintext"])

#: The code cell of a highlighter's line-number table: Hexo's and Rouge's ``td.code``,
#: Chroma's last ``td.lntd``, SyntaxHighlighter's ``td.code``.
_CODE_CELL = etree.XPath(
    "(.//td[contains(concat(' ', normalize-space(@class), ' '), ' code ')]"
    " | .//td[contains(concat(' ', normalize-space(@class), ' '), ' lntd ')][last()])[last()]"
)

#: Classes of what highlighters put beside the code: line numbers, copy buttons. Never code.
_CODE_CHROME = frozenset(
    [
        "gutter",
        "lineno",
        "linenos",
        "lnt",
        "ln",
        "line-numbers-rows",
        "rouge-gutter",
        "copy-code-btn",
        "code-block-extension-header",
        "copy-btn",
        "copy-button",
    ]
)
#: Tags highlighters use inside code; any other element in code is the post's own text that a
#: feed forgot to escape (``<code><input></code>``).
_CODE_MARKUP = frozenset(
    [
        "span",
        "b",
        "i",
        "em",
        "strong",
        "a",
        "code",
        "font",
        "mark",
        "u",
        "s",
        "del",
        "ins",
        "sub",
        "sup",
        "br",
        "wbr",
        "var",
        "kbd",
        "samp",
        "tt",
        "div",
    ]
)
#: Tags in code that libxml2's text serialization reads right (not <br>, not line <div>s).
_PLAIN_CODE_MARKUP = _CODE_MARKUP - {"br", "div"}


def _code_needs_walk(el: etree._Element) -> bool:
    """Tell whether code needs more than libxml2's text serialization.

    It does for a ``<br>``, line-per-``<div>`` markup, a highlighter's chrome or an element that
    is not markup. A loop in Python: XPath predicates on every token of highlighted code were
    ten times slower.
    """
    for node in el.iterdescendants():
        tag = node.tag
        if tag not in _PLAIN_CODE_MARKUP:
            if isinstance(tag, str):
                return True
            continue  # a comment or processing instruction
        cls = node.get("class")
        if cls and (
            cls in _CODE_CHROME or (" " in cls and not _CODE_CHROME.isdisjoint(cls.split()))
        ):
            return True
    return False


#: Classes that say what a block is, never which language is in it.
_NOT_LANGUAGES = frozenset(
    [
        "highlight",
        "hljs",
        "copyable",
        "chroma",
        "code",
        "line-numbers",
        "notranslate",
        "prettyprint",
        "linenums",
        "sourcecode",
        "wp-block-code",
        "highlighter-rouge",
        "plain",
        "text",
        "nohighlight",
        "source",
        "syntaxhighlighter",
    ]
)
_LANGUAGE_CLASS = re.compile(r"^(?:language|lang|highlight-source|brush)-?:?(.+)$")


def _language(block: etree._Element, pre: etree._Element) -> str:
    """Return the language a highlighter's markup names for a code block, or ``""``."""
    chain = [pre.find(".//code"), pre]
    node: etree._Element | None = pre.getparent()
    while node is not None:  # up to the block (Hexo's figure, Rouge's wrapper div)
        chain.append(node)
        if node is block:
            parent = block.getparent()
            if parent is not None and "highlighter-rouge" in _classes(parent):
                chain.append(parent)
            break
        node = node.getparent()
    for candidate in chain:
        if candidate is None:
            continue
        lang = candidate.get("data-lang") or candidate.get("lang") or ""
        if lang.strip():
            return lang.strip()
        classes = _classes(candidate)
        for cls in classes:
            match = _LANGUAGE_CLASS.match(cls)
            if match and match.group(1).strip(":;"):
                return match.group(1).strip(":;")
        # Hexo writes figure.highlight.js; highlight.js once wrote code.hljs.js.
        if {"highlight", "hljs", "syntaxhighlighter"} & set(classes):
            for cls in classes:
                if cls.lower() not in _NOT_LANGUAGES and re.fullmatch(r"[\w+#.-]{1,20}", cls):
                    return cls
    return ""


_CLOSING_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)")


def _preformatted_text(el: etree._Element, closed: Callable[[], frozenset[str]] = frozenset) -> str:
    """Return the text of ``el`` with whitespace kept, ``<br>`` as a newline.

    A highlighter's line numbers and copy buttons are left out; an element that is no
    highlighter markup is text the feed forgot to escape, and is written back as it was: its
    start tag, and its end tag when the source has one (``closed``), never an invented one.
    """
    if not _code_needs_walk(el):
        # All there is to it is libxml2's text serialization (highlighted code is hundreds of
        # spans).
        return etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    out: list[str] = []
    stack: list[tuple[etree._Element, bool]] = [(el, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if closing:
            if tag and node is not el and tag not in _CODE_MARKUP and tag in closed():
                out.append(f"</{tag}>")
            if node is not el and node.tail:
                out.append(node.tail)
            continue
        if tag == "br":
            out.append("\n")
        elif node is not el and (tag == _HIDDEN or _CODE_CHROME.intersection(_classes(node))):
            stack.append((node, True))  # its tail is code
            continue
        elif tag and tag not in _CODE_MARKUP and node is not el:
            out.append(_start_tag(node))
            if node.text:
                out.append(node.text)
        else:
            if tag == "div" and node is not el and out and not out[-1].endswith("\n"):
                out.append("\n")  # SyntaxHighlighter: one <div class="line"> per line
            if node.text and tag:
                out.append(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    return "".join(out)


def _start_tag(node: etree._Element) -> str:
    attributes = "".join(f' {name!s}="{value!s}"' for name, value in node.attrib.items())
    return f"<{node.tag!s}{attributes}>"


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


_BLOCK_TAGS: dict[str, _Handler] = {
    **{
        tag: WebReader.container
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
    **{f"h{level}": WebReader.heading for level in range(1, 7)},
    "blockquote": WebReader.blockquote,
    "ul": WebReader.list_block,
    "ol": WebReader.list_block,
    "menu": WebReader.list_block,
    "pre": WebReader.code_block,
    "xmp": WebReader.code_block,
    "listing": WebReader.code_block,
    "plaintext": WebReader.code_block,
    "figure": WebReader.figure,
    "table": WebReader.table,
    "hr": WebReader.thematic_break,
    **dict.fromkeys(["iframe", "video", "audio"], WebReader.embed),
}
#: Embedded players: dropped as markup (``_safety.DROPPED_TAGS``), read as a card of their link.
_EMBED_TAGS = frozenset(["iframe", "video", "audio"])
#: Dropped as markup too; only the TeX a math renderer left in them is read.
_MATH_TAGS = frozenset(["math", "script"])

_CLASS_HANDLERS: dict[str, _Handler] = {
    # Pygments, Hexo (figure.highlight), Chroma, Rouge (its wrapper too), GitHub, WordPress.
    "highlight": WebReader.code_block,
    "highlighter-rouge": WebReader.code_block,
    "syntaxhighlighter": WebReader.code_block,
    "wp-block-code": WebReader.code_block,
}

#: Image attributes holding the real image, best first: lazy loaders keep it out of ``src``
#: (which then holds a placeholder) until the image is in view; ``srcset`` gives its largest.
_IMAGE_ATTRIBUTES = (
    "data-original",
    "data-actualsrc",
    "srcset",
    "data-srcset",
    "data-src",
    "data-lazy-src",
    "data-original-src",
    "src",
)
#: Attributes of a ``<figure>`` that hold its caption when it has no ``<figcaption>``.
_CAPTION_ATTRIBUTES: tuple[str, ...] = ()


#: The name of an element that is hidden or a site's chrome: read as nothing but its tail. It
#: keeps its attributes and children, so a site rule can still look inside (Zhihu's hidden
#: "查看知乎原文" link is the answer's address).
_HIDDEN = "zhconvert-hidden"

#: A paragraph that only says "advert" labels the one before it; it is no content.
_AD_LABELS = frozenset(["【广告】", "[广告]", "（广告）", "广告"])

#: Elements a browser does not show: the ``hidden`` attribute, ``aria-hidden`` (share widgets,
#: heading anchors) and inline styles that hide them.
_HIDDEN_TESTS = (
    # A word the source holds, what it holds once its spaces are taken out (as the test takes
    # them out of a style), the test.
    ("hidden", "", "@hidden"),
    ("aria-hidden", "", "@aria-hidden='true'"),
    (
        "none",
        "display:none",
        "@style and contains(translate(@style, ' ', ''), 'display:none')",
    ),
    (
        "visibility",
        "visibility:hidden",
        "@style and contains(translate(@style, ' ', ''), 'visibility:hidden')",
    ),
)
_hidden_xpaths: dict[tuple[str, ...], etree.XPath] = {}


def _hidden_xpath(source: str, spelled: bool) -> etree.XPath | None:
    """Return an XPath finding the hidden elements, testing only what the source can hold.

    Most posts hide nothing (one substring search each spares the tree walk); 日报's pages
    only use the ``hidden`` attribute. A style test on every element costs more than the parse,
    and "none" is in many styles (``border: none``): it is made only when the source spells
    what it looks for, or a character reference might (``spelled``).
    """
    squeezed: str | None = None
    tests: list[str] = []
    for word, spaceless, test in _HIDDEN_TESTS:
        if word not in source:
            continue
        if spaceless and not spelled:
            if squeezed is None:
                squeezed = source.replace(" ", "")
            if spaceless not in squeezed:
                continue
        tests.append(test)
    if not tests:
        return None
    key = tuple(tests)
    xpath = _hidden_xpaths.get(key)
    if xpath is None:
        xpath = _hidden_xpaths[key] = etree.XPath(".//*[" + " or ".join(tests) + "]")
    return xpath


#: The only character references that can spell an ASCII letter, digit, "-", "_", ":" or " "
#: (what drop selectors' words and hiding styles are made of): the numeric ones and four named
#: ones of HTML5, whose references libxml2 decodes (case-sensitively, as HTML5 says).
_SPELLING_REFS = ("&#", "&colon", "&lowbar", "&UnderBar", "&fjlig")


_SPELLING_REF = re.compile("&(?:" + "|".join(ref[1:] for ref in _SPELLING_REFS) + ")")


def _spells_words(source: str) -> bool:
    """Tell whether a character reference in ``source`` could spell a word of an attribute."""
    return "&" in source and _SPELLING_REF.search(source) is not None


def _hide(elements: object) -> None:
    """Mark ``elements`` as not to be read (their tails still are)."""
    if isinstance(elements, list):
        for el in elements:
            if isinstance(el, etree._Element) and el.getparent() is not None:
                el.tag = _HIDDEN


_INLINE_TAGS: dict[str, _InlineHandler] = {
    "b": WebReader.strong,
    "strong": WebReader.strong,
    "i": WebReader.emphasis,
    "em": WebReader.emphasis,
    "cite": WebReader.emphasis,
    "dfn": WebReader.emphasis,
    "var": WebReader.emphasis,
    "u": WebReader.underline,
    "ins": WebReader.underline,
    "s": WebReader.strikethrough,
    "del": WebReader.strikethrough,
    "strike": WebReader.strikethrough,
    "sup": WebReader.superscript,
    "sub": WebReader.subscript,
    "code": WebReader.inline_code,
    "kbd": WebReader.inline_code,
    "samp": WebReader.inline_code,
    "tt": WebReader.inline_code,
    "br": WebReader.line_break,
    "span": WebReader.span,
    "a": WebReader.link,
    "img": WebReader.img,
    "noscript": WebReader.noscript,
}
