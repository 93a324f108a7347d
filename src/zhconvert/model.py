"""The document model: what every reader produces and every writer consumes.

Plain, immutable dataclasses with a closed set of block and inline kinds. Nothing from a parser
(no lxml element, no bs4 tag) is ever stored here, so a document can be pickled, compared, hashed
and sent to another process.
"""

from __future__ import annotations

import datetime as _dt
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar, cast, get_args

__all__ = [
    "Block",
    "BlockQuote",
    "Byline",
    "CodeBlock",
    "Document",
    "Emphasis",
    "Figure",
    "Footnote",
    "FootnoteRef",
    "FrontMatter",
    "Heading",
    "Inline",
    "InlineCode",
    "InlineImage",
    "InlineMath",
    "LineBreak",
    "Link",
    "LinkCard",
    "ListBlock",
    "ListItem",
    "MathBlock",
    "Mention",
    "Metadata",
    "Node",
    "Paragraph",
    "SourceInfo",
    "Strikethrough",
    "Strong",
    "Subscript",
    "Superscript",
    "Table",
    "TableCell",
    "Text",
    "ThematicBreak",
    "Underline",
    "VideoCard",
    "walk",
]

# ---------------------------------------------------------------------------------------------
# Inline kinds


@dataclass(frozen=True, slots=True)
class Text:
    """A run of plain text, exactly as the reader saw it (whitespace already collapsed)."""

    text: str


@dataclass(frozen=True, slots=True)
class Strong:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Emphasis:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Underline:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strikethrough:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Superscript:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Subscript:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class InlineCode:
    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink; ``url`` is already unwrapped from Zhihu's redirector."""

    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a paragraph (``<br>``)."""


@dataclass(frozen=True, slots=True)
class InlineMath:
    tex: str


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A reference to ``Document.footnotes`` entry with the same ``number``."""

    number: int


@dataclass(frozen=True, slots=True)
class Mention:
    """An ``@name`` mention of a user; ``name`` has no leading ``@``."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class InlineImage:
    """A small image inside running text."""

    url: str
    alt: str = ""


Inline = (
    Text
    | Strong
    | Emphasis
    | Underline
    | Strikethrough
    | Superscript
    | Subscript
    | InlineCode
    | Link
    | LineBreak
    | InlineMath
    | FootnoteRef
    | Mention
    | InlineImage
)

# ---------------------------------------------------------------------------------------------
# Block kinds


@dataclass(frozen=True, slots=True)
class Paragraph:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """An image block.

    ``url`` is the best-quality address; ``fallbacks`` are other addresses of the same image,
    best first, for a consumer that cannot fetch ``url``.
    """

    url: str
    caption: tuple[Inline, ...] = ()
    fallbacks: tuple[str, ...] = ()
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class MathBlock:
    tex: str


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted code; ``text`` is exact (whitespace kept) and has no trailing newline."""

    text: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class BlockQuote:
    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ListItem:
    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    items: tuple[ListItem, ...]
    ordered: bool = False
    start: int = 1


@dataclass(frozen=True, slots=True)
class TableCell:
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table; ``header`` is empty when the source had no header row."""

    header: tuple[TableCell, ...]
    rows: tuple[tuple[TableCell, ...], ...]


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    pass


@dataclass(frozen=True, slots=True)
class LinkCard:
    """A block-level link preview (Zhihu's link card)."""

    url: str
    title: str = ""
    image: str = ""


@dataclass(frozen=True, slots=True)
class VideoCard:
    url: str
    title: str = ""
    poster: str = ""


@dataclass(frozen=True, slots=True)
class Byline:
    """Who wrote what follows: one per answer (a 知乎日报 page may hold several)."""

    author: str
    bio: str = ""
    url: str = ""


Block = (
    Paragraph
    | Heading
    | Figure
    | MathBlock
    | CodeBlock
    | BlockQuote
    | ListBlock
    | Table
    | ThematicBreak
    | LinkCard
    | VideoCard
    | Byline
)

# ---------------------------------------------------------------------------------------------
# The document


@dataclass(frozen=True, slots=True)
class Footnote:
    number: int
    text: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The front matter as it was in the file.

    ``text`` is everything from the start of the file through the closing ``---`` line, with its
    line ending, newlines normalized to ``\\n`` (leading blank lines included); ``mapping`` is what
    YAML made of it, keys in file order (empty when it did not parse).
    """

    text: str
    mapping: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Metadata:
    """Typed metadata, derived from the front matter and the body."""

    title: str = ""
    author: str = ""
    site: str = ""
    date: _dt.datetime | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cover: str = ""
    source: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """How the post was stored, so that it can be written back the same way."""

    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    final_newline: bool = True
    body_format: str = "html"  # "html", "markdown" or "empty"
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    meta: Metadata
    blocks: tuple[Block, ...]
    footnotes: tuple[Footnote, ...] = ()
    front_matter: FrontMatter | None = None
    source: SourceInfo = field(default_factory=SourceInfo)
    warnings: tuple[str, ...] = ()


_Node = TypeVar("_Node")


def merge_texts(nodes: Iterable[_Node]) -> list[_Node]:
    """Return ``nodes`` with each run of adjacent ``Text`` joined into one and empty texts dropped.

    Each run is joined once, in linear time: joining two at a time copies the run again at
    every step. For the readers and writers (not part of the public API).
    """
    merged: list[_Node] = []
    run: list[str] = []
    for node in nodes:
        if isinstance(node, Text):
            if node.text:
                run.append(node.text)
            continue
        if run:
            merged.append(cast("_Node", Text("".join(run))))
            run = []
        merged.append(node)
    if run:
        merged.append(cast("_Node", Text("".join(run))))
    return merged


# ---------------------------------------------------------------------------------------------
# Walking a document

Node = Block | Inline | ListItem | TableCell | Footnote
"""Anything ``walk`` yields: a block, an inline, a list item, a table cell or a footnote."""

_NODE_TYPES: tuple[type, ...] = (
    *get_args(Block),
    *get_args(Inline),
    ListItem,
    TableCell,
    Footnote,
)


def walk(node: Document | Node) -> Iterator[Document | Node]:
    """Yield ``node`` and every block, inline, list item, cell and footnote below it.

    Breadth first, each node before its children, like ``ast.walk``; the order of siblings is
    the document's. A ``Document`` yields its blocks, then its footnotes.
    """
    if not isinstance(node, (Document, *_NODE_TYPES)):
        raise TypeError(f"walk takes a Document or a node of one, not {type(node).__name__}")
    queue: deque[Document | Node] = deque([node])
    while queue:
        current = queue.popleft()
        yield current
        if isinstance(current, Document):
            queue.extend(current.blocks)
            queue.extend(current.footnotes)
            continue
        for spec in fields(current):
            queue.extend(_children(getattr(current, spec.name)))


def _children(value: object) -> Iterator[Node]:
    """Yield the nodes a field holds: itself, or the nodes of a (nested) tuple."""
    if isinstance(value, _NODE_TYPES):
        yield cast("Node", value)
    elif isinstance(value, tuple):
        for item in value:
            yield from _children(item)
