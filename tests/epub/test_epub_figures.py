"""A figure's caption is the figure's visible caption in the book; its alt text is not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import zhconvert
from zhconvert import model as m

NS = {"x": "http://www.w3.org/1999/xhtml"}


def test_caption_is_a_figcaption_and_alt_text_is_not(
    tmp_path: Path, open_epub: Any, make_image: Any
) -> None:
    images = tmp_path / "images"
    images.mkdir()
    (images / "a.png").write_bytes(make_image("PNG", (8, 8), "red"))
    (images / "b.png").write_bytes(make_image("PNG", (8, 8), "blue"))
    doc = zhconvert.loads(
        "---\ntitle: 图\n---\n"
        '<figure><img src="https://e.org/a.png"><figcaption>图片来源于'
        '<a href="https://weibo.com/u/1">微博</a></figcaption></figure>'
        '<p><img src="https://e.org/b.png" alt="image.png"></p>'
    )
    assert [type(b) for b in doc.blocks] == [m.Figure, m.Figure]
    data = zhconvert.dumps(doc, "epub", image_dir=str(images), no_cache=True)
    assert isinstance(data, bytes)
    path = tmp_path / "book.epub"
    path.write_bytes(data)
    root = open_epub(path).xml("EPUB/text/post-0001.xhtml")
    captioned, alt_only = root.findall(".//x:figure", NS)
    caption = captioned.find("x:figcaption", NS)
    assert "".join(caption.itertext()) == "图片来源于微博"
    assert caption.find("x:a", NS).get("href") == "https://weibo.com/u/1"
    assert captioned.find("x:img", NS).get("alt") == "图片来源于微博"
    # alt text describes the picture for who cannot see it; it is not shown under it
    assert alt_only.find("x:figcaption", NS) is None
    assert alt_only.find("x:img", NS).get("alt") == "image.png"


def test_video_card_shows_its_poster(tmp_path: Path, open_epub: Any, make_image: Any) -> None:
    images = tmp_path / "images"
    images.mkdir()
    poster = make_image("PNG", (16, 9), "green")
    (images / "v2-poster.png").write_bytes(poster)
    doc = zhconvert.loads(
        "---\ntitle: 视频\n---\n"
        '<a class="video-box" href="https://www.zhihu.com/video/123" '
        'data-poster="https://pic1.zhimg.com/v2-poster.png"><span class="title">猫咪弹琴</span></a>'
    )
    data = zhconvert.dumps(doc, "epub", image_dir=str(images), no_cache=True)
    assert isinstance(data, bytes)
    path = tmp_path / "book.epub"
    path.write_bytes(data)
    book = open_epub(path)
    card = book.xml("EPUB/text/post-0001.xhtml").find(".//x:div[@class='card video-card']", NS)
    link = card.find("x:a", NS)
    assert link.get("href") == "https://www.zhihu.com/video/123"
    assert link.find("x:img", NS) is not None
    assert "猫咪弹琴" in "".join(link.itertext())
    assert [book.read(n) for n in book.names if n.startswith("EPUB/images/")] == [poster]
