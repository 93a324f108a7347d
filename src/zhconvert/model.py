"""The document model: what every reader produces and every writer consumes.

Plain, immutable dataclasses with a closed set of block and inline kinds. Nothing from a parser
(no lxml element, no bs4 tag) is ever stored here, so a document can be pickled, compared, hashed
and sent to another process.
"""

from __future__ import annotations

import datetime as _dt
import warnings
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
    """A run of plain text, exactly as the reader saw it.

    ``text`` is the text itself, whitespace already collapsed, entities already decoded.
    """

    text: str


@dataclass(frozen=True, slots=True)
class Strong:
    """Strong importance, usually bold (``<strong>``, ``<b>``, ``**…**``).

    ``children`` are the inlines it covers.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Emphasis:
    """Stress emphasis, usually italic (``<em>``, ``<i>``, ``*…*``).

    ``children`` are the inlines it covers.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Underline:
    """Underlined text (``<u>``, ``<ins>``); Markdown has no underline and writes it plain.

    ``children`` are the inlines it covers.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Strikethrough:
    """Struck-out text (``<s>``, ``<del>``, ``~~…~~``).

    ``children`` are the inlines it covers.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Superscript:
    """Raised text (``<sup>`` that is not a footnote reference).

    ``children`` are the inlines it covers.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Subscript:
    """Lowered text (``<sub>``).

    ``children`` are the inlines it covers.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class InlineCode:
    """Code inside running text.

    ``text`` is the code, exactly (no markup, entities decoded).
    """

    text: str


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink.

    ``url`` is the target, already unwrapped from redirectors and checked to be safe (http,
    https, mailto, ftp or relative); ``children`` are the inlines of its visible text; ``title``
    is its advisory title (HTML ``title``, Markdown ``"title"``), or empty.
    """

    url: str
    children: tuple[Inline, ...]
    title: str = ""


@dataclass(frozen=True, slots=True)
class LineBreak:
    """A hard line break inside a paragraph (``<br>``); it has no fields."""


@dataclass(frozen=True, slots=True)
class InlineMath:
    """A formula inside running text.

    ``tex`` is its TeX source, without the ``$`` delimiters.
    """

    tex: str


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A reference to a footnote.

    ``number`` is the ``number`` of its entry in ``Document.footnotes``.
    """

    number: int


@dataclass(frozen=True, slots=True)
class Mention:
    """An ``@name`` mention of a user.

    ``name`` is the user's name without the leading ``@``; ``url`` is their page (may be empty).
    """

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class InlineImage:
    """A small image inside running text (an emoji, an icon, a formula image without TeX).

    ``url`` is its address; ``alt`` its text alternative; ``title`` its advisory title, or empty.
    """

    url: str
    alt: str = ""
    title: str = ""


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
    """A paragraph.

    ``children`` are its inlines.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A section heading.

    ``level`` is 1 to 6 (as ``<h1>``…``<h6>``); ``children`` are its inlines.
    """

    level: int
    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """An image block.

    ``url`` is the best-quality address; ``caption`` the inlines of its caption, shown with the
    image (HTML ``figcaption``; may be empty); ``fallbacks`` are other addresses of the same
    image, best first, for a consumer that cannot fetch ``url``; ``width`` and ``height`` are its
    size in pixels when the source said (else None); ``alt`` stands in for the image where it
    cannot be seen (HTML ``alt``) and is never shown beside it; ``title`` is its advisory title
    (HTML ``title``), or empty.
    """

    url: str
    caption: tuple[Inline, ...] = ()
    fallbacks: tuple[str, ...] = ()
    width: int | None = None
    height: int | None = None
    title: str = ""
    alt: str = ""


@dataclass(frozen=True, slots=True)
class MathBlock:
    """A display formula, on its own line.

    ``tex`` is its TeX source, without the ``$$`` delimiters.
    """

    tex: str


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """Preformatted code.

    ``text`` is exact (whitespace kept) and has no trailing newline; ``language`` is the
    language the source named (``"python"``), or empty.
    """

    text: str
    language: str = ""


@dataclass(frozen=True, slots=True)
class BlockQuote:
    """A quotation.

    ``children`` are the blocks it holds.
    """

    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a ``ListBlock``.

    ``children`` are the blocks it holds (a paragraph, a nested list...).
    """

    children: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bulleted or numbered list.

    ``items`` are its ``ListItem``s; ``ordered`` is True for a numbered list, whose first
    number is ``start``; ``loose`` is True when its items are paragraphs apart (HTML
    ``<li><p>``), not tight.
    """

    items: tuple[ListItem, ...]
    ordered: bool = False
    start: int = 1
    loose: bool = False


