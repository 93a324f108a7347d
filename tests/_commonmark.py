"""The CommonMark round trip: reference HTML -> a converter's Markdown -> markdown-it -> HTML.

Shared by ``tests/test_commonmark_roundtrip.py`` (zhconvert, one case per example) and
``benchmarks/run.py`` (zhconvert beside markdownify, html-to-markdown and pandoc), so that both
count the same examples the same way. The examples are the CommonMark spec's own
(``../shared/commonmark/spec.json``); they are read in place, never copied here.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SPEC = Path(
    os.environ.get("ZHCONVERT_COMMONMARK") or REPO.parent / "shared" / "commonmark" / "spec.json"
)

#: Sections about raw HTML: what they test is passing markup through, which a converter from
#: HTML cannot be asked to reproduce as Markdown.
RAW_SECTIONS = frozenset({"HTML blocks", "Raw HTML"})

#: Every tag name a CommonMark renderer itself writes. An example whose reference HTML holds any
#: other tag, a comment or a processing instruction got it from raw HTML in its Markdown
#: (``<bar attr="](baz)">``, ``<!-- -->``): the HTML is then partly made-up markup that no
#: converter is meant to keep. This leaves 581 of the 655 examples, the figure the issue names.
COMMONMARK_TAGS = frozenset(
    {"p", "em", "strong", "a", "img", "code", "pre", "blockquote", "ul", "ol", "li", "hr", "br"}
    | {f"h{level}" for level in range(1, 7)}
)
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")


def is_mostly_raw(reference: str) -> bool:
    """Whether reference HTML holds markup that only raw HTML in the Markdown could make."""
    if "<!--" in reference or "<?" in reference or "<!" in reference:
        return True
    return any(name.lower() not in COMMONMARK_TAGS for _, name in _TAG_NAME.findall(reference))


def load_examples(spec: Path = SPEC) -> list[dict[str, Any]]:
    """Return the spec examples this round trip measures (raw-HTML ones left out)."""
    examples = json.loads(spec.read_text(encoding="utf-8"))
    return [
        example
        for example in examples
        if example["section"] not in RAW_SECTIONS and not is_mostly_raw(example["html"])
    ]


# --------------------------------------------------------------------------------------------
# Whitespace normalization


_BLOCK_TAGS = frozenset(
    {"p", "pre", "blockquote", "ul", "ol", "li", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)


class _Normalizer(HTMLParser):
    """Rewrite HTML so that only differences a reader could see remain.

    Whitespace runs become one space, whitespace next to a block tag goes (it is not shown),
    but text inside ``<pre>`` is kept exactly; attributes are sorted; character references are
    decoded and the few characters that need it re-escaped; ``<br>`` and ``<br />`` are one tag.
    Modelled on the spec's own ``test/normalize.py``.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.in_pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre += 1
        attributes = "".join(
            f' {name}="{html.escape(value or "", quote=True)}"' for name, value in sorted(attrs)
        )
        self.out.append(f"<{tag}{attributes}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "pre":
            self.in_pre -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = max(0, self.in_pre - 1)
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        text = html.escape(data, quote=False)
        if not self.in_pre:
            text = re.sub(r"\s+", " ", text)
        self.out.append(text)


_AROUND_BLOCK = re.compile(r"\s*(</?(?:" + "|".join(sorted(_BLOCK_TAGS)) + r")(?:\s[^>]*)?>)\s*")


def normalize_html(text: str) -> str:
    """Return ``text`` with the differences that do not show removed (the one comparison rule)."""
    parser = _Normalizer()
    parser.feed(text)
    parser.close()
    joined = "".join(parser.out)
    # Whitespace beside a block tag is never shown; a <pre>'s own text is left as it is, since
    # its first and last characters are inside the tags and the regex only eats outside ones.
    pieces = re.split(r"(<pre(?:\s[^>]*)?>.*?</pre>)", joined, flags=re.S)
    for index in range(0, len(pieces), 2):
        pieces[index] = _AROUND_BLOCK.sub(r"\1", pieces[index])
    return "".join(pieces).strip()


# --------------------------------------------------------------------------------------------
# Rendering and converters


@functools.cache
def _commonmark_renderer() -> Callable[[str], str]:
    from markdown_it import MarkdownIt

    render: Callable[[str], str] = MarkdownIt("commonmark").render
    return render


def render_commonmark(markdown: str) -> str:
    """Render Markdown as markdown-it-py does in CommonMark mode."""
    return _commonmark_renderer()(markdown)


def zhconvert_markdown(reference: str) -> str:
    """Give ``reference`` to zhconvert as a post body (no front matter) and write Markdown."""
    import zhconvert

    out = zhconvert.dumps(zhconvert.loads(reference), "markdown")
    assert isinstance(out, str)
    return out


def markdownify_markdown(reference: str) -> str:
    """Convert with markdownify (its defaults, ATX headings as a fair choice for CommonMark)."""
    from markdownify import markdownify

    return str(markdownify(reference, heading_style="ATX"))


def html_to_markdown_markdown(reference: str) -> str:
    """Convert with html-to-markdown (its defaults)."""
    from html_to_markdown import convert

    result = convert(reference)
    return str(getattr(result, "content", result))  # 3.x returns a ConversionResult


def pandoc_markdown(reference: str) -> str:
    """Convert with ``pandoc -f html -t commonmark``."""
    done = subprocess.run(
        ["pandoc", "-f", "html", "-t", "commonmark"],
        input=reference,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=True,
    )
    return done.stdout


def converters() -> dict[str, Callable[[str], str] | str]:
    """Each converter by name, or the reason it cannot run here."""
    import importlib.util

    found: dict[str, Callable[[str], str] | str] = {"zhconvert": zhconvert_markdown}
    for name, module, function in (
        ("markdownify", "markdownify", markdownify_markdown),
        ("html-to-markdown", "html_to_markdown", html_to_markdown_markdown),
    ):
        found[name] = (
            function if importlib.util.find_spec(module) else f"not installed (pip install {name})"
        )
    found["pandoc"] = (
        pandoc_markdown if shutil.which("pandoc") else "not installed (apt-get install pandoc)"
    )
    return found


def round_trip(convert: Callable[[str], str], reference: str) -> tuple[bool, str, str]:
    """Return whether the round trip gives the reference back, the Markdown and its HTML."""
    markdown = convert(reference)
    rendered = render_commonmark(markdown)
    return normalize_html(rendered) == normalize_html(reference), markdown, rendered


def score(
    convert: Callable[[str], str], examples: Iterable[dict[str, Any]]
) -> tuple[int, dict[str, int]]:
    """Return how many examples come back identical, and the misses counted by section."""
    identical = 0
    misses: dict[str, int] = {}
    for example in examples:
        try:
            same = round_trip(convert, example["html"])[0]
        except Exception:  # a converter that fails on an example misses it
            same = False
        if same:
            identical += 1
        else:
            misses[example["section"]] = misses.get(example["section"], 0) + 1
    return identical, misses
