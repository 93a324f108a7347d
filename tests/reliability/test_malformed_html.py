"""Broken markup: unclosed and misnested tags, bogus entities, raw ``<`` and ``&``, stray text in
tables, lists and figures. Nothing is refused and no visible text is lost.

The property test builds random tag soup in which every piece of text is a numbered word, and
checks that each word reaches the plain text and the Markdown: the reader may drop markup, never
the words (except inside the elements that are dropped whole, which it does not generate).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_support import Cli, every_output

import zhconvert

HEAD = "\n---\ntitle: 坏标记\n---\n\n"

CASES = {
    "unclosed-tags": ("<div><p>一<b>二<i>三<ul><li>四<li>五<table><tr><td>六", "一 二 三 四 五 六"),
    "misnested-tags": (
        "<p>一<b>二<i>三</b>四</i>五</p><div><span>六</div>七</span>",
        "一 二 三 四 五 六 七",
    ),
    "stray-closing-tags": ("</p></div>一</b>二</li></table>三", "一二三"),
    "bogus-entities": ("<p>&bogus; &#99999999; &#xFFFFFF; &#0; &amp &lt &#x; &;</p>", None),
    "raw-lt-and-amp": ("<p>a < b && c > d; Map<String, List<Integer>> x = y & z; i<n</p>", None),
    "raw-lt-in-code": (
        "<pre><code>#include <cstdio>\nMap<String, List<Integer>> m; x << 2;</code></pre>",
        None,
    ),
    "text-in-table-outside-cells": (
        "<table>表前<caption>表题</caption><tr>行中<td>格</td></tr>表后</table>",
        "表前 表题 行中 格 表后",
    ),
    "text-in-list-outside-items": ("<ul>列前<li>项</li>项间<b>粗</b></ul>", "列前 项 项间 粗"),
    "text-in-figure-outside-caption": (
        "<figure>图前<img src='https://e.com/a.jpg'><figcaption>图注</figcaption><p>图后</p></figure>",
        "图前 图注 图后",
    ),
    "void-tags-that-libxml2-wraps": (
        "<p>前<embed src='a.swf'>中<source src='b'>后<track>尾</p>",
        "前 中 后 尾",
    ),
    "cdata-and-processing-instructions": (
        "<p>前<![CDATA[数据]]>中<?php echo 1 ?>后</p>",
        "前 中 后",
    ),
    "nested-anchors": (
        "<p><a href='https://a.com/'>外<a href='https://b.com/'>内</a>尾</a></p>",
        "外 内 尾",
    ),
    "huge-attributes": ("<p title='" + "x" * 200_000 + "'>属性后</p>", "属性后"),
    "only-tags": ("<div><span></span><b></b><br><br><hr></div>", None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_broken_markup_keeps_its_text(name: str) -> None:
    html, words = CASES[name]
    doc = zhconvert.loads(HEAD + html)
    outputs = every_output(doc)
    if words is not None:
        for word in words.split():
            assert word in outputs["text"], word
            assert word in outputs["markdown"], word
            assert word in outputs["epub"], word
    if name == "raw-lt-and-amp":
        assert "a < b && c > d; Map<String, List<Integer>> x = y & z; i<n" in outputs["text"]
    if name == "raw-lt-in-code":
        assert "#include <cstdio>\n    Map<String, List<Integer>> m; x << 2;" in outputs["text"]
    if name == "bogus-entities":
        assert "&bogus;" in outputs["text"]


def test_broken_markup_through_the_cli(cli: Cli, tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path)) / "posts"
    folder.mkdir()
    for name, (html, _) in CASES.items():
        (folder / f"{name}.md").write_text(HEAD + html, encoding="utf-8")
    result = cli("convert", folder, "-o", folder.parent / "out", "-t", "txt", "--jobs", "1")
    assert result.code == 0
    assert result.errors == []
    assert len(list((folder.parent / "out").iterdir())) == len(CASES)


# ---------------------------------------------------------------------------------------------
# No lost text, for any tag soup

TAGS = [
    *(
        [
            "div",
            "p",
            "span",
            "b",
            "i",
            "u",
            "s",
            "em",
            "strong",
            "sup",
            "sub",
            "code",
            "pre",
            "blockquote",
            "h2",
            "h3",
            "ul",
            "ol",
            "li",
            "table",
        ]
    ),
    *(
        [
            "thead",
            "tbody",
            "tr",
            "td",
            "th",
            "caption",
            "figure",
            "figcaption",
            "a",
            "section",
            "article",
            "header",
            "footer",
        ]
    ),
    *(
        [
            "center",
            "font",
            "dl",
            "dt",
            "dd",
            "small",
            "q",
            "cite",
            "mark",
            "details",
            "summary",
            "x-card",
            "noscript",
        ]
    ),
]


@st.composite
def tag_soup(draw: st.DrawFn) -> tuple[str, list[str]]:
    """Random HTML: numbered words inside random, sometimes unclosed or misnested, tags."""
    words: list[str] = []
    parts: list[str] = []
    open_tags: list[str] = []
    for _ in range(draw(st.integers(1, 60))):
        action = draw(st.sampled_from(["word", "word", "open", "open", "close", "stray", "br"]))
        if action == "word":
            words.append(f"w{len(words)}")
            parts.append(f" {words[-1]} ")
        elif action == "open":
            tag = draw(st.sampled_from(TAGS))
            attrs = " href='https://e.com/'" if tag == "a" else ""
            parts.append(f"<{tag}{attrs}>")
            open_tags.append(tag)
        elif action == "close" and open_tags:
            # usually the innermost, sometimes another one: misnesting
            index = draw(st.integers(0, len(open_tags) - 1)) if draw(st.booleans()) else -1
            parts.append(f"</{open_tags.pop(index)}>")
        elif action == "stray":
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
        else:
            parts.append(draw(st.sampled_from(["<br>", "<hr>", "<img src='https://e.com/i.jpg'>"])))
    if draw(st.booleans()):
        parts.extend(f"</{tag}>" for tag in reversed(open_tags))
    return "".join(parts), words


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(tag_soup())
def test_no_text_is_lost_in_tag_soup(soup: tuple[str, list[str]]) -> None:
    html, words = soup
    doc = zhconvert.loads(HEAD + "<div>" + html + "</div>")
    text = zhconvert.dumps(doc, "text")
    markdown = zhconvert.dumps(doc, "markdown")
    assert isinstance(text, str) and isinstance(markdown, str)
    for word in words:
        assert re.search(rf"\b{word}\b", text), (word, text)
        # "_" may be an emphasis marker right beside the word (__w0__): not part of it here
        assert re.search(rf"(?<![A-Za-z0-9]){word}(?![A-Za-z0-9])", markdown), (word, markdown)
