"""Social feeds: Mastodon, 即刻, 豆瓣, Bangumi (short posts, mentions, hashtags, pictures)."""

from __future__ import annotations

from typing import ClassVar

from lxml import etree

from ...model import Mention
from . import SiteFixture, SiteRule
from .helpers import Piece, WebReader, class_names, clean_url, collapse, text_of

__all__ = ["Social"]


class Social(SiteRule):
    """Mastodon's toots (mentions, hashtags) and other social feeds' short posts."""

    name = "social"
    sites = frozenset({"Mastodon", "即刻", "豆瓣", "Bangumi", "Twitter", "微博"})
    markers = ("u-url mention",)
    inline_tags: ClassVar[dict[str, str]] = {"a": "mention"}
    tests = (
        SiteFixture(
            '<p><span class="h-card"><a href="https://pawoo.net/@kurage" class="u-url mention">'
            "@<span>kurage</span></a></span> 你好 "
            '<a href="https://pawoo.net/tags/exp" class="mention hashtag" rel="tag">'
            "#<span>exp</span></a></p>",
            "[@kurage](https://pawoo.net/@kurage) 你好 [#exp](https://pawoo.net/tags/exp)",
            ("社交媒体", "Mastodon", "实例公共时间线（本站）"),
        ),
    )

    def mention(self, reader: WebReader, el: etree._Element) -> list[Piece] | None:
        """Read Mastodon's ``a.u-url.mention`` as a mention of that user."""
        classes = class_names(el)
        if "mention" not in classes or "hashtag" in classes:
            return None
        url = clean_url(el.get("href"))
        name = collapse(text_of(el)).strip().lstrip("@")
        if not url or not name:
            return None
        return [Mention(name, url)]
