"""A host that accepts connections and never answers must not stall ``zhconvert book``.

Issue 14: ``book`` over 34 posts ran past 15 minutes behind such a proxy. Here 40 images on one
silent host (the ``misbehaving`` server of ``test_image_server.py``: it accepts, reads the request
and says nothing for 30 s), built by ``zhconvert book`` in a real process with the DEFAULT
timeouts and budget: the stalled-host give-up alone must end it within a minute, the book
written, each of the 40 addresses named as failed with ``-v``.
"""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest
from reliability_support import run_process
from test_image_server import Misbehaving, misbehaving

__all__ = ["misbehaving"]  # the fixture, used by name

POSTS = 4
PER_POST = 10


def _posts(folder: Path, server: Misbehaving) -> list[str]:
    urls = []
    for post in range(POSTS):
        figures = []
        for n in range(PER_POST):
            url = server.url(f"/stall-before-headers.png?n={post}-{n}")
            urls.append(url)
            figures.append(
                f'<figure><img src="{url}"><figcaption>图{post}-{n}</figcaption></figure>'
            )
        (folder / f"post-{post}.md").write_text(
            f"---\ntitle: 第{post}篇\ndate: 2022-01-0{post + 1} 10:00:00\n---\n"
            f"<p>正文{post}</p>\n" + "\n".join(figures) + "\n",
            encoding="utf-8",
        )
    return urls


@pytest.mark.slow
def test_a_silent_image_host_ends_a_book_within_a_minute(
    tmp_path: Path, misbehaving: Misbehaving
) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    urls = _posts(folder, misbehaving)
    book = tmp_path / "book.epub"
    cache = tmp_path / "cache"  # the defaults otherwise: timeout, deadline, budget, retries
    started = time.monotonic()
    result = run_process("book", folder, "-o", book, "--cache", cache, "-v", timeout=90)
    elapsed = time.monotonic() - started
    assert elapsed < 60, (elapsed, result.err)
    assert result.code == 0, result.err
    with zipfile.ZipFile(book) as archive:
        assert not [name for name in archive.namelist() if name.startswith("EPUB/images/")]
    assert "images: 40 wanted: 0 downloaded, 0 from the cache, 40 failed (40 timeout)" in result.err
    failed = re.findall(r"^image failed: (\S+): timeout", result.err, re.MULTILINE)
    assert sorted(failed) == sorted(urls)
    # the first wave of requests (one per fetching thread), nothing after the host was given up
    assert len(misbehaving.hits) <= 8

    # Within the hour the failures are remembered: the next build does not wait for the host.
    started = time.monotonic()
    again = run_process("book", folder, "-o", book, "--cache", cache, timeout=60)
    assert time.monotonic() - started < 15
    assert again.code == 0, again.err
    assert "40 of the failures remembered from an earlier run" in again.err
    assert len(misbehaving.hits) <= 8
