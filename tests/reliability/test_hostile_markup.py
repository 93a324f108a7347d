"""Hostile markup: nothing a post contains can run in a reader of what zhconvert writes.

Scripts, styles, frames, forms, embedded objects, event handlers, ``javascript:`` /
``vbscript:`` / ``data:text/html`` addresses in any case and disguise, SVG and MathML with
scripts, all in an HTML post and in a Markdown post. Every payload carries a ``HIDE`` marker that
must appear in no output (Markdown, text, JSON, EPUB); every piece of visible text a ``KEEP``
marker that must appear in all of them. A formula's TeX is text (``TEX`` markers): its payloads
are shown as the characters they are, never read as markup by any renderer.

Beyond the markers the outputs are checked for what a reader would run: the EPUB's XHTML and the
Markdown (rendered by markdown-it with raw HTML *allowed* and every link scheme accepted, as a
careless site generator would) may hold only allow-listed elements and attributes, no event
handler and no address with another scheme than http, https, mailto or ftp. When nh3 (ammonia,
an independent HTML sanitizer) is installed it is a second opinion: cleaning with the same
allow-list must change nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html
from reliability_support import EPUB_OFFLINE, Cli, epub_documents

import zhconvert

HOSTILE_BODY = """<div>
张三的回答<br><br>
<p>KEEP1<script>HIDE1()</script>KEEP2<SCRIPT type="text/javascript">HIDE2</SCRIPT></p>
<p>KEEP3<style>body{background:url(HIDE3)}</style><iframe src="javascript:HIDE4" srcdoc="&lt;script&gt;HIDE5&lt;/script&gt;">HIDE6</iframe>KEEP4</p>
<form action="https://e.com/HIDE7"><input value="HIDE8"><button formaction="javascript:HIDE9">HIDE10</button><textarea>HIDE11</textarea><select><option>HIDE12</option></select></form>
<p>KEEP5<object data="HIDE13.swf"><param name="movie" value="HIDE14">HIDE15</object><embed src="HIDE16.swf">KEEP6<applet code="HIDE17">HIDE18</applet>KEEP7</p>
<p><img src="https://e.com/a.jpg" onerror="HIDE19()" alt="KEEP8"> <b onclick="HIDE20()">KEEP9</b> <span onmouseover=HIDE21>KEEP10</span> <i style="background:url(javascript:HIDE22)">KEEP11</i></p>
<p><a href="javascript:HIDE23()">KEEP12</a> <a href="JaVaScRiPt:HIDE24()">KEEP13</a> <a href=" java\tscript:HIDE25">KEEP14</a>
<a href="vbscript:HIDE26">KEEP15</a> <a href="VBScript:HIDE27">KEEP16</a> <a href="data:text/html,&lt;script&gt;HIDE28&lt;/script&gt;">KEEP17</a>
<a href="DATA:text/html;base64,SElERTI5">KEEP18</a> <a href="&#106;avascript:HIDE30()">KEEP19</a> <a href="jav&#x09;ascript:HIDE31()">KEEP20</a>
<a href="http://link.zhihu.com/?target=javascript%3AHIDE32()">KEEP21</a> <a href="http://link.zhihu.com/?target=javascript%253AHIDE33()">KEEP22</a>
<a href="\x01javascript:HIDE34">KEEP23</a> <a href="javascript&colon;HIDE35()">KEEP24</a> <a href="jav&#x0A;ascript:HIDE36">KEEP25</a>
<a href="file:///etc/HIDE37">KEEP26</a> <a href="livescript:HIDE38">KEEP27</a></p>
<p>KEEP28<svg onload="HIDE39()"><script>HIDE40()</script><a xlink:href="javascript:HIDE41"><text>HIDE42</text></a><foreignObject><p>HIDE43</p></foreignObject></svg>KEEP29</p>
<p>KEEP30<math><mtext><script>HIDE44</script></mtext><maction actiontype="statusline" xlink:href="javascript:HIDE45">x</maction></math>KEEP31</p>
<figure><img src="javascript:HIDE46" data-original="vbscript:HIDE47"><figcaption>KEEP32</figcaption></figure>
<figure><img src="data:text/html,HIDE48" data-actualsrc="https://e.com/ok.jpg"><figcaption>KEEP33</figcaption></figure>
<p>KEEP34<sup data-text="KEEP35" data-url="javascript:HIDE49" data-numero="1">[1]</sup></p>
<a data-draft-type="link-card" href="javascript:HIDE50" data-image="javascript:HIDE51">KEEP36</a>
<a data-draft-type="link-card" href="https://e.com/card" data-image="javascript:HIDE52">KEEP37</a>
<a class="video-box" href="https://www.zhihu.com/zvideo/1" data-poster="javascript:HIDE53">KEEP38</a>
<p><a class="member_mention" href="javascript:HIDE54">@KEEP39</a></p>
<noscript><script>HIDE55</script>KEEP40</noscript>
<p>KEEP41<base href="javascript:HIDE56"><meta http-equiv="refresh" content="0;url=javascript:HIDE57"><link rel="import" href="HIDE58">KEEP42</p>
<p>KEEP43<template><script>HIDE59</script></template><video src="HIDE60"><track src="HIDE61"></video><audio src="HIDE62"></audio>KEEP44</p>
<p>KEEP45<canvas>HIDE63</canvas><frameset><frame src="HIDE64"></frameset><noembed>HIDE65</noembed>KEEP46</p>
<p><img src=x onerror=HIDE66>KEEP47 <IMG SRC="jav&#x0A;ascript:HIDE67">KEEP48 <img src="https://e.com/b.jpg" srcset="javascript:HIDE68 1x"></p>
<table><tr><td onclick="HIDE69" background="javascript:HIDE70">KEEP49</td><td><pre>code

