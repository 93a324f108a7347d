"""Every real post of the 25 feeds in ``../shared/corpus/feeds/``, in every format.

The input is read here with BeautifulSoup and a notion of what a reader sees that is this test's
own (not hidden, not a script, not the page's chrome); the Markdown output with markdown-it-py.
Text (Han characters as a multiset), images, code lines, links and embeds must survive, and no
raw HTML may be left, neither as HTML nor as a code block of it.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

import zhconvert
from _paths import corpus_cases

MD = MarkdownIt("commonmark").enable("table")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
#: Text that is chrome, not content: a code block's copy button, an advert's label.
JUNK_TEXT = ("复制代码", "【广告】")
#: Hosts of trackers whose links carry no readable target: kept or made plain text, both fine.
OPAQUE_TRACKERS = ("pvxt.net", "duomai.com")
#: Tags highlighters put in code (any other "tag" in code is text the feed did not escape).
CODE_MARKUP = frozenset(["span", "b", "i", "em", "strong", "a", "code", "font", "div", "br", "pre"])
#: Markup that only HTML has: a code block holding it is HTML read as Markdown.
HTML_IN_CODE = re.compile(r"<(?:div|p|section|span|img|br|strong|figure|a)\b[^>]*>", re.I)

POSTS = corpus_cases("feeds")


def _body(text: str) -> str:
    return text.split("\n---\n", 2)[-1] if text.lstrip("\n").startswith("---") else text


def _hidden(tag: Tag) -> bool:
    style = re.sub(r"\s+", "", (tag.get("style") or "")).lower()  # type: ignore[union-attr]
    return (
        "display:none" in style
        or "visibility:hidden" in style
        or tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
    )


def _target(href: str) -> str:
    """Follow a redirector by its query: the first parameter whose value is a web address."""
    for _ in range(3):
        try:
            query = parse_qsl(urlsplit(href).query)
        except ValueError:
            return href
        inner = next((v for _, v in query if re.match(r"(?i)https?(:|%3a)", v)), None)
        if inner is None:
            return href
        href = unquote(inner) if re.match(r"(?i)https?%3a", inner) else inner
    return href


def _key(url: str) -> str:
    """Compare addresses by host and path: redirects unwrapped, trackers and proxies stripped."""
    url = url[url.rfind("http") :] if url.count("http") > 1 else url  # a proxy prefix
    parts = urlsplit(_target(url))
    return (parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")).lower()


def _site(url: str) -> str:
    host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    return ".".join(host.split(".")[-2:])


def _code_lines(text: str) -> list[str]:
    for junk in JUNK_TEXT:
        text = text.replace(junk, "")
    return [line.strip() for line in text.split("\n") if line.strip()]


class Expected:
    """What a reader of the input HTML sees, read by BeautifulSoup."""

    def __init__(self, body: str) -> None:
        soup = BeautifulSoup(body.replace("&#123;", "{").replace("&#125;", "}"), "lxml")
        for gone in soup.find_all(["script", "style", "template", "noscript"]):
            gone.decompose()
        for tag in soup.find_all(True):
            if not tag.decomposed and _hidden(tag):
                tag.decompose()
        # A highlighter's table: its gutter holds line numbers, not code.
        for gutter in soup.select(".gutter, .lineno, .linenos, .rouge-gutter, .lnt"):
            gutter.decompose()
        self.code: list[list[str]] = []
        for block in soup.find_all("pre"):
            if block.find_parent("pre") is None:
                for br in block.find_all("br"):
                    br.replace_with("\n")
                # "<testfile>" in code is text an HTML parser takes for a tag: give it back.
                for raw in block.find_all(lambda t: t.name not in CODE_MARKUP):
                    raw.insert_before(f"<{raw.name}>")
                    raw.unwrap()
                self.code.append(_code_lines(block.get_text()))
        self.images: list[set[str]] = []
        for img in soup.find_all("img"):
            sources = [
                str(img[attr])
                for attr in ("src", "data-src", "data-original", "data-actualsrc")
                if img.has_attr(attr)
            ]
            sources += [c.split()[0] for c in str(img.get("srcset") or "").split(", ") if c]
            candidates = {_key(s) for s in sources if s.startswith(("http", "//"))}
            if candidates:
                self.images.append(candidates)
        self.links: set[str] = set()
        self.caption_links: set[str] = set()  # Markdown has no links in an image's text
        for a in soup.find_all("a", href=True):
            href = str(a["href"])
            if not href.startswith("http") or not (a.get_text(strip=True) or a.find("img")):
                continue
            target = _target(href)
            if target == href and any(host in href for host in OPAQUE_TRACKERS):
                continue
            in_caption = a.find_parent("figcaption") is not None
            (self.caption_links if in_caption else self.links).add(_key(target))
        # A player may be linked by its video's page: the same site is enough.
        self.embeds = {
            _site("https:" + src if src.startswith("//") else src)
            for src in (
                str(el.get("src") or "") for el in soup.find_all(["iframe", "video", "audio"])
            )
            if src.startswith(("http", "//"))
        }
        text = soup.get_text()
        for junk in JUNK_TEXT:
            text = text.replace(junk, "")
        self.han = Counter(HAN.findall(text))


class Found:
    """What the Markdown output holds, read by markdown-it-py."""

    def __init__(self, markdown: str) -> None:
        tokens = MD.parse(markdown)
        self.html = [t.content for t in tokens if t.type == "html_block"]
        self.indented = [t.content for t in tokens if t.type == "code_block"]
        self.fences = [t.content for t in tokens if t.type == "fence"]
        self.urls: set[str] = set()
        for token in tokens:
            for child in token.children or ():
                if child.type == "image":
                    self.urls.add(_key(str(child.attrs["src"])))
                elif child.type == "link_open":
                    self.urls.add(_key(str(child.attrs["href"])))
                elif child.type == "html_inline":
                    self.html.append(child.content)
        self.urls |= {_key(u) for u in re.findall(r"<(https?://[^>\s]+)>", markdown)}
        self.han = Counter(HAN.findall(markdown))


def _header_is_byline(doc: zhconvert.Document, expected: Expected) -> None:
    """Zhihu's "<author>的回答" header becomes the byline (its "的回答" goes)."""
    if any(isinstance(block, zhconvert.Byline) for block in doc.blocks):
        expected.han -= Counter("的回答")


