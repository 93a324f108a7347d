"""``normalize --images local`` on a real Hexo 7 blog: after ``hexo generate``, every ``<img>`` of
the built page points at a file of ``public/`` that holds the image's bytes.

Both of Hexo's conventions are built: images in ``source/images/`` (the default) and in the
post's asset folder (``post_asset_folder: true``, with hexo-renderer-marked's ``postAsset``, which
Hexo's documentation says to set for Markdown images in asset folders). Hexo comes from
``tests/_hexo.py`` (pinned hexo 7.3.0 and hexo-renderer-marked 6.3.0); the theme is one layout
that prints the post's content.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from images_local_support import CliResult, html_post

from _hexo import BUILD_TIMEOUT, SITE_CONFIG, hexo_or_skip, hexo_site, node_binary

HERE = Path(__file__).resolve().parent
SITE = "http://blog.test"


#: Hexo's two places for a post's images: ``source/images/`` (the default) and the post's asset
#: folder, which hexo-renderer-marked resolves with ``postAsset``.
LAYOUTS = pytest.mark.parametrize(
    "extra",
    ["", "post_asset_folder: true\nmarked:\n  postAsset: true\n"],
    ids=["source-images", "post-asset-folder"],
)


def generate(site: Path) -> None:
    theme = site / "themes" / "bare" / "layout"
    theme.mkdir(parents=True)
    (theme / "post.njk").write_text("<main>{{ page.content }}</main>\n", encoding="utf-8")
    done = subprocess.run(
        [node_binary(), str(HERE / "generate_site.js"), str(site)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]


def shown_images(site: Path, page: str) -> list[tuple[str, Path]]:
    """Return each ``<img src>`` of the built page at ``page`` and the file a browser would get."""
    html = (site / "public" / page.strip("/") / "index.html").read_text(encoding="utf-8")
    found = []
    for img in BeautifulSoup(html, "html.parser").find_all("img"):
        src = str(img["src"])
        address = urlsplit(urljoin(SITE + page, src))  # as a browser resolves it
        assert address.netloc == "blog.test", src
        found.append((src, site / "public" / unquote(address.path).lstrip("/")))
    return found


@LAYOUTS
def test_hexo_shows_the_local_images(
    cli: Callable[..., CliResult],
    image_server: Any,
    make_png: Callable[..., bytes],
    extra: str,
) -> None:
    hexo_or_skip()
    red, blue = make_png("red"), make_png("blue")
    urls = [image_server.add("/red.png", red), image_server.add("/blue.jpg", blue)]
    posts = [("first-post.md", html_post(*urls)), ("second.md", html_post(urls[0]))]
    config = SITE_CONFIG + "theme: bare\n" + extra
    with hexo_site(posts, config=config) as site:
        result = cli("normalize", "--images", "local", site / "source" / "_posts")
        assert result.code == 1, result.err
        assert "Warning" not in result.err, result.err
        generate(site)
        first = shown_images(site, "/2020/01/02/first-post/")
        second = shown_images(site, "/2020/01/02/second/")
        assert [path.read_bytes() for _, path in first] == [red, blue]
        assert [path.read_bytes() for _, path in second] == [red]
        if extra:
            assert all(src.startswith("/2020/01/02/") for src, _ in first + second)
        else:
            # One copy for the whole blog, in source/images/, published as /images/.
            assert {path for _, path in first + second} <= set(
                (site / "public" / "images").iterdir()
            )


@LAYOUTS
def test_hexo_shows_an_image_stored_on_a_later_run(
    cli: Callable[..., CliResult],
    image_server: Any,
    make_png: Callable[..., bytes],
    extra: str,
) -> None:
    # The first run stores the image it can have and leaves the missing one remote; once the
    # host has it, a later run stores it too (the post is Markdown by then), where Hexo finds it.
    hexo_or_skip()
    red, blue = make_png("red"), make_png("blue")
    good = image_server.add("/red.png", red)
    missing = image_server.url("/later.png")  # 404 for now
    config = SITE_CONFIG + "theme: bare\n" + extra
    with hexo_site([("first-post.md", html_post(good, missing))], config=config) as site:
        posts = site / "source" / "_posts"
        assert cli("normalize", "--images", "local", posts).code == 1
        image_server.add("/later.png", blue)
        result = cli("normalize", "--images", "local", "--no-cache", posts)
        assert result.code == 1, result.err
        assert "fixed: " in result.err, result.err
        generate(site)
        shown = shown_images(site, "/2020/01/02/first-post/")
        assert [path.read_bytes() for _, path in shown] == [red, blue]
        assert not any(src.startswith("http") for src, _ in shown)