&lt;img src=x onerror=CODE80&gt;</pre></td></tr></table>
<p><span class="ztext-math" data-tex="a&lt;script&gt;TEX71&lt;/script&gt;b">x</span> KEEP50</p>
<p><img eeimg="1" src="https://www.zhihu.com/equation?tex=%3Cimg%20src%3Dx%20onerror%3DTEX72%3E" alt="[公式]"> KEEP51</p>
<p><span class="ztext-math" data-tex="\\left[x\\right](javascript:TEX73)\\\\"></span></p>
<div class="view-more"><a href="javascript:HIDE74">查看知乎讨论</a></div>
<div class="answer"><img class="avatar" src="javascript:HIDE75"><span class="author">李四，</span><span class="bio">KEEP52</span><a class="originUrl" href="javascript:HIDE76">查看知乎原文</a><div class="content"><p>KEEP53</p></div></div>
</div>
"""

HOSTILE_POST = (
    "\n---\ntitle: 'KEEP0<script>TITLE77</script>'\nauthor: 知乎\n"
    "headimg: javascript:HIDE78\nurl: javascript:HIDE79\ndate: 2022-01-01 10:00:00\n---\n"
    + HOSTILE_BODY
)

HOSTILE_MARKDOWN = """
---
title: Markdown
---

KEEPm1 <script>HIDEm1()</script> KEEPm2 <style>HIDEm2</style> KEEPm3

<iframe src="https://e.com/HIDEm3">HIDEm4</iframe>

<script>
HIDEm5()

HIDEm6()
</script>

