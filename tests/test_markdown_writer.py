"""The Markdown writer: escaping, CJK emphasis, layout. Output is checked by a real CommonMark
parser (markdown-it-py with the GFM table, footnote and dollar-math rules), not by eye."""

from __future__ import annotations

import html
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

import zhconvert
from zhconvert import (
    BlockQuote,
    Byline,
    CodeBlock,
    Document,
    Emphasis,
    Figure,
    Heading,
    InlineCode,
    InlineMath,
    LineBreak,
    Link,
    LinkCard,
    ListBlock,
    ListItem,
    Metadata,
    Paragraph,
    Strong,
    Subscript,
    Table,
    TableCell,
    Text,
)
from zhconvert.writers._render import without_controls

MD = (
    MarkdownIt("commonmark")
    .enable("table")
    .enable("strikethrough")
    .use(dollarmath_plugin)
    .use(footnote_plugin)
)


def render(*blocks: object) -> str:
    doc = Document(meta=Metadata(), blocks=tuple(blocks))  # type: ignore[arg-type]
    out = zhconvert.dumps(doc, "markdown")
    assert isinstance(out, str)
    return out


def to_html(markdown: str) -> str:
    return MD.render(markdown)


def visible_text(rendered: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", rendered))


def test_markdown_syntax_in_text_stays_literal() -> None:
    source = "*星号* _x_ [x](y) # 标题 $5 与 $6 <b>粗</b> `代码` ~~删~~ a_b_c \\ &amp; |"
    out = render(Paragraph((Text(source),)))
    rendered = to_html(out)
    assert "<em>" not in rendered and "<strong>" not in rendered and "<code>" not in rendered
    assert "<a " not in rendered and "<s>" not in rendered and "math" not in rendered
    assert visible_text(rendered).strip() == source


def test_line_starts_that_would_be_blocks_are_escaped() -> None:
    for line in ("1. 不是列表", "- 不是列表", "+ 不是", "# 不是标题", "> 不是引用", "==="):
        out = render(Paragraph((Text("前"),)), Paragraph((Text(line),)))
        rendered = to_html(out)
        assert rendered.count("<p>") == 2, (line, out, rendered)
        assert visible_text(rendered).split("\n")[1] == line


def test_hard_break_line_start_is_escaped_too() -> None:
    from zhconvert import LineBreak

    out = render(Paragraph((Text("第一行"), LineBreak(), Text("2. 第二行"))))
    rendered = to_html(out)
    assert "<ol" not in rendered and "<br />" in rendered


def test_strong_before_cjk_punctuation_still_renders() -> None:
    # CommonMark does not render **注意：**正文: the writer must choose a form that does.
    out = render(Paragraph((Strong((Text("注意："),)), Text("正文"))))
    rendered = to_html(out)
    assert "<strong>注意</strong>" in rendered
    assert "*" not in visible_text(rendered)
    assert visible_text(rendered).strip() == "注意：正文"


def test_emphasis_wrapped_in_quotes_and_links() -> None:
    out = render(
        Paragraph(
            (
                Text("他说"),
                Strong((Text("“好”"),)),
                Text("然后"),
                Emphasis((Link("https://e.example", (Text("链接"),)),)),
                Text("结束"),
            )
        )
    )
    rendered = to_html(out)
    assert "*" not in visible_text(rendered)
    assert "<strong>好</strong>" in rendered
    assert visible_text(rendered).strip() == "他说“好”然后链接结束"


CJK_PUNCT = "，。：；！？「」『』（）“”、《》"
inline_text = st.text(
    alphabet=st.sampled_from(list("中文字abc 1" + CJK_PUNCT + "*_[]$`\\#")), min_size=1, max_size=8
)


@st.composite
def inline_runs(draw: st.DrawFn) -> tuple[object, ...]:
    kinds = draw(st.lists(st.sampled_from(["text", "strong", "em"]), min_size=1, max_size=5))
    out: list[object] = []
    for kind in kinds:
        text = Text(draw(inline_text))
        out.append(text if kind == "text" else (Strong if kind == "strong" else Emphasis)((text,)))
    return tuple(out)


@settings(max_examples=300, deadline=None)
@given(inline_runs())
def test_emphasis_never_leaves_stray_markers_and_keeps_text(runs: tuple[object, ...]) -> None:
    out = render(Paragraph(runs))  # type: ignore[arg-type]
    rendered = to_html(out)
    expected = "".join(
        r.text if isinstance(r, Text) else r.children[0].text
        for r in runs  # type: ignore[attr-defined]
    )
    expected = " ".join(expected.split())
    assert " ".join(visible_text(rendered).split()) == expected, (out, rendered)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_any_text_round_trips_through_a_commonmark_parser(text: str) -> None:
    # Control characters are removed from every output (writers._render.without_controls).
    cleaned = " ".join(without_controls(text).split())
    if not cleaned:
        return
    out = render(Paragraph((Text(cleaned),)))
    rendered = to_html(out)
    assert " ".join(visible_text(rendered).split()) == cleaned.replace("\ufffd", "\ufffd"), out


def test_code_fences_survive_backticks_inside() -> None:
    out = render(CodeBlock("```\ncode\n````", "python"))
    rendered = to_html(out)
    assert 'class="language-python"' in rendered
    assert html.unescape(re.sub(r"<[^>]+>", "", rendered)).rstrip("\n") == "```\ncode\n````"


def test_inline_code_with_backticks() -> None:
    out = render(Paragraph((InlineCode("a`b"), Text(" "), InlineCode("`x"))))
    rendered = to_html(out)
    assert "<code>a`b</code>" in rendered and "<code>`x</code>" in rendered


def test_table_with_pipes_and_header() -> None:
    out = render(
        Table(
            (TableCell((Text("名"),)), TableCell((Text("值"),))),
            ((TableCell((Text("a|b"),)), TableCell((InlineCode("x|y"),))),),
        )
    )
    rendered = to_html(out)
    assert "<th>名</th>" in rendered and "<td>a|b</td>" in rendered
    assert "<code>x|y</code>" in rendered


def test_figure_heading_list_quote_layout() -> None:
    out = render(
        Heading(2, (Text("小节 #"),)),
        Figure("https://p.example/a b.jpg", (Text("图 [1]"),)),
        ListBlock(
            (
                ListItem(
                    (Paragraph((Text("甲"),)), ListBlock((ListItem((Paragraph((Text("子"),)),)),)))
                ),
                ListItem((Paragraph((Text("乙"),)),)),
            )
        ),
        ListBlock((ListItem((Paragraph((Text("另一个列表"),)),)),)),
        BlockQuote((Paragraph((Text("引"),)), Paragraph((Text("文"),)))),
    )
    assert out.startswith("## 小节 \\#\n")
    assert "- 甲\n  - 子\n- 乙\n\n* 另一个列表\n" in out
    rendered = to_html(out)
    assert '<img src="https://p.example/a%20b.jpg" alt="" /><br />\n<em>图 [1]</em>' in rendered
    assert rendered.count("<ul>") == 3  # the second list did not merge into the first
    assert "<blockquote>\n<p>引</p>\n<p>文</p>\n</blockquote>" in rendered


def test_byline_shape() -> None:
    out = render(Byline("张三", "工程师", "https://www.zhihu.com/question/1/answer/2"))
    assert out == "作者：**张三**（工程师） · [原文](https://www.zhihu.com/question/1/answer/2)\n"
    assert "<strong>张三</strong>" in to_html(out)


def test_front_matter_modes(design_post: Path) -> None:
    doc = zhconvert.load(design_post)
    kept = zhconvert.dumps(doc, "md")
    assert isinstance(kept, str)
    assert doc.front_matter is not None
    assert kept.startswith(doc.front_matter.text.lstrip("\n") + "\n")
    none = zhconvert.dumps(doc, "md", front_matter="none")
    assert isinstance(none, str)
    assert none.startswith("# 如何看待朝鲜承认顿涅茨克和卢甘斯克独立?\n\n作者：**")
    normalized = zhconvert.dumps(doc, "md", front_matter="normalize")
    assert isinstance(normalized, str)
    again = zhconvert.loads(normalized)
    assert again.meta.title == doc.meta.title
    assert again.meta.date == doc.meta.date
    assert again.meta.author == doc.meta.author  # the byline reads back
    assert again.meta.categories == doc.meta.categories


NORMALIZE_POST = """---
title: '咖啡为什么提神_'
author: 知乎
comments: false
headimg: https://pic1.zhimg.com/v2-head.jpg
layout: post
date: Wed, 13 Jul 2022 15:40:55 GMT
categories:
 - 知乎
 - 知乎热榜
---
<p>张三的回答</p><p>咖啡因会阻断<b>腺苷受体</b>。</p>
"""


def test_normalized_front_matter_keeps_the_keys_it_does_not_type() -> None:
    import yaml

    doc = zhconvert.loads(NORMALIZE_POST)
    out = zhconvert.dumps(doc, "md", front_matter="normalize")
    assert isinstance(out, str)
    mapping = yaml.safe_load(out.split("---\n")[1])
    # The typed keys first, then the theme's own keys as they were.
    assert list(mapping)[:2] == ["title", "author"]
    assert mapping["title"] == "咖啡为什么提神?"
    assert mapping["author"] == "张三"
    assert mapping["site"] == "知乎"
    assert mapping["comments"] is False
    assert mapping["headimg"] == "https://pic1.zhimg.com/v2-head.jpg"
    assert mapping["layout"] == "post"
    assert list(mapping).count("author") == 1


def test_normalized_front_matter_reads_back_the_same_metadata() -> None:
    doc = zhconvert.loads(NORMALIZE_POST)
    out = zhconvert.dumps(doc, "md", front_matter="normalize")
    assert isinstance(out, str)
    again = zhconvert.loads(out)
    assert again.meta == doc.meta
    # once more: nothing drifts
    assert zhconvert.dumps(again, "md", front_matter="normalize") == out


def test_template_tags_in_text_cannot_reach_hexo() -> None:
    # Hexo runs Nunjucks over a post before Markdown: "{{ x }}" or "{% raw %}" in the text would
    # be a template (an error, or text that vanishes). Code is left as it is.
    text = "模板写成 {{ page.title }}，标签 {% raw %}，注释 {# x #}，单个 { 不变"
    out = render(
        Paragraph((Text(text),)),
        Heading(2, (Text("{{标题}}"),)),
        CodeBlock("{{ code }}", "jinja"),
    )
    for opener in ("{{", "{%", "{#"):
        outside_code = out.split("```")[0]
        assert opener not in outside_code
    assert "```jinja\n{{ code }}\n```" in out
    # Markdown still shows exactly the text
    rendered = to_html(out)
    assert text in visible_text(rendered)
    assert "<h2>{{标题}}</h2>" in rendered
    again = zhconvert.loads("---\ntitle: t\n---\n" + out)
    assert isinstance(again.blocks[0], Paragraph)
    assert again.blocks[0].children == (Text(text),)


# -- emphasis next to punctuation, links, images and lists (issues 12, 13, 18) --------------------


def html_to_markdown(body: str) -> str:
    out = zhconvert.dumps(zhconvert.loads(body), "markdown")
    assert isinstance(out, str)
    return out


def test_bold_ending_in_parentheses_keeps_them_bold() -> None:
    out = html_to_markdown("<p><b>Windows Insider 最有价值专家 (MVP)</b></p>")
    assert out == "**Windows Insider 最有价值专家 (MVP)**\n"
    assert "<strong>Windows Insider 最有价值专家 (MVP)</strong>" in to_html(out)


def test_emphasis_after_punctuation_keeps_its_own_punctuation() -> None:
    assert to_html(html_to_markdown("<p>foo-<em>(bar)</em></p>")) == "<p>foo-<em>(bar)</em></p>\n"
    rendered = to_html(html_to_markdown("<p><em>(<em>foo</em>)</em></p>"))
    assert rendered == "<p><em>(<em>foo</em>)</em></p>\n"  # nested emphasis is not strong
    rendered = to_html(html_to_markdown("<p>foo<em><strong>bar</strong></em>baz</p>"))
    assert rendered == "<p>foo<em><strong>bar</strong></em>baz</p>\n"


def test_nested_bold_is_written_once_never_as_four_asterisks() -> None:
    out = html_to_markdown("<p><strong><strong>粗体</strong></strong>正文</p>")
    assert out == "**粗体**正文\n"
    out = html_to_markdown("<p><strong>甲，<strong>乙</strong>，丙</strong></p>")
    assert "****" not in out
    assert to_html(out) == "<p><strong>甲，<strong>乙</strong>，丙</strong></p>\n"


def test_heading_that_is_all_bold_drops_the_bold() -> None:
    assert html_to_markdown("<h3><b>六、增删文件</b></h3>") == "### 六、增删文件\n"
    assert html_to_markdown("<h3>六、<b>增删</b>文件</h3>") == "### 六、**增删**文件\n"


def test_link_and_image_titles_are_kept_and_read_back() -> None:
    out = html_to_markdown(
        '<p><a href="/bar*" title="ti*tle &quot;q&quot;">foo</a> '
        '<img src="https://e.org/a.png" alt="图" title="说明"></p>'
    )
    assert out == '[foo](/bar* "ti*tle \\"q\\"") ![图](https://e.org/a.png "说明")\n'
    again = zhconvert.loads(out)
    assert zhconvert.dumps(again, "markdown") == out


def test_destinations_keep_parentheses_and_ordered_lists_their_start() -> None:
    out = html_to_markdown('<p><a href="foo(and(bar)">link</a></p>')
    assert to_html(out) == '<p><a href="foo(and(bar)">link</a></p>\n'
    out = html_to_markdown('<ol start="0"><li>ok</li></ol>')
    assert out == "0. ok\n"


def test_lists_keep_loose_or_tight_and_stray_sub_lists_nest() -> None:
    assert html_to_markdown("<ul><li><p>a</p></li><li><p>b</p></li></ul>") == "- a\n\n- b\n"
    out = html_to_markdown("<ul><li>a<blockquote><p>b</p></blockquote></li><li>c</li></ul>")
    assert out == "- a\n  > b\n- c\n"
    out = html_to_markdown("<ul><li>a</li><ul><li>b</li></ul></ul>")
    assert out == "- a\n  - b\n"  # not "- - b"


def test_brackets_are_escaped_only_where_they_would_mean_something() -> None:
    out = render(Paragraph((Text("见 [1] 与 a > b、x-y，[a](b) 和 [c]: d"),)))
    assert out == "见 [1] 与 a > b、x-y，[a\\](b) 和 [c\\]: d\n"
    assert visible_text(to_html(out)).strip() == "见 [1] 与 a > b、x-y，[a](b) 和 [c]: d"
    out = render(Paragraph((Text("惊叹!"), Link("https://e.org/", (Text("链接"),)))))
    assert "<img" not in to_html(out) and "<a " in to_html(out)


_PIECES = st.text(alphabet="ab 中文()（）：，.-!?*_[]", max_size=8)


def _core(text: str) -> str:
    """``text`` without white space and punctuation at its edges."""
    import unicodedata

    def edge(ch: str) -> bool:
        return ch.isspace() or unicodedata.category(ch)[0] in "PS"

    start, end = 0, len(text)
    while start < end and edge(text[start]):
        start += 1
    while end > start and edge(text[end - 1]):
        end -= 1
    return text[start:end]


def _ascii_or_blank(ch: str) -> bool:
    return ch == "" or ch.isspace() or (ch.isascii() and not ch.isalnum())


@settings(max_examples=400, deadline=None)
@given(_PIECES, _PIECES.filter(lambda s: s.strip()), _PIECES, st.sampled_from([Strong, Emphasis]))
def test_emphasis_keeps_its_text_next_to_any_punctuation(
    before: str, inside: str, after: str, kind: type
) -> None:
    out = render(Paragraph(tuple(n for n in (Text(before), kind((Text(inside),)), Text(after)))))
    rendered = MarkdownIt("commonmark").render(out)
    assert " ".join(visible_text(rendered).split()) == " ".join((before + inside + after).split())
    tag = "strong" if kind is Strong else "em"
    spans = [visible_text(s) for s in re.findall(rf"<{tag}>(.*?)</{tag}>", rendered, re.S)]
    if _core(inside):
        # The words are always emphasized; punctuation at an edge may only move outside when
        # CommonMark's flanking rules allow no delimiter next to it.
        assert len(spans) == 1 and _core(inside) in spans[0], (out, rendered)
        if _ascii_or_blank(before[-1:]) and _ascii_or_blank(after[:1]):
            # Nothing forced a change: next to white space or ASCII punctuation a marker opens
            # and closes for every renderer, whatever the span's own edges are.
            assert spans[0] == inside.strip(), (out, rendered)


_NESTED = st.recursive(
    st.text(alphabet="ab中 ()（）：，.-!", min_size=1, max_size=5).map(Text),
    lambda inner: st.tuples(
        st.sampled_from([Strong, Emphasis]), st.lists(inner, min_size=1, max_size=3)
    ).map(lambda pair: pair[0](tuple(pair[1]))),
    max_leaves=8,
)


def _all_text(nodes: object) -> str:
    if isinstance(nodes, Text):
        return nodes.text
    children = nodes if isinstance(nodes, (list, tuple)) else nodes.children  # type: ignore[attr-defined]
    return "".join(_all_text(child) for child in children)


@settings(max_examples=300, deadline=None)
@given(st.lists(_NESTED, min_size=1, max_size=4))
def test_nested_emphasis_never_shows_its_markers(nodes: list[object]) -> None:
    # However spans nest and whatever punctuation they touch, the reader sees the text and only
    # the text: a marker that cannot open or close is not written.
    out = render(Paragraph(tuple(nodes)))  # type: ignore[arg-type]
    shown = visible_text(MarkdownIt("commonmark").render(out))
    assert " ".join(shown.split()) == " ".join(_all_text(nodes).split()), out


def test_deeply_nested_emphasis_is_written_in_linear_time() -> None:
    import time

    node: object = Text("x")
    for _ in range(120):  # each level needs its punctuation moved out: the worst case
        node = Strong((Text("a"), Emphasis((Text("("), node, Text(")"))), Text("a")))  # type: ignore[arg-type]
    started = time.perf_counter()
    out = render(Paragraph((Text("b"), node, Text("b"))))  # type: ignore[arg-type]
    assert time.perf_counter() - started < 5
    assert visible_text(to_html(out)).count("x") == 1


def test_list_item_starting_with_code_puts_the_fence_on_its_own_line() -> None:
    # Hexo's code-block pass misreads "- ```" when another item follows (see docs/formats.md).
    out = html_to_markdown("<ul><li><pre><code>a</code></pre></li><li><pre>b</pre></li></ul>")
    assert out == "-\n  ```\n  a\n  ```\n-\n  ```\n  b\n  ```\n"
    rendered = to_html(out)
    assert rendered.count("<li>") == 2 and rendered.count("<pre>") == 2


def test_closing_bracket_is_escaped_only_before_what_would_make_a_link() -> None:
    out = html_to_markdown("<p>详见[2]</p><p>[1] 和 [2] 两篇，<sup>[3]</sup>(注)</p>")
    assert out == "详见[2]\n\n[1] 和 [2] 两篇，[3\\](注)\n"
    assert "<a " not in to_html(out)


def test_image_titles_that_repeat_the_post_title_are_left_out() -> None:
    post = (
        "---\ntitle: 一篇文章\n---\n"
        '<p><img src="https://e.org/a.png" title="一篇文章"></p>'
        '<p><img src="https://e.org/b.png" title="图二"></p>'
    )
    out = zhconvert.dumps(zhconvert.loads(post), "markdown", front_matter="none")
    assert "![](https://e.org/a.png)" in out and '![](https://e.org/b.png "图二")' in out


def test_emphasis_works_for_renderers_that_know_only_ascii_punctuation() -> None:
    # Hexo's marked counts only ASCII punctuation: after "，" (a letter to it) "**" cannot open
    # before a quote mark, so the quote marks go outside the bold.
    out = html_to_markdown('<p>这样描述，<b>"将数据包发送给路由器！"</b>，巧妙吧</p>')
    assert out == '这样描述，"**将数据包发送给路由器！**"，巧妙吧\n'
    assert "<strong>将数据包发送给路由器！</strong>" in to_html(out)


def test_moved_punctuation_keeps_brackets_with_their_partners() -> None:
    # "以及*（括号）*" cannot open after a letter; both brackets go out, not one.
    assert html_to_markdown("<p>以及<em>（括号）</em>。</p>") == "以及（*括号*）。\n"
    assert html_to_markdown("<p>a<b>(MVP)</b>b</p>") == "a(**MVP**)b\n"


def test_no_line_ends_in_blanks_where_a_span_ends_a_paragraph() -> None:
    # A run cannot close after a blank, so the blank goes outside the marker; at the end of a
    # paragraph it is nothing (a parser drops it) but noise in the file, and it made a post's
    # Markdown read and written again differ from itself.
    for html_in, expected in (
        ("<p><b>- 高楷修 (Ling Gao)   </b></p>", "**- 高楷修 (Ling Gao)**\n"),
        ("<p>a<b>b </b></p>", "a**b**\n"),
        ("<ul><li><b>x </b></li></ul>", "- **x**\n"),
        ("<blockquote><p><i>引 </i></p></blockquote>", "> *引*\n"),
    ):
        out = zhconvert.dumps(zhconvert.from_html(html_in), "markdown")
        assert out == expected
        assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out
    # what a blank at the end keeps: a code span's own blanks, a backslash's meaning
    assert render(Paragraph((InlineCode("a "),))) == "` a  `\n"
    assert to_html(render(Paragraph((Text("x \\ "),)))) == "<p>x \\</p>\n"


def test_a_link_card_that_shows_its_address_is_written_as_an_autolink() -> None:
    # As a link whose text is its address is: read back, a card is a paragraph of one link,
    # and the post must write the same again.
    url = "https://developers.google.com/apps-script/api/quickstart/python"
    for card in (LinkCard(url), LinkCard(url, title=url), LinkCard(url, title=f" {url} ")):
        out = render(card)
        assert out == f"<{url}>\n"
        assert to_html(out) == f'<p><a href="{url}">{url}</a></p>\n'
        assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out
    # an address an autolink cannot hold keeps the long form
    assert render(LinkCard("https://x.test/a b")) == "[https://x.test/a b](https://x.test/a%20b)\n"
    assert render(LinkCard(url, title="标题")) == f"[标题]({url})\n"


def test_caret_before_a_bracket_is_no_inline_footnote() -> None:
    # "^[…]" is an inline footnote for markdown-it's footnote plugin (and zhconvert's Markdown
    # reader): text that spells it must stay text, inside a run and across two.
    for paragraph in (
        Paragraph((Text("^[]"),)),
        Paragraph((Text("指数 2^[注] 见下"),)),
        Paragraph((Text("a^"), Link("https://x.test/", (Text("b"),)))),
    ):
        out = render(paragraph)
        rendered = to_html(out)
        assert "footnote" not in rendered, out
        assert zhconvert.loads(out).blocks == (paragraph,), out


def test_a_formula_touching_a_digit_stays_a_formula() -> None:
    # Pandoc and zhconvert's reader (markdown-it's dollar math without digits, so that "$5 and
    # $6" stays money) take no "$" next to a digit for a formula's edge: "$n$1" would be text.
    # The digit is written as a character reference, which every renderer shows as the digit.
    strict = MarkdownIt("commonmark").use(dollarmath_plugin, allow_digits=False)
    for paragraph, expected in (
        (Paragraph((Text("共"), InlineMath("n"), Text("1 个"))), "共$n$&#49; 个\n"),
        (Paragraph((Text("第 2"), InlineMath("x"), Text("项"))), "第 &#50;$x$项\n"),
        (Paragraph((Text("３"), InlineMath("y"), Text("４"))), "&#65299;$y$&#65300;\n"),
        (Paragraph((InlineMath("a"), Text("0"), InlineMath("b"))), "$a$&#48;$b$\n"),
    ):
        out = render(paragraph)
        assert out == expected
        assert strict.render(out).count('class="math inline"') == expected.count("$") // 2
        assert zhconvert.loads(out).blocks == (paragraph,), out
    # a digit away from the "$" needs nothing
    assert render(Paragraph((InlineMath("n"), Text(" 1")))) == "$n$ 1\n"


def test_a_paragraph_that_opens_with_a_formula_and_ends_with_a_digit_keeps_it() -> None:
    # markdown-it's dollar-math rule looks one character before the paragraph's first "$" and
    # reads the paragraph's last one instead (src[-1]): "$n$ 是 1" was text.
    for source in ("$n$ 的值是 1", "$n$ 是 1\n"):
        (paragraph,) = zhconvert.loads(source).blocks
        assert paragraph == Paragraph((InlineMath("n"), Text(source.strip()[3:])))
    assert zhconvert.loads("1$n$ 是").blocks == (Paragraph((Text("1$n$ 是"),)),)


def test_a_break_anywhere_in_a_heading_is_a_blank() -> None:
    # A heading is one line: a break inside bold or a superscript in it was written "\ ", a
    # backslash that read back as text.
    for html_in in ("<h2>前<b>粗<br>体</b>后</h2>", "<h2>前<sup>上<br>标</sup>后</h2>"):
        out = zhconvert.dumps(zhconvert.from_html(html_in), "markdown")
        assert "\\" not in out, out
        assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out
    assert render(Heading(2, (Strong((Text("粗"), LineBreak(), Text("体"))), Text("后")))) == (
        "## **粗 体**后\n"
    )


def test_a_bracket_before_a_span_is_escaped_by_what_the_span_starts_with() -> None:
    # "<" opens a tag only before a letter, "/", "!" or "?"; before a span whose markers are
    # written it stays bare, so the Markdown of text moved out of a span reads and writes the same.
    for paragraph, expected in (
        (Paragraph((Text("a<"), Emphasis((Text("x>"),)))), "a<*x>*\n"),
        (Paragraph((Text("中文，<"), Strong((Text("x"),)), Text(">b"))), "中文，<**x**>b\n"),
        (Paragraph((Text("见]"), Strong((Text("(x)"),)))), "见]**(x)**\n"),
    ):
        out = render(paragraph)
        assert out == expected
        assert zhconvert.loads(out).blocks == (paragraph,), out
        assert "<x" not in to_html(out) and "<a" not in to_html(out)
    assert render(Paragraph((Text("a<x"),))) == "a\\<x\n"


def test_an_escaped_backslash_ending_a_paragraph_keeps_no_blanks() -> None:
    # "\\" is a backslash whatever follows it; only a lone "\" would end the line as a break.
    for paragraph, expected in (
        (Paragraph((Text("列表\\   "),)), "列表\\\\\n"),
        (Paragraph((Text("a\\"), Emphasis((Text("b"),)), Text("\\  "))), "a\\\\*b*\\\\\n"),
    ):
        out = render(paragraph)
        assert out == expected
        assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_a_heading_of_bold_side_by_side_is_written_without_bold() -> None:
    # As a heading of one bold span is: bold side by side is written as one run of bold, so the
    # Markdown read back is that one span, which the writer must write the same way.
    heading = Heading(3, (Strong((Text("中文，"),)), Strong((Text("😀"),))))
    out = render(heading)
    assert out == "### 中文，😀\n"
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_a_caption_with_a_blank_at_its_edge_converts_to_itself() -> None:
    # The blank is written outside the italics ("\u3000*说明*"); read back, it is still the
    # caption's, not a line of text holding italics.
    figure = Figure("https://e.org/a.png", caption=(Text("\u3000说明"),))
    out = render(figure)
    assert out == "![](https://e.org/a.png)\\\n\u3000*说明*\n"
    assert zhconvert.loads(out).blocks == (figure,)
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_a_post_whose_paragraphs_open_with_template_code_reads_back_as_markdown() -> None:
    # Inline code holding "{{" is written as <code>…</code>; a post whose every paragraph opens
    # with it was taken for an HTML body (each chunk starts with a tag), so "\*" came back with
    # its backslash. A body of bare <code> chunks is Markdown; a feed's HTML has its <p> tags.
    doc = Document(
        meta=Metadata(title="模板"),
        blocks=(
            Paragraph((InlineCode("{{ page.title }}"), Text(" 是 *Liquid* 变量"))),
            Paragraph((InlineCode("{% raw %}<x>"), Text("。"))),
        ),
    )
    out = zhconvert.dumps(doc, "markdown")
    assert isinstance(out, str)
    assert out.startswith("<code>&#123;{ page.title }}</code> 是 \\*Liquid\\* 变量\n\n<code>")
    assert zhconvert.loads(out).blocks == doc.blocks
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out
    html = "<p>正文</p>\n\n<code>{{ x }}</code> 与 *星号*\n"
    assert zhconvert.loads(html).blocks[-1] == Paragraph(
        (InlineCode("{{ x }}"), Text(" 与 *星号*"))
    )


def test_code_next_to_code_is_one_code_span() -> None:
    # "`a``b`" would be one run of two backticks, not two spans: side by side, they are one.
    for paragraph, expected in (
        (Paragraph((InlineCode("a"), InlineCode("b"))), "`ab`\n"),
        # blanks at a code span's edge are padded, as for any code span
        (Paragraph((Text("x"), InlineCode("   "), InlineCode("<y>"))), "x`    <y> `\n"),
    ):
        out = render(paragraph)
        assert out == expected
        assert to_html(out).count("<code>") == 1
        assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_bold_inside_bold_is_seen_through_a_subscript() -> None:
    # Markdown writes a subscript as its content, so bold in a subscript in bold is bold once.
    for tail, expected in (((), "**粗**\n"), ((Text("文"),), "**粗**文\n")):
        out = render(Paragraph((Strong((Subscript((Strong((Text("粗"),)),)),)), *tail)))
        assert out == expected
        assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_a_paragraph_ending_in_a_break_shows_no_backslash() -> None:
    # A break as the paragraph's last inline (blanks around it too) is dropped: "a*b*   \" then
    # the paragraph's end shows the backslash.
    for paragraph in (
        Paragraph((Text("a"), Emphasis((Text("b"),)), Text("   "), LineBreak())),
        Paragraph((Text("a"), Emphasis((Text("b"),)), LineBreak(), Text(" "))),
    ):
        out = render(paragraph)
        assert out == "a*b*\n"
        assert "\\" not in to_html(out)
    # blank text ending a paragraph with no break is kept: an ideographic space is text
    assert render(Paragraph((Text("a\u3000"),))) == "a\u3000\n"


def test_an_address_before_a_break_in_a_subscript_is_a_link() -> None:
    # Markdown writes a subscript as its content, so the break after the address is the
    # paragraph's own, and the address must be a link there too (see test_line_breaks.py).
    out = render(Paragraph((Subscript((Text("见 https://e.org/a"), LineBreak(), Text("下"))),)))
    assert out == "见 <https://e.org/a>\\\n下\n"
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_a_heading_of_bold_in_bold_side_by_side_is_written_without_bold() -> None:
    heading = Heading(3, (Strong((Strong((Text("x"),)),)), Strong((Strong((Text(" y"),)),))))
    out = render(heading)
    assert out == "### x y\n"
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_blanks_left_by_bold_inside_italics_go_outside_the_italics() -> None:
    # "*" + "**粗** " + "*" cannot close after the blank, and the italics were lost.
    out = render(Paragraph((Emphasis((Strong((Text("粗 "),)),)), Text("文"))))
    assert out == "***粗*** 文\n"
    assert "<em><strong>粗</strong></em> 文" in to_html(out)
    figure = Figure("https://e.org/a.png", caption=(Strong((Text("说明 "),)),))
    out = render(figure)
    assert out == "![](https://e.org/a.png)\\\n***说明***\n"
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out
