"""The Markdown writer: CommonMark + GFM tables + footnotes + ``$``/``$$`` math, no raw HTML.

Text is escaped so that it stays literal; emphasis is placed so that it still renders next to
CJK punctuation (CommonMark does not open ``**`` before a letter when the ``**`` follows a
punctuation mark, so ``**注意：**正文`` shows its asterisks: the punctuation is moved outside).
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from ..model import (
    Block,
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
    MathBlock,
    Mention,
    Paragraph,
    Strikethrough,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    VideoCard,
)
from ._depth import limit_depth
from ._render import BlockRenderer, is_punctuation, without_controls

__all__ = ["MarkdownOptions", "MarkdownWriter", "escape_markdown"]

FrontMatterMode = Literal["keep", "normalize", "none"]


@dataclass(frozen=True, slots=True)
class MarkdownOptions:
    """Options of the Markdown writer.

    ``front_matter``: ``"keep"`` writes the front matter exactly as it was in the file (the
    default), ``"normalize"`` writes the typed metadata as YAML, ``"none"`` writes none (the
    title then becomes a level-1 heading).
    """

    front_matter: FrontMatterMode = "keep"

    def __post_init__(self) -> None:
        if self.front_matter not in ("keep", "normalize", "none"):
            raise ValueError(
                f"front_matter must be 'keep', 'normalize' or 'none', not {self.front_matter!r}"
            )


_ALWAYS = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "[": "\\[",
    "]": "\\]",
    "<": "\\<",
    "$": "\\$",
    "~": "\\~",
}
_ALWAYS_RE = re.compile(r"[\\`*\[\]<$~]")
_ENTITY_RE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_TEMPLATE_OPENER = re.compile(r"(?<=\{)(?=[{%#])")  # between "{" and "{", "%" or "#"
_LINE_START = re.compile(r"^([ ]{0,3})([#>+\-=|]|\d{1,9}(?=[.)](?: |$)))")
_URL_UNSAFE = re.compile(r"[\s()<>\\]")
_AUTOLINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00-\x1f]*$")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_SCHEME_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "ftp"})
_TEX_TAG = re.compile(r"<(?=[A-Za-z/!?])")  # what could open an HTML tag, comment or autolink
_TEX_LINK = re.compile(r"\](?=[(\[:])")  # what could close a link's text or label


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
    text = _ALWAYS_RE.sub(lambda m: _ALWAYS[m.group(0)], text)
    if "{" in text:
        # Hexo (and Jekyll's Liquid) read "{{", "{%" and "{#" in a post as template tags before
        # any Markdown; "{\{" is the same text to Markdown and no tag to them.
        text = _TEMPLATE_OPENER.sub(r"\\", text)
    if "_" in text:
        text = re.sub("_", _underscore, text)
    if "&" in text:
        text = _ENTITY_RE.sub("\\\\&", text)
    return text


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
    Browsers ignore blanks, control characters and case in a scheme, so the check does too.
    """
    match = _SCHEME.match(_SCHEME_NOISE.sub("", url).lower())
    return match is None or match.group(1) in _LINK_SCHEMES


def _tex(tex: str) -> str:
    """Return TeX that no Markdown renderer can take for HTML or a link, whatever its math support.

    A renderer without ``$`` math reads the formula as Markdown: ``<script>`` would be raw HTML
    and ``[x](javascript:…)`` a link. ``\\lt`` is TeX's own name for ``<``, and spaces are
    ignored in math mode, so the formula means the same.
    """
    return _TEX_LINK.sub("] ", _TEX_TAG.sub(r"\\lt ", tex))


def _url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", url)


@dataclass(frozen=True, slots=True)
class _Delimited:
    """An emphasis-like span whose markers are placed once its neighbours are known."""

    marker: str
    inner: str
    lead: str
    trail: str


def _split_edges(children: tuple[Inline, ...]) -> tuple[str, tuple[Inline, ...], str]:
    """Move whitespace and punctuation at the edges of an emphasis span outside it."""
    lead = trail = ""
    items = list(children)
    if items and isinstance(items[0], Text):
        text = items[0].text
        cut = 0
        while cut < len(text) and (text[cut].isspace() or is_punctuation(text[cut])):
            cut += 1
        lead, items[0] = text[:cut], Text(text[cut:])
    if items and isinstance(items[-1], Text):
        text = items[-1].text
        cut = len(text)
        while cut > 0 and (text[cut - 1].isspace() or is_punctuation(text[cut - 1])):
            cut -= 1
        trail, items[-1] = text[cut:], Text(text[:cut])
    return lead, tuple(i for i in items if not (isinstance(i, Text) and not i.text)), trail


