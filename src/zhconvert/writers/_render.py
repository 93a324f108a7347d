"""The tree walk shared by the Markdown and plain-text writers.

``BlockRenderer`` lays blocks out as lines: blank lines between blocks, list markers and
indentation, quote prefixes. What each leaf looks like is left to subclasses, which define
``block_<Kind>`` and ``inline_<Kind>`` methods (dispatch by class name, like markdown-it-py's
renderer); the plain-text writer is a variant of the Markdown one, not a second walker.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from ..model import Block, BlockQuote, Inline, ListBlock, ListItem, Paragraph
from ..readers._safety import lacks_controls

__all__ = ["BlockRenderer", "display_width", "is_punctuation", "without_controls"]

# C0 controls but tab and line feed, DEL, C1 controls. The readers remove them from the file, but
# a character reference (&#27;) or a document built through the API can still hold them.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def without_controls(text: str) -> str:
    """Return ``text`` without control characters; a carriage return becomes a space.

    In a terminal they are commands (``ESC [ 2 J`` clears the screen); in Markdown a carriage
    return ends a line, so text could begin a heading or a list of its own.
    """
    if "\r" in text:
        text = text.replace("\r", " ")
    return text if lacks_controls(text, _CONTROL_BYTES) else _CONTROLS.sub("", text)


def display_width(text: str) -> int:
    """Return the width of ``text`` in terminal columns (CJK counts 2)."""
    from wcwidth import wcswidth

    width = wcswidth(text)
    if width >= 0:
        return int(width)
    return sum(max(0, _char_width(ch)) for ch in text)


def _char_width(ch: str) -> int:
    from wcwidth import wcwidth

    return int(wcwidth(ch))


def is_punctuation(ch: str) -> bool:
    """Return True for Unicode punctuation and symbols (CommonMark's broad sense)."""
    return unicodedata.category(ch)[0] in "PS"


class BlockRenderer:
    """Render blocks to lines; subclasses supply the leaves."""

    #: prefix of each line inside a block quote (first line, other lines).
    quote_prefix = "> "
    quote_blank = ">"

    def __init__(self) -> None:
        self.indent = 0  # columns of prefix added by enclosing lists and quotes
        self.previous: Block | None = None  # the block rendered just before, at this level

    # -- dispatch -------------------------------------------------------------------------

    def block(self, block: Block) -> str:
        method = getattr(self, "block_" + type(block).__name__, None)
        if method is None:
            return self.block_fallback(block)
        result: str = method(block)
        return result

    def block_fallback(self, block: Any) -> str:
        """Render a block kind this writer does not know (a newer model): its text only."""
        children = getattr(block, "children", ())
        return self.inlines(children) if children else ""

    def inline(self, node: Inline) -> str:
        method = getattr(self, "inline_" + type(node).__name__, None)
        if method is None:
            return self.inlines(getattr(node, "children", ()))
        result: str = method(node)
        return result

    def inlines(self, nodes: Sequence[Inline]) -> str:
        return "".join(self.inline(node) for node in nodes)

    # -- layout ---------------------------------------------------------------------------

    def blocks(self, blocks: Sequence[Block], separator: str = "\n\n") -> str:
        """Render blocks separated by one blank line (or ``separator``)."""
        out: list[str] = []
        previous: Block | None = None
        for block in blocks:
            self.previous = previous
            text = self.block(block)
            if text.strip():
                out.append(text)
                previous = block
        return separator.join(out)

    def block_BlockQuote(self, block: BlockQuote) -> str:
        self.indent += len(self.quote_prefix)
        try:
            inner = self.blocks(block.children)
        finally:
            self.indent -= len(self.quote_prefix)
        return "\n".join(
            self.quote_prefix + line if line.strip() else self.quote_blank
            for line in inner.split("\n")
        )

    def list_marker(self, block: ListBlock, index: int, previous: Block | None) -> str:
        if block.ordered:
            # Two lists in a row would merge; a different delimiter starts a new one.
            delimiter = ")" if isinstance(previous, ListBlock) and previous.ordered else "."
            return f"{block.start + index}{delimiter} "
        alternate = isinstance(previous, ListBlock) and not previous.ordered
        return "* " if alternate else "- "

    def is_loose(self, block: ListBlock) -> bool:
        """Whether to write ``block`` with blank lines between its items."""
        return not all(_tight(item.children) for item in block.items)

    def list_items(self, block: ListBlock) -> Sequence[ListItem]:
        """Return the items of ``block`` as they are to be written."""
        return block.items

    def starts_apart(self, item: ListItem) -> bool:
        """Whether the item's content starts on the line after its marker."""
        return False

    def block_ListBlock(self, block: ListBlock) -> str:
        previous = self.previous
        items: list[str] = []
        loose = self.is_loose(block)
        for index, item in enumerate(self.list_items(block)):
            marker = self.list_marker(block, index, previous)
            pad = " " * len(marker)
            self.indent += len(marker)
            try:
                inner = self.blocks(item.children, separator="\n\n" if loose else "\n")
            finally:
                self.indent -= len(marker)
            lines = inner.split("\n") if inner else [""]
            if self.starts_apart(item):
                lines = ["", *lines]
            rendered = [marker.rstrip() if not lines[0] else marker + lines[0]]
            rendered.extend(pad + line if line.strip() else "" for line in lines[1:])
            items.append("\n".join(rendered))
        return ("\n\n" if loose else "\n").join(items)


def _tight(children: Sequence[Block]) -> bool:
    """Whether a list item can be written without blank lines: a paragraph, then sub-lists."""
    rest = children[1:] if children and isinstance(children[0], Paragraph) else children
    return all(isinstance(child, ListBlock) for child in rest)
