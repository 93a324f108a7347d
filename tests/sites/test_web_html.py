"""The generic web reader on the shapes real feeds use, one hand-written fixture per shape.

The posts come from a site no rule names (``author: 某博客``), so what is tested is the generic
reader (plus rules that claim a post by its markup, as they would on any site).
"""

from __future__ import annotations

import pytest

import zhconvert
from zhconvert import (
    CodeBlock,
    Figure,
    Heading,
    InlineMath,
    LinkCard,
    MathBlock,
    Paragraph,
    Text,
    VideoCard,
)

HEAD = "\n---\ntitle: '测试'\ncategories:\n - 博客\n - 某博客\nauthor: 某博客\n---\n\n"


def read(body: str) -> zhconvert.Document:
    return zhconvert.loads(HEAD + "<div>   \n" + body + "\n</div>\n")


def blocks(body: str) -> tuple[object, ...]:
    return read(body).blocks


def markdown(body: str) -> str:
    out = zhconvert.dumps(read(body), "markdown", front_matter="none")
    assert isinstance(out, str)
    return out


# -- code: every highlighter's markup, language and lines exact ------------------------------

HEXO = (
    '<figure class="highlight python"><table><tr><td class="gutter"><pre>'
    '<span class="line">1</span><br><span class="line">2</span><br><span class="line">3</span>'
    '</pre></td><td class="code"><pre><span class="line"><span class="keyword">def</span> f(a):'
    '</span><br><span class="line">    <span class="keyword">return</span> a &lt; <span class="number">'
    '2</span></span><br><span class="line"></span></pre></td></tr></table></figure>'
)
CHROMA_TABLE = (
    '<div class="highlight"><div class="chroma"><table class="lntable"><tr><td class="lntd">'
    '<pre tabindex="0" class="chroma"><code><span class="lnt">1\n</span><span class="lnt">2\n'
    '</span></code></pre></td><td class="lntd"><pre tabindex="0" class="chroma">'
    '<code class="language-go" data-lang="go"><span class="line"><span class="cl">x := 1\n'
    '</span></span><span class="line"><span class="cl">fmt.Println(x)</span></span></code></pre>'
    "</td></tr></table></div></div>"
)
CHROMA_INLINE_NUMBERS = (
    '<div class="highlight"><pre class="chroma"><code class="language-sh" data-lang="sh">'
    '<span class="line"><span class="ln">1</span><span class="cl">ls -l\n</span></span>'
    '<span class="line"><span class="ln">2</span><span class="cl">cd /tmp</span></span>'
    "</code></pre></div>"
)
ROUGE = (
    '<div class="language-c highlighter-rouge"><div class="highlight"><pre class="highlight">'
    '<code><span class="cp">#include &lt;stdio.h&gt;\n#include <unistd.h>\n</span>'
    '<span class="kt">int</span> main() { return 0; }\n</code></pre></div></div>'
)
ROUGE_TABLE = (
    '<figure class="highlight"><pre><code class="language-ruby" data-lang="ruby">'
    '<table class="rouge-table"><tbody><tr><td class="gutter gl"><pre class="lineno">1\n2\n'
    '</pre></td><td class="code"><pre><span class="nb">puts</span> 1\nputs 2\n</pre></td></tr>'
    "</tbody></table></code></pre></figure>"
)
HLJS = (
    '<pre><code class="hljs javascript"><span class="hljs-keyword">const</span> a = '
    '<span class="hljs-number">1</span>;\nconsole.log(a);</code></pre>'
)
PRISM = (
    '<pre class="language-css line-numbers"><code class="language-css">a { color: red; }\n'
    'b { color: blue; }<span aria-hidden="true" class="line-numbers-rows"><span></span>'
    "<span></span></span></code></pre>"
)
GITHUB = (
    '<div class="highlight highlight-source-python notranslate"><pre><span class="pl-k">import'
    "</span> os\nprint(os.sep)</pre></div>"
)
WORDPRESS = (
    '<pre class="wp-block-code"><code lang="bash" class="language-bash">echo 1\necho 2</code></pre>'
)
SYNTAXHIGHLIGHTER = (
    '<div class="syntaxhighlighter php"><table><tbody><tr><td class="gutter">'
    '<div class="line number1">1</div><div class="line number2">2</div></td><td class="code">'
    '<div class="container"><div class="line number1"><code class="php plain">$a = 1;</code></div>'
    '<div class="line number2"><code class="php keyword">echo</code> <code class="php plain">'
    "$a;</code></div></div></td></tr></tbody></table></div>"
)
JUEJIN = (
    '<pre><code class="hljs language-go copyable" lang="go">ch := <span class="hljs-built_in">'
    'make</span>(<span class="hljs-keyword">chan</span> <span class="hljs-type">int</span>)\n'
    'v := <-ch\n<span class="copy-code-btn">复制代码</span></code></pre>'
)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(HEXO, CodeBlock("def f(a):\n    return a < 2", "python"), id="hexo"),
        pytest.param(CHROMA_TABLE, CodeBlock("x := 1\nfmt.Println(x)", "go"), id="chroma-table"),
        pytest.param(CHROMA_INLINE_NUMBERS, CodeBlock("ls -l\ncd /tmp", "sh"), id="chroma-ln"),
        pytest.param(
            ROUGE,
            CodeBlock("#include <stdio.h>\n#include <unistd.h>\nint main() { return 0; }", "c"),
            id="rouge",
        ),
        pytest.param(ROUGE_TABLE, CodeBlock("puts 1\nputs 2", "ruby"), id="rouge-table"),
        pytest.param(HLJS, CodeBlock("const a = 1;\nconsole.log(a);", "javascript"), id="hljs"),
        pytest.param(PRISM, CodeBlock("a { color: red; }\nb { color: blue; }", "css"), id="prism"),
        pytest.param(GITHUB, CodeBlock("import os\nprint(os.sep)", "python"), id="github"),
        pytest.param(WORDPRESS, CodeBlock("echo 1\necho 2", "bash"), id="wordpress"),
        pytest.param(SYNTAXHIGHLIGHTER, CodeBlock("$a = 1;\necho $a;", "php"), id="syntaxhl"),
        pytest.param(JUEJIN, CodeBlock("ch := make(chan int)\nv := <-ch", "go"), id="juejin"),
    ],
)
def test_highlighters_give_fenced_code_with_language_and_exact_lines(
    html: str, expected: CodeBlock
) -> None:
    assert blocks(html) == (expected,)


