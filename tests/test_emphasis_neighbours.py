"""Emphasis right next to emphasis keeps its markup: ``<i>斜</i><b>粗</b>文`` is ``_斜_**粗**文``.

Each span's markers depend on its neighbours' (a ``*`` run touching another joins it; ``_`` cannot
close between two letters), so spans with no text between them are written together. Every case
is checked for what it means, not for a string: the Markdown is rendered by markdown-it-py
(CommonMark 0.31) and by Hexo's marked (through a real Hexo build, as the other Hexo tests do), and
the emphasis each shows must be exactly the HTML's.
"""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import zhconvert
from _hexo import build_post, hexo_or_skip

MD = MarkdownIt("commonmark").enable("strikethrough")
TAGS = {"i": "em", "b": "strong", "s": "s"}

#: The issue's cases, their mirror images, the kinds swapped, three spans in a row, Latin letters.
CASES = [
    "<i>斜</i><b>粗</b>文",
    "前<b>粗</b><i>斜</i>文",
    "文<b>粗</b><i>斜</i>",  # mirror of the first
    "文<i>斜</i><b>粗</b>前",  # mirror of the second
    "<b>粗</b><i>斜</i>文",
    "前<i>斜</i><b>粗</b>文",
    "<i>a</i><b>b</b><i>c</i>文",
    "<b>a</b><i>b</i><b>c</b>文",
    "文<i>a</i><b>b</b><i>c</i>",
    "x<i>a</i><b>b</b><i>c</i>d",
    "x<b>a</b><i>b</i><b>c</b>d",
    "<i>a</i><b>b</b>c",
    "x<b>b</b><i>c</i>d",
    "x<i>a</i><b>b</b>d",
    "(<b>a0</b><i>a1</i><b>a2</b>。",
    "<i>斜</i><s>删</s><b>粗</b>文",
    "文<i>斜</i><b>粗</b><i>斜</i><b>粗</b>文",
]


def markdown(body: str) -> str:
    out = zhconvert.dumps(zhconvert.from_html(f"<p>{body}</p>"), "markdown")
    assert isinstance(out, str)
    return out


def expected(body: str) -> str:
    """The HTML a renderer must give back: the same text, the same spans around the same words."""
    return re.sub(r"<(/?)([ibs])>", lambda m: f"<{m[1]}{TAGS[m[2]]}>", body).strip()


def shown(rendered: str) -> str:
    """A rendered paragraph's inside, with GFM's ``<del>`` (marked) spelled as ``<s>``."""
    rendered = rendered.replace("<del>", "<s>").replace("</del>", "</s>")
    return re.sub(r"</?p>", "", rendered).strip()


def commonmark(body: str) -> str:
    return shown(MD.render(markdown(body)))


@pytest.mark.parametrize("body", CASES)
def test_neighbouring_spans_keep_their_markup(body: str) -> None:
    assert commonmark(body) == expected(body), markdown(body)


def test_the_issues_cases_are_spelled_without_touching_runs_where_possible() -> None:
    # "_" for the first span, because the bold after it needs "*" to close before "文".
    assert markdown("<i>斜</i><b>粗</b>文") == "_斜_**粗**文\n"
    # Three in a row: "__" between two "*" spans closes before "*" and opens after it.
    assert markdown("<i>a</i><b>b</b><i>c</i>文") == "*a*__b__*c*文\n"


def test_touching_runs_of_three_only_where_nothing_else_renders() -> None:
    # After "前" only "**" opens and before "文" only "*" closes: the middle run "***" closes
    # the bold and opens the emphasis, for CommonMark and for marked alike.
    assert markdown("前<b>粗</b><i>斜</i>文") == "前**粗***斜*文\n"
    assert markdown("x<i>a</i><b>b</b>d") == "x*a***b**d\n"
    # A longer row between letters needs one such run (after "文" only "*" opens, before "文"
    # only "**" closes); its other spans take "_" or "__" instead of touching again.
    out = markdown("文<i>斜</i><b>粗</b><i>斜</i><b>粗</b>文")
    assert out.count("***") == 1 and "****" not in out, out


