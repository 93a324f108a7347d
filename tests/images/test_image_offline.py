"""Offline: no network at all; the image folder and the cache answer, the rest fails at once.

Through the API (``ImageFetcher(offline=True)``), the environment (``ZHCONVERT_OFFLINE=1``) and
the command line (``--offline`` on ``book`` and ``convert -t epub``).
"""

from __future__ import annotations

import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from zhconvert._cli import run
from zhconvert.images import ImageFetcher


def post(tmp_path: Path, *urls: str) -> Path:
    images = "\n".join(
        f'<figure><img src="{url}"><figcaption>图{n}</figcaption></figure>'
        for n, url in enumerate(urls)
    )
    path = tmp_path / "post.md"
    path.write_text(
        f"---\ntitle: 图\ndate: 2022-01-01 00:00:00\n---\n<p>前文</p>\n{images}\n",
        encoding="utf-8",
    )
    return path


def embedded(book: Path) -> list[str]:
    with zipfile.ZipFile(book) as archive:
        return [name for name in archive.namelist() if name.startswith("EPUB/images/")]


def test_offline_the_cache_and_the_folder_answer_and_nothing_else(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    cached = image_server.add("/cached.png", make_image("PNG", (9, 9)))
    other = image_server.add("/other.png", make_image("PNG", (7, 7)))
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "mine.png").write_bytes(make_image("PNG", (5, 5)))
    with ImageFetcher(cache_dir=tmp_path / "cache") as online:
        assert online.resolve((cached,)) is not None
    assert image_server.hits == ["/cached.png"]

    wanted = [(cached,), (other,), (image_server.url("/img/mine.png"),)]
    wanted += [(f"http://nonexistent.invalid/{n}.png",) for n in range(20)]
    started = time.monotonic()
    with ImageFetcher(cache_dir=tmp_path / "cache", image_dir=folder, offline=True) as fetcher:
        results = fetcher.resolve_all(wanted)
    assert time.monotonic() - started < 2
    assert image_server.hits == ["/cached.png"]  # nothing asked
    assert results[(cached,)] is not None
    assert results[(image_server.url("/img/mine.png"),)] is not None
    stats = fetcher.stats
    assert (stats.fetched, stats.cached, stats.local) == (0, 1, 1)
    assert stats.by_reason() == {"offline": 21}
    # offline failures say nothing about the images: the next run online asks for them
    with ImageFetcher(cache_dir=tmp_path / "cache") as online:
        assert online.resolve((other,)) is not None
    assert image_server.hits == ["/cached.png", "/other.png"]


def test_the_environment_variable_turns_fetching_offline(
    monkeypatch: pytest.MonkeyPatch, image_server: Any, make_image: Any
) -> None:
    url = image_server.add("/a.png", make_image())
    monkeypatch.setenv("ZHCONVERT_OFFLINE", "1")
    with ImageFetcher() as fetcher:
        assert fetcher.resolve((url,)) is None
    assert fetcher.stats.by_reason() == {"offline": 1}
    monkeypatch.setenv("ZHCONVERT_OFFLINE", "0")
    with ImageFetcher() as fetcher:
        assert fetcher.resolve((url,)) is not None
    assert image_server.hits == ["/a.png"]


@pytest.mark.parametrize("command", ["book", "convert"])
def test_offline_on_the_command_line(
    tmp_path: Path,
    image_server: Any,
    make_image: Any,
    command: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = image_server.add("/a.png", make_image())
    source = post(tmp_path, url)
    book = tmp_path / "out.epub"
    argv = [command, str(source), "-o", str(book), "--cache", str(tmp_path / "c"), "--offline"]
    if command == "convert":
        argv[2:2] = ["-t", "epub"]
    assert run(argv) == 0
    err = capsys.readouterr().err
    assert image_server.hits == []
    assert embedded(book) == []
    assert "images: 1 wanted: 0 downloaded, 0 from the cache, 1 failed (1 offline)" in err