def test_code_lines_come_out_fenced_in_markdown() -> None:
    assert markdown(HEXO).endswith("```python\ndef f(a):\n    return a < 2\n```\n")


def test_a_raw_tag_inside_inline_code_is_kept_as_text() -> None:
    assert markdown("<p>用 <code><input></code> 标签</p>") == "# 测试\n\n用 `<input>` 标签\n"


def test_a_raw_tag_inside_a_code_block_is_kept_without_an_invented_end_tag() -> None:
    code = blocks("<pre><code>git add <dir>\ngit mv <file> <dest>\n</code></pre>")
    assert code == (CodeBlock("git add <dir>\ngit mv <file> <dest>"),)


def test_hidden_text_inside_code_is_left_out() -> None:
    code = (
        '<pre><code class="language-js">a()<span aria-hidden="true">复制</span>\nb()</code></pre>'
    )
    assert blocks(code) == (CodeBlock("a()\nb()", "js"),)


# -- embeds: a card with the link, never the player --------------------------------------------


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param(
            '<iframe src="https://player.bilibili.com/player.html?aid=984184769&amp;page=1">'
            "</iframe>",
            VideoCard("https://www.bilibili.com/video/av984184769"),
            id="bilibili",
        ),
        pytest.param(
            '<iframe src="https://player.bilibili.com/player.html?bvid=BV1xx411c7mD"></iframe>',
            VideoCard("https://www.bilibili.com/video/BV1xx411c7mD"),
            id="bilibili-bvid",
        ),
        pytest.param(
            '<iframe width="560" src="https://www.youtube.com/embed/aJ5updevlcY" title="预告">'
            "</iframe>",
            VideoCard("https://www.youtube.com/watch?v=aJ5updevlcY", "预告"),
            id="youtube",
        ),
        pytest.param(
            '<iframe src="//tv.sohu.com/s/sohuplayer/iplay.html?bid=316352176"></iframe>',
            VideoCard("https://tv.sohu.com/s/sohuplayer/iplay.html?bid=316352176"),
            id="sohu",
        ),
        pytest.param(
            '<video controls poster="https://e.example/p.jpg"><source src="https://e.example/v.mp4"'
            ' type="video/mp4">你的浏览器不支持视频</video>',
            VideoCard("https://e.example/v.mp4", "", "https://e.example/p.jpg"),
            id="video",
        ),
        pytest.param(
            '<audio controls src="https://e.example/a.mp3" title="第 1 期"></audio>',
            LinkCard("https://e.example/a.mp3", "第 1 期"),
            id="audio",
        ),
        pytest.param(
            '<iframe src="https://sites.example/macros/exec?id=1" title="计算器"></iframe>',
            LinkCard("https://sites.example/macros/exec?id=1", "计算器"),
            id="other-page",
        ),
    ],
)
def test_embeds_become_cards_with_their_link(html: str, expected: object) -> None:
    assert blocks("<p>看：</p>" + html) == (Paragraph((Text("看："),)), expected)


