"""``normalize --images local`` tries a post's failed images again on a later run.

The first run turns an HTML post into Markdown; an image that fails then stays remote. A later
run finds the post already Markdown, and stores that image once it can be had, changing nothing
but its address, as long as the post is zhconvert's own Markdown (read and written again with
its images remote, it gives back its own bytes). Hand-written Markdown is never touched.

Images come from a real HTTP server on 127.0.0.1 (``image_server``, which records every request);
the clock of remembered failures is injected (``ImageFetcher(clock=...)``) in the API tests, and
the command-line tests ask again with ``--no-cache``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from images_local_support import FRONT_MATTER, CliResult, content_name, html_post, image_links

from zhconvert.images import ImageFetcher
from zhconvert.images.local import LocalImages
from zhconvert.normalize import normalize_file

NOW = 1_800_000_000.0
MINUTE = 60
DAY = 24 * 3600


def summary(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("images:")]


@pytest.fixture
def store_at(tmp_path: Path) -> Iterator[Callable[[float], LocalImages]]:
    """Return ``store(at)``: a LocalImages whose fetcher's clock says ``at``, sharing one cache."""
    opened: list[ImageFetcher] = []

    def store(at: float) -> LocalImages:
        fetcher = ImageFetcher(
            cache_dir=tmp_path / "cache", retries=0, timeout=5.0, clock=lambda: at
        )
        opened.append(fetcher)
        return LocalImages(fetcher)

    yield store
    for fetcher in opened:
        fetcher.close()


def first_run(
    image_server: Any, make_png: Callable[..., bytes], folder: Path, store: LocalImages, **post: Any
) -> tuple[Path, bytes, str]:
    """Normalize an HTML post whose second image is missing; return the post, its bytes, the URL."""
    good = image_server.add("/good.png", make_png("red"))
    missing = image_server.url("/later.png")  # 404 for now
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "post.md"
    path.write_bytes(html_post(good, missing, **post).encode("utf-8"))
    result = normalize_file(path, images="local", image_store=store)
    assert result.status == "fixed", result.reason
    data = path.read_bytes()
    assert image_links(data.decode("utf-8")) == [f"images/{content_name(make_png('red'))}", missing]
    return path, data, missing


def test_a_failed_image_is_stored_on_a_later_run_and_only_its_address_changes(
    image_server: Any,
    make_png: Callable[..., bytes],
    tmp_path: Path,
    store_at: Callable[[float], LocalImages],
) -> None:
    blog = tmp_path / "blog"
    post, first, missing = first_run(image_server, make_png, blog, store_at(NOW))
    late = make_png("blue")
    image_server.add("/later.png", late)  # the host is back
    image_server.hits.clear()

    # The 404 is remembered for a day; two days later it is asked again.
    second = store_at(NOW + 2 * DAY)
    result = normalize_file(post, images="local", image_store=second)

    assert result.status == "fixed", result.reason
    assert image_server.hits == ["/later.png"]
    assert (blog / "images" / content_name(late)).read_bytes() == late
    assert post.read_bytes() == first.replace(
        missing.encode("utf-8"), f"images/{content_name(late)}".encode()
    )
    assert (second.fetcher.stats.wanted, second.fetcher.stats.fetched) == (1, 1)

    # A third run: nothing remote is left, so nothing is asked and nothing changes.
    image_server.hits.clear()
    third = store_at(NOW + 3 * DAY)
    done = post.read_bytes()
    assert normalize_file(post, images="local", image_store=third).status == "unchanged"
    assert normalize_file(post, images="local", check=True).status == "unchanged"
    assert image_server.hits == []
    assert third.fetcher.stats.wanted == 0
    assert post.read_bytes() == done


