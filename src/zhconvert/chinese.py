"""Chinese-text transforms that every writer gets: Simplified/Traditional conversion, CJK spacing.

Both take a `Document` and return a new one, so they work the same for
every output format (the built-in writers and plugins alike); ``zhconvert.dumps`` applies them
when given ``chinese=`` or ``cjk_spacing=True``.

They rewrite *prose* only: text in paragraphs, headings, links, emphasis, tables, captions,
quotes, lists, footnotes, card titles, bylines and the typed metadata. Code (``InlineCode``,
``CodeBlock``), formulas (``InlineMath``, ``MathBlock``), every URL (link targets, image and
card addresses, and bare addresses inside text) and ``@`` mentions (user names) are never
changed. The front matter kept verbatim by the Markdown writer's ``front_matter="keep"`` is the
file's own text and stays as it was; ``front_matter="normalize"`` writes the converted metadata.

- Conversion uses OpenCC (the ``opencc`` package, in the ``chinese`` extra). The targets are
  ``s`` (Simplified, OpenCC ``t2s``), ``t`` (Traditional, ``s2t``), ``tw`` (Taiwan, with
  Taiwanese phrases: ``s2twp``) and ``hk`` (Hong Kong, ``s2hk``).
- Spacing uses pangu (the ``pangu`` package, also in the ``chinese`` extra): a space between CJK
  and Latin letters or digits, also where they meet across inline nodes (``用 `pip` 安装``). The
  space always goes into a neighbouring text node, never into code.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import cache

from .errors import OptionError
from .model import (
    Block,
    BlockQuote,
    Byline,
    Document,
    Emphasis,
    Figure,
    Footnote,
    Heading,
    Inline,
    InlineCode,
    InlineImage,
    Link,
    LinkCard,
    ListBlock,
    ListItem,
    Metadata,
    Paragraph,
    Strikethrough,
    Strong,
    Subscript,
    Superscript,
    Table,
    TableCell,
    Text,
    Underline,
    VideoCard,
)

__all__ = [
    "CHINESE_TARGETS",
    "apply_text_options",
    "check_text_options",
    "cjk_spacing",
    "convert_chinese",
]

#: ``chinese`` option value -> OpenCC configuration.
CHINESE_TARGETS: dict[str, str] = {"s": "t2s", "t": "s2t", "tw": "s2twp", "hk": "s2hk"}

#: Values of the ``chinese`` option that mean "no conversion".
NO_CONVERSION = (None, "none")


def _install_hint(package: str) -> str:
    # zhconvert is installed from a clone, so "pip install zhconvert[chinese]" would go to PyPI.
    return (
        f"pip install {package} (with pipx: pipx inject zhconvert {package}), or install "
        "zhconvert with its [chinese] extra"
    )


# A bare address inside text: scheme-anchored; CJK characters continue it (/wiki/软件), CJK and
# full-width punctuation and quotes end it. The same shape pangu uses, so both agree.
_BARE_URL = re.compile(
    r"(?<![A-Za-z0-9])(?:https?|ftp)://"
    r"[^\s<>\"'`\u3000-\u303f\uff00-\uffef\u2018\u2019\u201c\u201d\u2026]+"
)

_CONTAINERS = (Strong, Emphasis, Underline, Strikethrough, Superscript, Subscript)


def convert_chinese(doc: Document, target: str) -> Document:
    """Convert a document's prose to Simplified (``s``) or Traditional (``t``, ``tw``, ``hk``)."""
    convert = _converter(_check_target(target))
    return _ChineseConverter(convert).document(doc)


def cjk_spacing(doc: Document) -> Document:
    """Insert spaces between CJK and Latin text in a document's prose (pangu style)."""
    return _Spacer(_space_text()).document(doc)


def apply_text_options(
    doc: Document, *, chinese: str | None = None, cjk_spacing: bool = False
) -> Document:
    """Apply the generic Chinese-text options: conversion first, then spacing.

    ``chinese`` is ``None`` or ``"none"`` (no conversion), ``"s"``, ``"t"``, ``"tw"`` or
    ``"hk"``; ``cjk_spacing`` is a bool. A bad value raises `zhconvert.OptionError`.
    """
    if chinese not in NO_CONVERSION:
        if not isinstance(chinese, str):
            raise OptionError(f"chinese must be a string, not {chinese!r}")
        doc = convert_chinese(doc, chinese)
    if not isinstance(cjk_spacing, bool):
        raise OptionError(f"cjk_spacing must be True or False, not {cjk_spacing!r}")
    if cjk_spacing:
        doc = _Spacer(_space_text()).document(doc)
    return doc


