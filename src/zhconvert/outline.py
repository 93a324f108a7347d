"""A short human-readable summary of a Document: metadata, then one line per block."""

from __future__ import annotations

from ._terminal import printable
from .model import (
    Block,
    BlockQuote,
    Byline,
    CodeBlock,
    Document,
    Figure,
    Heading,
    Inline,
    LinkCard,
    ListBlock,
    MathBlock,
    Paragraph,
    Table,
    VideoCard,
)

__all__ = ["outline"]

_WIDTH = 60


def _text(inlines: tuple[Inline, ...]) -> str:
    from .readers.html import _plain

    return " ".join(_plain(inlines).split())


def _short(text: str) -> str:
    return text if len(text) <= _WIDTH else text[: _WIDTH - 1] + "…"


def _describe(block: Block) -> str:
    if isinstance(block, (Paragraph, Heading)):
        level = f" h{block.level}" if isinstance(block, Heading) else ""
        return f"{level.strip() or 'paragraph'}  {_short(_text(block.children))}"
    if isinstance(block, Figure):
        caption = _text(block.caption)
        return f"figure  {block.url}" + (f"  “{_short(caption)}”" if caption else "")
    if isinstance(block, CodeBlock):
        lines = block.text.count("\n") + 1
        return f"code  {block.language or '-'}, {lines} line{'s' if lines != 1 else ''}"
    if isinstance(block, MathBlock):
        return f"math  {_short(block.tex)}"
    if isinstance(block, BlockQuote):
        return f"quote  {len(block.children)} block(s)"
    if isinstance(block, ListBlock):
        kind = "ordered list" if block.ordered else "list"
        return f"{kind}  {len(block.items)} item(s)"
    if isinstance(block, Table):
        columns = max([len(block.header), *(len(r) for r in block.rows)])
        rows = len(block.rows) + (1 if block.header else 0)
        return f"table  {rows} row(s) × {columns} column(s)"
    if isinstance(block, LinkCard):
        return f"link-card  {_short(block.title)}  {block.url}"
    if isinstance(block, VideoCard):
        return f"video-card  {_short(block.title)}  {block.url}"
    if isinstance(block, Byline):
        return f"byline  {block.author}" + (f" ({_short(block.bio)})" if block.bio else "")
    return type(block).__name__.lower()


def outline(doc: Document) -> str:
    """Return the metadata and a one-line-per-block outline of ``doc``."""
    meta = doc.meta
    lines = [
        f"title:      {meta.title}",
        f"author:     {meta.author}",
        f"site:       {meta.site}",
        f"date:       {meta.date.isoformat() if meta.date else ''}",
        f"feed:       {meta.feed}",
        f"categories: {', '.join(meta.categories)}",
        f"tags:       {', '.join(meta.tags)}",
        f"cover:      {meta.cover}",
        f"url:        {meta.url}",
        f"body:       {doc.source.body_format}, {doc.source.encoding}"
        + (" with BOM" if doc.source.bom else "")
        + {"\n": "", "\r\n": ", CRLF", "\r": ", CR"}[doc.source.newline],
        f"blocks:     {len(doc.blocks)}, footnotes: {len(doc.footnotes)}",
        "",
    ]
    for index, block in enumerate(doc.blocks, 1):
        lines.append(f"{index:4}  {_describe(block)}")
    # Titles, captions and addresses are the post's: a newline or an ESC in one must not reach
    # the terminal as a new line or a command.
    return "\n".join(printable(line) for line in lines) + "\n"
