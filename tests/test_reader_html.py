"""The HTML reader, construct by construct, through ``zhconvert.loads``."""

from __future__ import annotations

import pytest

import zhconvert
from zhconvert import (
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
    LinkCard,
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
    Underline,
    VideoCard,
)

HEAD = "\n---\ntitle: '测试'\nauthor: 知乎\ncategories:\n - 知乎\n - 知乎热榜\n---\n\n"


def blocks(body: str) -> tuple[object, ...]:
    return zhconvert.loads(HEAD + "<div>\n" + body + "\n</div>\n").blocks


def test_answer_header_becomes_byline_and_author() -> None:
    doc = zhconvert.loads(HEAD + "<div>   \n张三的回答<br><br><p>正文。</p>\n</div>")
    assert doc.blocks == (Byline("张三"), Paragraph((Text("正文。"),)))
    assert doc.meta.author == "张三"
    assert doc.meta.site == "知乎"


def test_header_like_text_later_in_the_body_stays_a_paragraph() -> None:
    assert blocks("<p>正文。</p><p>李四的回答</p>")[1] == Paragraph((Text("李四的回答"),))


def test_spacer_paragraphs_are_dropped() -> None:
    assert blocks("<p></p><p><br></p><p>一</p><p> </p><p>二</p>") == (
        Paragraph((Text("一"),)),
        Paragraph((Text("二"),)),
    )


def test_inline_runs() -> None:
    (para,) = blocks(
        "<p>a<b>粗</b><strong>重</strong><i>斜</i><em>强</em><u>线</u><code>x&lt;y</code></p>"
    )
    assert para == Paragraph(
        (
            Text("a"),
            Strong((Text("粗"),)),
            Strong((Text("重"),)),
            Emphasis((Text("斜"),)),
            Emphasis((Text("强"),)),
            Underline((Text("线"),)),
            InlineCode("x<y"),
        )
    )


def test_br_inside_paragraph_is_a_line_break() -> None:
    assert blocks("<p>一<br>二</p>") == (Paragraph((Text("一"), LineBreak(), Text("二"))),)


def test_a_break_at_a_span_s_edge_goes_outside_it_with_the_blanks_beside_it() -> None:
    # Inside, its backslash would end the paragraph's last line and be shown ("~~a~~ \\").
    assert blocks("<p><b>标题<br> </b>正文</p>") == (
        Paragraph((Strong((Text("标题"),)), LineBreak(), Text("正文"))),
    )
    assert blocks("<p><del>中文，<i>标题 </i><br> </del></p>") == (
        Paragraph((Strikethrough((Text("中文，"), Emphasis((Text("标题 "),)))),)),
    )
    # blanks with no break stay inside, where the writer places them
    assert blocks("<p>前<b>粗 </b>后</p>") == (
        Paragraph((Text("前"), Strong((Text("粗 "),)), Text("后"))),
    )


def test_whitespace_collapses_and_newline_between_han_disappears() -> None:
    assert blocks("<p>中文\n换行  and\n  English</p>") == (
        Paragraph((Text("中文换行 and English"),)),
    )


def test_headings_and_rule() -> None:
    assert blocks("<h2>二</h2><h3>三</h3><hr>") == (
        Heading(2, (Text("二"),)),
        Heading(3, (Text("三"),)),
        ThematicBreak(),
    )


def test_figure_best_url_fallbacks_size_caption_no_watermark() -> None:
    (figure,) = blocks(
        '<figure data-size="normal"><img src="https://p.example/v_1440w.jpg"'
        ' data-rawwidth="800" data-rawheight="600"'
        ' data-default-watermark-src="https://p.example/wm_720w.jpg"'
        ' data-original="https://p.example/v_r.jpg" referrerpolicy="no-referrer">'
        "<figcaption>图注</figcaption></figure>"
    )
    assert figure == Figure(
        "https://p.example/v_r.jpg",
        (Text("图注"),),
        ("https://p.example/v_1440w.jpg",),
        800,
        600,
    )


