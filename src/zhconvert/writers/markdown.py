"""The Markdown writer: CommonMark + GFM tables + footnotes + ``$``/``$$`` math, little raw HTML.

Text is escaped where CommonMark would otherwise misread it, and only there. Emphasis markers are
placed by CommonMark's flanking rules, around exactly what was emphasized (``**… (MVP)**``);
only where no marker could close (``**注意：**正文``: a run after "：" cannot close before "正")
does edge punctuation move outside the span (``**注意**：正文``).

No template syntax reaches a blog engine (Hexo's Nunjucks, Jekyll's Liquid): outside fenced code
blocks, which Hexo sets apart, the brace of ``{{``, ``{%``, ``{#`` and ``#}`` is written as
``&#123;``/``&#125;`` in text, link texts, alt texts and titles; a formula gets a space
(``{ {``, the same TeX); an address gets ``%7B``/``%7D``; and inline code holding such a tag,
which a code span cannot escape, is raw HTML: ``<code>&#123;{ x }}</code>``.

The only other raw HTML is an option's: with ``hotlink="html"``, an image from a host that refuses
other sites' Referer (``zhconvert.images.hosts``) is ``<img src="…" alt="…"
referrerpolicy="no-referrer">``, every attribute value quoted and escaped (``_attribute``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, ClassVar, Literal
from urllib.parse import quote

from ..model import (
    Block,
    BlockQuote,
    Byline,
    CodeBlock,
    Document,
    Emphasis,
    Figure,
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
)
from ..readers._safety import SCRIPT_SCHEMES, has_safe_scheme, url_scheme
from ._depth import limit_depth
from ._render import BlockRenderer, is_punctuation, without_controls

__all__ = ["MarkdownOptions", "MarkdownWriter", "escape_markdown"]

FrontMatterMode = Literal["keep", "normalize", "none"]
HotlinkMode = Literal["markdown", "html"]


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    """Options of the Markdown writer.

    ``front_matter``: ``"keep"`` writes the front matter exactly as it was in the file (the
    default), ``"normalize"`` writes the typed metadata as YAML, ``"none"`` writes none (the
    title then becomes a level-1 heading).
    """

    front_matter: FrontMatterMode = "keep"
    #: ``"html"`` writes an image from a host that refuses other sites' Referer
    #: (``zhconvert.images.hosts``) as ``<img … referrerpolicy="no-referrer">``, which a blog
    #: shows; ``"markdown"`` (the default) as ``![](…)``. ``referer_hosts`` adds host suffixes.
    hotlink: HotlinkMode = "markdown"
    # Any sequence (a list from a config file, say), stored as a tuple: annotated `tuple`, a
    # mypyc-compiled build would refuse a list before `__post_init__` could convert it.
    referer_hosts: Sequence[str] = ()

    def __post_init__(self) -> None:
        if self.front_matter not in ("keep", "normalize", "none"):
            raise ValueError(
                f"front_matter must be 'keep', 'normalize' or 'none', not {self.front_matter!r}"
            )
        if self.hotlink not in ("markdown", "html"):
            raise ValueError(f"hotlink must be 'markdown' or 'html', not {self.hotlink!r}")
        if isinstance(self.referer_hosts, str) or not all(
            isinstance(host, str) for host in self.referer_hosts
        ):
            raise ValueError("referer_hosts must be a sequence of host names")
        object.__setattr__(self, "referer_hosts", tuple(self.referer_hosts))


_ALWAYS = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "$": "\\$",
    "~": "\\~",
}
_ALWAYS_RE = re.compile(r"[\\`*$~]")
#: Brackets and "<" only mean something in some places: "]" before "(", "[" or ":" closes a link
#: text or a definition's label (at the end of a text run, see `_guard_end`); "[" opens
#: a footnote reference before "^", an inline footnote after "^" ("^[note]", markdown-it's
#: footnote plugin) and a task box as "[ ]" or "[x]"; "<" opens a tag or an autolink before a
#: letter, "/", "!" or "?". Elsewhere "[1]", "a < b" and "x]" are text as they are, so they are
#: written without backslashes.
_BRACKET_RE = re.compile(r"\](?=[(\[:])|\[(?=\^|[ xX]\])|(?<=\^)\[|<(?=[A-Za-z/!?])")
#: Inside a link's text or an image's alt every bracket is escaped: an unmatched one would end
#: the label early or open a nested one.
_LABEL_RE = re.compile(r"[\\`*$~\[\]]")
_LABEL = {**_ALWAYS, "[": "\\[", "]": "\\]"}
_ANGLE_RE = re.compile(r"<(?=[A-Za-z/!?]|$)")


def _guard_end(text: str, nexts: Set[str]) -> str:
    """Escape a ``]``, ``<`` or ``^`` ending a run of text where what follows gives it a meaning."""
    last = text[-1:]
    if last not in ("]", "<", "^") or _ends_escaped(text):
        return text
    for following in nexts:
        ch = following[:1]
        if (
            (last == "]" and ch in ("(", "[", ":"))
            or (last == "<" and ch != "" and ((ch.isascii() and ch.isalpha()) or ch in "/!?"))
            or (last == "^" and ch == "[")  # an inline footnote, "^[note]"
        ):
            return text[:-1] + "\\" + last
    return text


_ENTITY_RE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
#: Template syntax: Hexo's Nunjucks and Jekyll's Liquid read "{{", "{%" (and "{%-") and "{#" as
#: tags anywhere in a post, code spans included, before any Markdown is rendered; Nunjucks also
#: stops the whole site's build at a "#}" outside a comment. The brace is what is escaped.
_TEMPLATE_SYNTAX = re.compile(r"\{(?=[{%#])|(?<=#)\}")
#: The brace as a character reference: Markdown and HTML show the brace, a template engine sees
#: no tag. A backslash ("{\{") does not do: Hexo's marked drops it before Nunjucks runs.
_BRACES = {"{": "&#123;", "}": "&#125;"}
#: What opens a tag: inline code holding one cannot be a code span (see ``_code_element``).
_TEMPLATE_OPENER = re.compile(r"\{[{%#]")
# ";;;" too: Hexo takes a line starting with "---" or ";;;" for the end of a front matter.
_LINE_START = re.compile(r"^([ ]{0,3})([#>+\-=|]|;(?=;;)|\d{1,9}(?=[.)](?: |$)))")
_PARENS = re.compile(r"([()])")
# Braces too: "{{" in an address is a template tag to Hexo and Jekyll (and "{" + "%20" is "{%").
_URL_UNSAFE = re.compile(r"[\s()<>\\{}]")
# An "&" that a renderer or the browser after it would read as a character reference: marked
# and Python-Markdown pass "&#x6A;" through to the HTML, markdown-it decodes it.
_URL_REFERENCE = re.compile(r"&(?=#?[A-Za-z0-9_]+;)")
_AUTOLINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00-\x1f]*$")
# A line Hexo would read as a front-matter separator (hexo-front-matter: /\n(-{3,}|;{3,})/).
_SEPARATOR_LINE = re.compile(r"^(?=---|;;;)", re.M)
_TEX_TAG = re.compile(r"<(?=[A-Za-z/!?])")  # what could open an HTML tag, comment or autolink
_TEX_LINK = re.compile(r"\](?=[(\[:])")  # what could close a link's text or label


def _template_safe(text: str) -> str:
    """Write the braces of template syntax in ``text`` (Markdown) as character references."""
    if "{" not in text and "}" not in text:
        return text
    return _TEMPLATE_SYNTAX.sub(lambda m: _BRACES[m.group(0)], text)


def _underscore(match: re.Match[str]) -> str:
    text = match.string
    start = match.start()
    before = text[start - 1] if start > 0 else " "
    after = text[start + 1] if start + 1 < len(text) else " "
    # An underscore between two letters or digits (CJK included) cannot open or close emphasis.
    if before.isalnum() and after.isalnum():
        return "_"
    return "\\_"


def escape_markdown(text: str) -> str:
    """Escape ``text`` so that Markdown shows it literally (line starts are handled apart)."""
    return _escape(text)


#: Every character `_escape` may write otherwise, or put a backslash or a reference before.
_ESCAPED = re.compile(r"[\\`*$~\[\]<_&{}]")


def _escape(text: str, label: bool = False) -> str:
    """Escape ``text``; with ``label``, for the inside of a link's text or an image's alt."""
    if _ESCAPED.search(text) is None:
        return text  # most runs of text: one scan in C instead of a dozen
    if label:
        text = _LABEL_RE.sub(lambda m: _LABEL[m.group(0)], text)
        if "<" in text:
            text = _ANGLE_RE.sub(r"\\<", text)
    else:
        # A few substring searches are much cheaper than a regular expression's scan of a long
        # run of text that holds none of these (most runs).
        if "\\" in text or "`" in text or "*" in text or "$" in text or "~" in text:
            text = _ALWAYS_RE.sub(lambda m: _ALWAYS[m.group(0)], text)
        if "[" in text or "]" in text or "<" in text:
            text = _BRACKET_RE.sub(lambda m: "\\" + m.group(0), text)
    if "_" in text:
        text = re.sub("_", _underscore, text)
    if "&" in text:
        text = _ENTITY_RE.sub("\\\\&", text)
    return _template_safe(text)  # after "&" is escaped: these references must stay


def _escape_line_start(line: str) -> str:
    match = _LINE_START.match(line)
    if match is None:
        return line
    lead, token = match.group(1), match.group(2)
    if token[0].isdigit():
        return lead + token + "\\" + line[match.end() :]
    return lead + "\\" + line[len(lead) :]


def _linkable(url: str) -> bool:
    """Whether ``url`` may be a link or image address: no scheme, or a web or mail one.

    The readers never put anything else in a document; this is for documents built by hand.
    The rule is the readers' own (``has_safe_scheme``): the scheme as a browser finally reads
    it, character references decoded (``&#x6A;avascript:``), blanks and case ignored.
    """
    return has_safe_scheme(url)


def _tex(tex: str) -> str:
    """Return TeX that no Markdown renderer takes for HTML or a link, nor a blog for a template.

    A renderer without ``$`` math reads the formula as Markdown: ``<script>`` would be raw HTML
    and ``[x](javascript:…)`` a link; Hexo and Jekyll read ``{{`` in it as a template tag
    whatever the renderer. ``\\lt`` is TeX's own name for ``<``, and spaces are ignored in math
    mode, so the formula means the same.
    """
    tex = _TEX_LINK.sub("] ", _TEX_TAG.sub(r"\\lt ", tex))
    # Nor a template tag: "{ {" is "{{" and "# }" is "#}" to TeX (Zhihu's formulas have them).
    return _TEMPLATE_SYNTAX.sub(lambda m: "{ " if m.group(0) == "{" else " }", tex)


def _code_element(text: str, label: bool) -> str:
    """Return inline code holding a template tag as ``<code>…</code>`` with the tag escaped.

    A code span shows its text exactly as written, so nothing in it can hide ``{{`` from Hexo
    and Jekyll, which read the whole post for tags first (an unclosed ``{%`` there takes the
    rest of the post with it, ``{# … #}`` is dropped even from code). Between ``<code>`` tags the
    text is Markdown, escaped as any text is, and ``{`` of a tag is ``&#123;``. zhconvert's
    reader reads the pair back as inline code. (The writer's one other raw HTML, an option's:
    ``image_element``.)
    """
    return "<code>" + _escape(text, label) + "</code>"


#: What a raw HTML attribute value of the writer's may not hold as it is: what ends the value or
#: the tag, what a template engine (braces), a table ("|"), a code span ("`"), math ("$") or a
#: backslash escape could read in it. Written as character references, which the browser decodes.
_ATTRIBUTE_UNSAFE = re.compile(r"[&\"'<>{}|`$\\]")
_URL_BLANK = re.compile(r"\s")


_ATTRIBUTE_REFERENCES = {"&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;"}


def _attribute(value: str) -> str:
    """Return ``value`` for inside a double-quoted HTML attribute that nothing can break out of."""
    return _ATTRIBUTE_UNSAFE.sub(
        lambda m: _ATTRIBUTE_REFERENCES.get(m.group(0)) or f"&#{ord(m.group(0))};", value
    )


def _url(url: str) -> str:
    """Return ``url`` as a link destination that every renderer reads as exactly these characters.

    Blanks, brackets and backslashes are percent-encoded (they would end or escape the
    destination), and so is an ``&`` that starts a character reference: ``&#x6A;`` would
    otherwise become ``j`` in the browser, and the address followed would not be the one judged.
    """
    url = _URL_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", url)
    return _URL_REFERENCE.sub("%26", url) if "&" in url else url


def _one_line(text: str) -> str:
    """Return ``text`` with its line breaks as spaces, for a construct that is one line."""
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


def _destination(url: str) -> str:
    """Return ``url`` as a link destination that renderers read back as exactly ``url``.

    `_url` makes every other character safe; parentheses are kept as written, escaped, since
    a renderer does not decode ``%28`` back into ``(`` and the address would change.
    """
    return "".join(
        "\\" + piece if piece in ("(", ")") else _url(piece) for piece in _PARENS.split(url)
    )


def _title(title: str) -> str:
    """Return `` "title"`` for after a link destination, or nothing when ``title`` is empty.

    Inside the quotes only backslash escapes and character references are read; a line break is
    written as ``&#10;`` so that the link stays on one line of the paragraph.
    """
    if not title:
        return ""
    text = title.replace("\\", "\\\\").replace('"', '\\"')
    if "&" in text:
        text = _ENTITY_RE.sub("\\\\&", text)
    text = _template_safe(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "&#10;")
    return f' "{text}"'


# -- emphasis ---------------------------------------------------------------------------------
#
# CommonMark decides from the characters on each side of a delimiter run whether it can open or
# close emphasis (left- and right-flanking runs). A span is written with the first of its
# markers whose two runs do what they must; when none fits, spans of its own kind inside it are
# unwrapped, then punctuation at its edges is moved outside (the smallest change that lets
# ``**注意：**正文`` render) and, as a last resort, the span is written without markers (bold
# around a whole link goes inside the link's text instead). Parsers disagree on what is
# punctuation (Hexo's marked: ASCII only; CommonMark 0.30: Unicode punctuation; 0.31 and
# markdown-it: symbols too), so a run must work all three ways.

_MARKERS: dict[type, tuple[str, ...]] = {
    Emphasis: ("*", "_"),
    Strong: ("**", "__"),
    Strikethrough: ("~~",),
}


def _is_blank(ch: str) -> bool:
    """Whether ``ch`` counts as white space for flanking (the start or end of a line does)."""
    return ch == "" or ch.isspace()


def _punctuation_ascii(ch: str) -> bool:
    return ch != "" and ch.isascii() and not ch.isalnum() and not ch.isspace()


def _punctuation_strict(ch: str) -> bool:
    return ch != "" and (
        (ch.isascii() and not ch.isalnum() and not ch.isspace())
        or unicodedata.category(ch).startswith("P")
    )


def _punctuation_broad(ch: str) -> bool:
    return _punctuation_strict(ch) or (ch != "" and unicodedata.category(ch).startswith("S"))


#: What counts as punctuation next to a delimiter run: ASCII only (marked 4, Hexo's renderer),
#: Unicode punctuation (CommonMark 0.30), punctuation and symbols (CommonMark 0.31, markdown-it).
_PUNCTUATION_VIEWS = (_punctuation_ascii, _punctuation_strict, _punctuation_broad)


def _left_flanking(before: str, after: str, punct: Callable[[str], bool]) -> bool:
    return not _is_blank(after) and (not punct(after) or _is_blank(before) or punct(before))


def _right_flanking(before: str, after: str, punct: Callable[[str], bool]) -> bool:
    return not _is_blank(before) and (not punct(before) or _is_blank(after) or punct(after))


@functools.lru_cache(maxsize=4096)
def _runs_fit(marker: str, before: str, first: str, last: str, after: str) -> bool:
    """Whether ``marker`` opens before ``first`` and closes after ``last``, as any parser counts.

    Cached: five characters decide it, and the same few pairs recur in every post.
    """
    for punct in _PUNCTUATION_VIEWS:
        opens = _left_flanking(before, first, punct)
        closes = _right_flanking(last, after, punct)
        if marker[0] == "_":
            # "_" does not work inside words: it opens only when not also right-flanking (or
            # after punctuation), and closes only when not also left-flanking (or before it).
            opens = opens and (not _right_flanking(before, first, punct) or punct(before))
            closes = closes and (not _left_flanking(last, after, punct) or punct(after))
        if not (opens and closes):
            return False
    return True


def _ends_escaped(text: str) -> bool:
    """Whether the last character of ``text`` follows an odd run of backslashes."""
    body = text[:-1]
    return (len(body) - len(body.rstrip("\\"))) % 2 == 1


_RUNS = {char: re.compile(re.escape(char) + "+") for char in "*_~"}


def _runs_inside_safe(marker: str, inner: str, outer: int) -> bool:
    """Whether no delimiter run of ``marker``'s character inside ``inner`` could close it early.

    A nested span's run that can both open and close (``_`` between ``(`` and ``*``, ``*``
    inside a word) would be taken as the closer of the outer one, unless CommonMark's rule of 3
    forbids that pair (run lengths adding up to a multiple of 3). ``outer`` is the length of the
    outer opening run as written (a nested span's run can join it). A nested closer that could
    also open is harmless: it closes its own span first.
    """
    return all(
        (length + outer) % 3 == 0 and not (length % 3 == 0 == outer % 3)
        for length in _two_way_runs(marker[0], inner)
    )


@functools.lru_cache(maxsize=1024)
def _two_way_runs(char: str, inner: str) -> tuple[int, ...]:
    """Return the lengths of the runs of ``char`` inside ``inner`` that can open and close.

    Cached: a span nested in others is checked once for each of its enclosing spans' markers.
    """
    lengths: list[int] = []
    for match in _RUNS[char].finditer(inner):
        start, end = match.span()
        if start == 0 or end == len(inner):
            continue  # joined with the outer markers themselves: see `_fits`
        if _escaped_at(inner, start):
            start += 1  # the first one is escaped: not part of the run
        if start == end:
            continue
        before, after = inner[start - 1 : start], inner[end : end + 1]
        for punct in _PUNCTUATION_VIEWS:
            left = _left_flanking(before, after, punct)
            right = _right_flanking(before, after, punct)
            if char == "_":
                left, right = (
                    left and (not right or punct(before)),
                    right and (not left or punct(after)),
                )
            if left and right:
                lengths.append(end - start)
                break
    return tuple(lengths)


def _escaped_at(text: str, index: int) -> bool:
    """Whether ``text[index]`` follows an odd run of backslashes."""
    start = index
    while start > 0 and text[start - 1] == "\\":
        start -= 1
    return (index - start) % 2 == 1


def _fits(marker: str, before: str, before_escaped: bool, inner: str, afters: Set[str]) -> bool:
    """Whether ``marker + inner + marker`` renders as one span between these neighbours.

    A nested span's own run at an edge of ``inner`` joins the marker into one run, which works
    for emphasis around bold or bold around emphasis (``***斜体*粗体**``: runs of three, whose
    inner part the nearest closer takes), never for runs that add up to two or four (``**`` would
    turn emphasis in emphasis into bold). The span after this one never starts with this
    marker's character: seeing it before itself, it takes the other marker.
    """
    char = marker[0]
    if not inner or (before == char and not before_escaped):
        return False  # the run would join a neighbouring one
    opening = len(inner) - len(inner.lstrip(char))
    closing = len(inner) - len(inner.rstrip(char))
    if closing and _escaped_at(inner, len(inner) - closing):
        closing -= 1  # "\*" ends the text: the escaped one is not part of the run
    if opening == len(inner) or (opening and opening + len(marker) != 3):
        return False
    if closing and closing + len(marker) != 3:
        return False
    if inner[-1] == "\\" and not _ends_escaped(inner):
        return False  # a lone backslash would escape the closing marker
    first, last = inner[opening], inner[len(inner) - closing - 1]
    return all(_runs_fit(marker, before, first, last, after) for after in afters) and (
        char not in inner[1:-1] or _runs_inside_safe(marker, inner, opening + len(marker))
    )


def _edges(
    children: tuple[Inline, ...], punctuation: bool, start: int = 1 << 30, end: int = 1 << 30
) -> tuple[str, tuple[Inline, ...], str]:
    """Split white space (and with ``punctuation``, punctuation) off the edges of a span.

    At most ``start`` punctuation marks are split off the start and ``end`` off the end, with
    the white space around them.
    """

    def movable(ch: str, budget: int) -> bool:
        return ch.isspace() or (punctuation and budget > 0 and is_punctuation(ch))

    lead = trail = ""
    items = list(children)
    if items and isinstance(items[0], Text):
        text = items[0].text
        cut = 0
        while cut < len(text) and movable(text[cut], start):
            start -= not text[cut].isspace()
            cut += 1
        lead = text[:cut]
        if cut or type(items[0]) is not Text:  # a Text left whole is kept, not copied
            items[0] = Text(text[cut:])
    if items and isinstance(items[-1], Text):
        text = items[-1].text
        cut = len(text)
        while cut > 0 and movable(text[cut - 1], end):
            end -= not text[cut - 1].isspace()
            cut -= 1
        trail = text[cut:]
        if cut < len(text) or type(items[-1]) is not Text:
            items[-1] = Text(text[:cut])
    return lead, tuple(i for i in items if not (isinstance(i, Text) and not i.text)), trail


#: The most punctuation moved out of either edge of a span (more is not worth trying).
_MOST_MOVED = 3
#: Opening brackets and quotes and their partners.
_PARTNERS = dict(zip("([{（［｛「『《〈【〔“‘", ")]}）］｝」』》〉】〕”’", strict=True))


def _with_partners(
    leading: list[str], trailing: list[str], start: int, end: int
) -> tuple[int, int]:
    """Return how many marks to move off each edge so that no bracket leaves its partner.

    ``leading`` and ``trailing`` are the punctuation at the start and the end, outermost first;
    the k-th mark from the outside at one edge pairs with the k-th at the other.
    """
    for k in range(min(len(leading), len(trailing))):
        if _PARTNERS.get(leading[k]) == trailing[k] and (k < start or k < end):
            start, end = max(start, k + 1), max(end, k + 1)
    return start, end


#: The kind of span written with each set of markers.
_KINDS: dict[tuple[str, ...], type[Strong | Emphasis | Strikethrough]] = {
    ("*", "_"): Emphasis,
    ("**", "__"): Strong,
    ("~~",): Strikethrough,
}


def _flattened(span: _Span) -> tuple[Inline, ...]:
    """Return the span's content with spans of its own kind inside it unwrapped, at any depth."""
    kind = _KINDS.get(span.markers)
    if kind is None:
        return span.children

    def unwrap(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in nodes:
            if type(node) is kind and isinstance(node, (Strong, Emphasis, Strikethrough)):
                out.extend(unwrap(node.children))
            elif isinstance(node, (Strong, Emphasis, Strikethrough, Link)) and _has_span(node):
                out.append(dataclasses.replace(node, children=unwrap(node.children)))
            else:
                out.append(node)
        return tuple(out)

    return unwrap(span.children)


def _has_span(node: Inline) -> bool:
    return any(
        isinstance(child, (Strong, Emphasis, Strikethrough, Link))
        for child in getattr(node, "children", ())
    )


# Not frozen: a frozen dataclass's __init__ costs an object.__setattr__ call for each field, and
# every span is made at least once; nothing changes a span once made.
@dataclass(slots=True)
class _Span:
    """An emphasis-like span whose markers are chosen once its neighbours are known."""

    markers: tuple[str, ...]
    children: tuple[Inline, ...]  # white space at the edges taken off
    lead: str  # that white space, written outside the markers
    inner: str
    trail: str
    fallback: _Span | None = None  # the same span written another way, when no marker fits
    #: what the content may start with when written without markers (a nested span's content
    #: shows through when its own markers do not fit either)
    heads: frozenset[str] = frozenset()

    def starts(self) -> set[str]:
        """What the written span may start with, whatever its markers turn out to be."""
        if self.lead:
            return {self.lead[0]}
        starts = {self.inner[:1], *self.heads, *(marker[0] for marker in self.markers)}
        return starts | self.fallback.starts() if self.fallback else starts


def _unnested(kind: type, children: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Unwrap bold that is all of a bold span's content (and strike in strike): it shows the same.

    Bold around part of a bold span is kept, written with the other marker (``**a __b__ c**``).
    Underline, superscript and subscript between the two are seen through: Markdown writes them
    as their content.
    """
    if kind is Emphasis:
        return children
    while len(children) == 1:
        inner: tuple[Inline, ...] = children
        while len(inner) == 1 and isinstance(inner[0], _TRANSPARENT):
            inner = inner[0].children
        span = inner[0] if len(inner) == 1 else None
        if not isinstance(span, (Strong, Strikethrough)) or type(span) is not kind:
            break
        children = span.children
    return children


# -- spans side by side -----------------------------------------------------------------------
#
# Spans with no text between them ("<i>斜</i><b>粗</b>文") bind each other's markers: a "*" run
# touching another joins it, and "_" opens or closes between two letters for no parser. Each
# span alone takes the first marker that fits before whatever may follow it, which can leave the
# next one none ("*斜*" leaves "粗" only "__", which cannot close before "文"). When one of a row
# of spans is left without markers that way, the row's markers are chosen together, so that
# every span of the row renders ("_斜_**粗**文"): with punctuation moved out of as few spans as
# will do, then with as few "*" runs as will do touching as a run of three, which closes one
# span and opens the next ("前**粗***斜*文"). Only if there is no such choice is a span written
# as plain text. Two cases are left to the spans alone, because marked pairs runs inside a span
# otherwise than CommonMark does (``_runs_inside_safe`` follows CommonMark): a row inside
# emphasis or bold, and a marker whose character is also inside the span's own text.


@dataclass(slots=True)
class _Form:
    """One way to write a span: a marker around its inner text, and what goes outside it."""

    lead: str  # escaped, before the opening marker
    marker: str
    inner: str
    trail: str  # escaped, after the closing marker
    moved: int  # 1 when punctuation of the span was moved outside it, else 0

    def written(self) -> str:
        return self.lead + self.marker + self.inner + self.marker + self.trail


#: A blank neighbour lets a run open or close whatever is on its other side (if anything
#: does): each side of a span can be judged alone, with a blank on the other.
_BLANK = frozenset({" "})

#: Pairs of forms the joint choice tries per span of a row, at most, beyond a first
#: ``_JOINT_START`` for the row (a short row of spans with punctuation at both edges has dozens
#: of forms each); past that (thousands of such spans in a row) each is written alone.
_JOINT_TRIES = 256
_JOINT_START = 2048


def _opens(form: _Form, previous: str) -> bool:
    """Whether ``form``'s opening marker opens after ``previous``."""
    context = previous + form.lead
    before = context[-1:]
    return _fits(form.marker, before, bool(before) and _ends_escaped(context), form.inner, _BLANK)


def _closes(form: _Form, afters: Set[str]) -> bool:
    """Whether ``form``'s closing marker closes before each of ``afters``."""
    return _fits(form.marker, " ", False, form.inner, {form.trail[:1]} if form.trail else afters)


def _junction(form: _Form, following: _Form) -> int | None:
    """Return how ``following`` may come right after ``form``, both rendering, or None.

    0: as they are. 1: only with two ``*`` runs touching as a run of three (``**粗***斜*``),
    which closes the first span and opens the second for CommonMark (the rule of 3 lets a run
    of three close a run of one or two) and for marked alike, provided neither span holds
    another ``*`` run.
    """
    if _closes(form, {following.lead[:1] or following.marker[0]}) and _opens(
        following, form.written()
    ):
        return 0
    if (
        not form.trail
        and not following.lead
        and form.marker[0] == following.marker[0] == "*"
        and len(form.marker) + len(following.marker) == 3
        and not _holds_run("*", form.inner)
        and not _holds_run("*", following.inner)
        and _closes(form, {following.inner[:1]})
        and _opens(following, form.lead + form.marker + form.inner)
    ):
        return 1
    return None


def _holds_run(char: str, inner: str) -> bool:
    """Whether ``inner`` holds a run of ``char`` that is not escaped (``\\*`` is not one)."""
    return any(
        match.end() - match.start() > 1 or not _escaped_at(inner, match.start())
        for match in _RUNS[char].finditer(inner)
    )


def _joint(rows: Sequence[Sequence[_Form]], previous: str, afters: Set[str]) -> list[str] | None:
    """Return the best choice of forms with which every span of a row renders, or None.

    ``rows`` holds each span's forms in the order of preference. The best choice moves
    punctuation out of the fewest spans, then makes the fewest runs touch; among equals, it is
    the first, span by span. From the last span back, each form gets the least cost of writing
    the rest of the row after it; then, from the first span on, the first form of least cost is
    taken. The work is linear in the row's length (``_JOINT_START`` pairs, then
    ``_JOINT_TRIES`` per span at most; past them, None).
    """
    budget = _JOINT_START + _JOINT_TRIES * len(rows)
    # costs[i][j]: (spans with punctuation moved, runs touching) of the best way to write the
    # spans from i on with span i's form j; None where there is none.
    costs: list[list[tuple[int, int] | None]] = [
        [(form.moved, 0) if _closes(form, afters) else None for form in rows[-1]]
    ]
    for index in range(len(rows) - 2, -1, -1):
        later, row_costs = costs[-1], []  # the costs of span index + 1's forms
        for form in rows[index]:
            best: tuple[int, int] | None = None
            for following, rest in zip(rows[index + 1], later, strict=True):
                if rest is None:
                    continue
                budget -= 1
                touch = _junction(form, following)
                if touch is not None:
                    cost = (form.moved + rest[0], touch + rest[1])
                    best = cost if best is None else min(best, cost)
            row_costs.append(best)
            if budget < 0:
                return None
        costs.append(row_costs)
    costs.reverse()
    firsts = [
        (cost, index)
        for index, (form, cost) in enumerate(zip(rows[0], costs[0], strict=True))
        if cost is not None and _opens(form, previous)
    ]
    if not firsts:
        return None
    cost, index = min(firsts)
    chosen = rows[0][index]
    written = [chosen.written()]
    for forms, later in zip(rows[1:], costs[1:], strict=True):
        # The first form that keeps the cost found: one does, or the cost would be another.
        for following, rest in zip(forms, later, strict=True):
            touch = None if rest is None else _junction(chosen, following)
            if (
                rest is not None
                and touch is not None
                and ((chosen.moved + rest[0], touch + rest[1]) == cost)
            ):
                chosen, cost = following, rest
                break
        written.append(chosen.written())
    return written


class MarkdownRenderer(BlockRenderer):
    """Render a document as Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self.in_table = False
        self.in_heading = False  # a heading is one line: a break in it, nested too, is a blank
        self.in_label = False  # inside a link's text, where every bracket is escaped
        self.quotes = 0  # block quotes around what is being written
        self.page_title = ""  # the post's title, one line
        # Host suffixes beyond zhconvert's list, with hotlink="html" (None: Markdown images).
        self.hotlink_hosts: tuple[str, ...] | None = None
        self.spans: dict[tuple[int, bool, bool, bool], tuple[Inline, _Span]] = {}
        self.delimited: dict[tuple[Any, ...], tuple[_Span, tuple[str, bool]]] = {}
        self.inside = 0  # emphasis or bold whose markers surround what is being written

    # -- inlines --------------------------------------------------------------------------

    def inlines(
        self, nodes: Sequence[Inline], before: str = "", afters: Set[str] = frozenset({""})
    ) -> str:
        """Render inlines written between ``before`` and one of ``afters`` (what may follow)."""
        if len(nodes) == 1 and type(nodes[0]) is Text and not self.in_table:
            # most paragraphs: one run of plain text
            return _guard_end(_escape(nodes[0].text, self.in_label), afters)
        if any(isinstance(node, _TRANSPARENT) for node in nodes):
            nodes = _transparent(nodes)
        parts: list[str | _Span] = []
        texts: set[int] = set()  # the parts that end with text (where "]", "<", "^" are guarded)
        maths: set[int] = set()  # the formulas, whose "$" must not touch a digit
        for node in _merge_adjacent(nodes):
            if isinstance(node, (Strong, Emphasis, Strikethrough)):
                span = self._span(node)
                if span.trail:
                    texts.add(len(parts))
                parts.append(span)
            else:
                written = self.inline(node)
                if written:
                    if isinstance(node, Text):
                        texts.add(len(parts))
                    elif type(node) is InlineMath:
                        maths.add(len(parts))
                    parts.append(written)
        out: list[str] = []
        tail = before[-16:]  # the last characters written, enough to tell if the last is escaped
        last = len(parts) - 1
        joint: dict[int, str] = {}  # spans side by side, written together (see `_row`)
        # A text before a span is guarded once the span is written (what it starts with is known
        # then, and escaping the text's last character changes nothing in how the span reads).
        pending: Set[str] | None = None
        for index, item in enumerate(parts):
            defer: Set[str] | None = None
            if isinstance(item, str) and not (index in texts and item[-1:] in ("]", "<", "^")):
                part = item
            else:
                following = parts[index + 1] if index < last else None
                if following is None:
                    ends = afters
                else:
                    ends = {following[:1]} if isinstance(following, str) else following.starts()
                if isinstance(item, str):
                    part = item
                else:
                    if isinstance(following, _Span) and (
                        index == 0 or not isinstance(parts[index - 1], _Span)
                    ):
                        joint.update(self._row(parts, index, tail, afters, texts))
                    part = joint[index] if index in joint else self._delimit(item, tail, ends)[0]
                if index in texts:
                    if isinstance(item, str) and isinstance(following, _Span):
                        defer = ends
                    else:
                        part = _guard_end(part, ends)
            if pending is not None:
                out[-1] = _guard_end(out[-1], {part[:1]} if part else pending)
                tail = "".join(out[-2:])[-16:]
                pending = None
            if out and out[-1].endswith("{") and part.startswith(("{", "%", "#")):
                # Two pieces would make template syntax where they meet ("{" + "{x}}"); a piece
                # ending in "{" or starting with "}" is text, where a reference is the brace.
                out[-1] = out[-1][:-1] + _BRACES["{"]
            elif out and out[-1].endswith("#") and part.startswith("}"):
                part = _BRACES["}"] + part[1:]
            if maths and out and (index in maths or index - 1 in maths):
                # A digit against a formula's "$" makes it no formula to pandoc or to
                # markdown-it's dollar math without digits ("$5 and $6" is money): the digit is
                # written as a character reference, which renderers show as the digit.
                if index in maths and out[-1][-1:].isdigit():
                    out[-1] = out[-1][:-1] + f"&#{ord(out[-1][-1])};"
                elif index - 1 in maths and part[:1].isdigit():
                    part = f"&#{ord(part[0])};" + part[1:]
            if part[:1] == "[" and tail[-1:] == "!" and not _ends_escaped(tail) and out:
                out[-1] = out[-1][:-1] + "\\!"  # "!" before a link would make it an image
            out.append(part)
            tail = (tail + part[-16:])[-16:]
            pending = defer
        text = "".join(out)
        if self.in_table:
            text = text.replace("|", "\\|")
        return text

    def _span(self, node: Strong | Emphasis | Strikethrough) -> _Span:
        # Each span is rendered once: a span whose markers do not fit renders its content again
        # without the edge punctuation, and without this the nested spans in that content would
        # be rendered again at every level (exponential in the depth). The node is kept with its
        # span so that its id cannot be reused by another node while the cache lives.
        key = (id(node), self.in_label, self.in_table, self.in_heading)
        cached = self.spans.get(key)
        if cached is not None and cached[0] is node:
            return cached[1]
        span = self._new_span(node)
        self.spans[key] = (node, span)
        return span

    def _new_span(self, node: Strong | Emphasis | Strikethrough) -> _Span:
        children = _unnested(type(node), node.children)
        lead, children, trail = _edges(children, punctuation=False)
        while _unnested(type(node), children) is not children:  # "<b> <b>x</b></b>"
            more_lead, children, more_trail = _edges(
                _unnested(type(node), children), punctuation=False
            )
            lead, trail = lead + more_lead, more_trail + trail
        heads = frozenset(self._heads(children))
        written = self._inner(children, _MARKERS[type(node)])
        if written[-1:].isspace() or written[:1].isspace():
            # Blanks a span inside left outside its own markers ("**粗** "): outside these
            # too, where a marker can still close (or open). Not from after a backslash,
            # which would then escape the marker.
            body = written.rstrip()
            if body and not body.endswith("\\"):
                written, trail = body, written[len(body) :] + trail
            body = written.lstrip()
            if body:
                written, lead = body, lead + written[: len(written) - len(body)]
        span = _Span(_MARKERS[type(node)], children, lead, written, trail, None, heads)
        if isinstance(node, Emphasis) and len(children) == 1 and isinstance(children[0], Strong):
            # Emphasis around bold is "***bold***": "*" and "_" could not open next to the
            # bold's own "**" inside a word ("foo***bar***baz").
            inner = _unnested(Strong, children[0].children)
            if inner and _edges(inner, punctuation=False)[::2] == ("", ""):
                span = _Span(
                    ("***",), inner, lead, self._inner(inner, ("***",)), trail, span, heads
                )
        return span

    def _inner(self, children: Sequence[Inline], markers: tuple[str, ...]) -> str:
        """Render a span's content, to be written between one of ``markers``."""
        # "~~" pairs with "~~" only: the runs of "*" and "_" inside cannot change its choice.
        counted = markers != _MARKERS[Strikethrough]
        self.inside += counted
        try:
            return self.inlines(children)
        finally:
            self.inside -= counted

    def _heads(self, children: Sequence[Inline]) -> set[str]:
        """What ``children`` may start with when written, spans with or without markers."""
        first = children[0] if children else None
        while isinstance(first, _TRANSPARENT) and first.children:
            first = first.children[0]
        if isinstance(first, (Strong, Emphasis, Strikethrough)):
            return self._span(first).starts()
        if isinstance(first, Text):
            return {_escape(first.text, self.in_label)[:1]}
        return set()

    def _delimit(self, span: _Span, previous: str, afters: Set[str]) -> tuple[str, bool]:
        """Write ``span`` with markers that render, after ``previous``, before ``afters``.

        Also return whether it has its markers (False: they fit nowhere, it is plain text).
        """
        # A span nested in one that tries several forms is written again for each: what it
        # becomes depends only on the character before it (escaped or not) and those after.
        key = (id(span), previous[-1:], _ends_escaped(previous), frozenset(afters), self.in_label)
        cached = self.delimited.get(key)
        if cached is not None and cached[0] is span:
            return cached[1]
        written = self._delimit_anew(span, previous, afters)
        self.delimited[key] = (span, written)
        return written

    def _delimit_anew(self, span: _Span, previous: str, afters: Set[str]) -> tuple[str, bool]:
        """Write ``span`` (see `_delimit`), trying one form after another.

        Tried in turn: the span as it is; the same with spans of its own kind inside it
        unwrapped (emphasis in emphasis shows as emphasis); the same with punctuation at its
        edges moved outside. Failing all, its content is written without markers, rendered
        where it now stands (its own spans then see the text around it, not markers).
        """
        for variant in self._variants(span):
            written = self._with_markers(variant, previous, afters)
            if written is not None:
                return written, True
        lead = _escape(span.lead, self.in_label)
        trail = _escape(span.trail, self.in_label)
        kind = _KINDS.get(span.markers)
        if len(span.children) == 1 and isinstance(span.children[0], Link) and kind is not None:
            # Bold around a link inside a sentence ("文**[链接](url)**文") cannot open before
            # "["; bold inside the link's text shows the same.
            link = span.children[0]
            inner = self.inline(dataclasses.replace(link, children=(kind(link.children),)))
        else:
            inner = self.inlines(span.children, previous + lead, {trail[:1]} if trail else afters)
        return lead + inner + trail, False

    def _row(
        self,
        parts: Sequence[str | _Span],
        start: int,
        previous: str,
        afters: Set[str],
        texts: Set[int],
    ) -> dict[int, str]:
        """Write the row of spans from ``parts[start]`` on together, if alone one loses its markers.

        Return the spans written, by index in ``parts``: nothing when each, written alone as
        `inlines` writes it, keeps its markers (the common case costs no more), nor when no
        choice made together keeps all of them (each is then written alone, as before).
        Nor inside another span: which markers that span can take depends on the runs inside
        it, which marked pairs otherwise than CommonMark (a row's gain could be its loss).
        """
        if self.inside:
            return {}
        spans: list[_Span] = []
        for part in parts[start:]:
            if not isinstance(part, _Span):
                break
            spans.append(part)
        end = start + len(spans)
        after = parts[end] if end < len(parts) else None
        final = {after[:1]} if isinstance(after, str) else afters
        tail = previous
        for offset, span in enumerate(spans):
            ends = spans[offset + 1].starts() if offset + 1 < len(spans) else final
            written, marked = self._delimit(span, tail, ends)
            if not marked:
                break
            if start + offset in texts:
                written = _guard_end(written, ends)
            tail = (tail + written[-16:])[-16:]
        else:
            return {}
        chosen = _joint([self._forms(span) for span in spans], previous, final)
        return {} if chosen is None else dict(enumerate(chosen, start))

    def _forms(self, span: _Span) -> list[_Form]:
        """Return the ways to write ``span`` with markers, in the order `_delimit` tries them."""
        forms: list[_Form] = []
        for variant in self._variants(span):
            moved = int(variant.lead != span.lead or variant.trail != span.trail)
            spelled: _Span | None = variant
            while spelled is not None:
                lead = _escape(spelled.lead, self.in_label)
                trail = _escape(spelled.trail, self.in_label)
                # Not around runs of its own character ("**a *b* c**"): whether marked reads
                # those as CommonMark does is not known here (see "spans side by side").
                forms.extend(
                    _Form(lead, marker, spelled.inner, trail, moved)
                    for marker in spelled.markers
                    if marker[0] not in spelled.inner or not _holds_run(marker[0], spelled.inner)
                )
                spelled = spelled.fallback
        return forms

    def _variants(self, span: _Span) -> Iterator[_Span]:
        yield span
        flat = _flattened(span)
        if flat != span.children:
            span = _Span(span.markers, flat, span.lead, self._inner(flat, span.markers), span.trail)
            yield span
        # The least punctuation first: one character, from the start or the end, then two...;
        # a bracket goes out with its partner ("（*括号*）", never "（*括号）*").
        most_lead, _, most_trail = _edges(span.children, True, _MOST_MOVED, _MOST_MOVED)
        leading = [ch for ch in most_lead if not ch.isspace()]
        trailing = [ch for ch in reversed(most_trail) if not ch.isspace()]  # outermost first
        tried: set[tuple[int, int]] = set()
        for total in range(1, len(leading) + len(trailing) + 1):
            for start in range(max(0, total - len(trailing)), min(total, len(leading)) + 1):
                counts = _with_partners(leading, trailing, start, total - start)
                if counts in tried:
                    continue
                tried.add(counts)
                lead, children, trail = _edges(span.children, True, *counts)
                lead, trail = span.lead + lead, trail + span.trail
                yield _Span(
                    span.markers, children, lead, self._inner(children, span.markers), trail
                )

    def _with_markers(self, span: _Span, previous: str, afters: Set[str]) -> str | None:
        """Return ``span`` written with the first of its markers that fits here, or None."""
        lead = _escape(span.lead, self.in_label)
        trail = _escape(span.trail, self.in_label)
        context = previous + lead
        before = context[-1:]
        escaped = bool(before) and _ends_escaped(context)
        ends = {trail[:1]} if trail else afters
        for marker in span.markers:
            if _fits(marker, before, escaped, span.inner, ends):
                return lead + marker + span.inner + marker + trail
        if span.fallback is not None:
            return self._with_markers(span.fallback, previous, afters)
        return None

    def inline_Text(self, node: Text) -> str:
        return _escape(node.text, self.in_label)

    def inline_InlineCode(self, node: InlineCode) -> str:
        # A code span shows a line break as a space anyway; written as one, a blank line cannot
        # end the paragraph in the middle of the span and leave the rest as Markdown (or HTML).
        text = node.text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        if "{" in text and _TEMPLATE_OPENER.search(text):
            return _code_element(text, self.in_label)
        # The shortest fence no backtick run inside matches. Never three: Hexo takes a line that
        # starts with three backticks for a code fence whatever follows, and would pair it with
        # the next real fence, leaving that code block's code open to Nunjucks.
        runs = {len(run) for run in re.findall(r"`+", text)} if "`" in text else set()
        size = min(set(range(1, len(runs) + 2)) - runs)
        if size >= 3:
            return _code_element(text, self.in_label)
        fence = "`" * size
        if (text.startswith(("`", " ")) or text.endswith(("`", " "))) and text.strip(" "):
            text = f" {text} "
        return f"{fence}{text}{fence}"

    def inline_Link(self, node: Link) -> str:
        if not _linkable(node.url):
            return self.inlines(node.children)
        label = self.label(node.children)
        plain = len(node.children) == 1 and isinstance(node.children[0], Text)
        if (
            (not label.strip() or (plain and node.children[0] == Text(node.url)))
            and not node.title
            and (_AUTOLINK.match(node.url) and _url(node.url) == node.url)
        ):
            return f"<{node.url}>"
        if not label.strip():
            label = _escape(node.url, label=True)
        return f"[{label}]({_destination(node.url)}{self.title(node.title)})"

    def title(self, title: str) -> str:
        """Return `` "title"`` for a link or image, or nothing.

        Titles are kept as the page had them, but for one that is the post's own title: feeds
        such as IT之家 stamp it on every picture, where it says nothing about the picture.
        """
        if not title.strip() or " ".join(title.split()) == self.page_title:
            return ""
        return _title(title)

    def label(self, nodes: Sequence[Inline]) -> str:
        """Render the text of a link or the caption of an image, brackets escaped."""
        outer, self.in_label = self.in_label, True
        try:
            return self.inlines(nodes)
        finally:
            self.in_label = outer

    def inline_LineBreak(self, node: LineBreak) -> str:
        return " " if self.in_table or self.in_heading else "\\\n"

    def inline_InlineMath(self, node: InlineMath) -> str:
        tex = " ".join(_tex(node.tex).split())
        return f"${tex}$" if tex else ""

    def inline_FootnoteRef(self, node: FootnoteRef) -> str:
        return f"[^{node.number}]"

    def inline_Mention(self, node: Mention) -> str:
        if not _linkable(node.url):
            return "@" + escape_markdown(node.name)
        return f"[@{escape_markdown(node.name)}]({_url(node.url)})"

    def inline_InlineImage(self, node: InlineImage) -> str:
        if not _linkable(node.url):
            return _escape(node.alt, self.in_label)
        if self.hotlinked(node.url):
            return self.image_element(node.url, node.alt, node.title)
        alt = _one_line(_escape(node.alt, label=True))
        return f"![{alt}]({_destination(node.url)}{self.title(node.title)})"

    def hotlinked(self, url: str) -> bool:
        """Whether ``url`` is to be written as HTML: hotlink="html" and a host checking Referer."""
        if self.hotlink_hosts is None:
            return False
        from ..images.hosts import checks_referer  # only with hotlink="html"

        return checks_referer(url, self.hotlink_hosts)

    def image_element(self, url: str, alt: str, title: str) -> str:
        """Return ``<img src alt [title] referrerpolicy="no-referrer">`` for a hotlinked image.

        The second raw HTML the writer writes (see the module docstring), only with
        ``hotlink="html"``: every value is quoted, and what could end it or mean something to
        a Markdown renderer, a table or a blog's template engine is a character reference.
        """
        src = _attribute(_URL_BLANK.sub(lambda m: quote(m.group(0)), url.strip()))
        parts = [f'<img src="{src}" alt="{_attribute(_one_line(alt))}"']
        if self.title(title):
            parts.append(f'title="{_attribute(_one_line(title))}"')
        parts.append('referrerpolicy="no-referrer">')
        return " ".join(parts)

    # -- blocks ---------------------------------------------------------------------------

    def block_Paragraph(self, block: Paragraph) -> str:
        children = block.children
        if any(isinstance(node, _TRANSPARENT) for node in children):
            children = tuple(_transparent(children))  # a break inside a subscript is a break
        text = self.inlines(_links_before_breaks(_without_final_break(children)))
        if text.endswith((" ", "\t")):
            # Blanks a span's marker left outside it: a parser drops them at a paragraph's end.
            # A lone backslash before them keeps them: it would end the line, as a line break
            # does. An escaped one ("\\") is a backslash whatever follows.
            stripped = text.rstrip(" \t")
            if (len(stripped) - len(stripped.rstrip("\\"))) % 2 == 0:
                text = stripped
        if "\n" not in text:  # most paragraphs: one line
            return _escape_line_start(text.lstrip(" \t"))
        return "\n".join(_escape_line_start(line.lstrip(" \t")) for line in text.split("\n"))

    def block_Heading(self, block: Heading) -> str:
        children: tuple[Inline, ...] = tuple(
            Text(" ") if isinstance(c, LineBreak) else c for c in block.children
        )
        # A heading is bold already: "### **标题**" says no more. Bold side by side is written
        # as one run of bold ("**a****b**" would be no bold), and bold in bold as bold once.
        while True:
            spans = [
                c
                for c in _merge_adjacent(children)
                if not (isinstance(c, Text) and not c.text.strip())
            ]
            if len(spans) != 1 or not isinstance(spans[0], Strong):
                break
            children = spans[0].children
        self.in_heading = True
        try:
            text = _one_line(self.inlines(children)).strip()
        finally:
            self.in_heading = False
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        return "#" * max(1, min(6, block.level)) + " " + text

    def block_Figure(self, block: Figure) -> str:
        # The caption is a line of italics right under the image, in the image's paragraph: alt
        # text is shown by no renderer, and a caption is there to be read (docs/formats.md).
        caption = _trim_breaks(block.caption)
        if not _linkable(block.url):
            shown = caption or ((Text(block.alt.strip()),) if block.alt.strip() else ())
            return self.block_Paragraph(Paragraph(shown)) if shown else ""
        image = InlineImage(block.url, block.alt, block.title)
        if not caption and self.hotlinked(block.url):
            # A paragraph of its own, as HTML: two <img> alone on their lines would read back
            # as one paragraph of two images wherever the post is read as HTML (all images).
            return f"<p>{self.image_element(block.url, block.alt, block.title)}</p>"
        if not caption:
            return self.block_Paragraph(Paragraph((image,)))
        return self.block_Paragraph(Paragraph((image, LineBreak(), Emphasis(caption))))

    def block_MathBlock(self, block: MathBlock) -> str:
        # A blank line would end the block for a renderer without math (and is an error in TeX).
        lines = [line for line in _tex(block.tex).strip().split("\n") if line.strip()]
        # A leading space means nothing in TeX; a line starting "---" would end a front matter.
        return "$$\n" + _SEPARATOR_LINE.sub(" ", "\n".join(lines)) + "\n$$"

    def block_CodeBlock(self, block: CodeBlock) -> str:
        # The regular expression tries a match at every character: most code has no "```".
        runs = re.findall(r"`{3,}", block.text) if "```" in block.text else []
        longest = max((len(run) for run in runs), default=2)
        fence = "`" * (longest + 1)
        # The info string is outside the code Hexo sets apart, and no language has braces.
        words = re.sub(r"[`{}]", "", block.language).split()
        return f"{fence}{words[0] if words else ''}\n{block.text}\n{fence}"

    def block_ThematicBreak(self, block: ThematicBreak) -> str:
        # Not "---": Hexo reads the text above a "---" line as front matter when a post has
        # none, so "<hr><p>layout: false</p><hr>" would become settings of the blog.
        return "***"

    def block_Table(self, block: Table) -> str:
        header, rows = block.header, list(block.rows)
        if not header and len(rows) > 1:
            header, rows = rows[0], rows[1:]
        columns = max([len(header), *(len(row) for row in rows)])
        if columns == 0:
            return ""
        self.in_table = True
        try:
            # Renderers fill a short row with empty cells themselves; padding is for the eye,
            # and padding every row of a ragged table is quadratic (one row of 15,000 cells and
            # 15,000 of one made 675 MB of 435 KB). The header row sets the width: always padded.
            padded = columns * (len(rows) + 1) <= MAX_PADDED_CELLS

            def line(cells: tuple[TableCell, ...], pad: bool = padded) -> str:
                texts = [self.inlines(cell.children).strip() for cell in cells]
                if pad:
                    texts += [""] * (columns - len(texts))
                return "| " + " | ".join(texts) + " |"

            out = [line(header, True), "| " + " | ".join(["---"] * columns) + " |"]
            out.extend(line(row) for row in rows)
        finally:
            self.in_table = False
        return "\n".join(out)

    def block_LinkCard(self, block: LinkCard) -> str:
        text = _one_line(block.title)
        if not _linkable(block.url):
            return _escape_line_start(escape_markdown(text))
        if text.strip() in ("", block.url):
            # A card that shows its address is a link that does: the same autolink, so that
            # the card read back (a paragraph of one link) is written the same again.
            return _escape_line_start(self.inline_Link(Link(block.url, (Text(block.url),))))
        return _escape_line_start(f"[{escape_markdown(text)}]({_url(block.url)})")

    def block_VideoCard(self, block: VideoCard) -> str:
        title = "视频：" + escape_markdown(_one_line(block.title)) if block.title else "视频"
        if not _linkable(block.url):
            return title
        link = f"[{title}]({_url(block.url)})"
        if not block.poster.strip() or not _linkable(block.poster):
            return link
        # The card's picture, linking the video as the card did, over the card's link: a
        # picture alone would leave the title unread (alt text is shown by no renderer).
        if self.hotlinked(block.poster):
            return f"[{self.image_element(block.poster, '', '')}]({_url(block.url)})\\\n{link}"
        return f"[![]({_destination(block.poster)})]({_url(block.url)})\\\n{link}"

    def is_loose(self, block: ListBlock) -> bool:
        # Loose when the source said so (<li><p>) or when an item's blocks cannot follow one
        # another without a blank line.
        return block.loose or not all(_joinable(item.children) for item in block.items)

    def starts_apart(self, item: ListItem) -> bool:
        # "- ```" on one line is CommonMark, but Hexo's code-block pass (before any Markdown)
        # misreads it and swallows the items after it; "-" alone, then the fence, reads the same.
        # So does "- > ```", which left the code open to Nunjucks.
        return _code_first(item.children)

    def block_BlockQuote(self, block: BlockQuote) -> str:
        if self.quotes >= _HEXO_QUOTES and _holds_code(block.children):
            # A fourth ">" before a fence hides the code block from Hexo, which then runs
            # Nunjucks over the code: deeper quotes holding code are written at this depth.
            return self.blocks(block.children)
        self.quotes += 1
        try:
            return super().block_BlockQuote(block)
        finally:
            self.quotes -= 1

    def list_items(self, block: ListBlock) -> Sequence[ListItem]:
        # An item holding nothing but a list (<ul><li>a</li><ul>…</ul></ul>, invalid HTML that
        # browsers show as a sub-list of "a") is written as the previous item's sub-list, not
        # as "- - item".
        items: list[ListItem] = []
        for item in block.items:
            if items and item.children and all(isinstance(c, ListBlock) for c in item.children):
                items[-1] = ListItem(items[-1].children + item.children)
            else:
                items.append(item)
        return items

    def block_Byline(self, block: Byline) -> str:
        return byline_markdown(block)


#: The most ">" Hexo's code-block pass allows before a fence (``backtick_code_block.js``).
_HEXO_QUOTES = 3


#: A bare address ending a text, where GFM (Hexo's marked) would start a link: www. needs no scheme.
_ADDRESS_AT_END = re.compile(
    r"(?:(?<![^\s*_~(])|(?<=[^\x00-\x7f]))(?:(?:https?|ftp)://|www\.)\S*$", re.IGNORECASE
)
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


def _links_before_breaks(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Return ``nodes`` with a bare address right before a line break made a link.

    Hexo's marked and GFM link a bare address up to the next space or "<": the backslash of a
    hard break after it would become part of the address ("…/1/\\" linked "…/1//"). Written as
    a link, the address ends where it ends for every renderer, and shows as itself.
    """
    if not any(isinstance(node, LineBreak) for node in nodes):
        return nodes
    out: list[Inline] = []
    for index, node in enumerate(nodes):
        following = nodes[index + 1] if index + 1 < len(nodes) else None
        if not isinstance(node, Text) or not isinstance(following, LineBreak):
            out.append(node)
            continue
        match = _ADDRESS_AT_END.search(node.text)
        if match is None:
            out.append(node)
            continue
        candidate = match.group()
        found = _URL_CHARS.match(candidate)
        address = found.group() if found else ""
        # GFM's rule for where an address ends: not on trailing punctuation, nor on a ")"
        # that closes nothing opened inside it.
        while address and (
            address[-1] in "?!.,:;*_~'\""
            or (address[-1] == ")" and address.count(")") > address.count("("))
        ):
            address = address[:-1]
        url = address if "://" in address else "http://" + address
        if "." not in address.split("://")[-1] or not _linkable(url):
            out.append(node)
            continue
        before, rest = node.text[: match.start()], candidate[len(address) :]
        out.extend(Text(t) for t in (before,) if t)
        out.append(Link(url, (Text(address),)))
        out.extend(Text(t) for t in (rest,) if t)
    return tuple(out)


def _trim_breaks(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Return ``nodes`` without line breaks or blank text at either end; nothing if all blank."""
    start, end = 0, len(nodes)
    while start < end and _blank(nodes[start]):
        start += 1
    while end > start and _blank(nodes[end - 1]):
        end -= 1
    return nodes[start:end]


def _without_final_break(nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
    """Return ``nodes`` without a line break (and blank text around it) ending them.

    A paragraph's last line cannot end in a break: the backslash would be shown. Blank text at
    the end with no break is kept (an ideographic space is text).
    """
    end = len(nodes)
    while end and _blank(nodes[end - 1]):
        end -= 1
    if end == len(nodes) or not any(isinstance(node, LineBreak) for node in nodes[end:]):
        return nodes
    return nodes[:end]


def _blank(node: Inline) -> bool:
    return isinstance(node, LineBreak) or (isinstance(node, Text) and not node.text.strip())


def _holds_code(blocks: Sequence[Block]) -> bool:
    """Whether a code block is among ``blocks``, in quotes and lists included."""
    stack = list(blocks)
    while stack:
        block = stack.pop()
        if isinstance(block, CodeBlock):
            return True
        if isinstance(block, BlockQuote):
            stack.extend(block.children)
        elif isinstance(block, ListBlock):
            stack.extend(child for item in block.items for child in item.children)
    return False


#: Blocks that end where they end: what follows them needs no blank line to start anew.
_CLOSED_BLOCKS = (Heading, CodeBlock, ThematicBreak)

#: Cells a table's rows are padded to at most (rows × columns); a larger table keeps each row
#: as long as it is, and stays proportional to its content.
MAX_PADDED_CELLS = 100_000


def _code_first(children: Sequence[Block]) -> bool:
    """Whether a list item's content starts with code (in quotes or not)."""
    first = children[0] if children else None
    while isinstance(first, BlockQuote) and first.children:
        first = first.children[0]
    return isinstance(first, CodeBlock)


def _may_interrupt(block: ListBlock) -> bool:
    """Whether a list may start on the line after a paragraph's (else it would continue it).

    A numbered list must start at 1, and the first item must not start with a blank line (one
    that starts with code does: see ``starts_apart``).
    """
    first = block.items[0].children if block.items else ()
    return (not block.ordered or block.start == 1) and not _code_first(first)


def _joinable(children: Sequence[Block]) -> bool:
    """Whether a list item's blocks can be written one line after another (a tight item).

    A paragraph's next line would continue it unless it starts a heading, a fence, a quote or a
    list that may interrupt it (bulleted, or numbered from 1); a quote or a list would take in a
    following paragraph as a lazy continuation line; two quotes or two lists would merge.
    """
    for previous, block in pairwise(children):
        if isinstance(previous, _CLOSED_BLOCKS):
            continue
        if isinstance(previous, Paragraph) and (
            isinstance(block, (Heading, CodeBlock, BlockQuote))
            or (isinstance(block, ListBlock) and _may_interrupt(block))
        ):
            continue
        if isinstance(previous, (BlockQuote, ListBlock)) and isinstance(
            block, (Heading, CodeBlock)
        ):
            continue
        return False
    return True


def byline_markdown(block: Byline) -> str:
    """Render a byline as ``作者：**name**（bio） · [原文](url)``, which the reader reads back."""
    text = f"作者：**{escape_markdown(_one_line(block.author))}**"
    if block.bio:
        text += f"（{escape_markdown(_one_line(block.bio))}）"
    if block.url and _linkable(block.url):
        text += f" · [原文]({_url(block.url)})"
    return text


#: Inline kinds Markdown has no syntax for: written as their content, in the text around them
#: (so that emphasis inside them sees the characters it really stands next to).
_TRANSPARENT = (Underline, Superscript, Subscript)


def _transparent(nodes: Sequence[Inline]) -> list[Inline]:
    """Return ``nodes`` with underline, superscript and subscript replaced by their content."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, _TRANSPARENT):
            out.extend(_transparent(node.children))
        else:
            out.append(node)
    return out


def _merge_adjacent(nodes: Sequence[Inline]) -> list[Inline]:
    """Join neighbouring spans of the same kind, so their markers do not collide.

    Code next to code too: two code spans side by side would make one run of their backticks.
    """
    # Each run is joined once: joining two at a time would copy the run again for every node.
    merged: list[Inline] = []
    index, count = 0, len(nodes)
    while index < count:
        node = nodes[index]
        end = index + 1
        if isinstance(node, (Strong, Emphasis, Strikethrough, Text, InlineCode)):
            while end < count and type(nodes[end]) is type(node):
                end += 1
        run = nodes[index:end]
        if len(run) == 1:
            merged.append(node)
        elif isinstance(node, Text):
            merged.append(Text("".join(n.text for n in run if isinstance(n, Text))))
        elif isinstance(node, InlineCode):
            merged.append(InlineCode("".join(n.text for n in run if isinstance(n, InlineCode))))
        elif isinstance(node, (Strong, Emphasis, Strikethrough)):
            spans = (n for n in run if isinstance(n, (Strong, Emphasis, Strikethrough)))
            merged.append(type(node)(tuple(c for n in spans for c in n.children)))
        index = end
    return merged


#: The keys the typed metadata is written under; the original front matter's values for them
#: are replaced.
_TYPED_KEYS = ("title", "author", "site", "date", "categories", "tags", "cover", "source", "url")


def _harmless(value: object) -> bool:
    """Whether a front-matter value holds no address but web, mail or relative ones.

    A value without white space that starts with a scheme is an address to a theme (``headimg:
    javascript:…`` would be one); text with spaces (``Note: …``) is text, unless a browser
    would still run it (``javascript:alert(1); /* … */``). Both are judged decoded, as links are.
    """
    if isinstance(value, str):
        text = value.strip()
        if any(ch.isspace() for ch in text):
            scheme = url_scheme(text)  # not `in (None, *SCRIPT_SCHEMES)`: mypyc cannot compile it
            return scheme is not None and scheme not in SCRIPT_SCHEMES
        return _linkable(text)
    if isinstance(value, list):
        return all(_harmless(item) for item in value)
    if isinstance(value, dict):
        return all(_harmless(item) for item in value.values())
    return True


def normalized_front_matter(doc: Document) -> str:
    """Return the typed metadata as a front matter block in the post's own format.

    The typed keys come first; every other key of the original front matter (a theme's
    ``comments``, ``headimg``, ``layout``...) follows, with its value as it was, unless the value
    is an address with another scheme than http, https, mailto or ftp.
    """
    meta = doc.meta
    mapping: dict[str, Any] = {}
    values = (
        meta.title,
        meta.author,
        meta.site,
        meta.date,
        list(meta.categories),
        list(meta.tags),
        meta.cover,
        meta.feed,
        meta.url,
    )
    for key, value in zip(_TYPED_KEYS, values, strict=True):
        if value:
            mapping[key] = value
    original = doc.front_matter.mapping if doc.front_matter is not None else {}
    for key, value in original.items():
        if key not in _TYPED_KEYS and key not in mapping and _harmless(value):
            mapping[key] = value
    if not mapping:
        return ""
    fmt = doc.front_matter.format if doc.front_matter is not None else "yaml"
    return render_front_matter(mapping, fmt)


def render_front_matter(mapping: Mapping[str, Any], fmt: str = "yaml") -> str:
    """Return ``mapping`` as a front matter block in ``fmt`` (``yaml``, ``toml`` or ``json``)."""
    if fmt == "toml":
        import tomli_w

        # TOML has no null; a key without a value is left out.
        toml_text = tomli_w.dumps({k: v for k, v in mapping.items() if v is not None})
        return f"+++\n{toml_text}+++\n"
    if fmt == "json":
        import json

        return json.dumps(mapping, ensure_ascii=False, indent=2, default=_json_value) + "\n"
    import yaml

    yaml_text = yaml.safe_dump(dict(mapping), allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{yaml_text}---\n"


def _json_value(value: object) -> str:
    """Return what JSON cannot hold (dates, times) as text, the way Hugo writes them."""
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


class MarkdownWriter:
    """Write a Document as Markdown."""

    name: ClassVar[str] = "markdown"
    aliases: ClassVar[tuple[str, ...]] = ("md",)
    extension: ClassVar[str] = ".md"
    binary: ClassVar[bool] = False
    Options: ClassVar[type[MarkdownOptions]] = MarkdownOptions

    def write(self, doc: Document, options: MarkdownOptions) -> str:
        """Render ``doc`` as Markdown text ending with one newline."""
        doc = limit_depth(doc)
        renderer = MarkdownRenderer()
        renderer.page_title = " ".join(doc.meta.title.split())
        if options.hotlink == "html":
            renderer.hotlink_hosts = tuple(options.referer_hosts)
        parts: list[str] = []
        blocks: tuple[Block, ...] = doc.blocks
        if options.front_matter == "none" and doc.meta.title:
            parts.append("# " + escape_markdown(_one_line(doc.meta.title)))
        body = renderer.blocks(blocks)
        if body:
            parts.append(body)
        if doc.footnotes:
            notes = []
            for note in doc.footnotes:
                text = escape_markdown(" ".join(note.text.split()))
                url = note.url if _linkable(note.url) else ""
                # Written as an autolink whenever its encoded form is one ("{" is "%7B"): read
                # back, it is the footnote's address again, and not a link in its text.
                encoded = _url(url) if url else ""
                target = f"<{encoded}>" if encoded and _AUTOLINK.match(encoded) else ""
                if url and not target:
                    target = f"[{escape_markdown(_one_line(url))}]({encoded})"
                notes.append(f"[^{note.number}]: " + " ".join(p for p in (text, target) if p))
            parts.append("\n".join(notes))
        text = without_controls("\n\n".join(parts) + "\n")
        if options.front_matter == "keep" and doc.front_matter is not None:
            # The block opens the file, as Jekyll requires: the archived posts' leading blank
            # lines are left out (normalize puts the file's own bytes back).
            return _LEADING_BLANK_LINES.sub("", doc.front_matter.text) + "\n" + text
        if options.front_matter == "normalize":
            front = normalized_front_matter(doc)
            if front:
                return front + "\n" + text
        return text