@dataclass(frozen=True, slots=True)
class TableCell:
    """One cell of a ``Table``.

    ``children`` are its inlines.
    """

    children: tuple[Inline, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table.

    ``header`` is the header row's cells (empty when the source had no header row); ``rows``
    are the body rows, each a tuple of cells.
    """

    header: tuple[TableCell, ...]
    rows: tuple[tuple[TableCell, ...], ...]


@dataclass(frozen=True, slots=True)
class ThematicBreak:
    """A thematic break between sections (``<hr>``, ``***``); it has no fields."""


@dataclass(frozen=True, slots=True)
class LinkCard:
    """A block-level link preview (Zhihu's link card, a 少数派 product card...).

    ``url`` is the target; ``title`` the card's title; ``image`` its picture's address (may be
    empty).
    """

    url: str
    title: str = ""
    image: str = ""


@dataclass(frozen=True, slots=True)
class VideoCard:
    """A video or audio that was embedded in the page (a player, an ``<iframe>``, ``<video>``).

    ``url`` is where to watch it (never the player's script); ``title`` its title; ``poster``
    the address of its cover image (may be empty).
    """

    url: str
    title: str = ""
    poster: str = ""


@dataclass(frozen=True, slots=True)
class Byline:
    """Who wrote what follows: one per answer (a 知乎日报 page may hold several).

    ``author`` is the writer's name; ``bio`` their one-line introduction; ``url`` the link to
    the answer itself (may be empty).
    """

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
    """One entry of ``Document.footnotes``.

    ``number`` is what ``FootnoteRef.number`` refers to; ``text`` is the note's text; ``url``
    the address it cites (may be empty).
    """

    number: int
    text: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """The front matter as it was in the file.

    ``text`` is everything from the start of the file through the closing ``---`` line, with its
    line ending, newlines normalized to ``\\n`` (leading blank lines included); ``mapping`` is what
    YAML made of it, keys in file order (empty when it did not parse); ``format`` is its language:
    ``"yaml"`` (``---``), ``"toml"`` (Hugo's ``+++``) or ``"json"`` (an object opening the file).
    """

    text: str
    mapping: Mapping[str, Any] = field(default_factory=dict)
    format: str = "yaml"


@dataclass(frozen=True, slots=True, init=False)
class Metadata:
    """Typed metadata, derived from the front matter and the body.

    ``title`` is the post's title; ``author`` the person who wrote it (an answer's author;
    several joined with ``、``), ``site`` the site or feed owner that published it (``知乎``);
    ``date`` a timezone-aware datetime or None; ``categories`` and ``tags`` tuples of strings;
    ``cover`` the address of a cover image, or empty; ``feed`` the feed the post came from
    (``知乎热榜``); ``url`` the address of the original page, or empty.

    ``feed`` was called ``source`` before 0.2: ``Metadata(source=…)`` and ``meta.source`` still
    work, with a ``DeprecationWarning`` (``doc.source`` is how the file was stored).
    """

    title: str = ""
    author: str = ""
    site: str = ""
    date: _dt.datetime | None = None
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    cover: str = ""
    feed: str = ""
    url: str = ""

    def __init__(
        self,
        title: str = "",
        author: str = "",
        site: str = "",
        date: _dt.datetime | None = None,
        categories: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        cover: str = "",
        feed: str = "",
        url: str = "",
        *,
        source: str | None = None,
    ) -> None:
        if source is not None:
            _source_is_feed()
            feed = feed or source
        set_field = object.__setattr__  # frozen: as the generated __init__ does
        set_field(self, "title", title)
        set_field(self, "author", author)
        set_field(self, "site", site)
        set_field(self, "date", date)
        set_field(self, "categories", categories)
        set_field(self, "tags", tags)
        set_field(self, "cover", cover)
        set_field(self, "feed", feed)
        set_field(self, "url", url)

    @property
    def source(self) -> str:
        """The feed the post came from: a deprecated name of ``feed``."""
        _source_is_feed()
        return self.feed


def _source_is_feed() -> None:
    warnings.warn(
        "Metadata.source is now Metadata.feed (doc.source is how the file was stored)",
        DeprecationWarning,
        stacklevel=3,
    )


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """How the post was stored, so that it can be written back the same way.

    ``encoding`` is the codec it was decoded with (``"utf-8"``, ``"gb18030"``...); ``bom``
    whether it began with a byte-order mark; ``newline`` its line ending (``"\\n"`` or
    ``"\\r\\n"``); ``final_newline`` whether it ended with one; ``body_format`` how its body was
    read (``"html"``, ``"markdown"`` or ``"empty"``); ``path`` the file it was read from, or None.
    """

    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    final_newline: bool = True
    body_format: str = "html"
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A post: its metadata and its content, as every reader makes it and every writer takes it.

    ``meta`` is the typed ``Metadata``; ``blocks`` the body's blocks, in order; ``footnotes`` the
    notes that ``FootnoteRef``s point to; ``front_matter`` the front matter as it was in the file
    (None without one); ``source`` how the file was stored (``SourceInfo``); ``warnings`` what
    the reader recovered from or removed, one sentence each.
    """

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
