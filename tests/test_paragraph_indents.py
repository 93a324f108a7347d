"""Chinese paragraph indents (``　　``, two U+3000) and other non-ASCII blanks at a paragraph's ends.

CommonMark strips only spaces and tabs from a paragraph's ends, and so does marked (Hexo's
renderer); markdown-it strips every Unicode blank. The reader keeps what the blog shows.
"""

from __future__ import annotations

import pytest

import zhconvert
from _hexo import build_post, hexo_or_skip
from zhconvert.model import BlockQuote, Heading, ListBlock, Paragraph, Strong, Text
from zhconvert.readers.markdown import read_markdown

INDENT = "\u3000\u3000"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    "text",
    [
        f"{INDENT}第一段文字。",
        f"第一段文字。{INDENT}",
        f"{NBSP}{NBSP}开头两个不换行空格{NBSP}",
        "\u2003em 空格",
    ],
)
def test_a_paragraph_keeps_non_ascii_blanks_at_its_ends(text: str) -> None:
    assert read_markdown(f"{text}\n")[0] == (Paragraph((Text(text),)),)
    # Spaces and tabs are still stripped, around the other blanks as well.
    assert read_markdown(f"   {text}\t \n")[0] == (Paragraph((Text(text),)),)


def test_indents_are_kept_in_quotes_list_items_and_before_markup() -> None:
    source = f"> {INDENT}引用\n\n- {INDENT}条目\n\n{INDENT}**粗**文\n"
    quote, items, paragraph = read_markdown(source)[0]
    assert quote == BlockQuote((Paragraph((Text(f"{INDENT}引用"),)),))
    assert isinstance(items, ListBlock)
    assert items.items[0].children == (Paragraph((Text(f"{INDENT}条目"),)),)
    assert paragraph == Paragraph((Text(INDENT), Strong((Text("粗"),)), Text("文")))


def test_a_heading_drops_its_blanks_as_marked_does() -> None:
    assert read_markdown(f"## {INDENT}标题{INDENT}\n")[0] == (Heading(2, (Text("标题"),)),)


def test_a_blank_only_paragraph_is_still_no_paragraph() -> None:
    assert read_markdown(f"{INDENT}\n\n正文\n")[0] == (Paragraph((Text("正文"),)),)


HTML_POST = (
    "---\ntitle: 缩进\n---\n"
    f"<p>{INDENT}第一段。</p><p>{INDENT}第二段，<b>加粗</b>。</p>"
    f"<blockquote><p>{INDENT}引文。</p></blockquote><p>&nbsp;&nbsp;空格缩进。</p>"
)


def _markdown() -> str:
    out = zhconvert.dumps(zhconvert.loads(HTML_POST), "markdown")
    assert isinstance(out, str)
    return out


def test_indented_paragraphs_convert_to_themselves() -> None:
    out = _markdown()
    assert f"\n{INDENT}第一段。\n" in out
    assert f"\n> {INDENT}引文。\n" in out
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out
    # Plain text is for search and NLP: its paragraphs drop their indents, from either source.
    text = zhconvert.dumps(zhconvert.loads(out), "text")
    assert text == zhconvert.dumps(zhconvert.loads(HTML_POST), "text")
    assert "\n第二段，加粗。\n" in text


def test_hexo_shows_the_indents() -> None:
    hexo_or_skip()
    post = build_post(_markdown())
    assert post.html is not None, post.error
    assert f"<p>{INDENT}第一段。</p>" in post.html
    assert f"<p>{INDENT}引文。</p>" in post.html
    assert f"<p>{NBSP}{NBSP}空格缩进。</p>" in post.html