def check_text_options(*, chinese: str | None = None, cjk_spacing: bool = False) -> None:
    """Raise `OptionError` now if the options are bad or their library is not installed.

    For a caller about to convert many documents, so that it fails once, before any work.
    """
    if chinese is not None and chinese != "none":
        _converter(_check_target(chinese))
    if cjk_spacing:
        _space_text()


def _check_target(target: str) -> str:
    config = CHINESE_TARGETS.get(target) if isinstance(target, str) else None
    if config is None:
        raise OptionError(
            f"chinese must be one of s, t, tw, hk (or none), not {target!r}: s Simplified, "
            "t Traditional, tw Taiwan, hk Hong Kong"
        )
    return config


@cache
def _converter(config: str) -> Callable[[str], str]:
    try:
        import opencc
    except ImportError:
        raise OptionError(
            "converting between Simplified and Traditional Chinese needs OpenCC: "
            + _install_hint("opencc")
        ) from None
    # The bare name ("s2t") is understood by the official bindings and by the pure-Python
    # reimplementations that provide the same ``opencc`` module.
    convert: Callable[[str], str] = opencc.OpenCC(config).convert
    return convert


def _space_text() -> Callable[[str], str]:
    try:
        import pangu
    except ImportError:
        raise OptionError(f"CJK spacing needs pangu: {_install_hint('pangu')}") from None
    space: Callable[[str], str] = pangu.space_text

    def consistent(text: str) -> str:
        # pangu spaces a literal "*" as an operator ("中文 * 星號 * 中文") but leaves "_" alone,
        # and reads "<" and ">" as brackets, moving spaces around "<<" and ">>" by context.
        # Private-use stand-ins, which pangu sees as neither CJK nor Latin, keep all of them
        # as they are.
        if not _PANGU_SHIELDED.search(text) or _STAND_INS.search(text):
            return space(text)
        return space(text.translate(_SHIELD)).translate(_UNSHIELD)

    def settled(text: str) -> str:
        # pangu is not always idempotent ("(中文# )" gives "(中文#)", then "(中文 #)"): spacing
        # is applied until it changes nothing, so that a second run of zhconvert changes nothing.
        for _ in range(3):
            again = consistent(text)
            if again == text:
                break
            text = again
        return text

    return settled


_SHIELD = str.maketrans({"*": "\ue000", "<": "\ue001", ">": "\ue002"})
_UNSHIELD = str.maketrans({"\ue000": "*", "\ue001": "<", "\ue002": ">"})
_PANGU_SHIELDED = re.compile(r"[*<>]")
_STAND_INS = re.compile("[\ue000-\ue002]")


# ---------------------------------------------------------------------------------------------
# The walk


