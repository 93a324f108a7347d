"""The Python side of ``--images``: ``normalize_file(images=..., image_source=...,
image_store=...)``, ``zhconvert.images.local``, and the EPUB writer's ``images="remote"``."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from images_local_support import html_post

import zhconvert
from zhconvert import model as m
from zhconvert.errors import OptionError
from zhconvert.images import ImageFetcher
from zhconvert.images.local import LocalImages, omit_images, placement_for
from zhconvert.normalize import normalize_bytes, normalize_file


def test_normalize_file_local_with_a_store(
    image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    data = make_png()
    url = image_server.add("/a.png", data)
    post = tmp_path / "post.md"
    post.write_text(html_post(url), encoding="utf-8")
    with ImageFetcher(cache_dir=tmp_path / "cache") as fetcher:
        store = LocalImages(fetcher, folder=tmp_path / "pics")
        assert normalize_file(post, images="local", image_store=store).status == "fixed"
    (stored,) = (tmp_path / "pics").iterdir()
    assert stored.read_bytes() == data
    assert f"](pics/{stored.name})" in post.read_text(encoding="utf-8")
    assert store.warnings == []


def test_normalize_omit_keeps_the_caption(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(html_post("https://pic1.zhimg.com/v2-x_r.jpg"), encoding="utf-8")
    assert normalize_file(post, images="omit").status == "fixed"
    text = post.read_text(encoding="utf-8")
    assert "zhimg" not in text and "图0" in text


def test_old_images_values_warn_and_still_work(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(html_post("https://pic1.zhimg.com/v2-x_r.jpg"), encoding="utf-8")
    with pytest.warns(DeprecationWarning, match='image_source="src"'):
        assert normalize_file(post, images="src").status == "fixed"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert normalize_file(post, image_source="src").status == "unchanged"


def test_bad_image_options_raise() -> None:
    with pytest.raises(OptionError, match="remote"):
        normalize_bytes(b"", images="embed")
    with pytest.raises(OptionError, match="image_source"):
        normalize_bytes(b"", image_source="big")
    with pytest.raises(OptionError, match="image_store"):
        normalize_bytes(html_post("https://e.com/a.png").encode(), path="p.md", images="local")


def test_omit_images_reaches_every_image() -> None:
    figure = m.Figure("https://e.com/b.png", alt="替代")
    doc = m.Document(
        meta=m.Metadata(title="t"),
        blocks=(
            m.Figure("https://e.com/a.png", caption=(m.Text("图0"),)),
            m.BlockQuote(
                (m.Paragraph((m.Text("看"), m.InlineImage("https://e.com/i.png", "笑"))),)
            ),
            m.ListBlock((m.ListItem((figure, m.Paragraph((m.Text("项"),)))),)),
            m.Figure("https://e.com/c.png"),  # nothing to say in its place: it goes
        ),
    )
    text = zhconvert.dumps(omit_images(doc), "markdown")
    assert isinstance(text, str)
    assert "e.com" not in text
    assert "图0" in text and "看笑" in text and "替代" in text and "项" in text
    assert omit_images(m.Document(meta=doc.meta, blocks=())).blocks == ()


@pytest.mark.parametrize(
    ("config", "warned"),
    [
        ("root: /blog/\n", "root is /blog/"),
        ("relative_link: true\n", "relative_link is on"),
        ("post_asset_folder: true\n", "postAsset"),
        ("post_asset_folder: true\nmarked:\n  postAsset: true\n", ""),
        ("title: blog\n", ""),
    ],
)
def test_hexo_settings_that_hide_the_images_are_named(
    tmp_path: Path, config: str, warned: str
) -> None:
    (tmp_path / "source" / "_posts").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text(config, encoding="utf-8")
    place = placement_for(tmp_path / "source" / "_posts" / "p.md")
    assert (warned in place.warning) if warned else place.warning == ""


def test_a_post_outside_the_source_folder_is_not_a_hexo_post(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "_config.yml").write_text("post_asset_folder: true\n", encoding="utf-8")
    (tmp_path / "drafts").mkdir()
    place = placement_for(tmp_path / "drafts" / "p.md")
    assert place.folder == tmp_path / "drafts" / "images" and not place.by_name


def test_local_reaches_inline_images_and_video_posters(
    image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    icon, poster = make_png("red", (4, 4)), make_png("blue", (16, 9))
    icon_url, poster_url = image_server.add("/i.png", icon), image_server.add("/p.png", poster)
    doc = m.Document(
        meta=m.Metadata(title="t"),
        blocks=(
            m.Paragraph((m.Text("看"), m.InlineImage(icon_url, "笑"))),
            m.VideoCard("https://v.example.com/1", "视频", poster_url),
        ),
    )
    with ImageFetcher(cache_dir=None) as fetcher:
        done = LocalImages(fetcher).localize(doc, tmp_path / "out" / "post.md")
    text = zhconvert.dumps(done, "markdown")
    assert isinstance(text, str)
    assert "127.0.0.1" not in text
    assert sorted(p.read_bytes() for p in (tmp_path / "out" / "images").iterdir()) == sorted(
        [icon, poster]
    )
    omitted = zhconvert.dumps(omit_images(doc), "markdown")
    assert isinstance(omitted, str)
    assert "127.0.0.1" not in omitted and "视频" in omitted and "笑" in omitted


def test_epub_writer_takes_remote() -> None:
    doc = zhconvert.loads(html_post("https://pic1.zhimg.com/v2-x_r.jpg"))
    data = zhconvert.dumps(doc, "epub", images="remote")
    assert isinstance(data, bytes)
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert not [n for n in book.namelist() if n.startswith("EPUB/images/")]
        assert any(b"v2-x_r.jpg" in book.read(n) for n in book.namelist() if n.endswith("xhtml"))
