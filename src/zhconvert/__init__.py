"""zhconvert: archived Chinese web posts (Hexo/Jekyll Markdown with HTML bodies) to clean formats.

The public API mirrors python-frontmatter's verbs::

    doc = zhconvert.load("post.md")          # or loads(text_or_bytes)
    md = zhconvert.dumps(doc, "markdown")    # "md", "text"/"txt"/"plain", "json", "epub"
    zhconvert.dump(doc, "post.txt", "text")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    AccessError,
    DecodeError,
    FileError,
    FileMissingError,
    FolderGivenError,
    FrontMatterError,
    NotTextError,
    OptionError,
    UnknownFormatError,
    ZhconvertError,
)

if TYPE_CHECKING:
    from ._api import dump, dumps, from_html, load, loads
    from ._batch import ConvertReport, PostResult, convert_folder
    from .epub.book import build_book
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
        Node,
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
        walk,
    )
    from .normalize import normalize_file

__version__ = "0.1.0"

__all__ = [
    "AccessError",
    "Block",
    "BlockQuote",
    "Byline",
    "CodeBlock",
    "ConvertReport",
    "DecodeError",
    "Document",
    "Emphasis",
    "Figure",
    "FileError",
    "FileMissingError",
    "FolderGivenError",
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
    "Node",
    "NotTextError",
    "OptionError",
    "Paragraph",
    "PostResult",
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
    "convert_folder",
    "dump",
    "dumps",
    "from_html",
    "load",
    "loads",
    "normalize_file",
    "walk",
]

# Everything but the errors loads on first use, so that ``zhconvert --version`` starts fast and
# the EPUB stack (ebooklib, image fetching) loads only when an EPUB is made.
_LAZY: dict[str, str] = {
    "dump": "zhconvert._api",
    "dumps": "zhconvert._api",
    "from_html": "zhconvert._api",
    "load": "zhconvert._api",
    "loads": "zhconvert._api",
    "build_book": "zhconvert.epub.book",
    "convert_folder": "zhconvert._batch",
    "ConvertReport": "zhconvert._batch",
    "PostResult": "zhconvert._batch",
    "normalize_file": "zhconvert.normalize",
    "Block": "zhconvert.model",
    "BlockQuote": "zhconvert.model",
    "Byline": "zhconvert.model",
    "CodeBlock": "zhconvert.model",
    "Document": "zhconvert.model",
    "Emphasis": "zhconvert.model",
    "Figure": "zhconvert.model",
    "Footnote": "zhconvert.model",
    "FootnoteRef": "zhconvert.model",
    "FrontMatter": "zhconvert.model",
    "Heading": "zhconvert.model",
    "Inline": "zhconvert.model",
    "InlineCode": "zhconvert.model",
    "InlineImage": "zhconvert.model",
    "InlineMath": "zhconvert.model",
    "LineBreak": "zhconvert.model",
    "Link": "zhconvert.model",
    "LinkCard": "zhconvert.model",
    "ListBlock": "zhconvert.model",
    "ListItem": "zhconvert.model",
    "MathBlock": "zhconvert.model",
    "Mention": "zhconvert.model",
    "Metadata": "zhconvert.model",
    "Paragraph": "zhconvert.model",
    "SourceInfo": "zhconvert.model",
    "Strikethrough": "zhconvert.model",
    "Strong": "zhconvert.model",
    "Subscript": "zhconvert.model",
    "Superscript": "zhconvert.model",
    "Table": "zhconvert.model",
    "TableCell": "zhconvert.model",
    "Text": "zhconvert.model",
    "ThematicBreak": "zhconvert.model",
    "Underline": "zhconvert.model",
    "VideoCard": "zhconvert.model",
    "Node": "zhconvert.model",
    "walk": "zhconvert.model",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'zhconvert' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
