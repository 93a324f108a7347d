"""zhconvert's Markdown, read and written again, gives the same bytes: for generated tag soup.

``normalize`` relies on this (``--images local`` retries only posts that are fixed points), and
so does every user who converts a post twice. The corpus posts are checked one by one in
``test_corpus.py`` and ``test_feeds_corpus.py``; here 3,000 generated posts (seeded, the same
every run) mix Zhihu's markup, Markdown-looking text, template syntax, entities and broken
nesting, which the corpus has too few of.
"""

from __future__ import annotations

import difflib
import random

import pytest

import zhconvert

TAGS = [
    "p",
    "div",
    "span",
    "b",
    "strong",
    "i",
    "em",
    "a",
    "img",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "h3",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "code",
    "table",
    "tr",
    "td",
    "th",
    "br",
    "hr",
    "sup",
    "sub",
    "del",
    "s",
    "u",
    "noscript",
    "script",
    "style",
    "section",
    "mark",
    "details",
    "summary",
    "math",
    "video",
    "iframe",
    "dl",
    "dt",
    "dd",
    "kbd",
    "small",
]
ATTRIBUTES = (
    'class="ztext-math"',
    'data-tex="a_1^2"',
    'href="https://link.zhihu.com/?target=https%3A//x.org/a"',
    'href="javascript:alert(1)"',
    'src="https://pic1.zhimg.com/v2-abc_720w.jpg"',
    'data-original="https://pic1.zhimg.com/v2-abc_r.jpg"',
    'class="highlight"',
    'class="language-python"',
    'data-lang="js"',
    'title="t*"',
    'alt="图 1"',
    'class="RichText ztext"',
    'style="display:none"',
    'class="footnote"',
    'id="fn1"',
    'href="#fn1"',
    'data-caption="说明"',
    'class="answer"',
    'class="content"',
)
TEXTS = (
    "中文文本，",
    "*星号*",
    "_下划线_",
    "`代码`",
    "1. 不是列表",
    "# 不是标题",
    "<不是标签>",
    "&amp;",
    "&lt;x&gt;",
    "[链接](x)",
    "   ",
    "\n",
    "a  b",
    "{{ liquid }}",
    "{% raw %}",
    "--- ",
    "| 表 |",
    "\\",
    "!",
    "~~删~~",
    "https://example.com/a_b_c",
    "English text ",
    "😀",
    "\u3000全角空格",
    "$x^2$",
    "\\(a\\)",
)
POSTS = 3000
CHUNKS = 10


def _soup(rng: random.Random, depth: int = 0) -> str:
    out = []
    for _ in range(rng.randint(1, 6)):
        if rng.random() < 0.4 or depth > 6:
            out.append(rng.choice(TEXTS))
        else:
            tag = rng.choice(TAGS)
            attributes = " ".join(rng.sample(ATTRIBUTES, rng.randint(0, 2)))
            inner = _soup(rng, depth + 1)
            close = f"</{tag}>" if rng.random() < 0.9 else ""
            out.append(f"<{tag} {attributes}>{inner}{close}")
    return "".join(out)


def _posts() -> list[str]:
    rng = random.Random(20261207)
    posts = []
    for number in range(POSTS):
        head = rng.choice(
            (
                f"---\ntitle: 测试 {number}\ndate: 2024-01-02 03:04:05\ntags: [a, b]\n---\n",
                "---\ntitle: t\nurl: https://www.zhihu.com/question/1/answer/2\n---\n",
                "",
            )
        )
        posts.append(head + _soup(rng))
    return posts


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_generated_posts_markdown_converts_to_itself(chunk: int) -> None:
    failures = []
    for number, post in enumerate(_posts()[chunk::CHUNKS]):
        markdown = zhconvert.dumps(zhconvert.loads(post), "markdown")
        assert isinstance(markdown, str)
        again = zhconvert.dumps(zhconvert.loads(markdown), "markdown")
        if again != markdown:
            diff = difflib.unified_diff(
                markdown.split("\n"), str(again).split("\n"), lineterm="", n=0
            )
            failures.append(f"post {chunk + number * CHUNKS}:\n" + "\n".join(list(diff)[2:8]))
    assert not failures, f"{len(failures)} not fixed points; first:\n{failures[0]}"