def test_an_embed_inside_a_paragraph_is_hoisted_and_an_unsafe_one_dropped() -> None:
    assert blocks(
        '<p>前<iframe src="https://www.youtube.com/embed/abcdefgh"></iframe>后'
        '<iframe src="javascript:alert(1)"></iframe></p>'
    ) == (
        Paragraph((Text("前"),)),
        VideoCard("https://www.youtube.com/watch?v=abcdefgh"),
        Paragraph((Text("后"),)),
    )


# -- images ---------------------------------------------------------------------------------


def test_a_multi_image_figure_keeps_every_image_and_its_attribute_caption() -> None:
    result = blocks(
        '<figure class="ss-imgRows" figcaption="左：旧 | 右：新">'
        '<img src="https://cdn.example/a.png?w=1120" data-original="https://cdn.example/a.png">'
        '<img src="https://cdn.example/b.png?w=1120" data-original="https://cdn.example/b.png">'
        "</figure>"
    )
    assert result == (
        Figure("https://cdn.example/a.png", (), ("https://cdn.example/a.png?w=1120",)),
        Figure(
            "https://cdn.example/b.png",
            (Text("左：旧 | 右：新"),),
            ("https://cdn.example/b.png?w=1120",),
        ),
    )


def test_a_lazy_image_and_its_noscript_copy_stay_one_figure() -> None:
    result = blocks(
        '<figure><noscript><img src="https://pic.example/a_720w.jpg"></noscript>'
        '<img src="data:image/svg+xml;utf8,&lt;svg&gt;" data-src="https://pic.example/a_720w.jpg">'
        "<figcaption>图注</figcaption></figure>"
    )
    assert result == (Figure("https://pic.example/a_720w.jpg", (Text("图注"),)),)


@pytest.mark.parametrize(
    ("html", "url"),
    [
        pytest.param(
            '<img src="https://i.example/a.jpg@w_820" srcset="https://i.example/a.jpg 2x">',
            "https://i.example/a.jpg",
            id="srcset-2x",
        ),
        pytest.param(
            '<img src="https://i.example/s.jpg" srcset="https://i.example/m.jpg 640w, '
            'https://i.example/l.jpg 1280w, https://i.example/s.jpg 320w">',
            "https://i.example/l.jpg",
            id="srcset-widths",
        ),
        pytest.param(
            '<img src="https://i.example/loading.gif" data-src="https://i.example/real.png">',
            "https://i.example/real.png",
            id="data-src",
        ),
        pytest.param(
            '<img data-original="https://i.example/full.jpg" src="https://i.example/thumb.jpg">',
            "https://i.example/full.jpg",
            id="data-original",
        ),
        pytest.param(
            '<picture><source srcset="https://i.example/a.webp" type="image/webp">'
            '<img src="https://i.example/a.jpg"></picture>',
            "https://i.example/a.jpg",
            id="picture",
        ),
    ],
)
def test_the_best_image_is_chosen(html: str, url: str) -> None:
    (figure,) = blocks(f"<p>{html}</p>")
    assert isinstance(figure, Figure)
    assert figure.url == url


def test_picture_sources_are_fallbacks() -> None:
    (figure,) = blocks(
        '<p><picture><source srcset="https://i.example/a.webp" type="image/webp">'
        '<img src="https://i.example/a.jpg"></picture></p>'
    )
    assert isinstance(figure, Figure)
    assert figure.fallbacks == ("https://i.example/a.webp",)


# -- maths: the TeX a renderer kept --------------------------------------------------------

KATEX_INLINE = (
    '<span class="katex"><span class="katex-mathml"><math><semantics><mrow><mi>E</mi></mrow>'
    '<annotation encoding="application/x-tex">E=mc^2</annotation></semantics></math></span>'
    '<span class="katex-html" aria-hidden="true"><span class="base">E=mc2</span></span></span>'
)
KATEX_DISPLAY = (
    '<span class="katex-display"><span class="katex"><span class="katex-mathml">'
    '<math display="block"><semantics><mrow><mi>x</mi></mrow>'
    '<annotation encoding="application/x-tex">\\sum_i x_i</annotation></semantics></math>'
    '</span><span class="katex-html" aria-hidden="true">∑x</span></span></span>'
)


