"""WeChat-style articles (公众号, 135editor): nested sections, inline styles, lazy images."""

from __future__ import annotations

from . import SiteFixture, SiteRule

__all__ = ["WeChat"]


class WeChat(SiteRule):
    """Articles laid out in WeChat's editor or 135editor, wherever they are republished."""

    name = "wechat"
    sites = frozenset({"微信", "微信公众号", "知識分子"})
    markers = ("mmbiz", "135editor")
    # The real image is in data-src; src is empty or a grey placeholder until it is scrolled to.
    image_attributes = ("data-src",)
    tests = (
        SiteFixture(
            '<section data-tools="135编辑器"><section style="display:inline-block">'
            "<p><strong><span>标题一</span></strong></p></section>\n\n"
            '    <p><img data-src="https://mmbiz.qpic.cn/a/640?wx_fmt=png" '
            'src="data:image/gif;base64,R0lGOD"></p>\n\n'
            "    <p>► 图注</p></section>",
            "![](https://mmbiz.qpic.cn/a/640?wx_fmt=png)\n\n► 图注",
            ("学习", "知識分子", "深度"),
        ),
    )
