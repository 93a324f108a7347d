"""Markdown-bodied posts: links and images go where they say, as in HTML-bodied ones (issue 12)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhconvert
from zhconvert.model import Document, Figure, Footnote, Link, Metadata, Paragraph, Text

HEAD = "---\ntitle: 'T'\ncategories:\n - 编程\n---\n\n"


def load(body: str) -> Document:
    doc = zhconvert.loads(HEAD + body)
    assert doc.source.body_format == "markdown"
    return doc


def written(doc: Document) -> str:
    text = zhconvert.dumps(doc, "markdown")
    assert isinstance(text, str)
    return text


@pytest.mark.parametrize(
    ("body", "url"),
    [
        pytest.param(
            "[知乎外链](https://link.zhihu.com/?target=https%3A//e.example/a)",
            "https://e.example/a",
            id="zhihu-redirect",
        ),
        pytest.param(
            "[知乎外链](https://link.zhihu.com/?target=https%3A//e.example/a) 又一段",
            "https://e.example/a",
            id="zhihu-redirect-in-text",
        ),
        pytest.param(
            "[知乎外链][r]\n\n[r]: https://link.zhihu.com/?target=https%3A//e.example/a",
            "https://e.example/a",
            id="zhihu-redirect-reference",
        ),
        pytest.param(
            "[知乎外链](https://link.juejin.cn/?target=https%3A%2F%2Fgo.example%2Fa"
            "%3Futm_source%3Djuejin)",
            "https://go.example/a",
            id="juejin-redirect",
        ),
        pytest.param(
            "[知乎外链](https://e.example/a?id=3&utm_source=feed&utm_medium=rss#top)",
            "https://e.example/a?id=3#top",
            id="utm-parameters",
        ),
        pytest.param(
            # An unreadable shortener: the text is the address the reader saw.
            "[https://e.example/post/1](https://t.co/AbC123)",
            "https://e.example/post/1",
            id="text-is-the-address",
        ),
    ],
)
def test_links_are_unwrapped_and_trackers_dropped(body: str, url: str) -> None:
    doc = load(body)
    links = [node for node in doc.blocks[0].children if isinstance(node, Link)]  # type: ignore[attr-defined]
    assert [link.url for link in links] == [url]
    out = written(doc)
    assert f"({url})" in out or f"<{url}>" in out  # an address shown as its text: an autolink
    assert "link.zhihu.com" not in out
    assert "link.juejin.cn" not in out
    assert "utm_" not in out
    assert "t.co/" not in out


def test_an_image_proxy_is_unwrapped() -> None:
    doc = load("![图](https://cors.zfour.workers.dev/?https://img.example/a.png)")
    assert doc.blocks == (Figure("https://img.example/a.png", alt="图"),)
    assert "![图](https://img.example/a.png)" in written(doc)


def test_an_inline_image_proxy_is_unwrapped() -> None:
    doc = load("文字 ![](https://cors.zfour.workers.dev/?https://img.example/a.png) 文字")
    assert "(https://img.example/a.png)" in written(doc)
    assert "workers.dev" not in written(doc)


def test_an_autolink_shows_the_address_it_goes_to() -> None:
    doc = load("见 <https://link.zhihu.com/?target=https%3A//e.example/a>")
    assert doc.blocks == (
        Paragraph((Text("见 "), Link("https://e.example/a", (Text("https://e.example/a"),)))),
    )
    assert "<https://e.example/a>" in written(doc)


def test_a_footnote_address_is_unwrapped() -> None:
    doc = load("正文[^1]\n\n[^1]: 来源 <https://link.zhihu.com/?target=https%3A//e.example/n>\n")
    assert doc.footnotes == (Footnote(1, "来源", "https://e.example/n"),)


def test_a_redirect_to_an_unsafe_address_is_no_link() -> None:
    # The safety rule judges where the link goes, not the redirect page.
    doc = load("[点我](https://link.zhihu.com/?target=javascript%3Aalert(1))")
    assert doc.blocks == (Paragraph((Text("点我"),)),)


def test_an_address_that_is_all_tracking_is_no_link() -> None:
    # Nothing is left to link to; a link to "" would be written as its text and read back so.
    doc = load("见 [x](?utm_source=x) 完")
    assert doc.blocks == (Paragraph((Text("见 x 完"),)),)


def test_a_cleaned_post_reads_back_to_the_same_document() -> None:
    doc = load(
        "[a](https://link.zhihu.com/?target=https%3A//e.example/a%3Fx%3D1%26utm_source%3Dz) "
        "<https://link.juejin.cn/?target=https%3A%2F%2Fgo.example%2F> "
        "[https://e.example/p](https://t.co/AbC123)\n\n"
        "![](https://cors.zfour.workers.dev/?https://img.example/a.png)\n\n"
        "脚注[^1]\n\n[^1]: 来源 <https://link.zhihu.com/?target=https%3A//e.example/n>\n"
    )
    again = zhconvert.loads(written(doc))
    assert (again.blocks, again.footnotes) == (doc.blocks, doc.footnotes)
    assert written(again) == written(doc)


_PIECES = st.sampled_from(
    [
        "https://",
        "http://",
        "//",
        "javascript:",
        "link.zhihu.com/?target=",
        "link.juejin.cn/?target=",
        "cors.zfour.workers.dev/?",
        "t.co/",
        "e.example/",
        "%3A",
        "%2F",
        "?",
        "&",
        "#",
        "=",
        "utm_source=x",
        "id=2",
        "[",
        ")",
        " ",
        "中",
    ]
)
_ADDRESSES = st.lists(_PIECES, max_size=10).map("".join)


@settings(max_examples=150, deadline=None)
@given(href=_ADDRESSES, text=_ADDRESSES, src=_ADDRESSES)
def test_cleaning_on_reading_is_idempotent(href: str, text: str, src: str) -> None:
    # Whatever addresses a post holds, cleaning them on each reading converges at once.
    doc = Document(
        Metadata(title="T"),
        (
            Paragraph((Text("见 "), Link(href, (Text(text.strip() or "x"),)), Text(" 完"))),
            Figure(src),
        ),
        # A footnote address with "[" does not survive the writer today, cleaning or not (the
        # label of its "[url](url)" form is not escaped): left out here, reported separately.
        (Footnote(1, "注", href.replace("[", "")),),
    )
    # The first reading may still change (the writer joins a footnote's blanks, which a model
    # built here may hold); from then on, normalize's output and the document are fixed.
    once = zhconvert.loads(written(doc))
    twice = zhconvert.loads(written(once))
    assert written(twice) == written(once)
    thrice = zhconvert.loads(written(twice))
    assert (thrice.blocks, thrice.footnotes) == (twice.blocks, twice.footnotes)