def _flanking_ok(before: str, first: str) -> bool:
    """Whether a delimiter run between ``before`` and ``first`` can open (or, mirrored, close).

    Conservative: only ASCII and Unicode *punctuation* (category P) count as punctuation on the
    outside, since parsers differ on symbols.
    """
    if not first or first.isspace():
        return False
    if not is_punctuation(first):
        return True
    return before == "" or before.isspace() or _strict_punctuation(before)


def _strict_punctuation(ch: str) -> bool:
    import unicodedata

    return (ch.isascii() and not ch.isalnum() and not ch.isspace()) or unicodedata.category(
        ch
    ).startswith("P")


class MarkdownRenderer(BlockRenderer):
    """Render a document as Markdown."""

    def __init__(self) -> None:
        super().__init__()
        self.in_table = False

    # -- inlines --------------------------------------------------------------------------

    def inlines(self, nodes: Sequence[Inline]) -> str:
        if len(nodes) == 1 and type(nodes[0]) is Text and not self.in_table:
            return escape_markdown(nodes[0].text)  # most paragraphs: one run of plain text
        parts: list[str | _Delimited] = []
        for node in _merge_adjacent(nodes):
            if isinstance(node, (Strong, Emphasis, Strikethrough)):
                marker = {Strong: "**", Emphasis: "*", Strikethrough: "~~"}[type(node)]
                lead, children, trail = _split_edges(node.children)
                parts.append(_Delimited(marker, self.inlines(children), lead, trail))
            else:
                parts.append(self.inline(node))
        out: list[str] = []
        last = ""  # the last character written so far
        for index, part in enumerate(parts):
            if isinstance(part, str):
                out.append(part)
                last = part[-1:] or last
                continue
            lead = escape_markdown(part.lead) if part.lead else ""
            trail = escape_markdown(part.trail) if part.trail else ""
            before = lead[-1] if lead else last
            if trail:
                after = trail[0]
            elif index + 1 < len(parts):
                following = parts[index + 1]
                after = following[:1] if isinstance(following, str) else following.marker[0]
            else:
                after = ""
            inner = part.inner
            ok = (
                bool(inner.strip())
                and _flanking_ok(before, inner[0])
                and _flanking_ok(after, inner[-1])
                and not inner.endswith("\\")
                and part.marker[0] not in (before, after)
            )
            written = lead + (part.marker + inner + part.marker if ok else inner) + trail
            out.append(written)
            last = written[-1:] or last
        text = "".join(out)
        if self.in_table:
            text = text.replace("|", "\\|")
        return text

    def inline_Text(self, node: Text) -> str:
        return escape_markdown(node.text)

    def inline_InlineCode(self, node: InlineCode) -> str:
        # A code span shows a line break as a space anyway; written as one, a blank line cannot
        # end the paragraph in the middle of the span and leave the rest as Markdown (or HTML).
        text = node.text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * (longest + 1)
        if (text.startswith(("`", " ")) or text.endswith(("`", " "))) and text.strip(" "):
            text = f" {text} "
        return f"{fence}{text}{fence}"

    def inline_Link(self, node: Link) -> str:
        label = self.inlines(node.children)
        if not _linkable(node.url):
            return label
        plain = len(node.children) == 1 and isinstance(node.children[0], Text)
        if (not label.strip() or (plain and node.children[0] == Text(node.url))) and (
            _AUTOLINK.match(node.url)
        ):
            return f"<{node.url}>"
        if not label.strip():
            label = escape_markdown(node.url)
        return f"[{label}]({_url(node.url)})"

    def inline_LineBreak(self, node: LineBreak) -> str:
        return " " if self.in_table else "\\\n"

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
            return escape_markdown(node.alt)
        return f"![{escape_markdown(node.alt)}]({_url(node.url)})"

    # -- blocks ---------------------------------------------------------------------------

    def block_Paragraph(self, block: Paragraph) -> str:
        text = self.inlines(block.children)
        return "\n".join(_escape_line_start(line.lstrip(" \t")) for line in text.split("\n"))

    def block_Heading(self, block: Heading) -> str:
        children = tuple(Text(" ") if isinstance(c, LineBreak) else c for c in block.children)
        text = self.inlines(children).strip()
        if text.endswith("#"):
            text = text[:-1] + "\\#"
        return "#" * max(1, min(6, block.level)) + " " + text

    def block_Figure(self, block: Figure) -> str:
        caption = self.inlines(block.caption).replace("\\\n", " ")
        if not _linkable(block.url):
            return caption
        return f"![{caption}]({_url(block.url)})"

    def block_MathBlock(self, block: MathBlock) -> str:
        # A blank line would end the block for a renderer without math (and is an error in TeX).
        lines = [line for line in _tex(block.tex).strip().split("\n") if line.strip()]
        return "$$\n" + "\n".join(lines) + "\n$$"

    def block_CodeBlock(self, block: CodeBlock) -> str:
        longest = max((len(run) for run in re.findall(r"`{3,}", block.text)), default=2)
        fence = "`" * (longest + 1)
        language = block.language.replace("`", "").split()[0] if block.language.strip() else ""
        return f"{fence}{language}\n{block.text}\n{fence}"

    def block_ThematicBreak(self, block: ThematicBreak) -> str:
        return "---"

    def block_Table(self, block: Table) -> str:
        header, rows = block.header, list(block.rows)
        if not header and len(rows) > 1:
            header, rows = rows[0], rows[1:]
        columns = max([len(header), *(len(row) for row in rows)])
        if columns == 0:
            return ""
        self.in_table = True
        try:

            def line(cells: tuple[TableCell, ...]) -> str:
                texts = [self.inlines(cell.children).strip() for cell in cells]
                texts += [""] * (columns - len(texts))
                return "| " + " | ".join(texts) + " |"

            out = [line(header), "| " + " | ".join(["---"] * columns) + " |"]
            out.extend(line(row) for row in rows)
        finally:
            self.in_table = False
        return "\n".join(out)

    def block_LinkCard(self, block: LinkCard) -> str:
        if not _linkable(block.url):
            return _escape_line_start(escape_markdown(block.title))
        title = escape_markdown(block.title) if block.title else escape_markdown(block.url)
        return _escape_line_start(f"[{title}]({_url(block.url)})")

    def block_VideoCard(self, block: VideoCard) -> str:
        title = "视频：" + escape_markdown(block.title) if block.title else "视频"
        if not _linkable(block.url):
            return title
        return f"[{title}]({_url(block.url)})"

    def block_Byline(self, block: Byline) -> str:
        return byline_markdown(block)


