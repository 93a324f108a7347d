"""The HTML reader's shortcuts: each one's edge, where the shortcut must not be taken.

The reader skips work the source shows it cannot need (a selector whose class name the source
never spells, a hiding style it never holds). These posts are the ones where the source spells it
only through a character reference or spaces, so the work must still be done.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import zhconvert
from zhconvert import Paragraph, Text
from zhconvert.readers import sites
from zhconvert.readers.sites import SiteRule

BLOG = "---\ntitle: 测试\ncategories:\n - Hexo\n---\n\n"
WEB = "---\ntitle: 测试\nauthor: 某博客\n---\n\n"


def texts(head: str, body: str) -> list[str]:
    doc = zhconvert.loads(head + body + "\n")
    return [
        "".join(c.text for c in block.children if isinstance(c, Text))
        for block in doc.blocks
        if isinstance(block, Paragraph)
    ]


@pytest.mark.parametrize(
    "cls",
    [
        "post-copyright",  # as the rule spells it
        "post-copyrigh&#116;",  # a numeric reference spells its last letter
        "post&#x2D;copyright",
        "x  post-copyright\ty",  # among other classes
    ],
)
def test_a_site_rules_chrome_is_dropped_however_its_class_is_spelled(cls: str) -> None:
    body = f'<p>正文</p><div class="{cls}"><p>版权声明</p></div><p>完</p>'
    assert texts(BLOG, body) == ["正文", "完"]


@pytest.mark.parametrize(
    "cls",
    [
        "post-copyrights",  # a longer class is another class
        "post copyright",
        "Post-copyright",  # class names are case-sensitive
        "post-copy&amp;right",
    ],
)
def test_a_class_that_only_looks_like_chrome_is_kept(cls: str) -> None:
    body = f'<p>正文</p><div class="{cls}"><p>版权声明</p></div>'
    assert texts(BLOG, body) == ["正文", "版权声明"]


@pytest.mark.parametrize(
    "style",
    [
        "display:none",
        "color: red; display :  none",
        "dis play :none",  # the test takes every space out of the style first
        "display&#58;none",
        "display&colon;none",
        "&#100;isplay:none",
        "visibility: hidden",
        "visibility&colon;hidden",
    ],
)
def test_a_hiding_style_hides_however_it_is_spelled(style: str) -> None:
    body = f'<p>正文</p><div style="{style}"><p>看不见</p></div><p>完</p>'
    assert texts(WEB, body) == ["正文", "完"]


@pytest.mark.parametrize(
    "style",
    [
        "display:\tnone",  # only spaces are taken out
        "display: block; border: none",
        "Display:None",
        "visibility:visible; overflow:hidden",
    ],
)
def test_a_style_that_does_not_hide_keeps_its_text(style: str) -> None:
    body = f'<p>正文</p><div style="{style}"><p>看得见</p></div>'
    assert texts(WEB, body) == ["正文", "看得见"]


class _Chrome(SiteRule):
    name = "chrome-test"
    sites = frozenset({"某站"})
    drop = (".share_box", "#fj-bar", "[data-role=ad_slot]", "aside[data-x^=pro]", "[data-gone]")


@pytest.fixture
def chrome_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sites, "_rules", [*sites.all_rules(), _Chrome()])
    yield
    monkeypatch.setattr(sites, "_rules", None)


@pytest.mark.usefixtures("chrome_rule")
@pytest.mark.parametrize(
    "chrome",
    [
        '<div class="share_box">分享</div>',
        '<div class="share&lowbar;box">分享</div>',
        '<div class="share&UnderBar;box">分享</div>',
        '<div id="fj-bar">分享</div>',
        '<div id="&fjlig;-bar">分享</div>',
        '<div data-role="ad&#95;slot">分享</div>',
        '<aside data-x="promo">分享</aside>',
        '<aside data-x="pr&#111;mo">分享</aside>',
        '<div DATA-GONE="">分享</div>',  # no word to look for: always tested
    ],
)
def test_a_plugins_chrome_is_dropped_however_it_is_spelled(chrome: str) -> None:
    head = "---\ntitle: 测试\nauthor: 某站\n---\n\n"
    assert texts(head, f"<p>正文</p>{chrome}<p>完</p>") == ["正文", "完"]


def test_selectors_name_the_words_their_elements_hold() -> None:
    paths = sites.selector_paths([".a_b.c", "#x", "[data-k=v-1]", "[t*='a b']", "div, [k]"])
    assert [words for _, words in paths] == [("a_b", "c"), ("x",), ("v-1",), (), (), ()]