@pytest.mark.parametrize(
    ("newline", "bom"), [("\r\n", b""), ("\n", b"\xef\xbb\xbf")], ids=["crlf", "utf8-bom"]
)
def test_the_later_run_keeps_the_post_s_own_bytes_around_the_address(
    image_server: Any,
    make_png: Callable[..., bytes],
    tmp_path: Path,
    store_at: Callable[[float], LocalImages],
    newline: str,
    bom: bytes,
) -> None:
    good = image_server.add("/good.png", make_png("red"))
    missing = image_server.url("/later.png")
    post = tmp_path / "post.md"
    # Front matter in a form no writer would give it: it must come through as it is.
    front = "---\ntitle:   '图片测试'   # a comment\ntags: [a,  b]\n---\n"
    text = html_post(good, missing).replace(FRONT_MATTER, front)
    post.write_bytes(bom + text.replace("\n", newline).encode("utf-8"))
    assert normalize_file(post, images="local", image_store=store_at(NOW)).status == "fixed"
    first = post.read_bytes()
    assert first.startswith(bom + front.replace("\n", newline).encode("utf-8"))
    image_server.add("/later.png", make_png("blue"))

    result = normalize_file(post, images="local", image_store=store_at(NOW + 2 * DAY))

    assert result.status == "fixed", result.reason
    local = f"images/{content_name(make_png('blue'))}".encode()
    assert post.read_bytes() == first.replace(missing.encode("utf-8"), local)


def test_an_image_written_as_html_for_a_referer_checking_host_is_stored_later(
    image_server: Any,
    make_png: Callable[..., bytes],
    tmp_path: Path,
    store_at: Callable[[float], LocalImages],
) -> None:
    # hotlink="html" writes a remote image from such a host as <img … referrerpolicy=…>.
    options: dict[str, Any] = {"hotlink": "html", "referer_hosts": ("127.0.0.1",)}
    good = image_server.add("/good.png", make_png("red"))
    missing = image_server.url("/later.png")
    post = tmp_path / "post.md"
    post.write_text(html_post(good, missing), encoding="utf-8")
    result = normalize_file(post, images="local", image_store=store_at(NOW), **options)
    assert result.status == "fixed"
    first = post.read_text(encoding="utf-8")
    element = f'<img src="{missing}" alt="" referrerpolicy="no-referrer">'
    assert element in first
    image_server.add("/later.png", make_png("blue"))

    result = normalize_file(post, images="local", image_store=store_at(NOW + 2 * DAY), **options)

    assert result.status == "fixed", result.reason
    stored = f"![](images/{content_name(make_png('blue'))})"
    assert post.read_text(encoding="utf-8") == first.replace(element, stored)


def test_a_post_whose_image_still_fails_is_unchanged(
    image_server: Any,
    make_png: Callable[..., bytes],
    tmp_path: Path,
    store_at: Callable[[float], LocalImages],
) -> None:
    post, first, missing = first_run(image_server, make_png, tmp_path / "blog", store_at(NOW))
    image_server.hits.clear()

    # Ten minutes later the failure is remembered: the host is not asked.
    soon = store_at(NOW + 10 * MINUTE)
    result = normalize_file(post, images="local", image_store=soon)
    assert result.status == "unchanged", result.reason
    assert image_server.hits == []
    assert soon.fetcher.stats.remembered == 1

    # Two days later it is asked again, and fails again: still nothing to write.
    later = store_at(NOW + 2 * DAY)
    result = normalize_file(post, images="local", image_store=later)
    assert result.status == "unchanged", result.reason
    assert image_server.hits == ["/later.png"]
    assert later.fetcher.stats.failed == {missing: "http 404"}
    assert post.read_bytes() == first
    assert normalize_file(post, images="local", check=True).status == "unchanged"


HAND_WRITTEN = """---
title: 手写的文章
---
这是我自己写的，
分两行。

* 一
* 二

![猫](URL)
"""


def test_hand_written_markdown_with_a_remote_image_is_left_alone(
    image_server: Any,
    make_png: Callable[..., bytes],
    tmp_path: Path,
    store_at: Callable[[float], LocalImages],
) -> None:
    url = image_server.add("/cat.png", make_png())
    post = tmp_path / "post.md"
    data = HAND_WRITTEN.replace("URL", url).encode("utf-8")
    post.write_bytes(data)
    store = store_at(NOW)

    result = normalize_file(post, images="local", image_store=store)

    assert result.status == "unchanged"
    assert "not zhconvert's own" in result.reason, result.reason
    assert post.read_bytes() == data
    assert image_server.hits == []  # not even downloaded
    assert store.fetcher.stats.wanted == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post.md"]  # no images folder