def _read(post: Path) -> tuple[str, zhconvert.Document]:
    return post.read_text(encoding="utf-8"), zhconvert.load(post)


def test_the_feeds_corpus_is_there(corpus_dir: Path) -> None:
    assert len(list((corpus_dir / "feeds").glob("*/*.md"))) >= 50


@pytest.mark.parametrize("post", POSTS)
def test_feed_post_converts_to_markdown_without_loss(post: Path) -> None:
    raw, doc = _read(post)
    assert doc.source.body_format == "html"
    markdown = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(markdown, str)
    expected, found = Expected(_body(raw)), Found(markdown)
    _header_is_byline(doc, expected)

    assert found.html == [], "no raw HTML may be left in the Markdown"
    assert found.indented == [], "no indented code block (HTML read as Markdown)"
    assert len(found.fences) == len(expected.code)
    for lines, fence in zip(expected.code, found.fences, strict=True):
        out = fence.split("\n")
        missing = [line for line in lines if not any(line in o for o in out)]
        assert missing == [], f"code lines lost: {missing[:3]}"
        assert not any(line.strip() == "复制代码" for line in out)
    for fence in found.fences:
        assert not HTML_IN_CODE.search(fence) or expected.code, "HTML read as code"
    lost_images = [c for c in expected.images if not c & found.urls]
    assert lost_images == []
    assert expected.links - found.urls == set()
    model_urls = {_key(u) for u in re.findall(r'"url": "([^"]+)"', zhconvert.dumps(doc, "json"))}
    assert expected.caption_links - model_urls == set()
    assert expected.embeds - {_site(u) for u in found.urls} == set(), "embeds must leave a link"
    lost = {ch: n - found.han[ch] for ch, n in expected.han.items() if found.han[ch] < n}
    assert lost == {}, f"Han characters lost: {lost}"
    for junk in JUNK_TEXT:
        assert junk not in markdown


@pytest.mark.parametrize("post", POSTS)
def test_feed_post_converts_to_text_and_json(post: Path) -> None:
    raw, doc = _read(post)
    text = zhconvert.dumps(doc, "text")
    assert isinstance(text, str)
    outside = text
    for block in doc.blocks:
        if isinstance(block, zhconvert.CodeBlock):
            for line in block.text.split("\n"):
                outside = outside.replace(line, "")
    assert not re.search(r"</?(p|div|span|section|figure|img|br|strong|b|iframe)\b", outside)
    expected = Expected(_body(raw))
    _header_is_byline(doc, expected)
    found = Counter(HAN.findall(text))
    lost = {ch: n - found[ch] for ch, n in expected.han.items() if found[ch] < n}
    assert lost == {}, f"Han characters lost in text: {lost}"
    data = json.loads(zhconvert.dumps(doc, "json"))
    assert data["meta"]["title"] == doc.meta.title
    assert len(data["blocks"]) == len(doc.blocks)


@pytest.mark.parametrize("post", POSTS)
def test_feed_post_s_markdown_converts_to_itself(post: Path) -> None:
    # As for the Zhihu posts: normalize --images local tells its own Markdown by this.
    markdown = zhconvert.dumps(zhconvert.load(post), "markdown")
    assert isinstance(markdown, str)
    assert zhconvert.dumps(zhconvert.loads(markdown), "markdown") == markdown
