"""Property tests (hypothesis): normalize is idempotent and keeps each file's conventions.

Posts are built from the constructs Zhihu bodies use, with text full of characters that mean
something in Markdown or HTML, then stored with a random encoding, byte order mark, line ending,
final-newline convention and front matter.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from normalize_support import FRONT_MATTER, split_post

from _paths import corpus_missing
from _paths import corpus_posts as all_corpus_posts
from zhconvert.errors import ZhconvertError
from zhconvert.normalize import normalize_bytes

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text: CJK, ASCII, and what Markdown or HTML would read as syntax.
_ALPHABET = st.sampled_from(
    list("知乎回答的问题是一个abcXYZ019 ")
    + list("*_`#[]()!<>&\\|~-+.:;'\"{}=$^")
    + ["&amp;", "&lt;", "&gt;", "&#123;", "&#125;", "&nbsp;", "\u3000", "\xa0", "\t"]
)
TEXT = st.lists(_ALPHABET, min_size=1, max_size=25).map("".join)
URL = st.sampled_from(
    [
        "https://example.com/a",
        "https://example.com/a?b=1&amp;c=2",
        "http://link.zhihu.com/?target=https%3A//example.com/x%28y%29",
        "https://www.zhihu.com/question/1/answer/2",
    ]
)
IMG = st.sampled_from(["v2-aaa", "v2-bbb", "v2-ccc"])


def _inline(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        TEXT,
        st.builds("<b>{}</b>".format, children),
        st.builds("<strong>{}</strong>".format, children),
        st.builds("<i>{}</i>".format, children),
        st.builds("<em>{}</em>".format, children),
        st.builds("<u>{}</u>".format, children),
        st.builds("<code>{}</code>".format, TEXT),
        st.builds('<a href="{}">{}</a>'.format, URL, children),
        st.builds("<sup>[{}]</sup>".format, st.integers(1, 9)),
        st.just("<br>"),
    )


INLINE = st.recursive(TEXT, _inline, max_leaves=6)
INLINES = st.lists(INLINE, min_size=1, max_size=4).map("".join)


def _figure(name: str, caption: str) -> str:
    return (
        f'<figure data-size="normal"><img src="https://pic1.zhimg.com/{name}_720w.jpg" '
        f'data-original="https://pic1.zhimg.com/{name}_r.jpg" data-rawwidth="640">'
        + (f"<figcaption>{caption}</figcaption>" if caption else "")
        + "</figure>"
    )


def _blocks(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    items = st.lists(children, min_size=1, max_size=3)
    return st.one_of(
        st.builds("<blockquote>{}</blockquote>".format, children),
        st.builds(lambda xs: "<ul>" + "".join(f"<li>{x}</li>" for x in xs) + "</ul>", items),
        st.builds(lambda xs: "<ol>" + "".join(f"<li>{x}</li>" for x in xs) + "</ol>", items),
    )


LEAF_BLOCK = st.one_of(
    st.builds('<p data-pid="x">{}</p>'.format, INLINES),
    st.builds("<p>{}</p>".format, INLINES),
    st.builds("<h2>{}</h2>".format, INLINES),
    st.builds("<h3>{}</h3>".format, INLINES),
    st.builds(_figure, IMG, st.one_of(st.just(""), TEXT)),
    st.builds(
        '<div class="highlight"><pre><code class="language-{}">{}</code></pre></div>'.format,
        st.sampled_from(["python", "cpp", "text"]),
        st.lists(TEXT, min_size=1, max_size=3).map("\n".join),
    ),
    st.just("<hr>"),
    st.just("<p></p>"),
    st.just("<p><br></p>"),
)
BLOCK = st.recursive(LEAF_BLOCK, _blocks, max_leaves=4)


@st.composite
def html_bodies(draw: st.DrawFn) -> str:
    # 知乎热榜 bodies start with "<name>的回答"; other feeds start right with the content.
    author = draw(st.sampled_from(["", "张三", "李四 Li", "王_五*"]))
    byline = f"{author}的回答<br><br>" if author else ""
    blocks = "".join(draw(st.lists(BLOCK, min_size=1, max_size=6)))
    return f"\n<div>   \n{byline}{blocks}\n</div>\n            "


FRONT_MATTERS = st.sampled_from(
    [
        FRONT_MATTER,
        FRONT_MATTER.lstrip("\n"),
        "\n\n" + FRONT_MATTER.lstrip("\n"),
        '---\ntitle: "It\'s fine"\ndate: 2022-04-15 00:40:41\ntags: [a, b]\n---\n',
        "---\ntitle: 'It's broken'\ndate: Wed, 13 Jul 2022 15:40:55 GMT\n---\n",
    ]
)


class Stored(NamedTuple):
    """A post stored some way; ``head`` is its stored byte order mark and front matter."""

    data: bytes
    newline: str
    bom: bool
    final_newline: bool
    head: bytes
    encoding: str


@st.composite
def stored(draw: st.DrawFn, body: str, front_matter: str) -> Stored:
    """Return ``front_matter + body`` stored with a random encoding, mark and line ending."""
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    final_newline = draw(st.booleans())
    encoding = draw(st.sampled_from(["utf-8", "utf-8-bom", "gb18030", "utf-16-le-bom"]))
    text = front_matter + body
    text = text.rstrip(" \n") + "\n" if final_newline else text.rstrip("\n")
    text = text.replace("\n", newline)
    codec, mark = {
        "utf-8-bom": ("utf-8", codecs.BOM_UTF8),
        "utf-16-le-bom": ("utf-16-le", codecs.BOM_UTF16_LE),
    }.get(encoding, (encoding, b""))
    head = mark + front_matter.replace("\n", newline).encode(codec)
    return Stored(mark + text.encode(codec), newline, bool(mark), final_newline, head, codec)


def normalize_or_refuse(post: Stored, **options: str) -> bytes | None:
    """Return ``normalize_bytes(post.data)``; ``None`` too when it refused the one known case.

    The reader takes a GB18030 post with only a few Han characters for damaged UTF-8; normalize
    must then refuse to write it (the safe outcome), which is checked here.
    """
    try:
        return normalize_bytes(post.data, **options)
    except ZhconvertError as exc:
        assert post.encoding == "gb18030", exc
        assert "not valid utf-8" in str(exc)
        return None


def _written(post: Stored, encoding: str) -> tuple[Stored, str]:
    """Return ``post`` as normalize writes it back (its mark, its codec), and that codec."""
    if encoding == "keep" or post.encoding == "utf-8":
        return post, post.encoding
    # Written as UTF-8 (Hexo reads nothing else), without the UTF-16 byte order mark.
    head = post.head.removeprefix(codecs.BOM_UTF16_LE).decode(post.encoding).encode("utf-8")
    return post._replace(bom=False, head=head), "utf-8"


def _check_conventions(post: Stored, once: bytes, encoding: str = "utf-8") -> None:
    written, codec = _written(post, encoding)
    data, newline, bom, final = post.data, post.newline, written.bom, post.final_newline
    marks = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE)
    assert once.startswith(marks) is bom
    for mark in marks:
        assert once.startswith(mark) is (bom and data.startswith(mark))
    text = once.removeprefix(codecs.BOM_UTF8).removeprefix(codecs.BOM_UTF16_LE).decode(codec)
    assert "\r" not in text.replace(newline, "") and "\n" not in text.replace(newline, "")
    lf = text.replace(newline, "\n")
    body = split_post(lf.encode("utf-8"))[1]
    if body.strip():
        assert text.endswith(newline) is final
    # else nothing is left after the front matter: the file ends as its closing line does.


@SETTINGS
@given(body=html_bodies(), front_matter=FRONT_MATTERS, data=st.data())
def test_html_posts_normalize_once_and_keep_conventions(
    body: str, front_matter: str, data: st.DataObject
) -> None:
    post = data.draw(stored(body, front_matter))
    encoding = data.draw(st.sampled_from(["utf-8", "keep"]))
    once = normalize_or_refuse(post, encoding=encoding)
    assume(once is not None)
    assert once is not None
    assert normalize_bytes(once) is None, "a second run would change the post again"
    _check_conventions(post, once, encoding)
    # Front matter is the file's own (up to and including the closing line): its bytes, or
    # the same characters in UTF-8.
    assert post.data.startswith(post.head)
    assert once.startswith(_written(post, encoding)[0].head)


@SETTINGS
@given(body=html_bodies(), data=st.data())
def test_normalized_front_matter_is_idempotent(body: str, data: st.DataObject) -> None:
    post = data.draw(stored(body, FRONT_MATTER))
    once = normalize_or_refuse(post, front_matter="normalize")
    assume(once is not None)
    assert once is not None
    _check_conventions(post, once)
    assert normalize_bytes(once, front_matter="normalize") is None
    assert normalize_bytes(once, front_matter="keep") is None


MARKDOWN_LINE = st.one_of(
    TEXT.filter(lambda t: not t.lstrip().startswith("<")),
    st.builds("**{}**".format, TEXT),
    st.builds("- {}".format, TEXT),
    st.builds("## {}".format, TEXT),
    st.just(""),
)


@SETTINGS
@given(
    lines=st.lists(MARKDOWN_LINE, min_size=1, max_size=8),
    front_matter=FRONT_MATTERS,
    data=st.data(),
)
def test_markdown_posts_and_non_posts_are_left_alone(
    lines: list[str], front_matter: str, data: st.DataObject
) -> None:
    body = "\n" + "\n".join(lines) + "\n"
    assume(body.strip() and not body.lstrip().startswith("<"))
    post = data.draw(stored(body, front_matter))
    assert normalize_bytes(post.data) is None
    # Without front matter even an HTML body is no post of ours.
    not_a_post = data.draw(stored(data.draw(html_bodies()), ""))
    try:
        assert normalize_bytes(not_a_post.data) is None
    except ZhconvertError as exc:  # only a file that is not text may fail
        raise AssertionError(f"a non-post failed: {exc}") from exc


HTML_LINE = st.sampled_from(
    [
        '<img src="cover.png" width="300">',
        "<!-- more -->",
        '<div align="center"><img src="a.png"></div>',
        "<p>An HTML paragraph</p>",
        "<br>",
    ]
)
PLAIN = st.lists(st.sampled_from(list("知乎回答abc XYZ019*_`#[]()!.:-")), min_size=1, max_size=20)


@SETTINGS
@given(
    html=HTML_LINE,
    lines=st.lists(
        st.one_of(
            PLAIN.map("".join),
            st.builds("- {}".format, PLAIN.map("".join)),
            st.builds("## {}".format, PLAIN.map("".join)),
            st.just("```\ncode <b>x</b>\n```"),
        ),
        min_size=1,
        max_size=6,
    ),
    blank=st.booleans(),
    data=st.data(),
)
def test_hand_written_markdown_starting_with_html_is_left_alone(
    html: str, lines: list[str], blank: bool, data: st.DataObject
) -> None:
    text = "\n\n".join(lines)
    assume(text.strip())
    body = "\n" + html + ("\n\n" if blank else "\n") + text + "\n"
    post = data.draw(stored(body, FRONT_MATTER))
    assert normalize_bytes(post.data) is None


CORPUS = all_corpus_posts()


@pytest.mark.skipif(not CORPUS, reason=corpus_missing() or "the corpus has no posts")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(post=st.sampled_from(CORPUS or [Path()]), data=st.data())
def test_corpus_posts_stored_any_way_are_idempotent(post: Path, data: st.DataObject) -> None:
    text = post.read_bytes().decode("utf-8").replace("\r\n", "\n")
    front, body = split_post(text.encode("utf-8"))
    post = data.draw(stored(body.decode(), front.decode()))
    encoding = data.draw(st.sampled_from(["utf-8", "keep"]))
    once = normalize_bytes(post.data, encoding=encoding)
    assert once is not None
    assert once.startswith(_written(post, encoding)[0].head)
    assert normalize_bytes(once) is None
    _check_conventions(post, once, encoding)
