"""A video card keeps its poster: a picture linking the video, above the card's link."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

import zhconvert
from _hexo import build_post, hexo_or_skip
from zhconvert import model as m

HEAD = "---\ntitle: 视频\n---\n"
ZHIHU_CARD = (
    HEAD + '<p>看这个：</p><a class="video-box" href="https://www.zhihu.com/video/123" '
    'data-poster="https://pic1.zhimg.com/v2-poster.jpg">'
    '<span class="title">猫咪弹琴</span></a><p>完。</p>'
)
VIDEO = HEAD + '<video src="https://e.org/v.mp4" poster="https://e.org/p.jpg" title="演示"></video>'
WRITTEN = (
    "[![](https://pic1.zhimg.com/v2-poster.jpg)](https://www.zhihu.com/video/123)\\\n"
    "[视频：猫咪弹琴](https://www.zhihu.com/video/123)"
)


def markdown(source: str) -> str:
    out = zhconvert.dumps(zhconvert.loads(source), "markdown")
    assert isinstance(out, str)
    return out


def test_card_is_read_with_its_poster() -> None:
    cards = [b for b in zhconvert.loads(ZHIHU_CARD).blocks if isinstance(b, m.VideoCard)]
    assert cards == [
        m.VideoCard(
            "https://www.zhihu.com/video/123", "猫咪弹琴", "https://pic1.zhimg.com/v2-poster.jpg"
        )
    ]


def test_markdown_shows_the_poster_linking_the_video() -> None:
    out = markdown(ZHIHU_CARD)
    assert WRITTEN in out
    html = MarkdownIt("commonmark").render(out.split("---\n", 2)[2])
    assert (
        '<a href="https://www.zhihu.com/video/123"><img src="https://pic1.zhimg.com/v2-poster.jpg"'
        ' alt="" /></a><br />\n<a href="https://www.zhihu.com/video/123">视频：猫咪弹琴</a>'
    ) in html
    assert (
        "[![](https://e.org/p.jpg)](https://e.org/v.mp4)\\\n[视频：演示](https://e.org/v.mp4)"
        in markdown(VIDEO)
    )
    # no poster: the link alone, as before
    bare = HEAD + '<video src="https://e.org/v.mp4"></video>'
    assert markdown(bare).endswith("\n[视频](https://e.org/v.mp4)\n")
    # written once, the Markdown stays as it is
    assert markdown(markdown(ZHIHU_CARD)) == markdown(ZHIHU_CARD)


def test_text_and_json_keep_the_poster() -> None:
    doc = zhconvert.loads(ZHIHU_CARD)
    text = str(zhconvert.dumps(doc, "text"))
    assert "[视频：猫咪弹琴][1]\n[图：视频封面] https://pic1.zhimg.com/v2-poster.jpg" in text
    data = json.loads(str(zhconvert.dumps(doc, "json")))
    [card] = [b for b in data["blocks"] if b["type"] == "video_card"]
    assert card["poster"] == "https://pic1.zhimg.com/v2-poster.jpg"


def test_hexo_shows_the_poster_and_the_link() -> None:
    hexo_or_skip()
    post = build_post(markdown(ZHIHU_CARD))
    assert post.html is not None, post.error
    assert (
        '<p><a href="https://www.zhihu.com/video/123"><img src="https://pic1.zhimg.com/v2-poster.jpg">'
        '</a><br><a href="https://www.zhihu.com/video/123">视频：猫咪弹琴</a></p>'
    ) in post.html
