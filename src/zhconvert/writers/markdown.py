"""The Markdown writer: CommonMark + GFM tables + footnotes + ``$``/``$$`` math, no raw HTML.

Text is escaped so that it stays literal; emphasis is placed so that it still renders next to
CJK punctuation (CommonMark does not open ``**`` before a letter when the ``**`` follows a
punctuation mark, so ``**注意：**正文`` shows its asterisks: the punctuation is moved outside).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from ._render import BlockRenderer, is_punctuation

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
_LINE_START = re.compile(r"^([ ]{0,3})([#>+\-=|]|\d{1,9}(?=[.)](?: |$)))")
_URL_UNSAFE = re.compile(r"[\s()<>\\]")
_AUTOLINK = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>\x00-\x1f]*$")


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
        parts: list[str | _Delimited] = []
        for node in _merge_adjacent(nodes):
            if isinstance(node, (Strong, Emphasis, Strikethrough)):
                marker = {Strong: "**", Emphasis: "*", Strikethrough: "~~"}[type(node)]
                lead, children, trail = _split_edges(node.children)
                parts.append(_Delimited(marker, self.inlines(children), lead, trail))
            else:
                parts.append(self.inline(node))
        out: list[str] = []
        for index, part in enumerate(parts):
            if isinstance(part, str):
                out.append(part)
                continue
            lead = escape_markdown(part.lead) if part.lead else ""
            trail = escape_markdown(part.trail) if part.trail else ""
            before = lead[-1] if lead else next((c[-1] for c in reversed(out) if c), "")
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
            out.append(lead + (part.marker + inner + part.marker if ok else inner) + trail)
        text = "".join(out)
        if self.in_table:
            text = text.replace("|", "\\|")
        return text

    def inline_Text(self, node: Text) -> str:
        return escape_markdown(node.text)

    def inline_InlineCode(self, node: InlineCode) -> str:
        text = node.text
        longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
        fence = "`" * (longest + 1)
        if (text.startswith(("`", " ")) or text.endswith(("`", " "))) and text.strip(" "):
            text = f" {text} "
        return f"{fence}{text}{fence}"

    def inline_Link(self, node: Link) -> str:
        label = self.inlines(node.children)
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
        tex = " ".join(node.tex.split())
        return f"${tex}$" if tex else ""

    def inline_FootnoteRef(self, node: FootnoteRef) -> str:
        return f"[^{node.number}]"

    def inline_Mention(self, node: Mention) -> str:
        return f"[@{escape_markdown(node.name)}]({_url(node.url)})"

    def inline_InlineImage(self, node: InlineImage) -> str:
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
        return f"![{caption}]({_url(block.url)})"

    def block_MathBlock(self, block: MathBlock) -> str:
        return f"$$\n{block.tex.strip()}\n$$"

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
        title = escape_markdown(block.title) if block.title else escape_markdown(block.url)
        return _escape_line_start(f"[{title}]({_url(block.url)})")

    def block_VideoCard(self, block: VideoCard) -> str:
        title = "视频：" + escape_markdown(block.title) if block.title else "视频"
        return f"[{title}]({_url(block.url)})"

    def block_Byline(self, block: Byline) -> str:
        return byline_markdown(block)


def byline_markdown(block: Byline) -> str:
    """Render a byline as ``作者：**name**（bio） · [原文](url)``, which the reader reads back."""
    text = f"作者：**{escape_markdown(block.author)}**"
    if block.bio:
        text += f"（{escape_markdown(block.bio)}）"
    if block.url:
        text += f" · [原文]({_url(block.url)})"
    return text


def _merge_adjacent(nodes: Sequence[Inline]) -> list[Inline]:
    """Join neighbouring spans of the same kind, so their markers do not collide."""
    merged: list[Inline] = []
    for node in nodes:
        if (
            merged
            and type(node) is type(merged[-1])
            and isinstance(node, (Strong, Emphasis, Strikethrough))
        ):
            previous = merged[-1]
            merged[-1] = type(node)(previous.children + node.children)  # type: ignore[union-attr]
        elif merged and isinstance(node, Text) and isinstance(merged[-1], Text):
            merged[-1] = Text(merged[-1].text + node.text)
        else:
            merged.append(node)
    return merged


def normalized_front_matter(doc: Document) -> str:
    """Return the typed metadata as a YAML front matter block (``---`` lines included)."""
    import yaml

    meta = doc.meta
    mapping: dict[str, Any] = {}
    for key, value in (
        ("title", meta.title),
        ("author", meta.author),
        ("site", meta.site),
        ("date", meta.date),
        ("categories", list(meta.categories)),
        ("tags", list(meta.tags)),
        ("cover", meta.cover),
        ("source", meta.source),
        ("url", meta.url),
    ):
        if value:
            mapping[key] = value
    if not mapping:
        return ""
    yaml_text = yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{yaml_text}---\n"


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
                target = f"<{note.url}>" if note.url and not _URL_UNSAFE.search(note.url) else ""
                if note.url and not target:
                    target = f"[{escape_markdown(note.url)}]({_url(note.url)})"
                notes.append(f"[^{note.number}]: " + " ".join(p for p in (text, target) if p))
            parts.append("\n".join(notes))
        text = "\n\n".join(parts) + "\n"
        if options.front_matter == "keep" and doc.front_matter is not None:
            return doc.front_matter.text + "\n" + text
        if options.front_matter == "normalize":
            front = normalized_front_matter(doc)
            if front:
                return front + "\n" + text
        return text
