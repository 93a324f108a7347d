"""少数派 (sspai.com): Vue-rendered articles with multi-image figures and a share sidebar."""

from __future__ import annotations

from . import SiteFixture, SiteRule

__all__ = ["Sspai"]


class Sspai(SiteRule):
    """少数派's articles: ``figure.ss-imgRows`` keep their caption in an attribute."""

    name = "sspai"
    sites = frozenset({"少数派 sspai", "少数派", "sspai"})
    hosts = ("sspai.com",)
    markers = ("ss-imgRows",)
    # The share sidebar and the app's download guide (shown on hover, hidden in the page).
    drop = (".article-side", ".article-side-share-btn", ".download-guide-container", ".el-popover")
    # data-original is the full-size image; src is a resized, recompressed copy.
    image_attributes = ("data-original",)
    caption_attributes = ("figcaption",)
    tests = (
        SiteFixture(
            '<figure class="ss-imgRows" figcaption="左：旧版 | 右：新版">'
            '<img src="https://cdn.sspai.com/a.png?imageView2/2/w/1120" '
            'data-original="https://cdn.sspai.com/a.png">'
            '<img src="https://cdn.sspai.com/b.png?imageView2/2/w/1120" '
            'data-original="https://cdn.sspai.com/b.png"></figure>'
            '<div class="article-side"><a href="https://service.weibo.com/share">微博</a>'
            "<small>扫码分享</small></div>",
            (
                "![](https://cdn.sspai.com/a.png)\n\n",
                "](https://cdn.sspai.com/b.png)",
                "左：旧版 | 右：新版",
            ),
            ("新媒体", "少数派 sspai", "Matrix"),
            absent=("扫码分享", "weibo"),
        ),
    )