def test_markdown_images_are_left_remote_unless_images_is_local(
    image_server: Any,
    make_png: Callable[..., bytes],
    tmp_path: Path,
    store_at: Callable[[float], LocalImages],
) -> None:
    post, first, _ = first_run(image_server, make_png, tmp_path / "blog", store_at(NOW))
    image_server.add("/later.png", make_png("blue"))
    image_server.hits.clear()
    for images in ("remote", "omit"):
        result = normalize_file(post, images=images)
        assert result.status == "unchanged"
        assert result.reason == "body is markdown, not HTML"
    assert image_server.hits == []
    assert post.read_bytes() == first


# ---------------------------------------------------------------------------------------------
# The command line (the pre-commit hook runs the same)


def test_normalize_tries_a_failed_image_again_from_the_command_line(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    red, blue = make_png("red"), make_png("blue")
    good = image_server.add("/good.png", red)
    missing = image_server.url("/later.png")
    blog = tmp_path / "notes"
    blog.mkdir()
    post = blog / "post.md"
    post.write_text(html_post(good, missing), encoding="utf-8")

    result = cli("normalize", "--images", "local", blog)
    assert result.code == 1, result.err
    assert summary(result.err)[0] == (
        "images: 2 wanted: 1 downloaded, 0 from the cache, 1 failed (1 http)"
    ), result.err
    first = post.read_bytes()

    # The hook again at once: the failure is remembered, nothing is asked, nothing changes.
    image_server.hits.clear()
    result = cli("normalize", "--images", "local", "-v", blog)
    assert result.code == 0, result.err
    assert image_server.hits == []
    assert post.read_bytes() == first
    assert summary(result.err)[:2] == [
        "images: 1 wanted: 0 downloaded, 0 from the cache, 1 failed (1 http)",
        "images: 1 of the failures remembered from an earlier run, not asked again yet "
        "(--no-cache asks again)",
    ], result.err
    assert f"left alone: {post}: " in result.err, result.err
    for check in ("--check", "--diff"):
        result = cli("normalize", "--images", "local", check, blog)
        assert result.code == 0, result.err
        assert result.out == ""
    assert image_server.hits == []

    # The host is back: asked again, stored, and only the address changes.
    image_server.add("/later.png", blue)
    result = cli("normalize", "--images", "local", "--no-cache", blog)
    assert result.code == 1, result.err
    assert f"fixed: {post}" in result.err
    assert summary(result.err) == ["images: 1 wanted: 1 downloaded, 0 from the cache, 0 failed"], (
        result.err
    )
    assert image_server.hits == ["/later.png"]
    assert (blog / "images" / content_name(blue)).read_bytes() == blue
    assert post.read_bytes() == first.replace(
        missing.encode("utf-8"), f"images/{content_name(blue)}".encode()
    )

    # Then nothing more to do: no request, no change, --check passes.
    image_server.hits.clear()
    done = post.read_bytes()
    result = cli("normalize", "--images", "local", blog)
    assert (result.code, summary(result.err)) == (0, []), result.err
    assert cli("normalize", "--images", "local", "--check", blog).code == 0
    assert image_server.hits == []
    assert post.read_bytes() == done


def test_normalize_names_hand_written_markdown_it_leaves_alone(
    cli: Callable[..., CliResult], image_server: Any, make_png: Callable[..., bytes], tmp_path: Path
) -> None:
    url = image_server.add("/cat.png", make_png())
    post = tmp_path / "post.md"
    data = HAND_WRITTEN.replace("URL", url).encode("utf-8")
    post.write_bytes(data)

    result = cli("normalize", "--images", "local", "-v", post)

    assert result.code == 0, result.err
    assert post.read_bytes() == data
    assert image_server.hits == []
    assert summary(result.err) == []
    left = [line for line in result.err.splitlines() if line.startswith("left alone:")]
    assert len(left) == 1 and "not zhconvert's own" in left[0], result.err