def byline_markdown(block: Byline) -> str:
    """Render a byline as ``作者：**name**（bio） · [原文](url)``, which the reader reads back."""
    text = f"作者：**{escape_markdown(block.author)}**"
    if block.bio:
        text += f"（{escape_markdown(block.bio)}）"
    if block.url and _linkable(block.url):
        text += f" · [原文]({_url(block.url)})"
    return text


def _merge_adjacent(nodes: Sequence[Inline]) -> list[Inline]:
    """Join neighbouring spans of the same kind, so their markers do not collide."""
    # Each run is joined once: joining two at a time would copy the run again for every node.
    merged: list[Inline] = []
    index, count = 0, len(nodes)
    while index < count:
        node = nodes[index]
        end = index + 1
        if isinstance(node, (Strong, Emphasis, Strikethrough, Text)):
            while end < count and type(nodes[end]) is type(node):
                end += 1
        run = nodes[index:end]
        if len(run) == 1:
            merged.append(node)
        elif isinstance(node, Text):
            merged.append(Text("".join(n.text for n in run if isinstance(n, Text))))
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
    javascript:…`` would be one); text with spaces (``Note: …``) is text.
    """
    if isinstance(value, str):
        text = value.strip()
        return any(ch.isspace() for ch in text) or _linkable(text)
    if isinstance(value, list):
        return all(_harmless(item) for item in value)
    if isinstance(value, dict):
        return all(_harmless(item) for item in value.values())
    return True


def normalized_front_matter(doc: Document) -> str:
    """Return the typed metadata as a YAML front matter block (``---`` lines included).

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
        parts: list[str] = []
        blocks: tuple[Block, ...] = doc.blocks
        if options.front_matter == "none" and doc.meta.title:
            parts.append("# " + escape_markdown(doc.meta.title))
        body = renderer.blocks(blocks)
        if body:
            parts.append(body)
        if doc.footnotes:
            notes = []
            for note in doc.footnotes:
                text = escape_markdown(" ".join(note.text.split()))
                url = note.url if _linkable(note.url) else ""
                target = f"<{url}>" if url and not _URL_UNSAFE.search(url) else ""
                if url and not target:
                    target = f"[{escape_markdown(url)}]({_url(url)})"
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
