"""Helpers for the ``normalize`` tests: the corpus, hand-written posts, Markdown checks.

Imported by the test modules as ``normalize_support`` (``conftest.py`` puts this folder on
``sys.path``, whatever pytest's import mode).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from _paths import corpus_posts as all_corpus_posts
from _paths import require_corpus


def corpus_posts() -> list[Path]:
    """Return every real post; skip the test without the corpus (fail in CI)."""
    require_corpus()
    return all_corpus_posts()


# ---------------------------------------------------------------------------------------------
# Hand-written posts

FRONT_MATTER = """
---
title: '一篇测试文章_'
categories:
 - 社交媒体
 - 知乎
author: 知乎
comments: false
date: Wed, 13 Jul 2022 15:40:55 GMT
---
"""

HTML_BODY = (
    "\n<div>   \n张三的回答<br><br><p>第一段，有<b>粗体</b>和"
    '<a href="http://link.zhihu.com/?target=https%3A//example.com/a">一个链接</a>。</p>'
    "<p>第二段 with *stars* and _under_ 1. not a list</p>"
    '<figure><img src="https://pic1.zhimg.com/v2-abc_720w.jpg" '
    'data-original="https://pic1.zhimg.com/v2-abc_r.jpg"><figcaption>图一</figcaption></figure>'
    "<ul><li>甲</li><li>乙</li></ul>\n</div>\n            "
)

MARKDOWN_BODY = "\n张三的回答\n\n第一段，有**粗体**。\n\n- 甲\n- 乙\n"

README = "# My blog\n\nThis is the <b>source</b> of my blog.\n\n<div>not a post</div>\n"


def make_post(
    body: str = HTML_BODY,
    *,
    front_matter: str = FRONT_MATTER,
    newline: str = "\n",
    bom: bool = False,
    final_newline: bool | None = None,
    encoding: str = "utf-8",
) -> bytes:
    """Return the bytes of a post: ``front_matter`` + ``body`` with the given conventions.

    ``final_newline=None`` leaves the body's own ending as it is.
    """
    text = front_matter + body
    if final_newline is True and not text.endswith("\n"):
        text += "\n"
    elif final_newline is False:
        text = text.rstrip("\n")
    text = text.replace("\n", newline)
    data = text.encode(encoding)
    if bom:
        marks = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE}
        data = marks[encoding] + data
    return data


# ---------------------------------------------------------------------------------------------
# Checks shared by several modules


def html_in_markdown(text: str) -> list[str]:
    """Return the raw HTML that CommonMark finds in ``text`` (blocks and inline tags)."""
    from markdown_it import MarkdownIt

    found: list[str] = []
    for token in MarkdownIt("commonmark").parse(text):
        if token.type == "html_block":
            found.append(token.content.strip())
        for child in token.children or ():
            if child.type == "html_inline":
                found.append(child.content)
    return found


def split_post(data: bytes) -> tuple[bytes, bytes]:
    """Return ``(front matter bytes through the closing ---  line, body bytes)``."""
    start = data.index(b"---")
    close = data.index(b"\n---", start + 3) + len(b"\n---")
    end = data.find(b"\n", close)
    end = len(data) if end < 0 else end + 1
    return data[:end], data[end:]
