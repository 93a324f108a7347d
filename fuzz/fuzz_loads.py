"""Fuzz target: random and mutated posts into ``zhconvert.loads`` and every writer.

Run the long, coverage-guided fuzz with atheris (optional, not in CI)::

    python -m pip install atheris
    python fuzz/fuzz_loads.py -atheris_runs=100000          # or -max_total_time=600
    python fuzz/fuzz_loads.py -atheris_runs=100000 fuzz/corpus/   # keep what it finds

Each input is either taken as a whole post, or (first byte even) used to pick a real post from
the corpus (``$ZHCONVERT_CORPUS`` or ``../shared/corpus``) and a series of edits to make to it:
bytes inserted, deleted, replaced, spliced from another post, hostile or deeply nested markup
inserted, the post cut short or re-encoded. ``check_post`` says what must hold for every input;
a failure raises and atheris saves the input as ``crash-*``. Replay one with
``python fuzz/fuzz_loads.py crash-<hash>``.

The CI run is ``tests/reliability/test_fuzz.py``: the same ``check_post`` and mutations,
driven by hypothesis for a bounded number of examples.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

#: Markup that has broken converters before: hostile, broken, deep.
SNIPPETS: tuple[bytes, ...] = (
    b"<p>", b"</p>", b"<div>", b"</div>", b"<b>", b"</b>", b"<i>", b"<ul><li>", b"</li></ul>",
    b"<table><tr><td>", b"</td></tr></table>", b"<pre><code>", b"</code></pre>",
    b"<blockquote>", b"<br>", b"<hr>", b"<figure><img src='https://e.com/a.jpg'>",
    b"<figcaption>", b"<a href='javascript:alert(1)'>", b"<a href='http://link.zhihu.com/?target='>",
    b"<a href='http://[::1'>", b"<sup data-numero='1' data-url='javascript:x' data-text='t'>",
    b"&#99999999;", b"&bogus;", b"&", b"<", b">", b"<script>alert(1)</script>", b"<script>",
    b"<style>", b"<svg onload=alert(1)>", b"<img src=x onerror=alert(1)>", b"<iframe>",
    b"<span class='ztext-math' data-tex='<script>\\\\'>", b"<img eeimg='1' src='x?tex=%'>",
    b"<noscript>", b"<!--", b"-->", b"<![CDATA[", b"\r", b"\r\n", b"\x00", b"\x1b[2J",
    b"\xff\xfe", b"\xe4\xb8", b"\xc0\x80", b"---\n", b"\n---\ntitle: '\n", b"title: &a [*a]\n",
    b"$$", b"$", b"*_`[](", b"> ", b"- ", b"1. ", b"[^1]", b"[^1]: ", b"<javascript:x>",
    b"<div>" * 300, b"<b>" * 300, b"> " * 200, b"[" * 200, b"*" * 200,
)  # fmt: skip


def corpus_root() -> Path:
    configured = os.environ.get("ZHCONVERT_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "corpus"


@cache
def seeds() -> tuple[bytes, ...]:
    """The real posts, and two small posts of our own should the corpus be missing."""
    posts = (p for p in corpus_root().glob("*/**/*.md") if p.name != "README.md" and p.is_file())
    found = tuple(p.read_bytes() for p in sorted(posts))
    own = (
        "\n---\ntitle: '种子_'\nauthor: 知乎\ndate: 2022-01-01 10:00:00\n---\n\n<div>\n张三的回答"
        "<br><br><p>正文<b>粗体</b><a href='https://e.com/'>链接</a></p><ul><li>一</li></ul>"
        "<figure><img src='https://e.com/a_r.jpg'><figcaption>图</figcaption></figure>\n</div>\n",
        "---\ntitle: 种子\n---\n\n# 标题\n\n正文 **粗体** [链接](https://e.com/)\n\n> 引用\n\n"
        "- 一\n- 二\n\n$a^2$ 与 $$b$$\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n脚注[^1]\n\n[^1]: 注\n",
    )
    return found + tuple(text.encode("utf-8") for text in own)


def mutate(data: bytes, choose: Callable[[int], int], edits: int) -> bytes:
    """Apply ``edits`` edits to ``data``; ``choose(n)`` picks a number in ``range(n)``."""
    out = bytearray(data)
    for _ in range(edits):
        at = choose(len(out) + 1)
        kind = choose(9)
        if kind == 0:
            out[at:at] = bytes(choose(256) for _ in range(1 + choose(16)))
        elif kind == 1:
            del out[at : at + 1 + choose(400)]
        elif kind in (2, 3):
            out[at:at] = SNIPPETS[choose(len(SNIPPETS))]
        elif kind == 4:
            other = seeds()[choose(len(seeds()))]
            start = choose(len(other) + 1)
            out[at:at] = other[start : start + choose(4000)]
        elif kind == 5:
            del out[at:]
        elif kind == 6 and at < len(out):
            out[at] = choose(256)
        elif kind == 7:
            text = out.decode("utf-8", "replace")
            encoding = ("gb18030", "utf-16", "utf-8-sig", "utf-32")[choose(4)]
            out = bytearray(text.encode(encoding, "replace"))
        else:
            out[at:at] = SNIPPETS[choose(len(SNIPPETS))] * (1 + choose(50))
    return bytes(out)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def check_post(data: bytes | str) -> None:
    """What must hold for any input: read or refused cleanly, then written by every writer.

    - ``loads`` raises nothing but ``ZhconvertError``;
    - the Markdown, text and JSON writers and the EPUB writer (images as links: no network)
      all succeed; the JSON parses; every XML document in the EPUB is well-formed;
    - the Markdown holds no raw HTML (markdown-it finds no HTML token in it, front matter aside)
      and the text no control character.
    """
    import zhconvert

    try:
        doc = zhconvert.loads(data)
    except zhconvert.ZhconvertError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    markdown = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(markdown, str)
    assert not _raw_html(markdown), _raw_html(markdown)
    for fmt, options in (("markdown", {}), ("markdown", {"front_matter": "normalize"})):
        assert isinstance(zhconvert.dumps(doc, fmt, **options), str)
    text = zhconvert.dumps(doc, "text", wrap=40)
    assert isinstance(text, str) and not _CONTROL.search(text)
    json.loads(zhconvert.dumps(doc, "json"))
    book = zhconvert.dumps(doc, "epub", images="link", no_cache=True)
    assert isinstance(book, bytes)
    from lxml import etree

    archive = zipfile.ZipFile(io.BytesIO(book))
    for name in archive.namelist():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            etree.fromstring(archive.read(name))


@cache
def _markdown_parser() -> object:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})


def _raw_html(markdown: str) -> list[str]:
    parser = _markdown_parser()
    tokens = parser.parse(markdown)  # type: ignore[attr-defined]
    found = [t.content for t in tokens if t.type == "html_block"]
    for token in tokens:
        found.extend(c.content for c in token.children or [] if c.type == "html_inline")
    return found


def fuzz_one_input(data: bytes) -> None:
    """The atheris entry point: the input is a post, or a recipe for mutating a real one."""
    if not data or data[0] % 2:
        check_post(data[1:])
        return
    position = 1

    def choose(n: int) -> int:
        nonlocal position
        if n <= 1:
            return 0
        value = int.from_bytes(data[position : position + 3] or b"\0", "little")
        position += 3
        return value % n

    seed = seeds()[choose(len(seeds()))]
    check_post(mutate(seed, choose, 1 + choose(12)))


def main(argv: Sequence[str]) -> None:
    import atheris

    # zhconvert imports most of its modules lazily: one post of each kind imports them all,
    # inside the block, so that the fuzzer sees their coverage.
    with atheris.instrument_imports(include=["zhconvert"]):
        for seed in seeds()[-2:]:
            check_post(seed)

    atheris.Setup(list(argv), fuzz_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