def test_spans_that_cannot_render_anywhere_still_become_plain_text() -> None:
    # Emphasis on nothing but punctuation between two letters has no spelling: its text stays.
    out = markdown("文<b>粗</b><i>、</i>文")
    rendered = commonmark("文<b>粗</b><i>、</i>文")
    assert "*" not in re.sub(r"<[^>]+>", "", rendered), out
    assert "<strong>粗</strong>" in rendered, out


# -- every chain of two or three spans, in every context -------------------------------------

BEFORES = ("", "文", "x", " ", "，", "(")
AFTERS = ("", "文", "d", " ", "。", ")")


def enumerated() -> list[str]:
    """Two or three spans of different kinds in a row, between letters, blanks or punctuation."""
    bodies = []
    for count in (2, 3):
        for kinds in itertools.product("ibs", repeat=count):
            if any(a == b for a, b in itertools.pairwise(kinds)):
                continue  # spans of one kind side by side are one span
            for before, after, letter in itertools.product(BEFORES, AFTERS, ("斜", "a")):
                spans = "".join(f"<{k}>{letter}{n}</{k}>" for n, k in enumerate(kinds))
                bodies.append(before + spans + after)
    return bodies


def test_every_chain_keeps_its_markup_for_commonmark() -> None:
    wrong = [(body, markdown(body)) for body in enumerated() if commonmark(body) != expected(body)]
    assert not wrong, f"{len(wrong)} lose markup, e.g. {wrong[:5]}"


def hexo_paragraphs(bodies: tuple[str, ...]) -> list[str]:
    """Render each body's Markdown with Hexo (one post, one paragraph each); return the insides."""
    post = build_post("---\ntitle: 强调\n---\n" + "\n".join(markdown(b) + "\n" for b in bodies))
    assert post.html is not None, post.error
    paragraphs = re.findall(r"<p>(.*?)</p>", post.html, re.S)
    assert len(paragraphs) == len(bodies), post.html[:2000]
    return [shown(p) for p in paragraphs]


def test_every_chain_keeps_its_markup_for_hexos_marked() -> None:
    hexo_or_skip()
    bodies = tuple(CASES + enumerated())
    rendered = hexo_paragraphs(bodies)
    wrong = [
        (body, markdown(body), got)
        for body, got in zip(bodies, rendered, strict=True)
        if got != expected(body).strip()
    ]
    assert not wrong, f"{len(wrong)} lose markup in marked, e.g. {wrong[:5]}"


_WORDS = st.text(alphabet="中文ab", min_size=1, max_size=3)
_AROUND = st.text(alphabet="中a ，。()!-", max_size=2)


@settings(max_examples=300, deadline=None)
@given(
    _AROUND,
    st.lists(st.tuples(st.sampled_from("ibs"), _WORDS), min_size=2, max_size=5),
    _AROUND,
)
def test_any_run_of_spans_between_any_text_keeps_its_markup(
    before: str, spans: list[tuple[str, str]], after: str
) -> None:
    # Neighbours of one kind are one span (the writer joins them, as a browser shows them).
    merged: list[tuple[str, str]] = []
    for kind, words in spans:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + words)
        else:
            merged.append((kind, words))
    body = before + "".join(f"<{k}>{w}</{k}>" for k, w in merged) + after
    assert commonmark(body) == " ".join(expected(body).split()), markdown(body)


def test_a_long_row_of_spans_is_written_in_linear_time() -> None:
    import time

    body = "文" + "<i>（斜）</i><b>“粗”</b><s>、删。</s>" * 700 + "<i>斜</i><b>粗</b>" * 700 + "文"
    started = time.perf_counter()
    rendered = commonmark(body)
    assert time.perf_counter() - started < 10
    assert rendered.count("<em>") == 1400 and rendered.count("<strong>") == 1400
    assert "*" not in re.sub(r"<[^>]+>", "", rendered)
