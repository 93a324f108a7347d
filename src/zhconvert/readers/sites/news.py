"""News sites: IT 之家, cnBeta, 36kr (affiliate links, advert labels, linked thumbnails)."""

from __future__ import annotations

from . import SiteFixture, SiteRule

__all__ = ["News"]


class News(SiteRule):
    """IT 之家's, cnBeta's and 36kr's articles."""

    name = "news"
    sites = frozenset({"IT 之家", "IT之家", "cnBeta", "36kr", "36氪"})
    markers = ("tagging1",)
    # IT 之家 labels its shopping posts with a "【广告】" div after the text.
    drop = (".tagging1",)
    tests = (
        SiteFixture(
            '<p data-vmark="1">优惠<a href="https://u.jd.com/x" data-androidurl="https://u.jd.com/y">'
            '点此领取</a></p><div class="tagging1">【广告】</div>'
            '<p><a href="https://c.duomai.com/track.php?site_id=1&t=https://www.mi.com/">小米</a></p>',
            "优惠[点此领取](https://u.jd.com/x)\n\n[小米](https://www.mi.com/)",
            ("新媒体", "IT 之家", "热榜"),
            absent=("【广告】", "androidurl"),
        ),
    )
