"""The Markdown writer's fast paths, and the cases each must leave to the general path."""

from __future__ import annotations

import zhconvert
import zhconvert.model as m
from zhconvert.writers._depth import document_depth
from zhconvert.writers.markdown import escape_markdown


def _markdown(*blocks: m.Block) -> str:
    doc = m.Document(meta=m.Metadata(), blocks=blocks)
    out = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(out, str)
    return out


def _nested(kind: type[m.Strong] | type[m.Emphasis], levels: int) -> m.Inline:
    inline: m.Inline = m.Text("底")
    for _ in range(levels):
        inline = kind((inline,))
    return inline


def _depth(*blocks: m.Block) -> int:
    return document_depth(m.Document(meta=m.Metadata(), blocks=blocks))


def test_depth_is_counted_in_headings_captions_and_cells_not_in_leaf_blocks() -> None:
    # Paragraphs and headings are passed by exact type, leaf blocks skipped: inlines still count.
    assert _depth(m.Heading(2, (_nested(m.Emphasis, 3),))) == 3
    assert _depth(m.Paragraph((m.Text("a"), _nested(m.Strong, 2)))) == 2
    assert _depth(m.Figure("https://e.com/a.png", caption=(_nested(m.Strong, 5),))) == 5
    assert _depth(m.Table(header=(m.TableCell((_nested(m.Strong, 4),)),), rows=())) == 4
    assert _depth(m.CodeBlock("x"), m.ThematicBreak(), m.MathBlock("x"), m.Paragraph(())) == 0


def test_underlined_bold_sees_the_text_around_the_underline() -> None:
    # Underline has no Markdown: its bold is placed by the characters around the underline, so
    # "：" before "正" moves out of the span.
    para = m.Paragraph(
        (m.Text("看"), m.Underline((m.Strong((m.Text("注意："),)),)), m.Text("正文"))
    )
    assert _markdown(para) == "看**注意**：正文\n"


def test_an_address_before_a_line_break_is_a_link() -> None:
    para = m.Paragraph((m.Text("见 https://e.com/1/"), m.LineBreak(), m.Text("下一行")))
    assert _markdown(para) == "见 <https://e.com/1/>\\\n下一行\n"


def test_text_is_escaped_only_where_it_holds_markup_characters() -> None:
    # Text without any of these characters is written as it is, after one scan: each of them
    # must still be seen, or its escape would be skipped.
    cases = [
        ("\\", "\\\\"),
        ("`", "\\`"),
        ("*", "\\*"),
        ("$", "\\$"),
        ("~", "\\~"),
        ("[^1]", "\\[^1]"),
        ("x](y)", "x\\](y)"),
        ("<a>", "\\<a>"),
        ("_x", "\\_x"),
        ("&amp;", "\\&amp;"),
        ("{{ x }}", "&#123;{ x }}"),
        ("{# x #}", "&#123;# x #&#125;"),
    ]
    for plain, written in cases:
        assert escape_markdown(plain) == written, plain
        para = m.Paragraph((m.Text("字 " + plain), m.Strong((m.Text("粗"),))))
        assert _markdown(para).startswith("字 " + written), plain
    assert escape_markdown("纯文本，没有符号 plain text") == "纯文本，没有符号 plain text"


def test_backticks_in_code_choose_the_fence() -> None:
    assert _markdown(m.CodeBlock("a\n```\nb")) == "````\na\n```\nb\n````\n"
    assert _markdown(m.CodeBlock("a\n``\nb")) == "```\na\n``\nb\n```\n"
    assert _markdown(m.Paragraph((m.InlineCode("a`b"),))) == "``a`b``\n"
    assert _markdown(m.Paragraph((m.InlineCode("ab"),))) == "`ab`\n"


def test_one_line_and_many_line_paragraphs_escape_each_line_start() -> None:
    assert _markdown(m.Paragraph((m.Text("# 不是标题"),))) == "\\# 不是标题\n"
    two_lines = m.Paragraph((m.Text("1. 一"), m.LineBreak(), m.Text("  - 二")))
    assert _markdown(two_lines) == "1\\. 一\\\n\\- 二\n"


def test_white_space_at_the_edges_of_bold_goes_outside_its_markers() -> None:
    para = m.Paragraph((m.Text("前"), m.Strong((m.Text(" 粗 "),)), m.Text("后")))
    assert _markdown(para) == "前 **粗** 后\n"
    inner = m.Paragraph((m.Text("前"), m.Strong((m.Text("粗"),)), m.Text("后")))
    assert _markdown(inner) == "前**粗**后\n"
