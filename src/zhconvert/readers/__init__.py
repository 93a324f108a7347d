"""Readers: a post (front matter + HTML or Markdown body) to a Document.

``read_post`` decodes, splits the front matter, picks the body reader (HTML for Zhihu-style
bodies, Markdown otherwise) and derives the typed metadata. The body readers know nothing of
front matter; the writers know nothing of readers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..model import Block, Document, Footnote, Metadata, SourceInfo
from ._decode import decode_post
from ._frontmatter import derive_metadata, labels, parse_front_matter, split_front_matter
from ._safety import lacks_controls

__all__ = ["read_post"]

#: C0 controls other than tab, line feed and carriage return; DEL; C1 controls.
_CONTROLS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Escapes for `re`, not the string: mypyc cannot compile a literal that holds lone surrogates.
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_HTML_START = re.compile(r"^\s*<(?:!doctype|!--|/?[a-zA-Z][a-zA-Z0-9-]*[\s/>])", re.I)


_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_CHUNK_START = re.compile(r"^\s*<(?:!|/?[a-zA-Z])")
_CODE_START = re.compile(r"^\s*<code>")
_RAW_START = re.compile(r"<(pre|script|style|textarea)\b|<!--", re.IGNORECASE)
_RAW_ENDS = {
    name: re.compile(rf"</{name}\s*>", re.IGNORECASE)
    for name in ("pre", "script", "style", "textarea")
}


def _without_raw_blocks(body: str) -> str:
    """Replace each ``<pre>``/``<script>``/``<style>``/``<textarea>`` element and comment by a tag.

    One search per element: a start without its end runs to the end of the body, so the scan
    stops there (a regular expression would look for the end again from every later start).
    """
    out: list[str] = []
    position = 0
    while True:
        start = _RAW_START.search(body, position)
        if start is None:
            break
        out.append(body[position : start.start()])
        out.append("<x>")
        if start.group(1):
            end = _RAW_ENDS[start.group(1).lower()].search(body, start.end())
            position = end.end() if end is not None else len(body)
        else:
            found = body.find("-->", start.end())
            position = found + 3 if found >= 0 else len(body)
    out.append(body[position:])
    return "".join(out)


#: A body that is one element: a feed's ``<div>…</div>`` wrapper around the whole post.
_WRAPPED = re.compile(
    r"^\s*<(div|section|article|main|body|html)\b[^>]*>.*</\1\s*>\s*$", re.IGNORECASE | re.DOTALL
)
#: What only a Markdown author writes: headings, list and quote markers, fences, emphasis,
#: code spans, links and images, link definitions.
_MARKDOWN_SYNTAX = re.compile(
    r"^ {0,3}(?:\#{1,6}[ \t]|[-*+][ \t]|\d{1,9}[.)][ \t]|>|`{3}|~{3}|\[[^\]\n]+\]:)"
    r"|\*\*|__|`[^`\n]+`|\]\(|!\[",
    re.MULTILINE,
)


def _is_html_body(body: str) -> bool:
    """Whether a body is HTML rather than Markdown.

    It is when every chunk between blank lines starts with a tag: CommonMark's own rule for
    HTML blocks, roughly (a hand-written Markdown post that opens with ``<img>`` or holds an
    ``<!-- more -->`` marker has Markdown chunks too). It is also when the body is one element
    (a feed's ``<div>…</div>``) and its chunks of bare text hold no Markdown syntax: read as
    Markdown, its text would come apart from its markup, and indented HTML inside it would
    become code blocks of raw tags. Chunks that all open with a bare ``<code>`` are Markdown.
    """
    if not _HTML_START.match(body):
        return False
    # As in CommonMark, <pre>, <script>, <style>, <textarea> and comments run to their end
    # whatever blank lines they hold.
    flat = _without_raw_blocks(body)
    chunks = [c for c in _BLANK_LINES.split(flat) if c.strip()]
    text = [c for c in chunks if not _CHUNK_START.match(c)]
    if not text:
        # Paragraphs that all open with a bare <code> are Markdown: zhconvert's writer writes
        # inline code holding template syntax so, and CommonMark starts no HTML block there.
        return not all(_CODE_START.match(c) for c in chunks)
    return bool(_WRAPPED.match(flat)) and not any(_MARKDOWN_SYNTAX.search(c) for c in text)


def _detect_newline(text: str) -> str:
    index = text.find("\n")
    cr = text.find("\r")
    if cr < 0:
        return "\n"
    if index < 0 or cr < index:
        return "\r\n" if text[cr : cr + 2] == "\r\n" else "\r"
    return "\n"


# The C0 controls and DEL of ``_CONTROLS``, as bytes (``lacks_controls`` adds the C1 ones).
_CONTROL_BYTES = bytes([*range(0x01, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])


def _utf8(text: str) -> bytes | None:
    """Return ``text`` in UTF-8, or None when it holds surrogates (nothing else fails)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def read_post(source: str | bytes, *, path: str | None = None, strict: bool = False) -> Document:
    """Read a whole post into a Document."""
    warnings: list[str] = []
    if isinstance(source, bytes):
        text, encoding, bom, decode_warnings = decode_post(source)
        warnings.extend(decode_warnings)
    else:
        text, encoding, bom = source, "utf-8", False
        if text.startswith("\ufeff"):
            text, bom = text[1:], True
        if "\x00" in text:
            warnings.append(f"{text.count(chr(0))} NUL character(s) removed")
            text = text.replace("\x00", "")
        if _utf8(text) is None:
            # Only a str can hold surrogates (decoding never makes them), and no file can: pairs
            # are joined into the character they stand for, lone ones replaced.
            lone = len(_SURROGATES.findall(text))
            text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
            warnings.append(f"{lone} surrogate code point(s) replaced or joined")
    # Control characters are not text, and in a terminal some of them are commands: a post must
    # not be able to drive the terminal that shows its plain text.
    if not lacks_controls(text, _CONTROL_BYTES):
        text, controls = _CONTROLS.subn("", text)
        if controls:
            warnings.append(f"{controls} control character(s) removed")
    newline = _detect_newline(text)
    final_newline = text.endswith(("\n", "\r"))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    fm_text, yaml_text, body = split_front_matter(text)
    front_matter = None
    mapping: Mapping[str, Any] = {}
    if fm_text is not None:
        # the YAML starts on the line after the opening ---
        line_offset = fm_text.count("\n") - yaml_text.count("\n") - 1
        front_matter, fm_warnings = parse_front_matter(
            fm_text, yaml_text, strict=strict, line_offset=line_offset
        )
        warnings.extend(fm_warnings)
        mapping = front_matter.mapping

    html = bool(body.strip()) and _is_html_body(body)
    meta, blocks, footnotes, body_format, body_warnings = _read_body(body, mapping, html, path)
    return Document(
        meta=meta,
        blocks=blocks,
        footnotes=footnotes,
        front_matter=front_matter,
        source=SourceInfo(
            encoding=encoding,
            bom=bom,
            newline=newline,
            final_newline=final_newline,
            body_format=body_format,
            path=path,
        ),
        warnings=tuple(warnings) + body_warnings,
    )


def read_item(html: str, mapping: Mapping[str, Any]) -> Document:
    """Read the HTML of a feed item or web page, with its metadata given as front-matter keys."""
    meta, blocks, footnotes, body_format, warnings = _read_body(html, mapping, True, None)
    return Document(
        meta=meta,
        blocks=blocks,
        footnotes=footnotes,
        source=SourceInfo(body_format=body_format),
        warnings=warnings,
    )


def _read_body(
    body: str, mapping: Mapping[str, Any], html: bool, path: str | None
) -> tuple[Metadata, tuple[Block, ...], tuple[Footnote, ...], str, tuple[str, ...]]:
    """Read a post's body (HTML or Markdown): its metadata, blocks, footnotes, format, warnings."""
    warnings: list[str] = []
    footnotes: tuple[Footnote, ...] = ()
    blocks: tuple[Block, ...] = ()
    page_url = ""
    if not body.strip():
        body_format = "empty"
    elif html:
        from .html import read_html

        body_format = "html"
        result = read_html(
            body,
            categories=labels(mapping.get("categories")),
            site=str(mapping.get("site") or mapping.get("author") or "").strip(),
        )
        blocks, footnotes, page_url = result.blocks, result.footnotes, result.url
        warnings.extend(result.warnings)
    else:
        from .markdown import read_markdown

        body_format = "markdown"
        blocks, footnotes = read_markdown(body)

    meta, meta_warnings = derive_metadata(mapping, blocks, page_url, path)
    warnings.extend(meta_warnings)
    return meta, blocks, footnotes, body_format, tuple(warnings)