def test_lazy_image_with_noscript_duplicate_is_one_figure() -> None:
    result = blocks(
        '<figure><noscript><img src="https://p.example/a_720w.jpg"'
        ' data-original="https://p.example/a_r.jpg"></noscript>'
        '<img src="data:image/svg+xml;utf8,&lt;svg&gt;" data-actualsrc="https://p.example/a_720w.jpg"'
        ' class="lazy"></figure>'
    )
    assert result == (Figure("https://p.example/a_r.jpg", (), ("https://p.example/a_720w.jpg",)),)


def test_data_placeholder_is_never_an_image_url() -> None:
    assert blocks('<p><img src="data:image/svg+xml;utf8,x"></p><p>文</p>') == (
        Paragraph((Text("文"),)),
    )


def test_small_image_inside_text_stays_inline() -> None:
    (para,) = blocks(
        '<p>图标<img class="content_image" src="https://p.example/i.png" alt="i">后</p>'
    )
    assert para == Paragraph(
        (Text("图标"), InlineImage("https://p.example/i.png", "i"), Text("后"))
    )


def test_lone_linked_image_becomes_a_figure() -> None:
    assert blocks(
        '<p><a href="https://p.example/big.jpg"><img src="https://p.example/big.jpg"></a></p>'
    ) == (Figure("https://p.example/big.jpg"),)


def test_formulas_inline_display_and_alone() -> None:
    result = blocks(
        '<p>设 <img src="https://www.zhihu.com/equation?tex=x%5E2" alt="x^2" eeimg="1"> 为正</p>'
        '<p><img src="https://www.zhihu.com/equation?tex=a%2Bb%5C%5C" alt="a+b\\\\" eeimg="1"></p>'
        '<p><img src="https://www.zhihu.com/equation?tex=%5Cfrac%7B1%7D%7B2%7D" eeimg="1"></p>'
        '<p><span class="ztext-math" data-eeimg="1" data-tex="c^2">c^2</span>。</p>'
    )
    assert result == (
        Paragraph((Text("设 "), InlineMath("x^2"), Text(" 为正"))),
        MathBlock("a+b"),
        MathBlock("\\frac{1}{2}"),
        Paragraph((InlineMath("c^2"), Text("。"))),
    )


def test_hexo_brace_entities_are_decoded_everywhere() -> None:
    result = blocks(
        '<p>集合 &#123;1&#125;<img src="https://www.zhihu.com/equation?tex=x" alt="\\mathbb&#123;R&#125;" eeimg="1"></p>'
        '<pre><code class="language-c">int f() &#123; return 0; &#125;</code></pre>'
    )
    assert result == (
        Paragraph((Text("集合 {1}"), InlineMath("\\mathbb{R}"))),
        CodeBlock("int f() { return 0; }", "c"),
    )


def test_code_block_flattens_pygments_and_keeps_raw_angle_brackets() -> None:
    (code,) = blocks(
        '<div class="highlight"><pre><code class="language-java">'
        '<span class="n">Map</span><span class="o"><String, Consumer<String>></span> m;\n'
        '<span class="cp">#include</span> <span class="cpf"><cstdio></span>\n'
        "    x << 2; <dependency>\n"
        "</code></pre></div>"
    )
    assert code == CodeBlock(
        "Map<String, Consumer<String>> m;\n#include <cstdio>\n    x << 2; <dependency>", "java"
    )


def test_raw_angle_bracket_in_text_is_kept() -> None:
    assert blocks("<p>泛型 List<String> 与 a << b</p>") == (
        Paragraph((Text("泛型 List<String> 与 a << b"),)),
    )


def test_blockquote_with_breaks_and_paragraphs() -> None:
    assert blocks("<blockquote>一<br>二<p>三</p></blockquote>") == (
        BlockQuote(
            (
                Paragraph((Text("一"), LineBreak(), Text("二"))),
                Paragraph((Text("三"),)),
            )
        ),
    )


def test_nested_lists() -> None:
    result = blocks('<ol start="3"><li>甲<ul><li>子</li></ul></li><li>乙</li></ol>')
    assert result == (
        ListBlock(
            (
                ListItem(
                    (
                        Paragraph((Text("甲"),)),
                        ListBlock((ListItem((Paragraph((Text("子"),)),)),)),
                    )
                ),
                ListItem((Paragraph((Text("乙"),)),)),
            ),
            ordered=True,
            start=3,
        ),
    )


