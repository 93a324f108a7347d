"""20,000 levels of nested blocks and 10,000 of nested inline markup: converted, text kept.

No RecursionError and no stack overflow: the readers flatten what lies deeper than their bound
(HTML: ``readers.html.MAX_DEPTH`` tags; Markdown: ``readers.markdown.MAX_NESTING`` blocks, then
the rest as text), and the writers flatten documents built through the API that nest deeper
than ``writers._depth.MAX_DEPTH``. Markers placed every few hundred levels must all survive.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import pytest
from lxml import etree
from reliability_support import epub_documents, every_output, run_process

import zhconvert
from zhconvert import model as m
from zhconvert.writers._depth import MAX_DEPTH, document_depth, limit_depth

BLOCKS = 20_000
INLINES = 10_000
EVERY = 997  # a marker every EVERY levels, and one at the bottom


def markers(levels: int) -> list[str]:
    return [f"层{level}记" for level in range(0, levels, EVERY)] + ["最深处"]


def nested_html(open_tag: str, close_tag: str, levels: int, *, closed: bool = True) -> str:
    """``levels`` of ``open_tag``, a marker every EVERY levels, then the closing tags."""
    parts = []
    for level in range(levels):
        parts.append(open_tag)
        if level % EVERY == 0:
            parts.append(f"层{level}记")
    parts.append("最深处")
    if closed:
        parts.append(close_tag * levels)
    return "".join(parts)


HTML_CASES = {
    "div": nested_html("<div>", "</div>", BLOCKS),
    "blockquote": nested_html("<blockquote>", "</blockquote>", BLOCKS),
    "ul-li": nested_html("<ul><li>", "</li></ul>", BLOCKS // 2),
    "ol-li-unclosed": nested_html("<ol><li>", "", BLOCKS // 2, closed=False),
    "table": nested_html("<table><tr><td>", "</td></tr></table>", BLOCKS // 3),
    "section-mix": nested_html(
        "<section><article><div><p>", "</p></div></article></section>", BLOCKS // 4
    ),
    "self-closing-div": nested_html("<div/>", "", BLOCKS, closed=False),
    "misnested": nested_html("<div><blockquote>", "</div></blockquote>", BLOCKS // 2),
    "b": "<p>" + nested_html("<b>", "</b>", INLINES) + "</p>",
    "span-a": "<p>"
    + nested_html("<span><a href='https://e.com/'>", "</a></span>", INLINES // 2)
    + "</p>",
    "inline-mix": "<p>"
    + nested_html("<i><u><sup><s><em>", "</em></s></sup></u></i>", INLINES // 5)
    + "</p>",
    "inline-unclosed": "<p>" + nested_html("<strong>", "", INLINES, closed=False),
    "list-in-inline": "<p>" + nested_html("<b><ul><li>", "</li></ul></b>", INLINES // 3) + "</p>",
}


@pytest.mark.parametrize("name", list(HTML_CASES))
def test_deep_html_is_converted_with_its_text(name: str) -> None:
    html = HTML_CASES[name]
    doc = zhconvert.loads("\n---\ntitle: 深\n---\n\n<div>" + html + "</div>\n<p>之后</p>")
    outputs = every_output(doc)
    expected = [*markers(BLOCKS if "div" in name or "quote" in name else INLINES), "之后"]
    for marker in expected:
        if marker in html or marker == "之后":
            assert marker in outputs["text"], marker
            assert marker in outputs["markdown"], marker
            assert marker in outputs["epub"], marker


MARKDOWN_CASES = {
    "quotes": ">" * BLOCKS + " 最深处\n",
    "quotes-spaced": "> " * BLOCKS + "最深处\n",
    "bullets": "- " * BLOCKS + "最深处\n",
    "quote-list-mix": "> 1. " * (BLOCKS // 2) + "最深处\n",
    "indented-lists": "".join("  " * i + f"- 第{i}项\n" for i in range(400)) + "\n",
    "emphasis": "*" * INLINES + "最深处" + "*" * INLINES + "\n",
    "links": "[" * INLINES + "最深处" + "](https://e.com/)" * INLINES + "\n",
    "images": "![" * 3000 + "最深处" + "](https://e.com/a.png)" * 3000 + "\n",
}


@pytest.mark.parametrize("name", list(MARKDOWN_CASES))
def test_deep_markdown_is_converted_with_its_text(name: str) -> None:
    source = "\n---\ntitle: 深\n---\n\n# 开头\n\n" + MARKDOWN_CASES[name] + "\n之后\n"
    doc = zhconvert.loads(source)
    assert doc.source.body_format == "markdown"
    outputs = every_output(doc)
    wanted = ["最深处", "之后"] if name != "indented-lists" else ["第0项", "第399项", "之后"]
    for marker in wanted:
        assert marker in outputs["text"], marker
        assert marker in outputs["markdown"], marker
        assert marker in outputs["epub"], marker


# ---------------------------------------------------------------------------------------------
# Documents built through the API


@functools.cache
def deep_document(levels: int) -> m.Document:
    """Quotes, lists and inline spans and links, ``levels`` deep in all, a marker at the bottom."""
    inline: m.Inline = m.Text("最深处")
    for level in range(levels // 2):
        kinds = (m.Strong, m.Emphasis, m.Underline, m.Superscript)
        if level % 5 == 4:
            inline = m.Link("https://e.com/", (inline,))
        else:
            inline = kinds[level % 4]((inline,))
    block: m.Block = m.Paragraph((m.Text("起"), inline, m.Text("止")))
    block_levels = levels - levels // 2
    for level in range(block_levels):
        if level % 2 and (level % 50 == 1 or level >= block_levels - 2):
            block = m.BlockQuote((block, m.Paragraph((m.Text(f"第{level}层"),))))
        elif level % 2:
            block = m.BlockQuote((block,))
        else:
            block = m.ListBlock((m.ListItem((block,)),), ordered=level % 4 == 0)
    return m.Document(
        meta=m.Metadata(title="深", date=dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc)),
        blocks=(block, m.Paragraph((m.Text("之后"),))),
    )


@pytest.mark.parametrize("levels", [MAX_DEPTH, MAX_DEPTH + 1, BLOCKS])
def test_deep_api_documents_are_written_by_the_text_writers(levels: int) -> None:
    doc = deep_document(levels)
    for fmt in ("markdown", "text", "json"):
        out = zhconvert.dumps(doc, fmt)
        assert isinstance(out, str)
        last = levels - levels // 2 - 1
        deepest_quote = last if last % 2 else last - 1  # quotes are at odd levels
        for marker in ("起", "最深处", "止", "之后", "第1层", f"第{deepest_quote}层"):
            assert marker in out, (fmt, marker)


def test_limit_depth_keeps_every_piece_of_text_and_shallow_documents_as_they_are() -> None:
    shallow = deep_document(MAX_DEPTH)
    assert document_depth(shallow) == MAX_DEPTH
    assert limit_depth(shallow) is shallow
    deep = deep_document(BLOCKS)
    assert document_depth(deep) == BLOCKS
    flat = limit_depth(deep)
    assert document_depth(flat) == MAX_DEPTH
    assert zhconvert.dumps(flat, "json") == zhconvert.dumps(deep, "json")

    # the same characters, in the same order, as the text of the unflattened tree
    def text_of(node: object) -> str:
        out: list[str] = []
        stack = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, m.Text):
                out.append(item.text)
            for name in ("children", "items", "blocks"):
                stack.extend(reversed(getattr(item, name, ())))
        return "".join(out)

    assert text_of(flat) == text_of(deep)


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, BLOCKS])
def test_deep_api_documents_are_written_as_epub(levels: int) -> None:
    from zhconvert.epub.book import record_post

    doc = deep_document(levels)
    data = zhconvert.dumps(doc, "epub", images="omit")
    assert isinstance(data, bytes)
    chapter = epub_documents(data)["EPUB/text/post-0001.xhtml"]
    text = "".join(etree.fromstring(chapter).itertext())  # well-formed XHTML
    last = levels - levels // 2 - 1
    deepest_quote = last if last % 2 else last - 1
    for marker in ("起", "最深处", "止", "之后", "第1层", f"第{deepest_quote}层"):
        assert marker in text, marker
    # ``book`` renders each post through ``record_post``: the same bound
    assert (
        record_post(doc, images="omit").chapter
        == record_post(limit_depth(doc), images="omit").chapter
    )


# ---------------------------------------------------------------------------------------------
# In a real process: a stack overflow would kill it (a signal), not raise


@pytest.mark.slow
def test_deep_posts_through_the_cli_in_a_process(tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    for name in ("div", "table", "inline-mix", "list-in-inline"):
        (folder / f"html-{name}.md").write_text(
            "\n---\ntitle: 深\n---\n\n<div>" + HTML_CASES[name] + "</div>\n", encoding="utf-8"
        )
    for name in ("quotes", "bullets", "links"):
        (folder / f"md-{name}.md").write_text(
            "\n---\ntitle: 深\n---\n\n正文\n\n" + MARKDOWN_CASES[name], encoding="utf-8"
        )
    for fmt in ("md", "txt", "json", "epub"):
        out = tmp_path / f"out-{fmt}"
        args = ["convert", folder, "-o", out, "-t", fmt, "--jobs", "2"]
        result = run_process(*args, *(["--images", "omit"] if fmt == "epub" else []))
        assert result.code == 0, result.err
        assert len(list(out.iterdir())) == 7
    book = run_process("book", folder, "-o", tmp_path / "deep.epub", "--images", "omit")
    assert book.code == 0, book.err
