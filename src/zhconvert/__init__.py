"""zhconvert: archived Chinese web posts (Hexo/Jekyll Markdown with HTML bodies) to clean formats.

The public API mirrors python-frontmatter's verbs::

    doc = zhconvert.load("post.md")          # or loads(text_or_bytes)
    md = zhconvert.dumps(doc, "markdown")    # "md", "text"/"txt"/"plain", "json", "epub"
    zhconvert.dump(doc, "post.txt", "text")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._api import dump, dumps, load, loads
from .errors import (
    DecodeError,
    FrontMatterError,
    NotTextError,
    OptionError,
    UnknownFormatError,
    ZhconvertError,
)
from .model import (
    Block,
    BlockQuote,
    Byline,
    CodeBlock,
    Document,
    Emphasis,
    Figure,
    Footnote,
    FootnoteRef,
    FrontMatter,
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
    Metadata,
    Paragraph,
    SourceInfo,
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

if TYPE_CHECKING:
    from .epub.book import build_book
    from .normalize import normalize_file

__version__ = "0.1.0"

__all__ = [
    "Block",
    "BlockQuote",
    "Byline",
    "CodeBlock",
    "DecodeError",
    "Document",
    "Emphasis",
    "Figure",
    "Footnote",
    "FootnoteRef",
    "FrontMatter",
    "FrontMatterError",
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
    "NotTextError",
    "OptionError",
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
    "UnknownFormatError",
    "VideoCard",
    "ZhconvertError",
    "__version__",
    "build_book",
    "dump",
    "dumps",
    "load",
    "loads",
    "normalize_file",
]

# Heavy parts (the EPUB stack, image fetching) load only when first used.
_LAZY = {
    "build_book": "zhconvert.epub.book",
    "normalize_file": "zhconvert.normalize",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'zhconvert' has no attribute {name!r}")
