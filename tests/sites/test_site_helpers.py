"""A site rule in another package reads elements with ``zhconvert.readers.sites.helpers``.

The rule below is written as a plugin author would write one, importing only public names; it
is put among the installed rules for each test, as the entry-point group would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

import pytest
from lxml import etree

import zhconvert
from zhconvert import InlineMath, Link, Paragraph, Strong, Text
from zhconvert.model import Block
from zhconvert.readers import sites
from zhconvert.readers.sites import SiteRule, all_rules
from zhconvert.readers.sites.helpers import (
    Piece,
    WebReader,
    class_names,
    clean_url,
    collapse,
    math,
    plain_text,
    text_of,
    to_int,
)


class QuoteCards(SiteRule):
    """An imaginary site whose quotes are cards: ``<div class="qcard" data-href data-n>``."""

    name = "quote-cards"
    markers = ("qcard",)
    block_classes: ClassVar[dict[str, str]] = {"qcard": "card"}
    inline_tags: ClassVar[dict[str, str]] = {"var": "formula"}

    def card(self, reader: WebReader, el: etree._Element) -> list[Block]:
        number = to_int(el.get("data-n"))
        url = clean_url(el.get("data-href"))
        text = collapse(text_of(el)).strip()
        label = "引用" if "wide" in class_names(el) else "摘"
        title = Strong((Text(f"{label} {number}："),))
        body = Link(url, (Text(text),)) if url else Text(text)
        return [Paragraph((title, body))]

    def formula(self, reader: WebReader, el: etree._Element) -> list[Piece] | None:
        tex = plain_text(reader.inline_children(el))
        return [math(tex)] if tex else None


@pytest.fixture(autouse=True)
def quote_cards(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sites, "_rules", [*all_rules(), QuoteCards()])
    yield
    monkeypatch.setattr(sites, "_rules", None)


def test_a_plugin_rule_reads_with_the_public_helpers() -> None:
    doc = zhconvert.loads(
        "---\ntitle: 卡片\n---\n\n<div>"
        '<div class="qcard wide" data-n=" 3 " '
        'data-href="https://link.zhihu.com/?target=https%3A//example.org/a%3Fx%3D1">'
        "  第一\n行   引文 </div>"
        '<div class="qcard" data-n="x" data-href="javascript:alert(1)">无链接</div>'
        "<p>式子 <var>a^2</var> 在此</p></div>"
    )
    assert doc.blocks == (
        Paragraph(
            (Strong((Text("引用 3："),)), Link("https://example.org/a?x=1", (Text("第一行 引文"),)))
        ),
        Paragraph((Strong((Text("摘 None："),)), Text("无链接"))),
        Paragraph((Text("式子 "), InlineMath("a^2"), Text(" 在此"))),
    )
    assert doc.warnings == ()


def test_the_helpers_are_the_ones_the_built_in_rules_use() -> None:
    from zhconvert.readers.sites import zhihu

    assert zhihu.clean_url is clean_url and zhihu.collapse is collapse
    assert zhihu.class_names is class_names and zhihu.text_of is text_of
