"""A hard line break right after a bare address: no renderer may take the break into the address."""

from __future__ import annotations

from markdown_it import MarkdownIt

import zhconvert
from _hexo import build_post, hexo_or_skip

HEAD = "---\ntitle: 沸点\n---\n"
POST = (
    HEAD + '<p>见 https://juejin.cn/post/1/<br><img src="https://e.org/a.png"></p>'
    "<p>又见 www.e.org/x<br>下一行</p><p>网址 https://e.org/a_(b).。<br>句号留在外面</p>"
)


def markdown() -> str:
    out = zhconvert.dumps(zhconvert.loads(POST), "markdown")
    assert isinstance(out, str)
    return out


def test_address_before_a_break_is_written_as_a_link() -> None:
    out = markdown()
    assert "见 <https://juejin.cn/post/1/>\\\n![](https://e.org/a.png)" in out
    assert "又见 [www.e.org/x](http://www.e.org/x)\\\n下一行" in out
    assert "网址 [https://e.org/a\\_(b)](https://e.org/a_\\(b\\)).。\\\n句号留在外面" in out
    html = MarkdownIt("commonmark").render(out.split("---\n", 2)[2])
    assert '见 <a href="https://juejin.cn/post/1/">https://juejin.cn/post/1/</a><br />' in html
    assert "\\" not in html
    assert zhconvert.dumps(zhconvert.loads(out), "markdown") == out


def test_hexo_links_the_address_and_breaks_the_line() -> None:
    hexo_or_skip()
    post = build_post(markdown())
    assert post.html is not None, post.error
    assert (
        '见 <a href="https://juejin.cn/post/1/">https://juejin.cn/post/1/</a><br><img' in post.html
    )
    assert "\\" not in post.html
    assert '<a href="http://www.e.org/x">www.e.org/x</a><br>下一行' in post.html
    assert '<a href="https://e.org/a_(b)">https://e.org/a_(b)</a>.。<br>句号留在外面' in post.html