def test_table_with_header_pipes_and_nbsp_cells() -> None:
    (table,) = blocks(
        "<table><tbody><tr><th>名</th><th>&nbsp;</th></tr>"
        "<tr><td>a|b</td><td><b>粗</b></td></tr></tbody></table>"
    )
    assert table == Table(
        (TableCell((Text("名"),)), TableCell(())),
        ((TableCell((Text("a|b"),)), TableCell((Strong((Text("粗"),)),))),),
    )


def test_redirect_links_are_unwrapped_once_or_twice() -> None:
    result = blocks(
        '<p><a href="http://link.zhihu.com/?target=https%3A//a.example/x%3Fq%3D1">一</a>'
        '<a href="https://link.zhihu.com/?target=https%253A%252F%252Fb.example%252Fy">二</a></p>'
    )
    assert result == (
        Paragraph(
            (
                Link("https://a.example/x?q=1", (Text("一"),)),
                Link("https://b.example/y", (Text("二"),)),
            )
        ),
    )


def test_split_link_text_is_rebuilt_as_the_full_url() -> None:
    (para,) = blocks(
        '<p><a href="http://link.zhihu.com/?target=https%3A//github.com/owner/project">'
        '<span class="invisible">https://</span><span class="visible">github.com/own</span>'
        '<span class="invisible">er/project</span><span class="ellipsis"></span></a></p>'
    )
    assert para == Paragraph(
        (Link("https://github.com/owner/project", (Text("https://github.com/owner/project"),)),)
    )


def test_mentions_cards_and_videos() -> None:
    result = blocks(
        '<p>感谢 <a class="member_mention" href="http://www.zhihu.com/people/x1">@某人</a></p>'
        '<a data-draft-type="link-card" href="http://link.zhihu.com/?target=https%3A//c.example"'
        ' data-image="https://p.example/card.jpg">卡片标题</a>'
        '<a href="https://www.zhihu.com/zvideo/123" data-draft-type="link-card"></a>'
        '<a class="video-box" href="https://www.zhihu.com/video/9" data-poster="https://p.example/poster.jpg">'
        '<span class="title">视频标题</span></a>'
    )
    assert result == (
        Paragraph((Text("感谢 "), Mention("某人", "http://www.zhihu.com/people/x1"))),
        LinkCard("https://c.example", "卡片标题", "https://p.example/card.jpg"),
        VideoCard("https://www.zhihu.com/zvideo/123"),
        VideoCard("https://www.zhihu.com/video/9", "视频标题", "https://p.example/poster.jpg"),
    )


def test_card_wrapping_blocks_keeps_them_after_the_card() -> None:
    result = blocks(
        '<a href="https://www.zhihu.com/zvideo/7" data-draft-type="link-card">'
        '<p>里面的段落</p><figure><img src="https://p.example/f.jpg"></figure></a>'
    )
    assert result == (
        VideoCard("https://www.zhihu.com/zvideo/7"),
        Paragraph((Text("里面的段落"),)),
        Figure("https://p.example/f.jpg"),
    )


def test_footnotes_from_sup_data_url_and_plain_references_as_text() -> None:
    doc = zhconvert.loads(
        HEAD
        + '<div><p>见<sup data-text="某论文" data-url="https://r.example/1" data-numero="1">[1]</sup>'
        "和<sup>[2]</sup></p></div>"
    )
    (para,) = doc.blocks
    assert para.children[:2] == (Text("见"), FootnoteRef(1))
    assert doc.footnotes == (Footnote(1, "某论文", "https://r.example/1"),)
    assert "[2]" in zhconvert.dumps(doc, "text")


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_dangerous_link_schemes_keep_only_the_text(href: str) -> None:
    (para,) = blocks(f'<p>前<a href="{href}">点我</a>后</p>')
    assert para == Paragraph((Text("前点我后"),))