class _Rewriter:
    """Rewrite a document's prose; code, math, URLs and mentions are passed through as they are.

    ``prose`` rewrites running text; ``label`` rewrites names and labels (authors, categories),
    which only some rewrites touch.
    """

    def prose(self, text: str) -> str:
        raise NotImplementedError

    def label(self, text: str) -> str:
        return text

    def document(self, doc: Document) -> Document:
        meta = doc.meta
        return dataclasses.replace(
            doc,
            meta=Metadata(
                title=self.prose(meta.title),
                author=self.label(meta.author),
                site=self.label(meta.site),
                date=meta.date,
                categories=tuple(self.label(c) for c in meta.categories),
                tags=tuple(self.label(t) for t in meta.tags),
                cover=meta.cover,
                feed=self.label(meta.feed),
                url=meta.url,
            ),
            blocks=self.blocks(doc.blocks),
            footnotes=tuple(Footnote(f.number, self.prose(f.text), f.url) for f in doc.footnotes),
        )

    def blocks(self, blocks: tuple[Block, ...]) -> tuple[Block, ...]:
        return tuple(self.block(block) for block in blocks)

    def block(self, block: Block) -> Block:
        # One method per block kind that holds prose; code, math and breaks have none.
        rewrite = getattr(self, f"block_{type(block).__name__}", None)
        if rewrite is None:
            return block
        rewritten: Block = rewrite(block)
        return rewritten

    def block_Paragraph(self, block: Paragraph) -> Block:
        return Paragraph(self.inlines(block.children))

    def block_Heading(self, block: Heading) -> Block:
        return Heading(block.level, self.inlines(block.children))

    def block_Figure(self, block: Figure) -> Block:
        return dataclasses.replace(
            block, caption=self.inlines(block.caption), alt=self.prose(block.alt)
        )

    def block_BlockQuote(self, block: BlockQuote) -> Block:
        return BlockQuote(self.blocks(block.children))

    def block_ListBlock(self, block: ListBlock) -> Block:
        items = tuple(ListItem(self.blocks(item.children)) for item in block.items)
        return dataclasses.replace(block, items=items)

    def block_Table(self, block: Table) -> Block:
        header = tuple(TableCell(self.inlines(cell.children)) for cell in block.header)
        rows = tuple(
            tuple(TableCell(self.inlines(cell.children)) for cell in row) for row in block.rows
        )
        return Table(header, rows)

    def block_LinkCard(self, block: LinkCard) -> Block:
        return dataclasses.replace(block, title=self.prose(block.title))

    def block_VideoCard(self, block: VideoCard) -> Block:
        return dataclasses.replace(block, title=self.prose(block.title))

    def block_Byline(self, block: Byline) -> Block:
        return Byline(self.label(block.author), self.prose(block.bio), block.url)

    def inlines(self, nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        return tuple(self.inline(node) for node in nodes)

    def inline(self, node: Inline) -> Inline:
        if isinstance(node, Text):
            return Text(self.prose(node.text))
        if isinstance(node, _CONTAINERS):
            return type(node)(self.inlines(node.children))
        if isinstance(node, Link):
            return Link(node.url, self.inlines(node.children))
        if isinstance(node, InlineImage):
            return dataclasses.replace(node, alt=self.prose(node.alt))
        # InlineCode, InlineMath, LineBreak, FootnoteRef, Mention: nothing to rewrite.
        return node


class _ChineseConverter(_Rewriter):
    def __init__(self, convert: Callable[[str], str]) -> None:
        self._convert = convert

    def prose(self, text: str) -> str:
        if not text:
            return text
        if "://" not in text:
            return self._convert(text)
        pieces: list[str] = []
        last = 0
        for match in _BARE_URL.finditer(text):
            pieces.append(self._convert(text[last : match.start()]) if match.start() > last else "")
            pieces.append(match.group())
            last = match.end()
        pieces.append(self._convert(text[last:]) if last < len(text) else "")
        return "".join(pieces)

    def label(self, text: str) -> str:
        # A Taiwanese reader wants the author's name and the categories in Traditional too.
        return self._convert(text) if text else text


class _Spacer(_Rewriter):
    def __init__(self, space: Callable[[str], str]) -> None:
        self._space = space

    def prose(self, text: str) -> str:
        return self._space(text) if text else text

    def inlines(self, nodes: tuple[Inline, ...]) -> tuple[Inline, ...]:
        out = [self.inline(node) for node in nodes]
        for i in range(len(out) - 1):
            left, right = _last_char(out[i]), _first_char(out[i + 1])
            if not left or not right or left.isspace() or right.isspace():
                continue
            if self._space(left + right) == left + right:
                continue
            # The space goes into a text node beside the boundary, never into code, and never
            # just inside emphasis (``**粗体 **`` would no longer be bold in CommonMark).
            before, after = out[i], out[i + 1]
            # pangu looks at context: respace the text with its new space, or a second run
            # would change it again ("中文' " becomes "中文 ' ").
            if isinstance(before, Text):
                out[i] = Text(self._space(before.text + " "))
            elif isinstance(after, Text):
                out[i + 1] = Text(self._space(" " + after.text))
        return tuple(out)


def _first_char(node: Inline) -> str:
    if isinstance(node, (Text, InlineCode)):
        return node.text[:1]
    if isinstance(node, (*_CONTAINERS, Link)) and node.children:
        return _first_char(node.children[0])
    return ""  # math, images, references, mentions, breaks: no spacing decision across them


def _last_char(node: Inline) -> str:
    if isinstance(node, (Text, InlineCode)):
        return node.text[-1:]
    if isinstance(node, (*_CONTAINERS, Link)) and node.children:
        return _last_char(node.children[-1])
    return ""
