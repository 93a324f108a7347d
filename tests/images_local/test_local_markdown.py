"""``--images local``: each image downloaded once, stored once under its content's name, linked
relatively from the Markdown, and a second run downloads nothing and changes nothing.

Images come from a real HTTP server on 127.0.0.1 (``image_server``, which records every request).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from images_local_support import CliResult, content_name, html_post, image_links


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Return every file below ``folder``: its bytes and modification time."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_convert_stores_each_image_once_and_links_it_relatively(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    red, blue = make_png("red"), make_png("blue")
    red_url = image_server.add("/a.png", red)
    red_again = image_server.add("/same-bytes.png", red)
    blue_url = image_server.add("/b.png", blue, content_type="application/octet-stream")
    posts = tmp_path / "posts"
    (posts / "sub").mkdir(parents=True)
    (posts / "one.md").write_text(html_post(red_url, blue_url), encoding="utf-8")
    (posts / "sub" / "two.md").write_text(html_post(red_again, red_url), encoding="utf-8")
    out = tmp_path / "out"

    result = cli("convert", posts, "-t", "md", "-o", out, "--images", "local")

    assert result.code == 0, result.err
    assert sorted(p.name for p in (out / "images").iterdir()) == sorted(
        [content_name(red), content_name(blue)]
    )
    assert (out / "images" / content_name(red)).read_bytes() == red
    one = (out / "one.md").read_text(encoding="utf-8")
    two = (out / "sub" / "two.md").read_text(encoding="utf-8")
    assert image_links(one) == [f"images/{content_name(red)}", f"images/{content_name(blue)}"]
    assert image_links(two) == [f"../images/{content_name(red)}"] * 2
    assert "*图0*" in one and "*图1*" in two  # the captions stay
    assert sorted(image_server.hits) == ["/a.png", "/b.png", "/same-bytes.png"]  # each once
    summary = [line for line in result.err.splitlines() if line.startswith("images:")]
    assert summary and "3 downloaded" in summary[0] and "0 failed" in summary[0], result.err


def test_a_second_run_downloads_nothing_and_changes_nothing(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    url = image_server.add("/a.png", make_png("red"))
    post = tmp_path / "post.md"
    post.write_text(html_post(url), encoding="utf-8")
    out = tmp_path / "out"
    assert cli("convert", post, "-o", out / "post.md", "--images", "local").code == 0
    before = snapshot(out)
    image_server.hits.clear()

    result = cli("convert", post, "-o", out / "post.md", "--images", "local")

    assert result.code == 0, result.err
    assert image_server.hits == []
    after = snapshot(out)
    assert after.keys() == before.keys()
    assert {name: data for name, (data, _) in after.items()} == {
        name: data for name, (data, _) in before.items()
    }
    images = [name for name in after if name.startswith("images")]
    assert images and all(after[name][1] == before[name][1] for name in images)


def test_an_image_that_cannot_be_had_stays_remote_and_is_counted(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    good = image_server.add("/good.png", make_png())
    missing = image_server.url("/missing.png")  # 404
    post = tmp_path / "post.md"
    post.write_text(html_post(good, missing), encoding="utf-8")
    out = tmp_path / "out" / "post.md"

    result = cli("convert", post, "-o", out, "--images", "local", "-v")

    assert result.code == 0, result.err
    links = image_links(out.read_text(encoding="utf-8"))
    assert links == [f"images/{content_name(make_png())}", missing]
    summary = [line for line in result.err.splitlines() if line.startswith("images:")]
    assert summary and "1 failed (1 http)" in summary[0], result.err
    assert any(missing in line for line in result.err.splitlines()), result.err


def test_a_different_file_under_the_name_is_never_overwritten(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    data = make_png("red")
    url = image_server.add("/a.png", data)
    post = tmp_path / "post.md"
    post.write_text(html_post(url), encoding="utf-8")
    out = tmp_path / "out"
    (out / "images").mkdir(parents=True)
    squatter = out / "images" / content_name(data)
    squatter.write_bytes(b"the user's own file")
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"not to be touched")
    full = f"img-{hashlib.sha256(data).hexdigest()}.png"
    (out / "images" / full).symlink_to(outside)

    result = cli("convert", post, "-o", out / "post.md", "--images", "local")

    assert result.code == 0, result.err
    assert squatter.read_bytes() == b"the user's own file"
    assert outside.read_bytes() == b"not to be touched"
    assert (out / "images" / full).is_symlink()
    # Neither name holds the image: it stays remote, and the user is told why.
    assert image_links((out / "post.md").read_text(encoding="utf-8")) == [url]
    assert "Warning:" in result.err and content_name(data) in result.err


def test_an_image_that_cannot_be_stored_is_counted_as_failed_not_downloaded(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    stored, blocked = make_png("red"), make_png("blue")
    post = tmp_path / "post.md"
    post.write_text(
        html_post(image_server.add("/a.png", stored), image_server.add("/b.png", blocked)),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    (out / "images").mkdir(parents=True)
    # Both of the names the blue image could take hold other files.
    (out / "images" / content_name(blocked)).write_bytes(b"the user's own file")
    full = f"img-{hashlib.sha256(blocked).hexdigest()}.png"
    (out / "images" / full).write_bytes(b"another of the user's files")

    result = cli("convert", post, "-o", out / "post.md", "--images", "local")

    assert result.code == 0, result.err
    summary = [line for line in result.err.splitlines() if line.startswith("images:")]
    assert summary == [
        "images: 2 wanted: 1 downloaded, 0 from the cache, 1 failed (1 not-stored)"
    ], result.err


def test_normalize_local_in_a_plain_folder_then_check_passes(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    data = make_png("red")
    url = image_server.add("/a.png", data)
    blog = tmp_path / "notes"
    blog.mkdir()
    post = blog / "post.md"
    post.write_text(html_post(url), encoding="utf-8")

    result = cli("normalize", "--images", "local", blog)

    assert result.code == 1, result.err  # rewritten
    assert (blog / "images" / content_name(data)).read_bytes() == data
    assert image_links(post.read_text(encoding="utf-8")) == [f"images/{content_name(data)}"]
    assert any(line.startswith("images: 1 wanted") for line in result.err.splitlines())
    before = snapshot(blog)
    image_server.hits.clear()
    assert cli("normalize", "--images", "local", "--check", blog).code == 0
    assert cli("normalize", "--images", "local", blog).code == 0
    assert image_server.hits == []
    assert snapshot(blog) == before


def test_normalize_check_downloads_and_writes_nothing(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    url = image_server.add("/a.png", make_png())
    post = tmp_path / "post.md"
    post.write_text(html_post(url), encoding="utf-8")
    assert cli("normalize", "--images", "local", "--check", post).code == 1
    assert image_server.hits == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post.md"]


def test_image_folder_chosen_on_the_command_line_and_in_the_config(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    data = make_png("red")
    url = image_server.add("/a.png", data)
    (tmp_path / ".git").mkdir()
    posts = tmp_path / "content" / "posts"
    posts.mkdir(parents=True)
    first, second = posts / "first.md", posts / "second.md"
    for post in (first, second):
        post.write_text(html_post(url), encoding="utf-8")

    result = cli(
        "normalize", "--images", "local", "--image-folder", "static/pics", first, cwd=tmp_path
    )
    assert result.code == 1, result.err
    assert (tmp_path / "static" / "pics" / content_name(data)).read_bytes() == data
    assert image_links(first.read_text(encoding="utf-8")) == [
        f"../../static/pics/{content_name(data)}"
    ]

    # In the configuration file, a relative folder is the file's own folder's.
    (tmp_path / "zhconvert.toml").write_text(
        'images = "local"\nimage-folder = "assets"\n', encoding="utf-8"
    )
    result = cli("normalize", "posts/second.md", cwd=tmp_path / "content")
    assert result.code == 1, result.err
    assert (tmp_path / "assets" / content_name(data)).read_bytes() == data
    assert image_links(second.read_text(encoding="utf-8")) == [f"../../assets/{content_name(data)}"]


HEXO_ASSETS = "title: blog\npost_asset_folder: true\nmarked:\n  postAsset: true\n"


@pytest.mark.parametrize(
    ("config", "folder", "link"),
    [
        ("title: blog\n", "source/images", "../images/{name}"),
        (HEXO_ASSETS, "source/_posts/first-post", "{name}"),
    ],
    ids=["source-images", "post-asset-folder"],
)
def test_normalize_follows_the_hexo_blog_conventions(
    cli: Callable[..., CliResult],
    image_server: Any,
    make_png: Callable[..., bytes],
    tmp_path: Path,
    config: str,
    folder: str,
    link: str,
) -> None:
    data = make_png("red")
    url = image_server.add("/a.png", data)
    blog = tmp_path / "blog"
    posts = blog / "source" / "_posts"
    posts.mkdir(parents=True)
    (blog / "_config.yml").write_text(config, encoding="utf-8")
    post = posts / "first-post.md"
    post.write_text(html_post(url), encoding="utf-8")

    result = cli("normalize", "--images", "local", posts)

    assert result.code == 1, result.err
    assert "Warning" not in result.err, result.err
    assert (blog / folder / content_name(data)).read_bytes() == data
    assert image_links(post.read_text(encoding="utf-8")) == [link.format(name=content_name(data))]


def test_a_post_asset_folder_without_post_asset_is_warned_about(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    url = image_server.add("/a.png", make_png())
    posts = tmp_path / "source" / "_posts"
    posts.mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("post_asset_folder: true\n", encoding="utf-8")
    (posts / "one.md").write_text(html_post(url), encoding="utf-8")
    (posts / "two.md").write_text(html_post(url), encoding="utf-8")
    result = cli("normalize", "--images", "local", posts)
    assert result.code == 1
    warnings = [line for line in result.err.splitlines() if "postAsset" in line]
    assert len(warnings) == 1, result.err  # once per run, not once per post
    assert os.fspath(tmp_path / "_config.yml") in warnings[0]