def test_scripts_styles_and_forms_are_dropped_text_around_kept() -> None:
    result = blocks(
        "<p>前<script>alert(1)</script>后</p><style>p{}</style>"
        '<form><input value="x"><button>按钮</button></form><p onclick="evil()">正文</p>'
        '<iframe src="https://evil.example" srcdoc="<script>x</script>"></iframe>'
        "<svg><script>x</script></svg>"
    )
    # An embedded page is never read, only linked (issue 12: embeds must leave a trace).
    assert result == (
        Paragraph((Text("前后"),)),
        Paragraph((Text("正文"),)),
        LinkCard("https://evil.example"),
    )


def test_daily_page_chrome_becomes_metadata_and_bylines() -> None:
    doc = zhconvert.loads(
        HEAD
        + """<div><div class="main-wrap content-wrap"><div class="content-inner"><div class="question">
<div class="answer"><strong><img class="avatar" src="https://p.example/a.jpg">
<span class="author">甲，</span><span class="bio">工程师</span>
<a href="https://www.zhihu.com/question/1/answer/2" class="originUrl" hidden>查看知乎原文</a></strong>
<div class="content"><p>第一个回答。</p></div></div>
<div class="answer"><strong><span class="author">乙，</span><span class="bio">学生</span></strong>
<div class="content"><p>第二个回答。</p></div></div>
<div class="view-more"><a href="https://www.zhihu.com/question/1">查看知乎讨论</a></div>
</div></div></div></div>"""
    )
    assert doc.blocks == (
        Byline("甲", "工程师", "https://www.zhihu.com/question/1/answer/2"),
        Paragraph((Text("第一个回答。"),)),
        Byline("乙", "学生"),
        Paragraph((Text("第二个回答。"),)),
    )
    assert doc.meta.url == "https://www.zhihu.com/question/1"
    assert doc.meta.author == "甲、乙"
    text = zhconvert.dumps(doc, "text")
    assert "查看知乎原文" not in text and "查看知乎讨论" not in text


def test_unknown_tags_are_transparent() -> None:
    assert blocks(
        "<p>一<foo-bar>二</foo-bar><font color=red>三</font></p><section><p>四</p></section>"
    ) == (
        Paragraph((Text("一二三"),)),
        Paragraph((Text("四"),)),
    )


def test_generic_feed_post_keeps_text_links_and_images() -> None:
    doc = zhconvert.loads(
        "\n---\ntitle: '新闻'\ncategories:\n - 新媒体\n - cnBeta\n - 最新\nauthor: cnBeta\n---\n\n"
        '<div>导语文字<br>\n <p>正文<a href="https://n.example/a">链接</a></p>'
        '<p><a href="https://n.example/i.jpg"><img src="https://n.example/i.jpg"></a></p></div>'
    )
    assert doc.blocks == (
        Paragraph((Text("导语文字"),)),
        Paragraph((Text("正文"), Link("https://n.example/a", (Text("链接"),)))),
        Figure("https://n.example/i.jpg"),
    )
    assert doc.meta.feed == "cnBeta 最新"
    assert doc.meta.site == "cnBeta"
    assert doc.meta.author == ""


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("http://[::1", "http://[::1"),
        ("http://link.zhihu.com/?target=", "http://link.zhihu.com/?target="),
        (
            "http://link.zhihu.com/?target=%E4%B8%AD%ZZ",
            "http://link.zhihu.com/?target=%E4%B8%AD%ZZ",
        ),
        ("https://中文.example/路径", "https://中文.example/路径"),
        ("//pic.example/a", "https://pic.example/a"),
    ],
)
def test_broken_and_odd_urls_keep_the_best_valid_link(href: str, url: str) -> None:
    (para,) = blocks(f"<p><a href='{href}'>文字</a></p>")
    assert para == Paragraph((Link(url, (Text("文字"),)),))


def test_bogus_entities_raw_ampersands_and_misnested_tags_keep_their_text() -> None:
    doc = zhconvert.loads(HEAD + "<div><p>&bogus; a < b & c <b>x<i>y</b>z</i></p></div>")
    text = zhconvert.dumps(doc, "text")
    assert "&bogus; a < b & c xyz" in text
