"""The plain-text writer: no markup at all, for search indexes and NLP.

A variant of the Markdown renderer (same block layout) with plain leaves: links and footnotes
become numbered references listed at the end, figures ``[图：caption]`` with their URL, code is
indented. Optional wrapping at N columns counts CJK characters as two columns and never starts a
line with closing punctuation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from .._dates import format_shown
from ..model import (
    Byline,
    CodeBlock,
    Document,
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
    Table,
    Text,
    ThematicBreak,
    VideoCard,
)
from ..readers._safety import has_safe_scheme
from ._depth import limit_depth
from ._render import BlockRenderer, display_width, without_controls

__all__ = ["PlainTextWriter", "TextOptions", "wrap_line"]


def _address(url: str) -> str:
    """Return ``url``, or "" when it is not an address to show (``javascript:``, however spelt)."""
    return url if url and has_safe_scheme(url) else ""


# Characters that must not begin a line (kinsoku shori) and must not end one.
_NO_LINE_START = set("，。、；：？！）」』》〉】〕’”…—,.;:?!)]}%·～")
_NO_LINE_END = set("（「『《〈【〔‘“([{")


@dataclass(frozen=True, slots=True)
class TextOptions:
    """Options of the plain-text writer.

    ``wrap``: wrap paragraphs at this many columns (CJK characters count two); ``None`` or 0
    leaves each paragraph on one line. Code and the reference list are never wrapped.
    """

    wrap: int | None = None

    def __post_init__(self) -> None:
        if self.wrap is not None and (not isinstance(self.wrap, int) or self.wrap < 0):
            raise ValueError(f"wrap must be a positive number of columns, not {self.wrap!r}")


def _breakable(ch: str) -> bool:
    return display_width(ch) == 2


def _tokens(line: str) -> list[str]:
    """Split a line into a single wide character, a run of spaces, or a run of other characters."""
    tokens: list[str] = []
    run: list[str] = []  # joined once: adding characters to a string one by one is quadratic
    last_space = last_wide = False
    for ch in line:
        wide, space = _breakable(ch), ch.isspace()
        joins = (space and last_space) or not (wide or space or last_space or last_wide)
        if run and not joins:
            tokens.append("".join(run))
            run = []
        run.append(ch)
        last_space, last_wide = space, wide
    if run:
        tokens.append("".join(run))
    return tokens


def wrap_line(line: str, width: int) -> list[str]:
    """Wrap one line at ``width`` columns: between CJK characters or at spaces."""
    if width <= 0 or display_width(line) <= width:
        return [line]
    out: list[str] = []
    current = ""
    current_width = 0
    for token in _tokens(line):
        token_width = display_width(token)
        if current_width + token_width <= width or not current.strip():
            current += token
            current_width += token_width
            continue
        if token.isspace():
            out.append(current.rstrip())
            current, current_width = "", 0
            continue
        carry = ""
        # Keep closing punctuation on the line it closes; move an opening one down.
        if token[0] in _NO_LINE_START and current:
            carry = current[-1]
            current = current[:-1]
        cut = len(current)
        while cut and current[cut - 1] in _NO_LINE_END:
            cut -= 1
        carry, current = current[cut:] + carry, current[:cut]
        if current.strip():
            out.append(current.rstrip())
            current = carry + token
        else:
            current = current + carry + token
        current_width = display_width(current)
    if current.strip():
        out.append(current.rstrip())
    return out or [""]


class TextRenderer(BlockRenderer):
    """Render a document as plain text."""

    quote_prefix = "  "
    quote_blank = ""

    def __init__(self, wrap: int | None, footnotes: dict[int, tuple[str, str]]) -> None:
        super().__init__()
        self.wrap = wrap or 0
        self.references: list[str] = []
        self.reference_numbers: dict[str, int] = {}
        self.footnotes = footnotes

    def reference(self, key: str, line: str) -> int:
        number = self.reference_numbers.get(key)
        if number is None:
            self.references.append(line)
            number = len(self.references)
            self.reference_numbers[key] = number
        return number

    def paragraph_text(self, text: str) -> str:
        if not self.wrap:
            return text
        width = max(10, self.wrap - self.indent)
        return "\n".join(wrapped for line in text.split("\n") for wrapped in wrap_line(line, width))

    # -- inlines --------------------------------------------------------------------------

    def inlines(self, nodes: Sequence[Inline]) -> str:
        return "".join(self.inline(node) for node in nodes)

    def inline_Text(self, node: Text) -> str:
        return node.text

    def inline_InlineCode(self, node: InlineCode) -> str:
        return node.text

    def inline_Link(self, node: Link) -> str:
        label = self.inlines(node.children)
        url = _address(node.url)
        if not url:
            return label
        if not label.strip() or label.strip() == url:
            return url
        return f"{label}[{self.reference('url:' + url, url)}]"

    def inline_LineBreak(self, node: LineBreak) -> str:
        return "\n"

    def inline_InlineMath(self, node: InlineMath) -> str:
        return node.tex

    def inline_FootnoteRef(self, node: FootnoteRef) -> str:
        text, url = self.footnotes.get(node.number, ("", ""))
        line = " ".join(p for p in (text, url) if p) or str(node.number)
        return f"[{self.reference(f'note:{node.number}', line)}]"

    def inline_Mention(self, node: Mention) -> str:
        return "@" + node.name

    def inline_InlineImage(self, node: InlineImage) -> str:
        label = f"[图：{node.alt}]" if node.alt else "[图]"
        url = _address(node.url)
        return f"{label}[{self.reference('url:' + url, url)}]" if url else label

    # -- blocks ---------------------------------------------------------------------------

    def block_Paragraph(self, block: Paragraph) -> str:
        return self.paragraph_text(self.inlines(block.children).strip())

    def block_Heading(self, block: Heading) -> str:
        return self.paragraph_text(self.inlines(block.children).strip())

    def block_Figure(self, block: Figure) -> str:
        # Plain text cannot show the picture: its alt text, else nothing, says what it was.
        caption = self.inlines(block.caption).strip() or " ".join(block.alt.split())
        label = f"[图：{caption}]" if caption else "[图]"
        url = _address(block.url)
        return f"{label} {url}" if url else label

    def block_MathBlock(self, block: MathBlock) -> str:
        return block.tex.strip()

    def block_CodeBlock(self, block: CodeBlock) -> str:
        return "\n".join("    " + line if line.strip() else "" for line in block.text.split("\n"))

    def block_ThematicBreak(self, block: ThematicBreak) -> str:
        return "* * *"

    def block_Table(self, block: Table) -> str:
        rows = [block.header] if block.header else []
        rows.extend(block.rows)
        texts = [[" ".join(self.inlines(c.children).split()) for c in row] for row in rows]
        # One pass over the cells (column by column was rows × columns steps, quadratic for
        # a ragged table), and no alignment where the padding would outgrow the text: one wide
        # cell would pad every row below it.
        sizes = [[display_width(cell) for cell in row] for row in texts]
        widths: list[int] = []
        for row_sizes in sizes:
            for i, size in enumerate(row_sizes):
                if i == len(widths):
                    widths.append(size)
                elif size > widths[i]:
                    widths[i] = size
        content = sum(sum(row_sizes) + 2 * len(row_sizes) for row_sizes in sizes)
        aligned = sum(sum(widths[: len(row)]) + 2 * len(row) for row in texts)
        if aligned > 4 * content + 100_000:
            return "\n".join("  ".join(row).rstrip() for row in texts)
        lines = []
        for row, row_sizes in zip(texts, sizes, strict=True):
            # the last cell is not padded: the line would lose the spaces again
            cells = [cell + " " * (widths[i] - row_sizes[i]) for i, cell in enumerate(row[:-1])]
            lines.append("  ".join([*cells, *row[-1:]]).rstrip())
        return "\n".join(lines)

    def block_LinkCard(self, block: LinkCard) -> str:
        url = _address(block.url)
        if not block.title or not url:
            return block.title or url
        return f"{block.title}[{self.reference('url:' + url, url)}]"

    def block_VideoCard(self, block: VideoCard) -> str:
        label = f"[视频：{block.title}]" if block.title else "[视频]"
        url = _address(block.url)
        text = f"{label}[{self.reference('url:' + url, url)}]" if url else label
        poster = _address(block.poster)
        # The poster is written as a figure is, under the card.
        return f"{text}\n[图：视频封面] {poster}" if poster else text

    def block_Byline(self, block: Byline) -> str:
        text = f"作者：{block.author}"
        if block.bio:
            text += f"（{block.bio}）"
        if _address(block.url):
            text += f"\n原文：{block.url}"
        return text


def format_date(value: dt.datetime) -> str:
    """Format a date for people, to the minute, its zone named (any year, 1 to 9999)."""
    return format_shown(value)


class PlainTextWriter:
    """Write a Document as plain text."""

    name: ClassVar[str] = "text"
    aliases: ClassVar[tuple[str, ...]] = ("txt", "plain")
    extension: ClassVar[str] = ".txt"
    binary: ClassVar[bool] = False
    Options: ClassVar[type[TextOptions]] = TextOptions

    def write(self, doc: Document, options: TextOptions) -> str:
        """Render ``doc`` as plain text ending with one newline."""
        doc = limit_depth(doc)
        notes = {n.number: (" ".join(n.text.split()), _address(n.url)) for n in doc.footnotes}
        renderer = TextRenderer(options.wrap, notes)
        parts: list[str] = []
        head = []
        if doc.meta.title:
            head.append(renderer.paragraph_text(doc.meta.title))
        details = [format_date(doc.meta.date)] if doc.meta.date else []
        if doc.meta.feed:
            details.append(doc.meta.feed)
        if details:
            head.append(" · ".join(details))
        if _address(doc.meta.url):
            head.append(doc.meta.url)
        if head:
            parts.append("\n".join(head))
        body = renderer.blocks(doc.blocks)
        if body:
            parts.append(body)
        for note in doc.footnotes:  # footnotes never referenced in the text still count
            key = f"note:{note.number}"
            if key not in renderer.reference_numbers:
                renderer.inline_FootnoteRef(FootnoteRef(note.number))
        if renderer.references:
            parts.append(
                "\n".join(f"[{i}] {line}" for i, line in enumerate(renderer.references, 1))
            )
        return without_controls("\n\n".join(parts) + "\n")
