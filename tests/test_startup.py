"""What one Markdown conversion loads: nothing it does not use (each module costs start-up).

A subprocess, so that the modules other tests loaded do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

POST = """---
title: 启动
date: 2024-03-08 21:30:00
tags: [咖啡]
---
<p>一段<b>文字</b>，<a href="https://example.com/a?id=1">链接</a>。</p>
<figure><img src="https://example.com/a.png"><figcaption>图</figcaption></figure>
"""

#: Modules a Markdown conversion of a post like ``POST`` must not load: the EPUB writer and
#: image fetcher, and what only rare inputs need (an address with tracking parameters loads
#: w3lib, which loads urllib.request and ssl).
NOT_LOADED = (
    "zhconvert.epub",
    "zhconvert.images.fetch",
    "ebooklib",
    "httpx",
    "w3lib",
    "urllib.request",
    "ssl",
    "concurrent.futures.process",
)

_CHILD = """
import json, sys
from zhconvert._cli import run
code = run(["convert", sys.argv[1], "-t", "md", "-o", sys.argv[2], "-q"])
print(json.dumps([code, sorted(sys.modules)]))
"""


def _loaded(post: Path, out: Path) -> tuple[int, list[str]]:
    run = subprocess.run(
        [sys.executable, "-c", _CHILD, str(post), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    code, modules = json.loads(run.stdout.splitlines()[-1])
    return code, modules


def test_a_markdown_conversion_loads_only_what_it_uses(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(POST, encoding="utf-8")

    code, modules = _loaded(post, tmp_path / "out.md")

    assert code == 0
    assert "zhconvert.writers.markdown" in modules  # the child did convert
    loaded = [m for m in modules if m.startswith(NOT_LOADED)]
    assert loaded == []
    assert (tmp_path / "out.md").read_text(encoding="utf-8").count("example.com") == 2


def test_the_rare_inputs_still_load_what_they_need(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(
        POST.replace("?id=1", "?id=1&amp;utm_source=rss"),
        encoding="utf-8",
    )

    code, modules = _loaded(post, tmp_path / "out.md")

    assert code == 0
    assert "w3lib.url" in modules
    text = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert "(https://example.com/a?id=1)" in text  # the tracking parameter is gone