[KEEPm4](javascript:HIDEm7) [KEEPm5](JAVASCRIPT:HIDEm8) ![KEEPm6](javascript:HIDEm9)
[KEEPm7][r] [KEEPm8](vbscript:HIDEm10) [KEEPm9](data:text/html,HIDEm11)
[KEEPm10](<java\tscript:HIDEm12>) [KEEPm11](java&#x09;script:HIDEm13) [KEEPm12](&#106;avascript:HIDEm14)

[r]: javascript:HIDEm15

x[^1] <a href="javascript:HIDEm16" onclick="HIDEm17">KEEPm13</a> <img src=x onerror=HIDEm18>

$a<script>TEXm19</script>b$ KEEPm14

$$
x<img src=x onerror=TEXm20>

[y](javascript:TEXm21)
$$

[^1]: KEEPm15 [link](javascript:HIDEm22)
"""

POSTS = {"html": HOSTILE_POST, "markdown": HOSTILE_MARKDOWN}

SAFE_SCHEMES = {"http", "https", "mailto", "ftp"}
URL_ATTRIBUTES = {
    "href", "src", "action", "formaction", "poster", "data", "cite", "background", "srcset",
    "xlink:href", "{http://www.w3.org/1999/xlink}href", "content", "longdesc", "usemap",
    "altimg",
}  # fmt: skip

#: What an EPUB content document and rendered Markdown may contain, and nothing else.
ALLOWED_ELEMENTS = {
    "html", "head", "title", "meta", "link", "body", "section", "nav", "aside", "header",
    "footer", "div", "p", "span", "h1", "h2", "h3", "h4", "h5", "h6", "a", "img", "figure",
    "figcaption", "blockquote", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "pre", "code", "strong", "em", "b", "i", "u", "s", "del", "ins", "sup", "sub", "small",
    "br", "hr", "time", "abbr", "wbr",
    # MathML presentation markup (formulas)
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace",
    "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover",
    "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom", "menclose", "mfenced",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "class", "id", "href", "src", "alt", "title", "lang", "xml:lang", "epub:type", "role",
    "datetime", "colspan", "rowspan", "width", "height", "hidden", "dir", "start", "rel", "type",
    "charset", "align", "display", "mathvariant", "stretchy", "fence", "separator", "accent",
    "lspace", "rspace", "columnalign", "encoding", "xmlns", "aria-label", "alttext", "form",
    "scriptlevel", "displaystyle", "minsize", "maxsize", "movablelimits", "largeop", "symmetric",
    "linethickness", "columnspacing", "rowspacing", "depth", "voffset", "notation",
    # a formula's drawing for readers without MathML (a file of the book, its size)
    "altimg", "altimg-width", "altimg-height", "altimg-valign",
}  # fmt: skip


def hidden_markers(source: str) -> set[str]:
    return set(re.findall(r"HIDEm?\d+", source))


def kept_markers(source: str) -> set[str]:
    return set(re.findall(r"KEEPm?\d+", source))


def has_safe_scheme(url: str) -> bool:
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", squeezed)
    return match is None or match.group(1) in SAFE_SCHEMES


def _local(name: str) -> str:
    if name.startswith("{http://www.idpf.org/2007/ops}"):
        return "epub:" + name.split("}", 1)[1]
    if name.startswith("{http://www.w3.org/XML/1998/namespace}"):
        return "xml:" + name.split("}", 1)[1]
    return name.split("}", 1)[1] if name.startswith("{") else name


def unsafe_markup(root: Any) -> list[str]:
    """Everything in an element tree that a reader could run, or that is not allow-listed."""
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag).lower()
        if tag not in ALLOWED_ELEMENTS:
            problems.append(f"element <{tag}>")
        for name, value in element.attrib.items():
            attribute = _local(name).lower()
            if attribute.startswith("on"):
                problems.append(f"event handler {attribute}={value!r}")
            elif attribute not in ALLOWED_ATTRIBUTES:
                problems.append(f"attribute {attribute}={value!r} on <{tag}>")
            if (attribute in URL_ATTRIBUTES or name in URL_ATTRIBUTES) and not has_safe_scheme(
                value
            ):
                problems.append(f"address {attribute}={value!r} on <{tag}>")
            if attribute == "style":
                problems.append(f"style={value!r} on <{tag}>")
    return problems


def markdown_as_html(markdown: str) -> tuple[str, list[str]]:
    """Render Markdown as a careless site generator would: raw HTML on, every link accepted.

    Returns the HTML and the raw HTML tokens markdown-it found (zhconvert writes none).
    """
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    tokens = md.parse(markdown)
    raw = [t.content for t in tokens if t.type == "html_block"]
    for token in tokens:
        raw.extend(c.content for c in token.children or [] if c.type == "html_inline")
    return md.renderer.render(tokens, md.options, {}), raw


def without_front_matter(markdown: str) -> str:
    return re.sub(r"\A\s*---\n.*?\n---\n", "", markdown, flags=re.S)


def outputs_of(doc: zhconvert.Document) -> Iterator[tuple[str, str]]:
    """``(name, text)`` of every output of ``doc``."""
    for mode in ("keep", "normalize", "none"):
        out = zhconvert.dumps(doc, "markdown", front_matter=mode)
        assert isinstance(out, str)
        yield f"markdown-{mode}", out
    for fmt in ("text", "json"):
        out = zhconvert.dumps(doc, fmt)
        assert isinstance(out, str)
        yield fmt, out
    data = zhconvert.dumps(doc, "epub", **EPUB_OFFLINE)
    assert isinstance(data, bytes)
    for name, content in epub_documents(data).items():
        yield f"epub:{name}", content.decode("utf-8")


def json_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("url", "image", "poster", "cover") and isinstance(item, str):
                yield item
            elif key == "fallbacks":
                yield from item
            else:
                yield from json_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from json_urls(item)


# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(POSTS))
def test_no_payload_reaches_any_output_and_the_visible_text_does(kind: str) -> None:
    source = POSTS[kind]
    doc = zhconvert.loads(source)
    hidden, kept = hidden_markers(source), kept_markers(source)
    assert hidden and kept
    # A front matter kept as it was is the file's own YAML, never rendered by zhconvert: the
    # payloads planted in it are looked for everywhere else.
    front = hidden_markers(doc.front_matter.text) if doc.front_matter else set()
    for name, text in outputs_of(doc):
        scope = hidden - front if name == "markdown-keep" else hidden
        leaked = sorted(marker for marker in scope if re.search(rf"{marker}(?!\d)", text))
        assert not leaked, f"{name}: {leaked}"
    for name, text in outputs_of(doc):
        if name in ("text", "markdown-none") or name.startswith("epub:EPUB/text/post"):
            plain = text
            if name.startswith("epub:"):
                plain = "".join(etree.fromstring(text.encode()).itertext())
            missing = sorted(m for m in kept if not re.search(rf"{m}(?!\d)", plain))
            assert not missing, f"{name}: {missing}"


def epub_pages(kind: str) -> dict[str, bytes]:
    """The XHTML pages of the book made of ``POSTS[kind]``, by name."""
    data = zhconvert.dumps(zhconvert.loads(POSTS[kind]), "epub", **EPUB_OFFLINE)
    assert isinstance(data, bytes)
    return {n: c for n, c in epub_documents(data).items() if n.endswith(".xhtml")}


@pytest.mark.parametrize("kind", list(POSTS))
def test_epub_documents_hold_only_allow_listed_markup(kind: str) -> None:
    for name, content in epub_pages(kind).items():
        problems = unsafe_markup(etree.fromstring(content))
        assert not problems, f"{name}: {problems}"


@pytest.mark.parametrize("kind", list(POSTS))
def test_markdown_holds_no_raw_html_and_renders_to_allow_listed_markup(kind: str) -> None:
    doc = zhconvert.loads(POSTS[kind])
    for mode in ("normalize", "none"):
        markdown = zhconvert.dumps(doc, "markdown", front_matter=mode)
        assert isinstance(markdown, str)
        rendered, raw = markdown_as_html(without_front_matter(markdown))
        assert raw == [], raw
        root = lxml_html.fragment_fromstring(rendered, create_parent="div")
        assert unsafe_markup(root) == []


@pytest.mark.parametrize("kind", list(POSTS))
def test_json_holds_only_safe_addresses(kind: str) -> None:
    doc = zhconvert.loads(POSTS[kind])
    data = json.loads(zhconvert.dumps(doc, "json"))
    urls = list(json_urls(data))
    assert urls  # the good links and images are there
    assert [u for u in urls if not has_safe_scheme(u)] == []
    assert data["meta"]["cover"] == "" and data["meta"]["url"] == ""


def test_text_output_holds_no_control_characters() -> None:
    doc = zhconvert.loads(HOSTILE_POST.replace("KEEP1", "KEEP1\x1b[2J\x1b]0;x\x07\x9b1m"))
    text = zhconvert.dumps(doc, "text")
    assert isinstance(text, str)
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text)


def test_a_title_with_markup_stays_text() -> None:
    doc = zhconvert.loads(HOSTILE_POST)
    assert doc.meta.title == "KEEP0<script>TITLE77</script>"
    markdown = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(markdown, str)
    assert markdown.startswith("# KEEP0\\<script>TITLE77\\</script>\n")


# ---------------------------------------------------------------------------------------------
# nh3 (ammonia) as an independent second opinion


def _nh3_agrees(markup: str) -> list[str]:
    """What nh3, given the same allow-list, would remove from ``markup`` (an HTML fragment)."""
    nh3 = pytest.importorskip("nh3", reason="nh3 is a test dependency (see docs/reliability.md)")
    attributes = {"*": ALLOWED_ATTRIBUTES - {"xmlns"}}
    cleaned = nh3.clean(
        markup,
        tags=ALLOWED_ELEMENTS - {"html", "head", "title", "meta", "link", "body"},
        attributes=attributes,
        url_schemes=SAFE_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )

    # nh3 writes HTML, where <wbr> is void; lxml's HTML parser predates <wbr> and would nest the
    # text that follows inside it, so the element is closed as the XHTML had it.
    cleaned = cleaned.replace("<wbr>", "<wbr/>")

    def inventory(fragment: str) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
        root = lxml_html.fragment_fromstring(fragment, create_parent="div")
        return [
            (
                str(e.tag),
                tuple(sorted((k, v) for k, v in e.attrib.items() if not k.startswith("xmlns"))),
                "".join(e.text_content().split()),
            )
            for e in root.iter()
            if isinstance(e.tag, str)
        ]

    before, after = inventory(markup), inventory(cleaned)
    return [f"{b} -> {a}" for b, a in zip(before, after, strict=False) if a != b] + (
        [f"{len(before)} elements before, {len(after)} after"] if len(before) != len(after) else []
    )


@pytest.mark.parametrize("kind", list(POSTS))
def test_nh3_finds_nothing_to_remove_from_the_epub(kind: str) -> None:
    for name, content in epub_pages(kind).items():
        body = etree.fromstring(content).find("{http://www.w3.org/1999/xhtml}body")
        inner = "".join(
            etree.tostring(child, encoding="unicode", method="html") for child in body
        ).replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
        inner = re.sub(r' xmlns:epub="[^"]*"', "", inner)
        assert _nh3_agrees(inner) == [], name


@pytest.mark.parametrize("kind", list(POSTS))
def test_nh3_finds_nothing_to_remove_from_the_markdown(kind: str) -> None:
    doc = zhconvert.loads(POSTS[kind])
    markdown = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(markdown, str)
    rendered, _ = markdown_as_html(markdown)
    assert _nh3_agrees(rendered) == []


# ---------------------------------------------------------------------------------------------
# The same through the command line


def test_hostile_posts_through_the_cli(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    for kind, source in POSTS.items():
        (folder / f"{kind}.md").write_text(source, encoding="utf-8")
    hidden = hidden_markers(HOSTILE_POST) | hidden_markers(HOSTILE_MARKDOWN)
    front = hidden_markers(HOSTILE_POST.split("<div>", 1)[0])
    for fmt in ("md", "txt", "json", "epub"):
        out = tmp_path / f"out-{fmt}"
        result = cli("convert", folder, "-o", out, "-t", fmt, "--jobs", "1", "-q",
                     *(["--images", "link", "--no-cache"] if fmt == "epub" else []))  # fmt: skip
        assert result.code == 0, result.err
        for path in out.iterdir():
            data = path.read_bytes()
            texts = (
                [c.decode() for c in epub_documents(data).values()]
                if fmt == "epub"
                else [data.decode("utf-8")]
            )
            scope = hidden - front if fmt == "md" else hidden
            for text in texts:
                assert not [h for h in scope if re.search(rf"{h}(?!\d)", text)], path.name
    book = tmp_path / "book.epub"
    result = cli("book", folder, "-o", book, "--images", "link", "--no-cache", "-q")
    assert result.code == 0
    for name, content in epub_documents(book.read_bytes()).items():
        text = content.decode("utf-8")
        assert not [h for h in hidden if re.search(rf"{h}(?!\d)", text)], name
        if name.endswith(".xhtml"):
            assert unsafe_markup(etree.fromstring(content)) == [], name
