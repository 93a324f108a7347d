"""A bound on how deeply a document nests, for writers that walk it recursively.

The readers never build a tree deeper than about a hundred containers (the HTML reader flattens
deeper markup, markdown-it stops at ``MAX_NESTING``), but a Document built through the API can
nest as deeply as its author likes, and a recursive writer would then fail with RecursionError.
``limit_depth`` flattens what lies deeper than ``MAX_DEPTH`` containers (block quotes, lists,
and inline spans and links, counted together) into its contents, keeping every character of text:
the same rule the HTML reader applies to deep markup. A document within the bound (every document
a reader makes) is returned as it is, after one iterative scan.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Final

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
    merge_texts,
)

__all__ = ["MAX_DEPTH", "document_depth", "limit_depth"]

#: Containers (blocks and inlines together) a writer is given at most, one inside the other.
#: Above the readers' own bounds (100 levels of HTML; 100 of Markdown blocks plus 20 of inlines),
#: so that no document a reader makes is ever changed; far below what Python's stack allows.
MAX_DEPTH: Final = 128

_INLINE_CONTAINERS = (Strong, Emphasis, Underline, Strikethrough, Superscript, Subscript, Link)

#: Nodes that hold nothing a writer recurses into (checked by exact type, the fast path).
_LEAVES = frozenset(
    [
        Text, InlineCode, InlineMath, LineBreak, FootnoteRef, Mention, InlineImage,
        CodeBlock, MathBlock, ThematicBreak, Byline, LinkCard, VideoCard,
    ]
)  # fmt: skip

InlineContainer = Strong | Emphasis | Underline | Strikethrough | Superscript | Subscript | Link


def _inline_lists(block: object) -> Iterable[Sequence[Inline]]:
    if isinstance(block, (Paragraph, Heading)):
        yield block.children
    elif isinstance(block, Figure):
        yield block.caption
    elif isinstance(block, Table):
        for cell in block.header:
            yield cell.children
        for row in block.rows:
            for cell in row:
                yield cell.children


def document_depth(doc: Document) -> int:
    """Return how many containers deep ``doc`` nests, without recursion."""
    deepest = 0
    # Whole child sequences go on the stack, with the depth of their parent: text, the bulk of
    # every document, is passed over without being pushed.
    stack: list[tuple[Sequence[object], int]] = [(doc.blocks, 0)]
    while stack:
        nodes, depth = stack.pop()
        for node in nodes:
            if type(node) in _LEAVES:
                continue
            # By exact type before any isinstance (one that fails costs Python a lookup of the
            # node's __class__): most nodes are paragraphs.
            if type(node) is Paragraph or type(node) is Heading:
                stack.append((node.children, depth))
                continue
            if isinstance(node, BlockQuote):
                stack.append((node.children, depth + 1))
            elif isinstance(node, ListBlock):
                stack.extend((item.children, depth + 1) for item in node.items)
            elif isinstance(node, _INLINE_CONTAINERS):
                stack.append((node.children, depth + 1))
            else:
                stack.extend((inlines, depth) for inlines in _inline_lists(node))
                continue
            if depth + 1 > deepest:
                deepest = depth + 1
    return deepest


def limit_depth(doc: Document, max_depth: int = MAX_DEPTH) -> Document:
    """Return ``doc`` with everything nested deeper than ``max_depth`` flattened, text kept."""
    if document_depth(doc) <= max_depth:
        return doc
    return dataclasses.replace(doc, blocks=_Flattener(max_depth).blocks(doc.blocks, 0))


class _Flattener:
    """Rebuilds a document; recursion stops at ``limit``, below it the walks are iterative."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def blocks(self, blocks: Sequence[Block], depth: int) -> tuple[Block, ...]:
        out: list[Block] = []
        for block in blocks:
            if isinstance(block, BlockQuote):
                if depth >= self.limit:
                    out.extend(self.flat_blocks(block.children, depth))
                else:
                    out.append(BlockQuote(self.blocks(block.children, depth + 1)))
            elif isinstance(block, ListBlock):
                if depth >= self.limit:
                    out.extend(
                        self.flat_blocks([c for item in block.items for c in item.children], depth)
                    )
                else:
                    items = tuple(ListItem(self.blocks(i.children, depth + 1)) for i in block.items)
                    out.append(dataclasses.replace(block, items=items))
            else:
                out.append(self.leaf(block, depth))
        return tuple(out)

    def flat_blocks(self, blocks: Sequence[Block], depth: int) -> list[Block]:
        """Return the leaf blocks inside ``blocks``, in order, without their containers."""
        out: list[Block] = []
        stack: list[Block] = list(reversed(blocks))
        while stack:
            block = stack.pop()
            if isinstance(block, BlockQuote):
                stack.extend(reversed(block.children))
            elif isinstance(block, ListBlock):
                stack.extend(reversed([c for item in block.items for c in item.children]))
            else:
                out.append(self.leaf(block, depth))
        return out

    def leaf(self, block: Block, depth: int) -> Block:
        if isinstance(block, (Paragraph, Heading)):
            return dataclasses.replace(block, children=self.inlines(block.children, depth))
        if isinstance(block, Figure):
            return dataclasses.replace(block, caption=self.inlines(block.caption, depth))
        if isinstance(block, Table):
            return Table(
                tuple(self.cell(c, depth) for c in block.header),
                tuple(tuple(self.cell(c, depth) for c in row) for row in block.rows),
            )
        return block

    def cell(self, cell: TableCell, depth: int) -> TableCell:
        return TableCell(self.inlines(cell.children, depth))

    def inlines(self, nodes: Sequence[Inline], depth: int) -> tuple[Inline, ...]:
        out: list[Inline] = []
        for node in nodes:
            if isinstance(node, _INLINE_CONTAINERS):
                if depth >= self.limit:
                    out.extend(_flat_inlines(node.children))
                else:
                    children = self.inlines(node.children, depth + 1)
                    out.append(_with_children(node, children))
            else:
                out.append(node)
        return tuple(merge_texts(out))


def _with_children(node: InlineContainer, children: tuple[Inline, ...]) -> Inline:
    return dataclasses.replace(node, children=children)


def _flat_inlines(nodes: Sequence[Inline]) -> list[Inline]:
    out: list[Inline] = []
    stack: list[Inline] = list(reversed(nodes))
    while stack:
        node = stack.pop()
        if isinstance(node, _INLINE_CONTAINERS):
            stack.extend(reversed(node.children))
        else:
            out.append(node)
    return out