def test_katex_gives_its_tex_not_its_rendering() -> None:
    assert blocks(f"<p>质能 {KATEX_INLINE} 方程</p><p>{KATEX_DISPLAY}</p>") == (
        Paragraph((Text("质能 "), InlineMath("E=mc^2"), Text(" 方程"))),
        MathBlock("\\sum_i x_i"),
    )


def test_mathjax_scripts_give_their_tex_and_other_scripts_nothing() -> None:
    assert blocks(
        '<p>旧 <script type="math/tex">a^2</script> 与</p>'
        '<script type="math/tex; mode=display">b^2</script><script>alert("x")</script>'
    ) == (Paragraph((Text("旧 "), InlineMath("a^2"), Text(" 与"))), MathBlock("b^2"))


# -- chrome that is not content -------------------------------------------------------------


def test_hidden_elements_are_dropped() -> None:
    result = blocks(
        "<p>正文</p>"
        '<div style="width:undefinedpx;display: none;"><small>扫码分享</small></div>'
        '<div aria-hidden="true"><a href="https://service.weibo.com/share">微博</a> 12</div>'
        "<p hidden>隐藏的字</p><span style='visibility:hidden'>看不见</span>"
    )
    assert result == (Paragraph((Text("正文"),)),)


def test_empty_heading_anchors_are_dropped() -> None:
    result = blocks(
        '<h2><a href="http://blog.example/p/#jie-gou" class="headerlink" title="结构"></a>结构'
        '</h2><h3 id="x"><a href="#x"></a>小节</h3>'
    )
    assert result == (Heading(2, (Text("结构"),)), Heading(3, (Text("小节"),)))


def test_advert_labels_are_dropped() -> None:
    assert blocks('<p>优惠信息。</p><div class="tagging1">【广告】</div><p>【广告】</p>') == (
        Paragraph((Text("优惠信息。"),)),
    )


def test_a_layout_table_becomes_the_blocks_it_holds() -> None:
    result = blocks(
        "<table><tbody><tr><td><div><h4>标题</h4><p>一段</p></div></td></tr>"
        "<tr><td><p>二段</p></td></tr></tbody></table>"
    )
    assert result == (
        Heading(4, (Text("标题"),)),
        Paragraph((Text("一段"),)),
        Paragraph((Text("二段"),)),
    )


# -- the body format: HTML is never read as Markdown ------------------------------------------


def test_indented_html_after_blank_lines_is_still_html() -> None:
    # WeChat/135editor and 掘金 沸点: lines indented four spaces or more after a blank line.
    out = markdown(
        "<section><p>第一段</p>\n\n        <p><img src='https://i.example/a.png'></p>\n\n"
        "        <section><p>第二段</p></section>\n\n</section>"
    )
    assert out == "# 测试\n\n第一段\n\n![](https://i.example/a.png)\n\n第二段\n"


def test_a_short_post_with_indented_images_is_not_a_code_block() -> None:
    # 掘金 沸点: text, then images and text indented after blank lines, all in the <div>.
    doc = zhconvert.loads(
        HEAD + "<div>   \n沸点正文第一行\n\n          <img src='https://i.example/a.png'>\n"
        "        \n          第二段文字\n        <br>\n</div>\n"
    )
    assert doc.source.body_format == "html"
    out = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert out == "# 测试\n\n沸点正文第一行 ![](https://i.example/a.png) 第二段文字\n"


def test_bare_text_inside_the_feed_wrapper_is_html() -> None:
    doc = zhconvert.loads(
        HEAD + "<div>   \n本来已经口头分享给几个小伙伴了\n\n按照《Git 版本控制》，"
        "学到了 git log --follow 的用法\n      \n      \n</div>\n            "
    )
    assert doc.source.body_format == "html"
    text = zhconvert.dumps(doc, "text")
    assert "本来已经口头分享给几个小伙伴了" in text
    assert "<div>" not in text


def test_markdown_inside_a_wrapper_stays_markdown() -> None:
    doc = zhconvert.loads(HEAD + '<div align="center">\n\n## 标题\n\n**粗体** 文字\n\n</div>\n')
    assert doc.source.body_format == "markdown"
