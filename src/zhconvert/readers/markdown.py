"""Read a post body that is already Markdown (or zhconvert's own Markdown output) into the model.

The body is parsed by markdown-it-py: CommonMark, GFM tables and strikethrough, footnotes
(``[^label]`` with ``[^label]: text`` definitions, and inline ``^[text]``) and dollar math
(``$tex$``, ``$$tex$$``). Its token stream is walked the way markdown-it's renderer walks it: each
token type has a handler method (``_block_<type>`` / ``_inline_<type>``, where ``<type>`` drops
the ``_open`` of a paired token), collected into a table once.

Choices a caller may not expect:

- Raw HTML is never passed on. An ``html_block`` is dropped whole; an ``html_inline`` tag is
  dropped and the text around and between tags is kept (``a<b>b</b>`` reads as ``ab``), except
  inside a script, style, iframe, form and the other elements the HTML reader drops whole, which
  go with their content up to their closing tag. A paragraph left with nothing but whitespace is
  dropped. The one exception: the text between a bare ``<code>`` and ``</code>`` is inline code,
  as zhconvert's writer writes inline code holding template syntax (``<code>&#123;{ x }}</code>``);
  and the writer's ``hotlink="html"`` image, ``<img src="…" alt="…" referrerpolicy="no-referrer">``
  (alone, or as ``<p>…</p>``) in exactly that form, is the image it stands for.
- Token types without a handler (none with the parser set up here, but plugins change) go to one
  fallback that keeps their text: a paired token becomes its children, a leaf token becomes its
  inline children or else its content as plain text (wrapped in a paragraph at block level).
- A soft line break between two CJK characters (Han, kana, hangul, CJK punctuation, fullwidth
  forms) disappears; any other soft break is one space.
- Link and image URLs are not percent-encoded or punycoded (markdown-it does that for HTML output;
  it would change a URL written by zhconvert's Markdown writer), but they are cleaned as the HTML
  reader cleans them (``_links``): redirect pages and image proxies unwrapped, tracking parameters
  dropped from links, a link whose text is its real address followed, and an autolink's text made
  the address it now goes to. Cleaning a cleaned URL changes nothing, so zhconvert's own output
  reads back the same. A link whose scheme is not http, https, mailto or ftp (``javascript:``,
  ``vbscript:``, ``data:``, in any case, with blanks or control characters inside) becomes its
  text, as in the HTML reader; an image whose address is not web or relative becomes its alt text.
- Inline math follows pandoc's rule so that prices are not formulas: no space just inside the
  dollars, no digit right after the closing one (``$5 and $6`` is text).
- Hexo writes ``{``/``}`` as ``&#123;``/``&#125;``; markdown-it decodes them in text but keeps
  entities literal in code and math, so those two are decoded there too.
- Footnotes: a reference to an integer label (``[^3]``) keeps that number; other labels and
  inline footnotes take the smallest free numbers in order of first reference, then unreferenced
  definitions (kept, not dropped) in document order. When a label is defined twice, the first
  definition wins. A footnote's text is its plain text, paragraphs joined by ``\\n``; the first
  link's URL becomes ``url`` and, when the link shows its own URL (an autolink), the link is
  taken out of the text.
- A table whose header cells are all empty has no header (``Table.header == ()``), as Markdown
  cannot write a table without a header row.
- Nesting: markdown-it stops nesting blocks and links at its ``maxNesting`` (``MAX_NESTING``
  here, 100), which bounds this walk's recursion; blocks nested deeper are kept as one paragraph
  of their source text (markdown-it itself would drop them). Emphasis delimiters are not bounded
  by it (``*****…``), so inline markup nested deeper than ``_MAX_INLINE_DEPTH`` is flattened into
  its text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll
from markdown_it.parser_block import ParserBlock
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block import paragraph as _stock_paragraph
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

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
from ._links import clean_image_url, clean_link
from ._safety import DROPPED_TAGS, has_safe_scheme, without_controls
from .sites import redirect_hosts

__all__ = ["read_markdown"]

#: Inline markup deeper than this is flattened.
_MAX_INLINE_DEPTH: Final = 20

#: markdown-it's nesting limit (its CommonMark preset has 20, which ten levels of nested lists
#: already reach). Blocks nested deeper are read as plain text; see ``_BlockParser``.
MAX_NESTING: Final = 100

_CJK: Final = re.compile(
    "["
    "\u1100-\u11ff"  # Hangul Jamo
    "\u2e80-\u2fff"  # CJK and Kangxi radicals, ideographic description characters
    "\u3000-\u303f"  # CJK symbols and punctuation
    "\u3040-\u30ff"  # hiragana, katakana
    "\u3100-\u31ff"  # bopomofo, hangul compatibility jamo, kanbun, CJK strokes, kana extension
    "\u3200-\u4dbf"  # enclosed CJK, CJK compatibility, extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\ua960-\ua97f"  # Hangul Jamo extended-A
    "\uac00-\ud7ff"  # hangul syllables, Hangul Jamo extended-B
    "\uf900-\ufaff"  # CJK compatibility ideographs
    "\ufe10-\ufe1f"  # vertical forms
    "\ufe30-\ufe6f"  # CJK compatibility forms, small form variants
    "\uff00-\uffef"  # halfwidth and fullwidth forms
    "\U0001b000-\U0001b16f"  # kana supplement and extensions
    "\U00020000-\U0003ffff"  # ideographs in the supplementary and tertiary planes
    "]"
)

_INTEGER_LABEL: Final = re.compile(r"[0-9]{1,9}")

# What follows the bold author in zhconvert's byline: an optional "（bio）", then " · " exactly
# when a "原文" link comes next.
_BYLINE_TAIL: Final = re.compile(r"(?:（(?P<bio>.+)）)?(?P<separator> · )?", re.DOTALL)

# Marks where a footnote's URL was taken out of its text; markdown-it turns NUL into U+FFFD, so
# the mark cannot come from the input.
_CUT: Final = "\x00"

# Inline raw HTML: tags are dropped, the text around and between them kept, except inside these
# elements (a <script>'s code is not text): everything up to their closing tag goes too.
_HIDDEN_TAGS: Final = DROPPED_TAGS - {
    "area", "base", "embed", "input", "link", "meta", "param", "source", "track"
}  # fmt: skip
_HTML_TAG: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# The Markdown writer's image for a host that checks the Referer (``image_element``), alone or as
# a paragraph of its own: nothing else written as HTML is read as an image.
_OWN_IMAGE: Final = re.compile(
    r'(<p>)?<img src="([^"<>]*)" alt="([^"<>]*)"(?: title="([^"<>]*)")? '
    r'referrerpolicy="no-referrer">(?(1)</p>)'
)

# Inline tokens that carry no characters of their own, so a soft break looks through them.
_TRANSPARENT_INLINE: Final = frozenset({"html_inline"})


class _BlockParser(ParserBlock):
    """markdown-it's block parser, keeping the text of blocks nested past ``maxNesting``.

    markdown-it skips such blocks whole ("we should not care about content"); here they become
    one paragraph of their source text, markers included, so no text is lost.
    """

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        """Tokenize ``startLine:endLine``; past the nesting limit, as one plain paragraph."""
        # Rules leave the level as they found it, so checking it once is checking it each time.
        if state.level < state.md.options.maxNesting:
            super().tokenize(state, startLine, endLine)
            return
        line = state.line = state.skipEmptyLines(startLine)
        if line >= endLine or state.sCount[line] < state.blkIndent:
            return
        # The lines the normal loop would have read: up to one indented less than this block.
        end = line + 1
        while end < endLine and (state.isEmpty(end) or state.sCount[end] >= state.blkIndent):
            end += 1
        token = state.push("paragraph_open", "p", 1)
        token.map = [line, end]
        token = state.push("inline", "", 0)
        token.content = state.getLines(line, end, state.blkIndent, False).strip(_MD_BLANKS)
        token.map = [line, end]
        token.children = []
        state.push("paragraph_close", "p", -1)
        state.line = end


# What CommonMark strips from a paragraph's ends: spaces and tabs (and the line ends between).
# markdown-it strips every Unicode blank, losing a Chinese paragraph's indent (U+3000) and a
# leading no-break space, both of which marked (Hexo) and the spec keep.
_MD_BLANKS: Final = " \t\n"


def _paragraph(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's paragraph rule, stripping only spaces and tabs from the paragraph's ends."""
    if not _stock_paragraph(state, start, end, silent):
        return False
    # Only a paragraph whose first or last character (past spaces and tabs) is another blank
    # lost something: its text is taken again, the others keep the stock rule's.
    src = state.src
    first = state.bMarks[start] + state.tShift[start]
    last = state.line - 1
    if src[first : first + 1].isspace() or (
        src[state.bMarks[last] : state.eMarks[last]].rstrip(" \t")[-1:].isspace()
    ):
        text = state.getLines(start, state.line, state.blkIndent, False)
        state.tokens[-2].content = text.strip(_MD_BLANKS)
    return True


