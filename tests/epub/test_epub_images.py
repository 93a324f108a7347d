"""Images in books, fetched from a real HTTP server on 127.0.0.1 serving images Pillow made.

Embedded, fallbacks, degraded, cached, retried, sniffed, capped, sanitized, taken from a folder,
and quick when nothing answers. Every book is validated by EPUBCheck (see conftest).
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from pathlib import Path
from typing import Any

import zhconvert
from zhconvert import model as m

UTC = dt.timezone.utc
NS = {"x": "http://www.w3.org/1999/xhtml"}


def figure_doc(*figures: m.Block, cover: str = "", title: str = "图片测试") -> m.Document:
    return m.Document(
        meta=m.Metadata(
            title=title,
            author="作者",
            date=dt.datetime(2022, 1, 2, 3, 4, 5, tzinfo=UTC),
            cover=cover,
        ),
        blocks=(m.Paragraph((m.Text("前文"),)), *figures, m.Paragraph((m.Text("后文"),))),
    )


def build(tmp_path: Path, name: str, doc: m.Document, **options: Any) -> Path:
    options.setdefault("cache_dir", str(tmp_path / "cache"))
    options.setdefault("retries", 1)
    data = zhconvert.dumps(doc, "epub", **options)
    assert isinstance(data, bytes)
    path = tmp_path / name
    path.write_bytes(data)
    return path


def embedded_images(book: Any) -> dict[str, bytes]:
    return {name: book.read(name) for name in book.names if name.startswith("EPUB/images/")}


def chapter(book: Any) -> Any:
    return book.xml("EPUB/text/post-0001.xhtml")


def test_embedded_fallback_and_degraded(
    tmp_path: Path, image_server: Any, open_epub: Any, make_image: Any
) -> None:
    png = make_image("PNG", (40, 30), "red")
    small = make_image("JPEG", (20, 15), "blue")
    ok = image_server.add("/a_r.png", png)
    image_server.add("/b_720w.jpg", small, content_type="image/jpeg")
    doc = figure_doc(
        m.Figure(ok, caption=(m.Text("能拿到的图"),)),
        # the original 404s: the smaller copy is used
        m.Figure(
            image_server.url("/b_r.jpg"),
            caption=(m.Text("退而求其次"),),
            fallbacks=(image_server.url("/b_720w.jpg"),),
        ),
        # nothing answers: a link with the caption, or 图片
        m.Figure(image_server.url("/gone_r.jpg"), caption=(m.Text("拿不到的图"),)),
        m.Figure(image_server.url("/gone2.jpg"), fallbacks=(image_server.url("/gone3.jpg"),)),
    )
    book = open_epub(build(tmp_path, "book.epub", doc))

    images = embedded_images(book)
    assert sorted(images.values()) == sorted([png, small])
    manifest = book.manifest()
    types = {
        href: item["media-type"] for href, item in manifest.items() if href.startswith("images/")
    }
    assert sorted(types.values()) == ["image/jpeg", "image/png"]

    root = chapter(book)
    figures = root.findall(".//x:figure", NS)
    assert ["".join(f.find("x:figcaption", NS).itertext()) for f in figures] == [
        "能拿到的图",
        "退而求其次",
    ]
    for figure in figures:
        src = figure.find("x:img", NS).get("src")
        assert (
            src.startswith("../images/img-") and "EPUB/images/" + src[len("../images/") :] in images
        )
    degraded = [
        (a.get("href"), a.text) for a in root.iterfind(".//x:p[@class='image-link']/x:a", NS)
    ]
    assert degraded == [
        (image_server.url("/gone_r.jpg"), "拿不到的图"),
        (image_server.url("/gone2.jpg"), "图片"),
    ]
    # each distinct address was asked for once
    assert sorted(image_server.hits) == sorted(
        ["/a_r.png", "/b_r.jpg", "/b_720w.jpg", "/gone_r.jpg", "/gone2.jpg", "/gone3.jpg"]
    )


def test_second_build_uses_the_cache_and_needs_no_network(
    tmp_path: Path, image_server: Any, open_epub: Any, make_image: Any
) -> None:
    url = image_server.add("/cached_r.png", make_image("PNG", (30, 30), "green"))
    doc = figure_doc(m.Figure(url, caption=(m.Text("缓存"),)))
    first = build(tmp_path, "first.epub", doc)
    assert image_server.hits == ["/cached_r.png"]

    image_server.routes.clear()  # the server forgets the image: only the cache can have it
    second = build(tmp_path, "second.epub", doc)
    assert image_server.hits == ["/cached_r.png"]
    assert first.read_bytes() == second.read_bytes()
    assert len(embedded_images(open_epub(second))) == 1

    # --no-cache neither reads nor writes it
    third = build(tmp_path, "third.epub", doc, no_cache=True)
    assert image_server.hits == ["/cached_r.png", "/cached_r.png"]
    assert embedded_images(open_epub(third)) == {}


def test_retries_sniffing_and_size_cap(
    tmp_path: Path, image_server: Any, open_epub: Any, make_image: Any
) -> None:
    png = make_image("PNG", (10, 10), "yellow")
    gif = make_image("GIF", (12, 12), "purple")
    webp = make_image("WEBP", (14, 14), "orange")
    flaky = image_server.add("/flaky.png", png, fail_first=1)  # 503 once, then the image
    mislabeled = image_server.add("/labelled-html", gif, content_type="text/html")
    fake = image_server.add("/fake.jpg", b"<html>not found</html>", content_type="image/jpeg")
    real = image_server.add("/real.webp", webp, content_type="image/webp")
    big = image_server.add("/big.png", make_image("PNG", (400, 400), "black") + b"\0" * 5000)
    doc = figure_doc(
        m.Figure(flaky),
        m.Figure(mislabeled),
        m.Figure(fake, fallbacks=(real,)),
        m.Figure(big, caption=(m.Text("太大"),)),
    )
    book = open_epub(build(tmp_path, "book.epub", doc, max_image_bytes=4000))
    types = sorted(
        item["media-type"] for href, item in book.manifest().items() if href.startswith("images/")
    )
    assert types == ["image/gif", "image/png", "image/webp"]
    assert image_server.hits.count("/flaky.png") == 2
    captions = [a.text for a in chapter(book).iterfind(".//x:p[@class='image-link']/x:a", NS)]
    assert captions == ["太大"]


def test_svg_is_sanitized(tmp_path: Path, image_server: Any, open_epub: Any) -> None:
    svg = (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="20" onload="alert(1)">'
        b"<script>alert(2)</script>"
        b'<image xlink:href="http://evil.example/x.png" width="5" height="5"/>'
        b'<rect width="20" height="20" fill="url(http://evil.example/#g)" style="x"/>'
        b'<circle cx="10" cy="10" r="5" fill="red"/>'
        b"<foreignObject><div>html</div></foreignObject></svg>"
    )
    url = image_server.add("/drawing.svg", svg, content_type="image/svg+xml")
    not_svg = image_server.add("/other.svg", b"<?xml version='1.0'?><html/>")
    book = open_epub(build(tmp_path, "svg.epub", figure_doc(m.Figure(url), m.Figure(not_svg))))
    (data,) = embedded_images(book).values()
    for bad in (b"script", b"onload", b"evil.example", b"foreignObject", b"<image", b"style="):
        assert bad not in data
    assert b"<circle" in data and b"<rect" in data
    assert len(chapter(book).findall(".//x:p[@class='image-link']", NS)) == 1


def test_only_http_and_https_are_fetched(tmp_path: Path, open_epub: Any) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"private")
    doc = figure_doc(
        m.Figure(secret.as_uri(), caption=(m.Text("本地文件"),)),
        m.Figure("ftp://example.com/a.png"),
        m.Figure("data:image/png;base64,iVBORw0KGgo="),
    )
    book = open_epub(build(tmp_path, "schemes.epub", doc))
    assert embedded_images(book) == {}
    texts = [
        "".join(p.itertext()) for p in chapter(book).iterfind(".//x:p[@class='image-link']", NS)
    ]
    assert texts == ["本地文件", "图片", "图片"]
    # a figure whose address cannot be a link is its caption alone
    assert chapter(book).find(".//x:p[@class='image-link']/x:a", NS) is None


def test_image_dir_is_searched_first(
    tmp_path: Path, image_server: Any, open_epub: Any, make_image: Any
) -> None:
    folder = tmp_path / "saved" / "nested"
    folder.mkdir(parents=True)
    local = make_image("JPEG", (16, 16), "white")
    (folder / "v2-abc_r.jpg").write_bytes(local)
    doc = figure_doc(m.Figure(image_server.url("/pics/v2-abc_r.jpg?source=1")))
    book = open_epub(build(tmp_path, "local.epub", doc, image_dir=str(tmp_path / "saved")))
    assert list(embedded_images(book).values()) == [local]
    assert image_server.hits == []


def test_offline_build_is_quick_and_degrades_every_image(tmp_path: Path, open_epub: Any) -> None:
    with socket.socket() as sock:  # a port nothing listens on: connections are refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    figures = [
        m.Figure(
            f"http://127.0.0.1:{port}/{i}_r.jpg", fallbacks=(f"http://127.0.0.1:{port}/{i}.jpg",)
        )
        for i in range(30)
    ]
    figures.append(m.Figure("https://nonexistent.invalid/a.jpg", caption=(m.Text("无网"),)))
    started = time.monotonic()
    book = open_epub(build(tmp_path, "offline.epub", figure_doc(*figures), retries=3))
    assert time.monotonic() - started < 10
    assert embedded_images(book) == {}
    assert len(chapter(book).findall(".//x:p[@class='image-link']", NS)) == 31


def test_cover_choice(tmp_path: Path, image_server: Any, open_epub: Any, make_image: Any) -> None:
    head = image_server.add(
        "/head_1440w.jpg", make_image("JPEG", (60, 80), "navy"), content_type="image/jpeg"
    )
    body = image_server.add("/body_r.png", make_image("PNG", (20, 20), "gray"))

    # the post's real header image
    book = open_epub(build(tmp_path, "head.epub", figure_doc(m.Figure(body), cover=head)))
    covers = [
        h for h, item in book.manifest().items() if "cover-image" in item.get("properties", "")
    ]
    assert len(covers) == 1
    assert book.read("EPUB/" + covers[0]) == make_image("JPEG", (60, 80), "navy")
    assert book.spine()[:2] == ["text/cover.xhtml", "text/titlepage.xhtml"]

    # --cover wins, in any image mode
    mine = tmp_path / "mine.png"
    mine.write_bytes(make_image("PNG", (90, 120), "maroon"))
    book = open_epub(
        build(tmp_path, "mine.epub", figure_doc(cover=head), cover=str(mine), images="omit")
    )
    (cover,) = [
        h for h, item in book.manifest().items() if "cover-image" in item.get("properties", "")
    ]
    assert book.read("EPUB/" + cover) == mine.read_bytes()

    # a placeholder is never a cover; link mode embeds nothing: a title page only
    picsum = figure_doc(cover="https://picsum.photos/400/300?random=1")
    for name, options in (("picsum.epub", {}), ("link.epub", {"images": "link"})):
        doc = picsum if name == "picsum.epub" else figure_doc(cover=head)
        book = open_epub(build(tmp_path, name, doc, **options))
        assert not [i for i in book.manifest().values() if "cover-image" in i.get("properties", "")]
        assert book.spine()[0] == "text/titlepage.xhtml"


def test_card_posters_and_inline_images(
    tmp_path: Path, image_server: Any, open_epub: Any, make_image: Any
) -> None:
    poster = image_server.add(
        "/poster.jpg", make_image("JPEG", (32, 18), "black"), content_type="image/jpeg"
    )
    icon = image_server.add("/icon.png", make_image("PNG", (8, 8), "red"))
    doc = figure_doc(
        m.VideoCard("https://www.zhihu.com/zvideo/1", "视频标题", poster),
        m.LinkCard("https://example.com/", "链接卡片", image_server.url("/missing.jpg")),
        m.Paragraph(
            (
                m.Text("图标"),
                m.InlineImage(icon, "图标"),
                m.Link("https://e.com", (m.InlineImage(icon),)),
            )
        ),
    )
    book = open_epub(build(tmp_path, "cards.epub", doc))
    root = chapter(book)
    video = root.find(".//x:div[@class='card video-card']/x:a", NS)
    assert video.get("href") == "https://www.zhihu.com/zvideo/1"
    assert video.find("x:img", NS).get("src").startswith("../images/")
    link = root.find(
        ".//x:p[@class='card link-card']/x:a", NS
    )  # its image is missing: a plain link
    assert (link.get("href"), link.text) == ("https://example.com/", "链接卡片")
    assert len(root.findall(".//x:img[@class='inline']", NS)) == 2
    assert len(embedded_images(book)) == 2


def _post(title: str, date: str, body: str) -> str:
    return (
        f"\n---\ntitle: '{title}'\ncategories: \n - 社交媒体\n - 知乎\nauthor: 知乎\n"
        f"date: {date}\n---\n\n<div>\n作者甲的回答<br><br>{body}\n</div>\n"
    )


def test_collection_fetches_each_image_once(
    tmp_path: Path, image_server: Any, open_epub: Any, make_image: Any, capsys: Any
) -> None:
    shared = image_server.add("/shared_r.png", make_image("PNG", (20, 20), "green"))
    missing = image_server.url("/missing_r.png")
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a.md").write_text(
        _post("第一篇", "2022-01-01 10:00:00", f'<p>甲</p><figure><img src="{shared}"></figure>'),
        encoding="utf-8",
    )
    (folder / "b.md").write_text(
        _post(
            "第二篇",
            "2022-02-01 10:00:00",
            f'<figure><img src="{shared}"></figure><figure><img src="{missing}"></figure>',
        ),
        encoding="utf-8",
    )
    out = tmp_path / "book.epub"
    report = zhconvert.build_book(
        [folder], out, cache_dir=str(tmp_path / "cache"), retries=0, progress=True
    )
    assert image_server.hits.count("/shared_r.png") == 1
    assert (report.posts, report.images_embedded, report.images_failed) == (2, 1, 1)
    assert "1 image embedded, 1 failed" in report.summary()
    # the bar counts images as the summary does: two wanted, both done, one of them failed
    assert "] 2/2 (1 failed)" in capsys.readouterr().err.rsplit("images", 1)[-1]
    book = open_epub(out)
    assert len(embedded_images(book)) == 1
    assert book.spine()[0] == "text/titlepage.xhtml"  # no header image: no cover
    sources = [img.get("src") for name in book.chapters() for img in book.xml(name).iter("{*}img")]
    assert len(sources) == 2 and len(set(sources)) == 1
