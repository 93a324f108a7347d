"""``book`` and ``convert -t epub`` end by saying what became of the images (stderr, not with -q).

The progress bar counts the same thing: images wanted, done, and how many of them failed.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import zhconvert
from zhconvert._cli import run


def write_post(folder: Path, name: str, *urls: str) -> Path:
    figures = "\n".join(f'<figure><img src="{url}"></figure>' for url in urls)
    path = folder / name
    path.write_text(
        f"---\ntitle: {name}\ndate: 2022-01-01 00:00:00\n---\n<p>前文</p>\n{figures}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def posts(tmp_path: Path, image_server: Any, make_image: Any) -> tuple[Path, dict[str, str]]:
    urls = {
        "a": image_server.add("/a.png", make_image("PNG", (10, 10), "red")),
        "b": image_server.add("/b.png", make_image("PNG", (12, 12), "blue")),
        "gone": image_server.url("/gone.png"),
        "page": image_server.add("/page.png", b"<!doctype html>", content_type="image/png"),
    }
    folder = tmp_path / "posts"
    folder.mkdir()
    write_post(folder, "one.md", urls["a"], urls["gone"])
    write_post(folder, "two.md", urls["a"], urls["b"], urls["page"])
    return folder, urls


def test_book_prints_what_became_of_the_images(
    tmp_path: Path,
    posts: tuple[Path, dict[str, str]],
    image_server: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, urls = posts
    cache = str(tmp_path / "cache")
    assert run(["book", str(folder), "-o", str(tmp_path / "b.epub"), "--cache", cache]) == 0
    err = capsys.readouterr().err.splitlines()
    assert (
        "images: 4 wanted: 2 downloaded, 0 from the cache, 2 failed (1 not-an-image, 1 http)" in err
    )
    assert not [line for line in err if line.startswith("image failed:")]

    assert run(["book", str(folder), "-o", str(tmp_path / "b.epub"), "--cache", cache, "-v"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert (
        "images: 4 wanted: 0 downloaded, 2 from the cache, 2 failed (1 not-an-image, 1 http)" in err
    )
    failed = [line for line in err if line.startswith("image failed:")]
    assert len(failed) == 2
    assert failed[0].startswith(f"image failed: {urls['gone']}: http 404 (remembered; ")
    assert failed[1].startswith(f"image failed: {urls['page']}: not-an-image: ")
    assert "(remembered; " in failed[1]
    assert any(line.startswith("images: 2 of the failures remembered") for line in err)
    assert sorted(image_server.hits) == ["/a.png", "/b.png", "/gone.png", "/page.png"]

    assert run(["book", str(folder), "-o", str(tmp_path / "b.epub"), "--cache", cache, "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_convert_to_epub_prints_it_too(
    tmp_path: Path, posts: tuple[Path, dict[str, str]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _ = posts
    argv = ["convert", str(folder / "one.md"), "-t", "epub", "-o", str(tmp_path / "one.epub")]
    assert run([*argv, "--no-cache", "-v"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert "images: 2 wanted: 1 downloaded, 0 from the cache, 1 failed (1 http)" in err
    assert any(line.startswith("image failed: ") and "http 404" in line for line in err)
    # Markdown output fetches nothing and says nothing of images
    assert run(["convert", str(folder / "one.md"), "-o", str(tmp_path / "one.md")]) == 0
    assert "images:" not in capsys.readouterr().err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_convert_a_folder_to_epub_counts_every_post_s_images(
    tmp_path: Path,
    posts: tuple[Path, dict[str, str]],
    capsys: pytest.CaptureFixture[str],
    jobs: str,
) -> None:
    folder, _ = posts
    argv = ["convert", str(folder), "-t", "epub", "-o", str(tmp_path / "books"), "-j", jobs]
    assert run([*argv, "--no-cache"]) == 0
    err = capsys.readouterr().err.splitlines()
    # one.md: a, gone; two.md: a (fetched again: one book each), b, page
    assert (
        "images: 5 wanted: 3 downloaded, 0 from the cache, 2 failed (1 not-an-image, 1 http)"
        in err
    ), err


def test_the_progress_bar_counts_what_the_summary_counts(
    tmp_path: Path, posts: tuple[Path, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, _ = posts
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    report = zhconvert.build_book(folder, tmp_path / "b.epub", no_cache=True, progress=True)
    images_bar = stream.getvalue().split("\n")[1]  # after the posts' bar
    last = images_bar.rsplit("\r", 1)[-1]
    assert last.startswith("images ")
    assert last.endswith("] 4/4 (2 failed)")
    assert report.images.wanted == 4 and len(report.images.failed) == 2
    assert report.images_failed == 2
