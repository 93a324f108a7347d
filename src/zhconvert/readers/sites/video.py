"""Video players embedded in a post: bilibili, YouTube, Sohu, Tencent, Youku, Vimeo."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from ...model import VideoCard
from . import SiteFixture, SiteRule
from .helpers import Piece, WebReader, collapse, embed_url

__all__ = ["Video"]

_YOUTUBE_ID = re.compile(r"/embed/([\w-]{6,})")


class Video(SiteRule):
    """Players known by their host become a card linking the video's own page."""

    name = "video"
    sites = frozenset({"bilibili", "AcFun", "YouTube", "Animen 动漫平台"})
    # Only players are its business, and the player method knows their hosts.
    markers = ("<iframe", "<IFRAME")
    anywhere = True  # a player is embedded in posts of any site
    inline_tags: ClassVar[dict[str, str]] = {"iframe": "player"}
    tests = (
        SiteFixture(
            '<p>看视频</p><iframe src="https://player.bilibili.com/player.html?aid=984184769&amp;'
            'high_quality=1" width="650"></iframe>'
            '<iframe src="https://www.youtube.com/embed/aJ5updevlcY" title="预告"></iframe>',
            "看视频\n\n[视频](https://www.bilibili.com/video/av984184769)\n\n"
            "[视频：预告](https://www.youtube.com/watch?v=aJ5updevlcY)",
            ("社交媒体", "bilibili", "B 站每周必看"),
        ),
    )

    def player(self, reader: WebReader, el: etree._Element) -> list[Piece] | None:
        """Link a known player's video page instead of the player."""
        url = embed_url(el)
        if url is None:
            return None
        parts = urlsplit(url)
        host = parts.hostname or ""
        query = parse_qs(parts.query)
        title = collapse(el.get("title") or "").strip()
        page = None
        if host == "player.bilibili.com":
            if query.get("bvid"):
                page = f"https://www.bilibili.com/video/{query['bvid'][0]}"
            elif query.get("aid"):
                page = f"https://www.bilibili.com/video/av{query['aid'][0]}"
        elif host.endswith(("youtube.com", "youtube-nocookie.com")):
            match = _YOUTUBE_ID.search(parts.path)
            if match:
                page = f"https://www.youtube.com/watch?v={match.group(1)}"
        elif host in ("tv.sohu.com", "v.qq.com", "player.youku.com", "player.vimeo.com"):
            page = url
        if page is None:
            return None
        return [VideoCard(page, title, reader.poster(el))]
