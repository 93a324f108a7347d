"""Helpers of the ``--images local`` tests: posts with figures, the command line's result.

Imported by the test modules as ``images_local_support`` (``conftest.py`` puts this folder on
``sys.path``, whatever pytest's import mode).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

FRONT_MATTER = """---
title: 图片测试
date: 2020-01-02 03:04:05
---
"""


def content_name(data: bytes, extension: str = ".png") -> str:
    """Return the file name ``--images local`` stores ``data`` under (its SHA-256's start)."""
    return f"img-{hashlib.sha256(data).hexdigest()[:20]}{extension}"


def image_links(markdown: str) -> list[str]:
    """Return the addresses of the Markdown images in ``markdown``, in order."""
    return re.findall(r"!\[[^\]]*\]\(([^)\s]+)", markdown)


def html_post(*figures: str, text: str = "前文。") -> str:
    """Return a post whose HTML body holds ``text`` then one ``<figure>`` per address."""
    body = "".join(
        f'<figure><img src="{url}"><figcaption>图{n}</figcaption></figure>'
        for n, url in enumerate(figures)
    )
    return f"{FRONT_MATTER}\n<div><p>{text}</p>{body}<p>后文。</p></div>\n"


@dataclass
class CliResult:
    code: int
    out: str
    err: str
