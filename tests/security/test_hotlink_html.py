"""The ``<img>`` of ``hotlink="html"`` cannot be broken out of (issue #14).

With ``hotlink="html"`` the Markdown writer writes an image from a host that refuses other sites'
Referer as raw HTML, ``<img src="…" alt="…" referrerpolicy="no-referrer">``: the only raw HTML
besides ``<code>`` (docs/formats.md). Hostile addresses, alt texts and titles (quotes, ``>``,
tags, template code, table pipes, backticks, dollars, backslashes, line breaks) are put in it, in a
paragraph, a figure with a caption, a table cell and a video card's link; the Markdown is rendered
by markdown-it (CommonMark with raw HTML on) and by real Hexo 7 (its Nunjucks pass and
hexo-renderer-marked), and the HTML is read with an HTML parser: each image must be one ``<img>``
with exactly the attributes written, holding exactly the values given, and nothing else may
appear (no ``<script>``, no event handler, no template output).
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import zhconvert
from _hexo import build_posts, hexo_or_skip
from zhconvert.images.hosts import checks_referer
from zhconvert.model import (
    Document,
    Figure,
    InlineImage,
    Metadata,
    Paragraph,
    Table,
    TableCell,
    Text,
    VideoCard,
)

HOST = "https://pic1.zhimg.com/"

#: Alt texts and titles that try to end the value, the tag, or reach a renderer or template.
TEXTS = [
    '" onerror="alert(1)',
    "' onerror='alert(1)",
    '"><script>alert(1)</script>',
    'x" src="https://evil.example/a.png',
    "{{ 7*7 }} {% raw %} {# c #}",
    "a | b | c",
    "`code` and $x$ and \\ and *em* and [link](javascript:alert(1))",
    "</p><p>new paragraph",
    "&quot; &amp; &#34; &lt;",
]
#: Addresses on a Referer-checking host that try the same from the src attribute.
URLS = [
    HOST + 'a.jpg" onerror="alert(1)',
    HOST + "a.jpg'><script>alert(1)</script>",
    HOST + "a.jpg?q={{ 7*7 }}&x={%raw%}",
    HOST + "a|b`c$d\\e.jpg",
    HOST + "a.jpg?x=&quot;&y=1",
]
ALLOWED = {"src", "alt", "title", "referrerpolicy"}


def _document() -> Document:
    blocks: list[object] = []
    for index, url in enumerate(URLS):
        text = TEXTS[index % len(TEXTS)]
        blocks.append(Paragraph((Text(f"P{index} "), InlineImage(url, text, text))))
    for index, text in enumerate(TEXTS):
        url = URLS[index % len(URLS)]
        blocks.append(Figure(url, (Text(f"caption {index}"),), alt=text))
        blocks.append(Figure(url, alt=text))
    row = (TableCell((InlineImage(URLS[3], TEXTS[5]),)), TableCell((Text("cell"),)))
    blocks.append(Table((TableCell((Text("h1"),)), TableCell((Text("h2"),))), (row,)))
    blocks.append(VideoCard("https://www.bilibili.com/video/BV1", "v", URLS[0]))
    return Document(meta=Metadata(title="hotlink"), blocks=tuple(blocks))  # type: ignore[arg-type]


def _src(url: str) -> str:
    """Return ``url`` as the page must hold it: a blank is percent-encoded, as in an address."""
    return url.replace(" ", "%20")


def _expected() -> list[tuple[str, str]]:
    """Return each image's ``(src, alt)`` in document order, as the page must hold them."""
    images: list[tuple[str, str]] = []
    for index, url in enumerate(URLS):
        images.append((_src(url), TEXTS[index % len(TEXTS)]))
    for index, text in enumerate(TEXTS):
        url = _src(URLS[index % len(URLS)])
        images += [(url, text), (url, text)]
    images.append((_src(URLS[3]), TEXTS[5]))
    images.append((_src(URLS[0]), ""))
    return images


@pytest.fixture(scope="module")
def markdown() -> str:
    return zhconvert.dumps(_document(), "markdown", hotlink="html", front_matter="none")


def _check(html: str) -> None:
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None, html
    for tag in soup.find_all(True):
        assert isinstance(tag, Tag)
        assert not any(name.startswith("on") for name in tag.attrs), tag
    images = soup.find_all("img")
    got = [(img.get("src"), img.get("alt")) for img in images]
    assert got == _expected(), html
    for img in images:
        assert set(img.attrs) <= ALLOWED, img
        assert img.get("referrerpolicy") == "no-referrer", img
    # Template code reached no engine: it is shown as it was written.
    assert "49" not in soup.get_text()


def test_markdown_it_reads_exactly_the_values_written(markdown: str) -> None:
    assert markdown.count("<img ") == len(_expected())
    _check(MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown))


def test_hexo_reads_exactly_the_values_written(markdown: str) -> None:
    hexo_or_skip()
    post = build_posts([("hotlink", "---\ntitle: hotlink\n---\n" + markdown)])["hotlink"]
    assert post.ok, post.error
    assert post.html is not None
    _check(post.html)


def test_a_title_stays_an_attribute(markdown: str) -> None:
    html = MarkdownIt("commonmark", {"html": True}).render(markdown)
    soup = BeautifulSoup(html, "html.parser")
    titles = [img.get("title") for img in soup.find_all("img") if img.get("title")]
    assert titles == [TEXTS[index % len(TEXTS)] for index in range(len(URLS))]


#: Text without control characters or line separators (the writer drops the first and makes a
#: line of the second, before any escaping).
_TEXT = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\x85"),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(alt=_TEXT, path=_TEXT)
def test_any_alt_and_address_come_back_exactly(alt: str, path: str) -> None:
    url = HOST + path.strip()
    assume(checks_referer(url))
    doc = Document(meta=Metadata(), blocks=(Paragraph((Text("x "), InlineImage(url, alt))),))
    markdown = zhconvert.dumps(doc, "markdown", hotlink="html", front_matter="none")
    html = MarkdownIt("commonmark", {"html": True}).render(markdown)
    images = BeautifulSoup(html, "html.parser").find_all("img")
    assert len(images) == 1, (markdown, html)
    assert set(images[0].attrs) == {"src", "alt", "referrerpolicy"}
    assert images[0]["alt"] == alt
    assert images[0]["src"] == re.sub(r"\s", lambda m: quote(m.group(0)), url)


def test_a_line_break_cannot_end_the_tag() -> None:
    alt = 'first line\n\n<script>alert(1)</script>\r\nlast" x="'
    doc = Document(meta=Metadata(), blocks=(Figure(HOST + "a.jpg", alt=alt),))
    markdown = zhconvert.dumps(doc, "markdown", hotlink="html", front_matter="none")
    assert markdown.count("\n") == 1  # one line: a blank line would end the HTML block
    html = MarkdownIt("commonmark", {"html": True}).render(markdown)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("script") is None
    (image,) = soup.find_all("img")
    assert set(image.attrs) == {"src", "alt", "referrerpolicy"}
    assert image["alt"] == 'first line  <script>alert(1)</script> last" x="'
