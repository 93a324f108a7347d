"""The HTML reader's shortcuts: each one's edge, where the shortcut must not be taken.

The reader skips work the source shows it cannot need (a selector whose class name the source
never spells, a hiding style it never holds, a tag name that is no element). These posts are the
ones where the source spells it only through a character reference, spaces or another case, so
the work must still be done; property tests compare a shortcut with the general path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("a <cstdio> b", "a <cstdio> b"),
        ("List<String> x", "List<String> x"),
        ("q </Cstdio> r", "q </Cstdio> r"),  # only an end tag, in another case
        ("x <spa> y", "x <spa> y"),  # the start of an element's name
        ("x <spanx> y", "x <spanx> y"),  # an element's name, then more
        ("x <h7> y", "x <h7> y"),
        ("x <o:p> y", "x <o:p> y"),
        ("x <a--> y", "x <a--> y"),  # a custom element's name does not end with "-"
        ("x <SPAN>y</SPAN>", "x y"),  # an element in capitals is an element
        ("x <my-el>y</my-el>", "x y"),  # a custom element
        ("x <annotation-xml>y</annotation-xml>", "x y"),
    ],
)
def test_a_tag_name_that_is_no_element_stays_text_however_it_is_spelled(
    markup: str, text: str
) -> None:
    assert texts(WEB, f"<p>{markup}</p>") == [text]


def _known_names() -> list[str]:
    from zhconvert.readers.html import _HTML_TAGS, _MATHML_TAGS

    return sorted(_HTML_TAGS | _MATHML_TAGS)


#: Names near the elements' own: as they are, in other cases, cut short, made longer, made
#: custom elements' names or ones that end with "-"; and the characters around a tag.
_NAMES = st.builds(
    lambda name, change: change(name),
    st.sampled_from(_known_names()),
    st.sampled_from(
        [
            str,
            str.upper,
            str.title,
            lambda n: n[:-1],
            lambda n: n + "x",
            lambda n: n + "1",
            lambda n: n + "-",
            lambda n: n + "-b",
            lambda n: n + "--",
            lambda n: "x-" + n,
            lambda n: n + ":p",
        ]
    ),
)
_AROUND = st.sampled_from(
    # The Kelvin sign and the long s are "k" and "s" to a search that ignores case in Unicode.
    ["<", "</", ">", "/>", " ", "-", "_", ":", "1", "x", "&lt;", "\u212a", "ſ"]
)


def _escape_bogus_tags_by_name_list(html: str) -> str:
    """Escape bogus tags as the reader did before its one-pattern pass: list every name first."""
    from zhconvert.readers.html import _is_tag_name

    names = set(re.findall(r"</?([A-Za-z][A-Za-z0-9:_-]*)", html))
    bogus = {name for name in names if not _is_tag_name(name)}

    def fix(match: re.Match[str]) -> str:
        return "&lt;" + match.group(0)[1:] if match.group(2) in bogus else match.group(0)

    return re.sub(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)", fix, html) if bogus else html


@settings(max_examples=3000, deadline=None)
@given(pieces=st.lists(st.one_of(_NAMES, _AROUND), max_size=12))
def test_the_bogus_tag_pattern_escapes_what_the_name_list_did(pieces: list[str]) -> None:
    from zhconvert.readers.html import _escape_bogus_tags

    html = "".join(pieces)
    assert _escape_bogus_tags(html) == _escape_bogus_tags_by_name_list(html)
