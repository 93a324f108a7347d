"""Broken addresses: kept as text or as the best valid URL, never a crash, in every output.

``tests/test_reader_html.py::test_broken_and_odd_urls_keep_the_best_valid_link`` pins what the
reader makes of a few of them; here many more go through every writer (the EPUB writer, which
must turn each into a valid link or none, above all) and through the command line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree
from reliability_support import EPUB_OFFLINE, Cli, epub_documents, every_output

import zhconvert

BROKEN_URLS = [
    "",
    " ",
    "http://link.zhihu.com/?target=",
    "http://link.zhihu.com/?target=%E4%B8%AD%ZZ",
    "http://link.zhihu.com/?target=%FF%FE%00",
    "http://link.zhihu.com/?target=hello%20world",
    "http://link.zhihu.com/?target=http%3A%2F%2Flink.zhihu.com%2F%3Ftarget%3Dhttp%253A%252F%252Fx",
    "http://link.zhihu.com/?target=" + "%25" * 5000,
    "https://link.zhihu.com/?target=https%3A//%5B%3A%3A1",
    "http://[::1",
    "http://[::1]:99999/",
    "http://[fe80::1%25eth0]/",
    "http://[not-ipv6]/",
    "http://e.com:abc/",
    "http://user:pass@e.com/",
    "http:///path-only",
    "http://a b.com/",
    "https://中文.example/路径?查询=值#片段",
    "https://例子.测试",
    "http://xn--/",
    "http://xn--zz--/",
    "https://" + "a" * 300 + ".com/",
    "https://e.com/" + "长" * 50_000,
    "https://e.com/%",
    "https://e.com/%zz%",
    "https://e.com/a\x00b",
    "https://e.com/\u202egnp.exe",
    "//pic.example/a.jpg",
    "///triple",
    "mailto:",
    "mailto:a@b@c?subject=%",
    "ftp://e.com/文件",
    "relative/path?q=1",
    "#fragment-only",
    "?query-only",
    "\\\\server\\share",
    "http:\\\\e.com\\a",
]


def body_with(url: str, number: int) -> str:
    attr = url.replace("&", "&amp;").replace("'", "&#39;")
    return (
        f"<p><a href='{attr}'>文字{number}</a></p>"
        f"<figure><img src='{attr}' data-original='{attr}'><figcaption>图{number}</figcaption></figure>"
        f"<p><sup data-text='注{number}' data-url='{attr}' data-numero='{number + 1}'>[{number}]</sup></p>"
        f"<a data-draft-type='link-card' href='{attr}' data-image='{attr}'>卡片{number}</a>"
        f"<p><a class='member_mention' href='{attr}'>@用户{number}</a></p>"
    )


def post_with(urls: list[str]) -> str:
    return (
        "\n---\ntitle: 坏链接\nheadimg: 'https://[::1'\nauthor: 知乎\n---\n\n<div>"
        + "".join(body_with(url, n) for n, url in enumerate(urls))
        + "</div>"
    )


@pytest.mark.parametrize("number", range(len(BROKEN_URLS)), ids=lambda n: repr(BROKEN_URLS[n])[:40])
def test_broken_url_keeps_its_text_in_every_output(number: int) -> None:
    doc = zhconvert.loads(post_with([BROKEN_URLS[number]]))
    outputs = every_output(doc)
    for word in ("文字0", "图0", "卡片0", "用户0"):
        # a link or card keeps its text; a figure whose address is unusable keeps its caption
        assert word in outputs["text"] or word == "图0", word
        assert word in outputs["epub"] or word == "图0", word


def test_every_epub_link_is_a_valid_absolute_address() -> None:
    doc = zhconvert.loads(post_with(BROKEN_URLS))
    data = zhconvert.dumps(doc, "epub", **EPUB_OFFLINE)
    assert isinstance(data, bytes)
    for name, content in epub_documents(data).items():
        if not name.endswith(".xhtml"):
            continue
        for element in etree.fromstring(content).iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is None or not re.match(r"^[a-z]+:", value):
                    continue  # a link inside the book
                assert re.match(r"^(https?://[A-Za-z0-9.\-\[\]:]+(/|$)|mailto:)", value), value
                assert not re.search(r"[\s\x00-\x1f\"<>\\]", value), value


def test_broken_urls_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "links.md"
    source.write_text(post_with(BROKEN_URLS), encoding="utf-8")
    for fmt in ("md", "txt", "json", "epub"):
        out = tmp_path / "out" / f"links.{fmt}"  # links.md beside the post would be the post
        extra = ["--images", "link", "--no-cache"] if fmt == "epub" else []
        result = cli("convert", source, "-o", out, *extra)
        assert result.code == 0, result.err
        assert out.stat().st_size > 0
    book = cli("book", source, "-o", tmp_path / "book.epub", "--images", "link", "--no-cache")
    assert book.code == 0