class _Parser(MarkdownIt):
    """markdown-it that keeps link destinations as written."""

    def normalizeLink(self, url: str) -> str:
        """Return ``url`` unchanged."""
        return url

    def normalizeLinkText(self, link: str) -> str:
        """Return ``link`` unchanged."""
        return link

    def validateLink(self, url: str) -> bool:
        """Accept every destination: the reader decides (``has_safe_scheme``), as for HTML."""
        return True


def _make_parser() -> MarkdownIt:
    parser = _Parser("commonmark", {"maxNesting": MAX_NESTING})
    block = _BlockParser()
    block.ruler = parser.block.ruler  # the rules, as the preset enabled them
    parser.block = block
    parser.block.ruler.at("paragraph", _paragraph)
    parser.enable(["table", "strikethrough"])
    # Definitions stay where they are in the token stream, so unreferenced ones are seen too.
    parser.use(footnote_plugin, move_to_end=False)
    parser.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    stock = next(rule.fn for rule in parser.inline.ruler.__rules__ if rule.name == "math_inline")
    parser.inline.ruler.at("math_inline", _first_math(stock))
    return parser


def _first_math(stock: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """The dollar-math rule, fixed for a ``$`` that opens the text.

    The rule looks for a digit before the opening ``$`` at ``src[pos - 1]``, which at position 0
    is the text's *last* character: "$n$ 是 1" was no formula.
    """

    def rule(state: StateInline, silent: bool) -> bool:
        if state.pos or not state.src[-1:].isdigit():
            return stock(state, silent)
        src = state.src
        state.src = src + "\n"  # nothing the rule matches; read only as "the character before"
        try:
            return stock(state, silent)
        finally:
            state.src = src

    return rule


_PARSER: Final = _make_parser()


def read_markdown(body: str) -> tuple[tuple[Block, ...], tuple[Footnote, ...]]:
    """Parse a Markdown body into blocks and footnotes."""
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(body, env)
    reader = _Reader(tokens, env)
    return tuple(reader.blocks(0, len(tokens))), reader.footnotes()


# ---------------------------------------------------------------------------------------------
# Token helpers


def _match_closes(tokens: Sequence[Token]) -> list[int]:
    """Return, for each opening token, the index of its closing token (-1 for the others)."""
    closes = [-1] * len(tokens)
    stack: list[int] = []
    for index, token in enumerate(tokens):
        if token.nesting == 1:
            stack.append(index)
        elif token.nesting == -1:
            # Pop until the matching type: an unbalanced stream (never made by markdown-it) must
            # not shift every later pair.
            opener = token.type.removesuffix("_close") + "_open"
            while stack:
                start = stack.pop()
                if tokens[start].type == opener:
                    closes[start] = index
                    break
    return closes


def _spans(
    tokens: Sequence[Token], closes: Sequence[int], lo: int, hi: int
) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each sibling in ``tokens[lo:hi]``; ``end`` is the closing token."""
    index = lo
    while index < hi:
        token = tokens[index]
        end = closes[index] if token.nesting == 1 else index
        if token.nesting == 0:
            yield index, index
        elif token.nesting == 1 and index < end < hi:
            yield index, end
            index = end
        # A stray closing token, or an opening one without its close, is skipped alone.
        index += 1


def _handler_name(token: Token) -> str:
    return token.type.removesuffix("_open") if token.nesting == 1 else token.type


def _decode_braces(text: str) -> str:
    return text.replace("&#123;", "{").replace("&#125;", "}")


def _soft_breaks(tokens: Sequence[Token]) -> dict[int, str]:
    """Return what each soft break in ``tokens`` reads as: ``""`` between CJK, else ``" "``."""
    # Two linear passes find the character on each side, looking through markup tokens; scanning
    # from each break instead would be quadratic on emphasis-heavy input.
    before: dict[int, str] = {}
    last = ""
    for index, token in enumerate(tokens):
        if token.type == "softbreak":
            before[index] = last
        last = _edge_char(token, last, -1)
    result: dict[int, str] = {}
    following = ""
    for index in range(len(tokens) - 1, -1, -1):
        token = tokens[index]
        if token.type == "softbreak":
            both_cjk = _CJK.match(before[index]) and _CJK.match(following)
            result[index] = "" if both_cjk else " "
        following = _edge_char(token, following, 0)
    return result


def _edge_char(token: Token, current: str, edge: int) -> str:
    """Return the character next to a soft break after passing ``token``, given ``current``."""
    if token.nesting != 0 or token.type in _TRANSPARENT_INLINE:
        return current
    if token.type in ("text", "text_special", "code_inline"):
        return token.content[edge] if token.content else current
    return ""  # images, math, breaks, footnote references: not CJK text


# ---------------------------------------------------------------------------------------------
# The reader


@dataclass(slots=True)
class _Run:
    """One inline token's children, with their matching closes and soft-break readings."""

    tokens: Sequence[Token]
    closes: list[int]
    soft_breaks: dict[int, str]

    @classmethod
    def of(cls, tokens: Sequence[Token] | None) -> _Run:
        tokens = tokens or ()
        return cls(tokens, _match_closes(tokens), _soft_breaks(tokens))


_BlockHandler = Callable[["_Reader", int, int], list[Block]]
_InlineHandler = Callable[["_Reader", _Run, int, int, int], list[Inline]]


class _Reader:
    """Turn one parse's block tokens and footnote data into model blocks and footnotes.

    Block handlers take ``(start, end)``, the indices of a token and of its closing token (equal
    for a leaf); inline handlers take the run, ``(start, end)`` and the inline nesting depth.
    """

    def __init__(self, tokens: Sequence[Token], env: Mapping[str, Any]) -> None:
        self.tokens = tokens
        self.closes = _match_closes(tokens)
        notes = env.get("footnotes", {})
        # id -> {"label", "count"} for [^label], {"content", "tokens"} for ^[inline]; ids are
        # given in order of first reference.
        self.referenced: dict[int, dict[str, Any]] = notes.get("list", {})
        self.definitions: dict[str, tuple[int, int]] = {}
        for start, token in enumerate(tokens):
            if token.type == "footnote_reference_open" and start < self.closes[start]:
                self.definitions.setdefault(
                    token.meta.get("label", ""), (start, self.closes[start])
                )
        keys: list[str | int] = [
            data.get("label", note_id) for note_id, data in self.referenced.items()
        ]
        self.numbers = _number_footnotes([*keys, *self.definitions])

    # -- driving ----------------------------------------------------------------------------

    def blocks(self, lo: int, hi: int) -> list[Block]:
        """Convert the sibling block tokens in ``tokens[lo:hi]``."""
        out: list[Block] = []
        for start, end in _spans(self.tokens, self.closes, lo, hi):
            handler = _BLOCK_HANDLERS.get(
                _handler_name(self.tokens[start]), _Reader._block_fallback
            )
            out.extend(handler(self, start, end))
        return out

    def inlines(self, run: _Run, lo: int, hi: int, depth: int) -> list[Inline]:
        """Convert the sibling inline tokens in ``run.tokens[lo:hi]``."""
        if depth >= _MAX_INLINE_DEPTH:
            # Past the limit, markup pairs are dropped and only leaves are kept, without recursing.
            spans: Iterable[tuple[int, int]] = (
                (index, index) for index in range(lo, hi) if run.tokens[index].nesting == 0
            )
        else:
            spans = _spans(run.tokens, run.closes, lo, hi)
        out: list[Inline] = []
        hidden = ""  # the name of the raw <script>-like element being skipped, if any
        code: list[Inline] | None = None  # what is read since a "<code>" tag, if one is open
        for start, end in spans:
            token = run.tokens[start]
            if token.type == "html_inline" and not hidden:
                if token.content == "<code>" and code is None:
                    code, out = out, []
                    continue
                if token.content == "</code>" and code is not None:
                    out = [*code, InlineCode(_plain_text(out))]
                    code = None
                    continue
            if token.type == "html_inline":
                tag = _HTML_TAG.match(token.content)
                if tag is not None:
                    name, closing = tag.group(2).lower(), bool(tag.group(1))
                    if hidden and closing and name == hidden:
                        hidden = ""
                    elif not hidden and not closing and name in _HIDDEN_TAGS:
                        hidden = "" if token.content.rstrip().endswith("/>") else name
            if hidden:
                continue
            handler = _INLINE_HANDLERS.get(_handler_name(token), _Reader._inline_fallback)
            out.extend(handler(self, run, start, end, depth))
        if code is not None:  # a "<code>" never closed: its tag is dropped as any other
            out = [*code, *out]
        return merge_texts(out)

    def inline_content(self, start: int, end: int, depth: int = 0) -> tuple[Inline, ...]:
        """Convert the ``inline`` token between ``start`` and ``end`` (none: empty)."""
        for index in range(start + 1, end):
            token = self.tokens[index]
            if token.type == "inline":
                return self.inline_children(token.children, depth)
        return ()

    def inline_children(self, children: Sequence[Token] | None, depth: int) -> tuple[Inline, ...]:
        run = _Run.of(children)
        return tuple(self.inlines(run, 0, len(run.tokens), depth))

    def footnotes(self) -> tuple[Footnote, ...]:
        """Return every footnote, referenced or not, by number."""
        out: list[Footnote] = []
        for key, number in self.numbers.items():
            if isinstance(key, int):
                content: list[Block] = [
                    Paragraph(self.inline_children(self.referenced[key].get("tokens"), 0))
                ]
            elif key in self.definitions:
                start, end = self.definitions[key]
                content = self.blocks(start + 1, end)
            else:
                continue
            text, url = _footnote_text(content)
            out.append(Footnote(number, text, url))
        return tuple(sorted(out, key=lambda note: note.number))

    # -- blocks -----------------------------------------------------------------------------

    def _block_fallback(self, start: int, end: int) -> list[Block]:
        """Keep the text of a token without a handler (see the module docstring)."""
        token = self.tokens[start]
        if start != end:
            return self.blocks(start + 1, end)
        if token.children:
            return self._paragraph(self.inline_children(token.children, 0))
        if token.content:
            return [Paragraph((Text(token.content),))]
        return []

    def _block_paragraph(self, start: int, end: int) -> list[Block]:
        return self._paragraph(self.inline_content(start, end))

    def _paragraph(self, children: tuple[Inline, ...]) -> list[Block]:
        match children:
            case (InlineImage(url, alt, title),):
                return [Figure(url, title=title, alt=alt)]
            case (InlineImage(url, alt, title), LineBreak(), *caption) if _is_caption(caption):
                # How the writer puts a caption under its image: a line of italics.
                return [Figure(url, _unitalic(caption), title=title, alt=alt)]
        if all(isinstance(node, Text) and not node.text.strip() for node in children):
            return []
        byline = _byline(children)
        return [byline if byline is not None else Paragraph(children)]

    def _block_heading(self, start: int, end: int) -> list[Block]:
        level = self.tokens[start].tag.removeprefix("h")
        return [Heading(int(level) if level.isdigit() else 1, self.inline_content(start, end))]

    def _block_blockquote(self, start: int, end: int) -> list[Block]:
        return [BlockQuote(tuple(self.blocks(start + 1, end)))]

    def _block_bullet_list(self, start: int, end: int) -> list[Block]:
        return [ListBlock(self._list_items(start, end), loose=self._loose(start, end))]

    def _block_ordered_list(self, start: int, end: int) -> list[Block]:
        first = self.tokens[start].attrs.get("start", 1)
        number = first if isinstance(first, int) else 1
        items = self._list_items(start, end)
        return [ListBlock(items, ordered=True, start=number, loose=self._loose(start, end))]

    def _loose(self, start: int, end: int) -> bool:
        """Whether a list is loose: markdown-it hides the paragraphs of a tight one's items."""
        level = self.tokens[start].level + 2
        return any(
            token.type == "paragraph_open" and token.level == level and not token.hidden
            for token in self.tokens[start + 1 : end]
        )

    def _list_items(self, start: int, end: int) -> tuple[ListItem, ...]:
        return tuple(
            ListItem(tuple(self.blocks(item_start + 1, item_end)))
            for item_start, item_end in _spans(self.tokens, self.closes, start + 1, end)
            if self.tokens[item_start].type == "list_item_open"
        )

    def _block_fence(self, start: int, end: int) -> list[Block]:
        token = self.tokens[start]
        # markdown-it's renderer unescapes the info string the same way.
        words = _decode_braces(unescapeAll(token.info)).split(maxsplit=1)
        return [CodeBlock(_code_text(token.content), words[0] if words else "")]

    def _block_code_block(self, start: int, end: int) -> list[Block]:
        return [CodeBlock(_code_text(self.tokens[start].content))]

    def _block_math_block(self, start: int, end: int) -> list[Block]:
        return [MathBlock(_decode_braces(self.tokens[start].content).strip())]

    _block_math_block_label = _block_math_block

    def _block_hr(self, start: int, end: int) -> list[Block]:
        return [ThematicBreak()]

    def _block_html_block(self, start: int, end: int) -> list[Block]:
        image = _own_image(self.tokens[start].content.strip(), block=True)
        return self._paragraph((image,)) if image is not None else []

    def _block_footnote_reference(self, start: int, end: int) -> list[Block]:
        return []  # read by footnotes()

    def _block_table(self, start: int, end: int) -> list[Block]:
        header: tuple[TableCell, ...] = ()
        rows: list[tuple[TableCell, ...]] = []
        for section_start, section_end in _spans(self.tokens, self.closes, start + 1, end):
            for row_start, row_end in _spans(
                self.tokens, self.closes, section_start + 1, section_end
            ):
                row = tuple(
                    TableCell(self.inline_content(cell_start, cell_end))
                    for cell_start, cell_end in _spans(
                        self.tokens, self.closes, row_start + 1, row_end
                    )
                )
                if self.tokens[section_start].type == "thead_open":
                    header = row if any(cell.children for cell in row) else ()
                else:
                    rows.append(row)
        return [Table(header, tuple(rows))]

    # -- inlines ----------------------------------------------------------------------------

    def _inline_fallback(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        """Keep the text of a token without a handler (see the module docstring)."""
        token = run.tokens[start]
        if start != end:
            return self.inlines(run, start + 1, end, depth + 1)
        if token.children:
            return list(self.inline_children(token.children, depth + 1))
        return [Text(token.content)]

    def _inline_text(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        # A character reference (&#27;) may stand for a control character.
        return [Text(without_controls(run.tokens[start].content))]

    _inline_text_special = _inline_text

    def _inline_softbreak(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        return [Text(run.soft_breaks.get(start, " "))]

    def _inline_hardbreak(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        return [LineBreak()]

    def _inline_code_inline(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        return [InlineCode(_decode_braces(run.tokens[start].content))]

    def _inline_math_inline(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        return [InlineMath(_decode_braces(run.tokens[start].content).strip())]

    _inline_math_inline_double = _inline_math_inline

    def _inline_html_inline(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        image = _own_image(run.tokens[start].content, block=False)
        return [image] if image is not None else []

    def _inline_strong(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        return [Strong(tuple(self.inlines(run, start + 1, end, depth + 1)))]

    def _inline_em(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        return [Emphasis(tuple(self.inlines(run, start + 1, end, depth + 1)))]

    def _inline_s(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        return [Strikethrough(tuple(self.inlines(run, start + 1, end, depth + 1)))]

    def _inline_link(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        token = run.tokens[start]
        href = str(token.attrs.get("href", ""))
        children = tuple(self.inlines(run, start + 1, end, depth + 1))
        url = clean_link(href, _plain_text(children), redirects=redirect_hosts())
        # javascript: and the like: the text alone, as in HTML; so for an address that was all
        # tracking ("?utm_source=x"), which the writer could not write back as a link.
        if not url or not has_safe_scheme(url):
            return list(children)
        if token.markup == "autolink" and children == (Text(href),):
            children = (Text(url),)  # an autolink shows its address: the one it goes to
        match children:
            case (Text(text),) if len(text) > 1 and text[0] == "@" and "zhihu.com/people/" in url:
                return [Mention(text[1:], url)]
        return [Link(url, children, str(run.tokens[start].attrs.get("title", "")))]

    def _inline_image(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        token = run.tokens[start]
        if depth < _MAX_INLINE_DEPTH:
            alt = _plain_text(self.inline_children(token.children, depth + 1))
        else:
            alt = token.content  # the alt's source; nested images are not worth recursing into
        src = clean_image_url(str(token.attrs.get("src", "")), redirects=redirect_hosts())
        if src is None or not has_safe_scheme(src):
            return [Text(alt)] if alt else []
        return [InlineImage(src, alt, str(token.attrs.get("title", "")))]

    def _inline_footnote_ref(self, run: _Run, start: int, end: int, depth: int) -> list[Inline]:
        meta = run.tokens[start].meta
        number = self.numbers.get(meta.get("label", meta.get("id", -1)))
        return [] if number is None else [FootnoteRef(number)]


def _own_image(html: str, *, block: bool) -> InlineImage | None:
    """Return the image that the writer's ``<img … referrerpolicy="no-referrer">`` stands for."""
    match = _OWN_IMAGE.fullmatch(html)
    if match is None or (match.group(1) is not None and not block):
        return None
    from html import unescape

    src = clean_image_url(unescape(match.group(2)), redirects=redirect_hosts())
    if src is None or not has_safe_scheme(src):
        return None
    return InlineImage(src, unescape(match.group(3)), unescape(match.group(4) or ""))


def _handlers(prefix: str) -> dict[str, Any]:
    return {
        name.removeprefix(prefix): method
        for name, method in vars(_Reader).items()
        if name.startswith(prefix) and not name.endswith("_fallback")
    }


_BLOCK_HANDLERS: Final[dict[str, _BlockHandler]] = _handlers("_block_")
_INLINE_HANDLERS: Final[dict[str, _InlineHandler]] = _handlers("_inline_")


# ---------------------------------------------------------------------------------------------
# Model helpers


def _code_text(content: str) -> str:
    return _decode_braces(content.removesuffix("\n"))


def _number_footnotes(keys: Iterable[str | int]) -> dict[str | int, int]:
    """Number footnote keys: integer labels keep their number, the rest take free ones in order."""
    ordered = list(dict.fromkeys(keys))
    numbers: dict[str | int, int] = {}
    taken: set[int] = set()
    for key in ordered:
        if isinstance(key, str) and _INTEGER_LABEL.fullmatch(key) and int(key) not in taken:
            numbers[key] = int(key)
            taken.add(int(key))
    free = 1
    for key in ordered:
        if key not in numbers:
            while free in taken:
                free += 1
            numbers[key] = free
            taken.add(free)
    return numbers


def _byline(children: Sequence[Inline]) -> Byline | None:
    """Return the byline zhconvert's Markdown writer made of ``children``, if it is one."""
    match children:
        case (Text("作者："), Strong((Text(author),)), *rest):
            pass
        case _:
            return None
    tail, url, linked = "", "", False
    match rest:
        case []:
            pass
        case [Text(tail)]:
            pass
        case [Link(url, (Text("原文"),))]:
            linked = True
        case [Text(tail), Link(url, (Text("原文"),))]:
            linked = True
        case _:
            return None
    parts = _BYLINE_TAIL.fullmatch(tail)
    if parts is None or (parts["separator"] is not None) != linked:
        return None
    return Byline(author, parts["bio"] or "", url)


def _is_caption(nodes: Sequence[Inline]) -> bool:
    """Whether ``nodes``, the line right under an image, read as its caption.

    A caption has text; a line that is blank, or holds another picture, is no caption (a feed's
    gallery, ``<img><br><br><img>``, is written as pictures a line apart). The writer's own
    caption is one italic span, and a picture inside it (an emoji) is part of the caption.
    """
    if not nodes or isinstance(nodes[0], LineBreak):
        return False
    for node in nodes:
        match node:
            case InlineImage():
                return False
            case Link(children=children) if any(isinstance(c, InlineImage) for c in children):
                return False
    return _has_text(nodes)


def _unitalic(caption: Sequence[Inline]) -> tuple[Inline, ...]:
    """The caption the writer put in italics; blanks at its edges were written outside them."""
    spans = [node for node in caption if not (isinstance(node, Text) and not node.text.strip())]
    match spans:
        case [Emphasis(inner) as italics]:
            at = caption.index(italics)
            return tuple(merge_texts([*caption[:at], *inner, *caption[at + 1 :]]))
    return tuple(caption)


def _has_text(nodes: Sequence[Inline]) -> bool:
    """Whether ``nodes`` hold anything but blank text and line breaks."""
    return any(
        node.text.strip() if isinstance(node, Text) else not isinstance(node, LineBreak)
        for node in nodes
    )


def _plain_text(children: Iterable[Inline], cut: Link | None = None) -> str:
    """Return the plain text of ``children``; the ``cut`` link (by identity) becomes ``_CUT``."""
    parts: list[str] = []
    for node in children:
        match node:
            case Text(text) | InlineCode(text):
                parts.append(text)
            case InlineMath(tex):
                parts.append(tex)
            case LineBreak():
                parts.append("\n")
            case FootnoteRef(number):
                parts.append(f"[{number}]")
            case Mention(name):
                parts.append("@" + name)
            case InlineImage(alt=alt):
                parts.append(alt)
            case Link(url, link_children) if node is cut:
                text = _plain_text(link_children)
                shows_url = text in (url, url.removeprefix("mailto:"))
                parts.append(_CUT if shows_url else _CUT + text)
            case Link(children=inner) | Strong(inner) | Emphasis(inner) | Underline(inner):
                parts.append(_plain_text(inner, cut))
            case Strikethrough(inner) | Superscript(inner) | Subscript(inner):
                parts.append(_plain_text(inner, cut))
    return "".join(parts)


def _plain_block_text(blocks: Iterable[Block], cut: Link | None = None) -> str:
    """Return the plain text of ``blocks``, one line or more per block."""
    lines: list[str] = []
    for block in blocks:
        match block:
            case Paragraph(children) | Heading(children=children) | Figure(caption=children):
                lines.append(_plain_text(children, cut))
            case MathBlock(text) | CodeBlock(text):
                lines.append(text)
            case BlockQuote(inner):
                lines.append(_plain_block_text(inner, cut))
            case ListBlock(items):
                lines.extend(_plain_block_text(item.children, cut) for item in items)
            case Table(header, rows):
                lines.extend(
                    " ".join(_plain_text(cell.children, cut) for cell in row)
                    for row in (header, *rows)
                )
            case LinkCard(title=text) | VideoCard(title=text):
                lines.append(text)
            case Byline(author, bio):
                lines.append(f"作者：{author}（{bio}）" if bio else f"作者：{author}")
    return "\n".join(line for line in lines if line)


def _first_link(blocks: Iterable[Block]) -> Link | None:
    """Return the first link in ``blocks``, in reading order."""
    pending: list[Block | Inline | ListItem | TableCell] = [*blocks]
    pending.reverse()
    while pending:
        node = pending.pop()
        if isinstance(node, Link):
            return node
        match node:
            case Table(header, rows):
                children: Sequence[Any] = [cell for row in (header, *rows) for cell in row]
            case ListBlock(items):
                children = items
            case Figure(caption=children):
                pass
            case _:
                children = getattr(node, "children", ())
        pending.extend(reversed(children))
    return None


def _footnote_text(blocks: Sequence[Block]) -> tuple[str, str]:
    """Return a footnote's plain text and the URL of its first link, taken out of the text."""
    link = _first_link(blocks)
    text = _plain_block_text(blocks, link)
    if link is None:
        return text.strip(), ""
    before, _, after = text.partition(_CUT)
    if before and after and (before[-1].isspace() or after[0].isspace()):
        text = before.rstrip() + " " + after.lstrip()
    else:
        text = before + after
    return text.strip(), link.url.strip()
