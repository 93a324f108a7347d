"""A post's text cannot become front matter of the Markdown zhconvert writes.

Hexo reads a post's front matter with hexo-front-matter: a block between two ``---`` (or ``;;;``)
lines at the start, or, when the post does not start with one, *everything above the first line
that starts with* ``---`` or ``;;;`` (``;;;`` meaning JSON). So ``<hr><p>layout: false</p><hr>``
written as ``---`` thematic breaks would turn the post's text into the blog's settings; zhconvert's
own reader took the same block for front matter.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import zhconvert
from zhconvert._cli import run
from zhconvert.model import (
    BlockQuote,
    Document,
    Figure,
    Heading,
    LinkCard,
    ListBlock,
    ListItem,
    MathBlock,
    Metadata,
    Paragraph,
    Text,
    ThematicBreak,
    VideoCard,
)

# hexo-front-matter 4 (dist/front_matter.js), the splitter of Hexo 7.
_HEXO_OLD = re.compile(r"^(-{3,}|;{3,})\n([\s\S]+?)\n\1\n?([\s\S]*)")
_HEXO_PREFIX = re.compile(r"^(-{3,}|;{3,})")
_HEXO_NEW = re.compile(r"^([\s\S]+?)\n(-{3,}|;{3,})\n?([\s\S]*)")


def hexo_front_matter(text: str) -> str | None:
    """Return the text Hexo would parse as the post's front matter, as ``split()`` does."""
    match = _HEXO_OLD.match(text)
    if match:
        return match.group(2)
    if _HEXO_PREFIX.match(text):
        return None
    match = _HEXO_NEW.match(text)
    return match.group(1) if match else None


FORGERIES = {
    "hr-yaml": "<hr><p>layout: false</p><p>permalink: /index.html</p><hr><p>正文</p>",
    "hr-only-after": "<p>layout: false</p><p>permalink: /index.html</p><hr><p>正文</p>",
    "json": '<p>"layout": false, "permalink": "/index.html"</p><p>;;;</p><p>正文</p>',
    "dashes-text": "<p>layout: false</p><p>---</p><p>正文</p>",
    "dashes-after-break": "<p>layout: false<br>--- more</p>",
    "nested": "<blockquote><hr></blockquote><ul><li><hr></li></ul><p>layout: false</p><hr>",
}


def written_without_front_matter(doc: Document) -> list[str]:
    """Every way the Markdown writer writes a post that has no front matter."""
    outputs = [
        str(zhconvert.dumps(doc, "markdown", front_matter=mode)) for mode in ("keep", "none")
    ]
    outputs.append(str(zhconvert.dumps(doc, "markdown", front_matter="normalize")))
    return outputs


def assert_no_front_matter(markdown_text: str) -> None:
    assert hexo_front_matter(markdown_text) is None, markdown_text
    assert not markdown_text.startswith(("---", ";;;")), markdown_text
    again = zhconvert.loads(markdown_text)
    assert again.front_matter is None, markdown_text


@pytest.mark.parametrize("body", FORGERIES.values(), ids=FORGERIES.keys())
def test_html_text_cannot_become_front_matter(body: str) -> None:
    doc = zhconvert.loads(body)
    assert doc.front_matter is None
    for markdown_text in written_without_front_matter(doc):
        assert_no_front_matter(markdown_text)
        assert "layout" in markdown_text  # the text is still there, as text


def test_markdown_text_cannot_become_front_matter() -> None:
    source = "layout: false\n\n***\n\n正文\n\n\\---\n\n\\;;;\n"
    doc = zhconvert.loads(source)
    assert doc.front_matter is None
    for markdown_text in written_without_front_matter(doc):
        assert_no_front_matter(markdown_text)


HAND_BUILT = {
    "math": MathBlock("a\n---\nb\n;;; c"),
    "figure caption": Figure("", (Text("a\n---"),)),
    "figure caption with link": Figure("https://example.com/a.png", (Text("a\n---"),)),
    "link card": LinkCard("https://example.com", "a\n---"),
    "link card without link": LinkCard("javascript:x", "a\n---"),
    "video card": VideoCard("https://example.com", "a\n---"),
    "heading": Heading(2, (Text("a\n---"),)),
    "paragraph": Paragraph((Text("a\n---\n;;;\n  ---"),)),
    "quote": BlockQuote((ThematicBreak(),)),
    "list": ListBlock((ListItem((ThematicBreak(),)),)),
}


@pytest.mark.parametrize("block", HAND_BUILT.values(), ids=HAND_BUILT.keys())
def test_no_block_writes_a_separator_line(block: object) -> None:
    doc = Document(
        meta=Metadata(title="标题\n---"),
        blocks=(Paragraph((Text("layout: false"),)), block, ThematicBreak()),  # type: ignore[arg-type]
    )
    for markdown_text in written_without_front_matter(doc):
        match = _HEXO_OLD.match(markdown_text)  # normalize writes the title as front matter
        body = match.group(3) if match else markdown_text
        lines = body.split("\n")
        assert not [line for line in lines if line.startswith(("---", ";;;"))], markdown_text
    assert_no_front_matter(str(zhconvert.dumps(doc, "markdown", front_matter="keep")))


def test_convert_writes_no_front_matter_for_a_post_without_one(tmp_path: Path) -> None:
    post = tmp_path / "post.html"
    post.write_text(FORGERIES["hr-yaml"], encoding="utf-8")
    out = tmp_path / "post.md"
    assert run(["convert", str(post), "-t", "md", "-o", str(out), "-q"]) == 0
    assert_no_front_matter(out.read_text(encoding="utf-8"))


def test_a_real_front_matter_still_comes_first() -> None:
    """With a front matter of its own, the post's thematic breaks are body to Hexo and zhconvert."""
    source = "---\ntitle: t\n---\n" + FORGERIES["hr-yaml"]
    written = str(zhconvert.dumps(zhconvert.loads(source), "markdown"))
    assert hexo_front_matter(written) == "title: t"
    assert dict(zhconvert.loads(written).front_matter.mapping) == {"title": "t"}  # type: ignore[union-attr]
