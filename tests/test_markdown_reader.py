"""Tests for the Markdown reader: each mapping by hand, bylines, footnotes, and never raising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from zhconvert.model import (
    BlockQuote,
    Byline,
    CodeBlock,
    Emphasis,
    Figure,
    Footnote,
    FootnoteRef,
    Heading,
    InlineCode,
    InlineImage,
    InlineMath,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    MathBlock,
    Mention,
    Paragraph,
    Strikethrough,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
)
from zhconvert.readers.markdown import read_markdown


def blocks(source: str) -> tuple[object, ...]:
    return read_markdown(source)[0]


def inlines(source: str) -> tuple[object, ...]:
    """Return the inline children of the single paragraph ``source`` reads as."""
    (paragraph,) = blocks(source)
    assert isinstance(paragraph, Paragraph)
    return paragraph.children


def para(*children: object) -> Paragraph:
    return Paragraph(tuple(children))  # type: ignore[arg-type]


def cells(*texts: str) -> tuple[TableCell, ...]:
    return tuple(TableCell((Text(t),) if t else ()) for t in texts)


# ---------------------------------------------------------------------------------------------
# Blocks


def test_heading_and_paragraph() -> None:
    assert read_markdown("# 标题\n\n正文**加粗**。\n")[0] == (
        Heading(1, (Text("标题"),)),
        Paragraph((Text("正文"), Strong((Text("加粗"),)), Text("。"))),
    )


def test_empty_input() -> None:
    assert read_markdown("") == ((), ())
    assert read_markdown("\n \n\t\n") == ((), ())


@pytest.mark.parametrize("level", range(1, 7))
def test_atx_heading_levels(level: int) -> None:
    assert blocks("#" * level + " 标题") == (Heading(level, (Text("标题"),)),)


def test_setext_headings() -> None:
    assert blocks("一\n===\n\n二\n---\n") == (
        Heading(1, (Text("一"),)),
        Heading(2, (Text("二"),)),
    )


def test_fenced_code_keeps_whitespace_and_drops_final_newline() -> None:
    source = "```python extra words\ndef f():\n    return 1\n\n```\n"
    assert blocks(source) == (CodeBlock("def f():\n    return 1\n", "python"),)


def test_fence_without_language_and_empty_fence() -> None:
    assert blocks("~~~\nx\n~~~") == (CodeBlock("x"),)
    assert blocks("```\n```") == (CodeBlock(""),)


def test_indented_code_block() -> None:
    assert blocks("    a = 1\n      b\n") == (CodeBlock("a = 1\n  b"),)


def test_code_is_not_parsed_as_markdown() -> None:
    assert blocks("```md\n**x** <b>y</b> $z$\n```") == (CodeBlock("**x** <b>y</b> $z$", "md"),)


def test_blockquote_nested() -> None:
    assert blocks("> 引用\n>\n> > 内层\n> - 项\n") == (
        BlockQuote(
            (
                para(Text("引用")),
                BlockQuote((para(Text("内层")),)),
                ListBlock((ListItem((para(Text("项")),)),)),
            )
        ),
    )


def test_thematic_break() -> None:
    assert blocks("甲\n\n---\n\n***\n") == (para(Text("甲")), ThematicBreak(), ThematicBreak())


# ---------------------------------------------------------------------------------------------
# Lists


def test_tight_bullet_list_items_are_paragraphs() -> None:
    assert blocks("- 一\n- 二\n") == (
        ListBlock((ListItem((para(Text("一")),)), ListItem((para(Text("二")),)))),
    )


def test_ordered_list_start() -> None:
    assert blocks("1. a\n2. b\n") == (
        ListBlock((ListItem((para(Text("a")),)), ListItem((para(Text("b")),))), ordered=True),
    )
    assert blocks("3) c\n") == (ListBlock((ListItem((para(Text("c")),)),), ordered=True, start=3),)


def test_loose_list_with_several_blocks_per_item() -> None:
    assert blocks("- 第一段\n\n  第二段\n\n- 二\n") == (
        ListBlock(
            (
                ListItem((para(Text("第一段")), para(Text("第二段")))),
                ListItem((para(Text("二")),)),
            ),
            loose=True,  # blank lines between the items: markdown-it shows their paragraphs
        ),
    )


def test_nested_lists() -> None:
    source = "- 外\n  1. 内一\n  2. 内二\n     - 更内\n- 外二\n"
    assert blocks(source) == (
        ListBlock(
            (
                ListItem(
                    (
                        para(Text("外")),
                        ListBlock(
                            (
                                ListItem((para(Text("内一")),)),
                                ListItem(
                                    (
                                        para(Text("内二")),
                                        ListBlock((ListItem((para(Text("更内")),)),)),
                                    )
                                ),
                            ),
                            ordered=True,
                        ),
                    )
                ),
                ListItem((para(Text("外二")),)),
            )
        ),
    )


def test_empty_list_item() -> None:
    assert blocks("- a\n-\n") == (ListBlock((ListItem((para(Text("a")),)), ListItem(()))),)


# ---------------------------------------------------------------------------------------------
# Tables


def test_table_header_and_rows() -> None:
    source = "| 名 | 值 |\n|:--|--:|\n| a | **1** |\n| b |  |\n"
    assert blocks(source) == (
        Table(
            cells("名", "值"),
            (
                (TableCell((Text("a"),)), TableCell((Strong((Text("1"),)),))),
                cells("b", ""),
            ),
        ),
    )


def test_table_escaped_pipes() -> None:
    source = "| a \\| b | `c\\|d` |\n|---|---|\n| 1\\|2 | x |\n"
    assert blocks(source) == (
        Table(
            (TableCell((Text("a | b"),)), TableCell((InlineCode("c|d"),))),
            (cells("1|2", "x"),),
        ),
    )


def test_table_without_body_rows() -> None:
    assert blocks("| h |\n|---|\n") == (Table(cells("h"), ()),)


def test_table_with_all_empty_header_row_has_no_header() -> None:
    assert blocks("|  |  |\n|--|--|\n| a | b |\n") == (Table((), (cells("a", "b"),)),)


# ---------------------------------------------------------------------------------------------
# Inlines


def test_emphasis_strong_strikethrough_code() -> None:
    assert inlines("*斜* **粗** ~~删~~ `码` _**混**_") == (
        Emphasis((Text("斜"),)),
        Text(" "),
        Strong((Text("粗"),)),
        Text(" "),
        Strikethrough((Text("删"),)),
        Text(" "),
        InlineCode("码"),
        Text(" "),
        Emphasis((Strong((Text("混"),)),)),
    )


def test_adjacent_text_is_merged() -> None:
    assert inlines("a\\*b &amp; c &#123;d&#125;") == (Text("a*b & c {d}"),)


def test_hard_breaks() -> None:
    assert inlines("一  \n二\\\n三") == (
        Text("一"),
        LineBreak(),
        Text("二"),
        LineBreak(),
        Text("三"),
    )


def test_links_and_autolinks() -> None:
    assert inlines('[**链接**](https://example.com/a "标题") <https://b.org/x>') == (
        Link("https://example.com/a", (Strong((Text("链接"),)),), "标题"),
        Text(" "),
        Link("https://b.org/x", (Text("https://b.org/x"),)),
    )


def test_link_urls_are_kept_as_written() -> None:
    assert inlines("[维基](https://zh.wikipedia.org/wiki/中文?q=%E4%B8%AD)") == (
        Link("https://zh.wikipedia.org/wiki/中文?q=%E4%B8%AD", (Text("维基"),)),
    )


def test_unsafe_link_is_not_a_link() -> None:
    # As in the HTML reader: the link's text stays, its address goes.
    assert inlines("[x](javascript:alert(1))") == (Text("x"),)
    assert inlines("[x](java&#x09;script:alert(1))") == (Text("x"),)
    assert inlines("![alt](JAVASCRIPT:alert(1))") == (Text("alt"),)


def test_mention() -> None:
    assert inlines("问 [@张三](https://www.zhihu.com/people/zhang-san)") == (
        Text("问 "),
        Mention("张三", "https://www.zhihu.com/people/zhang-san"),
    )


@pytest.mark.parametrize(
    "source",
    [
        "[@张三](https://example.com/people/zhang-san)",  # not Zhihu
        "[张三](https://www.zhihu.com/people/zhang-san)",  # no @
        "[@](https://www.zhihu.com/people/zhang-san)",  # no name
        "[@**张三**](https://www.zhihu.com/people/zhang-san)",  # not plain text
    ],
)
def test_links_that_are_not_mentions(source: str) -> None:
    (node,) = inlines(source)
    assert isinstance(node, Link)


def test_image_alone_in_paragraph_is_figure() -> None:
    assert blocks("![图 *一*](https://pic.example/a.jpg)\n\n![](b.png)") == (
        Figure("https://pic.example/a.jpg", alt="图 一"),
        Figure("b.png"),
    )


def test_italic_line_under_an_image_is_its_caption() -> None:
    assert blocks("![猫](a.jpg)\\\n*图一：[来源](https://x.org)*\n\n![](b.png)\\\n说明") == (
        Figure("a.jpg", (Text("图一："), Link("https://x.org", (Text("来源"),))), alt="猫"),
        Figure("b.png", (Text("说明"),)),
    )
    # a soft line break is no caption: the text runs on after the image
    assert blocks("![](a.jpg)\n*说明*") == (
        Paragraph((InlineImage("a.jpg"), Text(" "), Emphasis((Text("说明"),)))),
    )


def test_a_picture_under_a_picture_is_no_caption() -> None:
    # What the writer makes of <img><br><br><img> (a news feed's gallery): two pictures a line
    # apart. Read as a figure captioned by the second picture, it came back as "*![](b.png)*".
    assert blocks("![](a.png)\\\n\\\n![](b.png)") == (
        Paragraph((InlineImage("a.png"), LineBreak(), LineBreak(), InlineImage("b.png"))),
    )
    assert blocks("![](a.png)\\\n![](b.png)\\\n说明") == (
        Paragraph(
            (InlineImage("a.png"), LineBreak(), InlineImage("b.png"), LineBreak(), Text("说明"))
        ),
    )
    # a caption is the line right under the image, not one after a blank line
    assert blocks("![](a.png)\\\n\\\n说明") == (
        Paragraph((InlineImage("a.png"), LineBreak(), LineBreak(), Text("说明"))),
    )


def test_pictures_a_line_apart_convert_to_themselves() -> None:
    import zhconvert

    html = '<br><img src="https://x.test/a.png"><br><br><img src="https://x.test/b.png"><br>'
    once = zhconvert.dumps(zhconvert.from_html(html), "markdown")
    assert once == "![](https://x.test/a.png)\\\n\\\n![](https://x.test/b.png)\n"
    assert zhconvert.dumps(zhconvert.loads(once), "markdown") == once


def test_image_in_text_is_inline_image() -> None:
    assert inlines("看![笑](s.png)这") == (Text("看"), InlineImage("s.png", "笑"), Text("这"))
    assert inlines("[![图](i.png)](https://x.org)") == (
        Link("https://x.org", (InlineImage("i.png", "图"),)),
    )


def test_math() -> None:
    assert blocks("$$\n  E = mc^2\n$$\n\n$$a+b$$\n\n$$\nq\n$$ (eq1)\n") == (
        MathBlock("E = mc^2"),
        MathBlock("a+b"),
        MathBlock("q"),
    )
    assert inlines("设 $x^2$ 与 $$y$$。") == (
        Text("设 "),
        InlineMath("x^2"),
        Text(" 与 "),
        InlineMath("y"),
        Text("。"),
    )


def test_currency_is_not_math() -> None:
    assert inlines("花了 $5 又花 $6") == (Text("花了 $5 又花 $6"),)
    assert inlines("$ 不是公式 $") == (Text("$ 不是公式 $"),)
    assert inlines("\\$x$") == (Text("$x$"),)


# ---------------------------------------------------------------------------------------------
# Soft breaks


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("中文\n换行", "中文换行"),
        ("句号。\n下一句", "句号。下一句"),  # CJK punctuation
        ("全角ＡＢ\nＣ", "全角ＡＢＣ"),  # fullwidth forms
        ("ひらがな\nカタカナ", "ひらがなカタカナ"),
        ("한국어\n문장", "한국어문장"),
        ("english\nwords", "english words"),
        ("中文\nword", "中文 word"),
        ("word\n中文", "word 中文"),
        ("中文“\n引号”", "中文“ 引号”"),  # curly quotes are not CJK by Unicode block
    ],
)
def test_soft_breaks(source: str, expected: str) -> None:
    assert inlines(source) == (Text(expected),)


def test_soft_break_looks_through_markup() -> None:
    assert inlines("**中**\n文") == (Strong((Text("中"),)), Text("文"))
    assert inlines("[中](u)\n*文*") == (Link("u", (Text("中"),)), Emphasis((Text("文"),)))
    assert inlines("中\n`x`") == (Text("中 "), InlineCode("x"))
    assert inlines("中\n$x$") == (Text("中 "), InlineMath("x"))


# ---------------------------------------------------------------------------------------------
# Hexo's brace entities


def test_brace_entities_in_code_and_math() -> None:
    assert blocks("```js\nif (a) &#123; b(); &#125;\n```") == (CodeBlock("if (a) { b(); }", "js"),)
    assert blocks("    &#123;&#123; x &#125;&#125;") == (CodeBlock("{{ x }}"),)
    assert inlines("`&#123;% raw %&#125;`") == (InlineCode("{% raw %}"),)
    assert inlines("$\\frac&#123;a&#125;&#123;b&#125;$") == (InlineMath("\\frac{a}{b}"),)
    assert blocks("$$\n\\sqrt&#123;2&#125;\n$$") == (MathBlock("\\sqrt{2}"),)
    # Other entities stay literal in code, as CommonMark says.
    assert inlines("`&amp;`") == (InlineCode("&amp;"),)


# ---------------------------------------------------------------------------------------------
# Raw HTML


def test_html_block_is_dropped() -> None:
    assert blocks('<div class="x">\n<p>隐藏</p>\n</div>\n\n正文\n') == (para(Text("正文")),)


def test_html_inline_tags_are_dropped_text_kept() -> None:
    assert inlines('一<span style="x">二</span>三<br>四') == (Text("一二三四"),)


def test_paragraph_of_only_html_is_dropped() -> None:
    assert blocks("<span></span> <b></b>\n\n甲") == (para(Text("甲")),)


# ---------------------------------------------------------------------------------------------
# Bylines


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("作者：**张三**", Byline("张三")),
        ("作者：**张三**（程序员，猫奴）", Byline("张三", "程序员，猫奴")),
        (
            "作者：**张三** · [原文](https://www.zhihu.com/question/1/answer/2)",
            Byline("张三", "", "https://www.zhihu.com/question/1/answer/2"),
        ),
        (
            "作者：**张三**（程序员） · [原文](https://zhuanlan.zhihu.com/p/3)",
            Byline("张三", "程序员", "https://zhuanlan.zhihu.com/p/3"),
        ),
    ],
)
def test_byline_shapes(source: str, expected: Byline) -> None:
    assert blocks(source) == (expected,)


@pytest.mark.parametrize(
    "source",
    [
        "作者：张三",  # author not bold
        "作者：*张三*",  # emphasis, not strong
        "作者：**张*三***",  # author not plain text
        "作者: **张三**",  # ASCII colon
        "作者：**张三**，程序员",  # bio not in fullwidth parentheses
        "作者：**张三**（）",  # empty bio
        "作者：**张三**（程序员）多余",
        "作者：**张三**[原文](u)",  # no separator
        "作者：**张三** · [原帖](u)",  # link text is not 原文
        "作者：**张三** · ",
        "作者：**张三** · [原文](u) 多余",
        "前缀 作者：**张三**",
    ],
)
def test_not_bylines(source: str) -> None:
    (block,) = blocks(source)
    assert isinstance(block, Paragraph)


def test_byline_inside_blockquote() -> None:
    assert blocks("> 作者：**李四**") == (BlockQuote((Byline("李四"),)),)


# ---------------------------------------------------------------------------------------------
# Footnotes


def test_integer_footnote_labels_keep_their_numbers() -> None:
    source = "甲[^2]乙[^1]丙[^2]\n\n[^1]: 一\n[^2]: 二\n"
    assert read_markdown(source) == (
        (para(Text("甲"), FootnoteRef(2), Text("乙"), FootnoteRef(1), Text("丙"), FootnoteRef(2)),),
        (Footnote(1, "一"), Footnote(2, "二")),
    )


def test_named_footnotes_are_numbered_in_order_of_first_reference() -> None:
    source = "a[^z] b[^a] c[^z]\n\n[^a]: A\n\n[^z]: Z\n"
    assert read_markdown(source) == (
        (para(Text("a"), FootnoteRef(1), Text(" b"), FootnoteRef(2), Text(" c"), FootnoteRef(1)),),
        (Footnote(1, "Z"), Footnote(2, "A")),
    )


def test_named_footnotes_skip_numbers_taken_by_integer_labels() -> None:
    source = "a[^x] b[^1] c[^y]\n\n[^x]: X\n[^1]: 一\n[^y]: Y\n"
    refs, notes = read_markdown(source)
    assert refs == (
        para(Text("a"), FootnoteRef(2), Text(" b"), FootnoteRef(1), Text(" c"), FootnoteRef(3)),
    )
    assert notes == (Footnote(1, "一"), Footnote(2, "X"), Footnote(3, "Y"))


def test_footnote_url_is_taken_out_of_the_text() -> None:
    source = (
        "a[^1] b[^2] c[^3] d[^4]\n\n"
        "[^1]: 标题 <https://example.com/a>\n"
        "[^2]: [文章](https://example.com/b) 第二版 <https://example.com/c>\n"
        "[^3]: 见 <https://example.com/d> 第 *3* 页\n"
        "[^4]: 来信 <me@example.com>\n"
    )
    assert read_markdown(source)[1] == (
        Footnote(1, "标题", "https://example.com/a"),
        Footnote(2, "文章 第二版 https://example.com/c", "https://example.com/b"),
        Footnote(3, "见 第 3 页", "https://example.com/d"),
        Footnote(4, "来信", "mailto:me@example.com"),
    )


def test_footnote_with_several_paragraphs() -> None:
    source = "x[^n]\n\n[^n]: 第一段\n\n    第二段 `码`\n"
    assert read_markdown(source)[1] == (Footnote(1, "第一段\n第二段 码"),)


def test_inline_footnote() -> None:
    assert read_markdown("正文^[内联 *注*]。") == (
        (para(Text("正文"), FootnoteRef(1), Text("。")),),
        (Footnote(1, "内联 注"),),
    )


def test_unreferenced_footnote_definition_is_kept() -> None:
    assert read_markdown("正文\n\n[^9]: 孤立\n[^k]: 也孤立\n") == (
        (para(Text("正文")),),
        (Footnote(1, "也孤立"), Footnote(9, "孤立")),
    )


def test_undefined_footnote_reference_stays_text() -> None:
    assert read_markdown("a[^1]") == ((para(Text("a[^1]")),), ())


def test_first_footnote_definition_wins() -> None:
    assert read_markdown("a[^1]\n\n[^1]: 先\n[^1]: 后\n")[1] == (Footnote(1, "先"),)


# ---------------------------------------------------------------------------------------------
# The fallback for token kinds without a handler


def test_unknown_tokens_keep_their_text() -> None:
    from zhconvert.readers.markdown import _Reader

    unknown_leaf = Token("widget", "", 0, content="可见")
    unknown_open = Token("aside_open", "aside", 1)
    unknown_close = Token("aside_close", "aside", -1)
    paragraph = [
        Token("paragraph_open", "p", 1),
        Token("inline", "", 0, children=[Token("sparkle", "", 0, content="闪")]),
        Token("paragraph_close", "p", -1),
    ]
    tokens = [unknown_open, *paragraph, unknown_close, unknown_leaf]
    assert _Reader(tokens, {}).blocks(0, len(tokens)) == [para(Text("闪")), para(Text("可见"))]


# ---------------------------------------------------------------------------------------------
# Never raising, on any input


def _nodes(root: object) -> list[tuple[object, int]]:
    """Return every model object under ``root`` with its depth, without recursing."""
    found = []
    stack = [(root, 0)]
    while stack:
        node, level = stack.pop()
        found.append((node, level))
        children = node if isinstance(node, tuple) else ()
        for name in getattr(node, "__slots__", ()):
            value = getattr(node, name)
            if isinstance(value, tuple):
                children += value
        stack.extend((child, level + 1) for child in children)
    return found


def _depth(root: object) -> int:
    return max(level for _, level in _nodes(root))


@pytest.mark.parametrize(
    "source",
    [
        "*" * 5000 + "x" + "*" * 5000,
        "~~" * 3000 + "x" + "~~" * 3000,
        "_*" * 3000 + "x" + "*_" * 3000,
        "> " * 3000 + "x",
        "- " * 3000 + "x",
        "".join("  " * i + "1. x\n" for i in range(300)),
        "![" * 3000 + "x" + "](u)" * 3000,
        "[" * 3000 + "x" + "](u)" * 3000,
        "^[" * 3000 + "x" + "]" * 3000,
        "[^1]: " * 3000 + "x\n\n[^1]",
        "a[^1]\n\n" + "[^1]: [^1]" * 100,
    ],
)
def test_deep_nesting_neither_raises_nor_builds_deep_trees(source: str) -> None:
    result = read_markdown(source)
    assert _depth(result) < 200
    assert result == read_markdown(source)  # comparing must not recurse too deeply either


MARKDOWN_PIECES = [
    "*", "**", "_", "__", "~~", "`", "```", "~~~", "$", "$$", "\\", "[", "]", "(", ")",
    "![", "](", "[^", "[^1]", "[^1]: ", "^[", "<", ">", "> ", "<https://a.b>", "<b>", "</b>",
    "<div>", "#", "# ", "-", "- ", "+ ", "1. ", "2) ", "|", "|---|", ":", "---", "***",
    "&#123;", "&#125;", "&amp;", "&", "  ", "    ", "\t", "\n", "\n\n", "\r\n", "中文", "，",
    "。", "text", "@", "作者：", "**张三**", "（简介）", " · ", "[原文](u)", "http://x.y",
    "zhihu.com/people/", "\x00", "\u3000", "\ufeff",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_never_raises_on_arbitrary_text(source: str) -> None:
    read_markdown(source)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=60).map("".join))
def test_never_raises_on_markdown_syntax_soup(source: str) -> None:
    result_blocks, footnotes = read_markdown(source)
    assert isinstance(result_blocks, tuple)
    assert isinstance(footnotes, tuple)
    # Footnote numbers are unique and every reference points at one of them.
    numbers = [note.number for note in footnotes]
    assert len(numbers) == len(set(numbers))
    refs = {node.number for node, _ in _nodes(result_blocks) if isinstance(node, FootnoteRef)}
    assert refs <= set(numbers)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=5)), max_size=40).map(
        "".join
    )
)
def test_never_raises_on_mixed_text_and_syntax(source: str) -> None:
    read_markdown(source)
