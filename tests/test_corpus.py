"""Every real post of the shared corpus, in every format.

The input side is analysed with BeautifulSoup (an independent reading of the same HTML), the
Markdown side with markdown-it-py; the two must agree on what a reader cares about.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

import zhconvert
from _paths import corpus_cases, corpus_posts, require_corpus

MD = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin).use(footnote_plugin)
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CHROME_TEXT = ("查看知乎原文", "查看知乎讨论")


POSTS = corpus_posts("zhihu", "other")
CASES = corpus_cases("zhihu", "other")


def _body(text: str) -> str:
    return text.split("\n---\n", 2)[-1] if text.lstrip("\n").startswith("---") else text


def _unwrap(href: str) -> str:
    if "link.zhihu.com/?target=" in href:
        target = href.split("target=", 1)[1]
        for _ in range(2):
            if re.match(r"(?i)^https?%3a", target):
                target = unquote(target)
        href = target
    if "c.duomai.com/track.php?" in href and "&t=http" in href:
        return unquote(href.split("&t=", 1)[1])  # an affiliate tracker's target
    # WeChat's share checksum says nothing about the page (readers drop it).
    return re.sub(r"&chksm=[0-9a-f]+", "", href)


class Expected:
    """What the input HTML holds, read by BeautifulSoup."""

    def __init__(self, body: str) -> None:
        soup = BeautifulSoup(body.replace("&#123;", "{").replace("&#125;", "}"), "lxml")
        for chrome in soup.select(".view-more, a.originUrl, img.avatar"):
            chrome.decompose()
        self.headings = len(soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]))
        self.list_items = sum(1 for li in soup.find_all("li") if li.get_text(strip=True))
        self.code_blocks = len(soup.find_all("pre"))
        self.quotes = len(soup.find_all("blockquote"))
        self.tables = len(soup.find_all("table"))
        self.formulas = [
            " ".join((img.get("alt") or "").split()).removesuffix("\\\\").strip()
            for img in soup.find_all("img")
            if img.get("eeimg") is not None
        ]
        self.images = set()
        for img in soup.find_all("img"):
            if img.get("eeimg") is None:
                best = img.get("data-original") or img.get("data-actualsrc") or img.get("src")
                if best and best.startswith("http"):
                    self.images.add(best)
        self.links = {
            _unwrap(a["href"])
            for a in soup.find_all("a", href=True)
            if a["href"].startswith("http")
        }
        text = soup.get_text()
        for chrome in CHROME_TEXT:
            text = text.replace(chrome, "")
        text = re.sub(r"^\s*[^\n]{1,60}?的回答", "", text, count=1)  # the header becomes the byline
        self.han = Counter(HAN.findall(text))


class Found:
    """What the Markdown output holds, read by markdown-it-py."""

    def __init__(self, markdown: str) -> None:
        tokens = MD.parse(markdown)
        self.headings = sum(1 for t in tokens if t.type == "heading_open")
        self.list_items = sum(1 for t in tokens if t.type == "list_item_open")
        self.code_blocks = sum(1 for t in tokens if t.type in ("fence", "code_block"))
        self.quotes = sum(1 for t in tokens if t.type == "blockquote_open")
        self.tables = sum(1 for t in tokens if t.type == "table_open")
        self.html = [t for t in tokens if t.type == "html_block"]
        self.formulas: list[str] = []
        self.images: set[str] = set()
        self.links: set[str] = set()
        for token in tokens:
            if token.type == "math_block":
                self.formulas.append(" ".join(token.content.split()))
            for child in token.children or ():
                if child.type == "math_inline":
                    self.formulas.append(" ".join(child.content.split()))
                elif child.type == "image":
                    self.images.add(str(child.attrs["src"]))
                elif child.type == "link_open":
                    self.links.add(str(child.attrs["href"]))
                elif child.type == "html_inline":
                    self.html.append(child)
        self.links |= set(re.findall(r"<(https?://[^>\s]+)>", markdown))
        self.han = Counter(HAN.findall(markdown))


def test_the_corpus_is_there() -> None:
    require_corpus()
    assert len(POSTS) >= 30, "the shared corpus should hold the 37 real posts"


@pytest.mark.parametrize("post", CASES)
def test_post_converts_without_losing_anything(post: Path) -> None:
    raw = post.read_text(encoding="utf-8")
    doc = zhconvert.load(post)
    assert doc.warnings == ()
    assert doc.source.body_format == "html"
    markdown = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(markdown, str)
    expected, found = Expected(_body(raw)), Found(markdown)

    assert found.html == [], "no raw HTML may be left in the Markdown"
    assert found.headings == expected.headings + 1  # plus the title heading of front_matter=none
    assert found.list_items == expected.list_items
    assert found.code_blocks == expected.code_blocks
    assert found.quotes == expected.quotes
    assert found.tables == expected.tables
    assert sorted(found.formulas) == sorted(expected.formulas)
    assert expected.images <= found.images
    assert expected.links <= found.links | found.images | {doc.meta.url}
    lost = {ch: n - found.han[ch] for ch, n in expected.han.items() if found.han[ch] < n}
    assert lost == {}, f"Han characters lost: {lost}"


@pytest.mark.parametrize("post", CASES)
def test_post_converts_to_text_and_json(post: Path) -> None:
    doc = zhconvert.load(post)
    text = zhconvert.dumps(doc, "text")
    assert isinstance(text, str) and doc.meta.title in text
    assert doc.meta.author in text
    assert not re.search(r"</?(p|div|span|figure|img|br|strong|b)\b", _outside_code(doc, text))
    data = json.loads(zhconvert.dumps(doc, "json"))
    assert data["meta"]["title"] == doc.meta.title
    assert len(data["blocks"]) == len(doc.blocks)


def _outside_code(doc: zhconvert.Document, text: str) -> str:
    for block in doc.blocks:
        if isinstance(block, zhconvert.CodeBlock):
            for line in block.text.split("\n"):
                text = text.replace(line, "")
    return text


def test_zhihu_posts_keep_their_author() -> None:
    require_corpus()
    for post in POSTS:
        doc = zhconvert.load(post)
        if "知乎" in doc.meta.categories:
            assert doc.meta.author, post.name
            assert doc.meta.author != "知乎"
            markdown = zhconvert.dumps(doc, "md")
            assert isinstance(markdown, str)
            assert zhconvert.loads(markdown).meta.author == doc.meta.author, post.name


@pytest.mark.parametrize("post", CASES)
def test_post_s_markdown_converts_to_itself(post: Path) -> None:
    # What normalize --images local relies on to tell its own Markdown (and what a user who
    # converts a converted post expects): read back and written again, the same bytes.
    markdown = zhconvert.dumps(zhconvert.load(post), "markdown")
    assert isinstance(markdown, str)
    assert zhconvert.dumps(zhconvert.loads(markdown), "markdown") == markdown
