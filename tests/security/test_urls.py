"""No script-capable address survives in any output, however it is encoded.

A link written ``[x](&#x6A;avascript:…)`` is a ``javascript:`` link to every Markdown renderer
that leaves the reference for the browser to decode (Python-Markdown, Hexo's marked), so the
addresses are judged the way a browser finally reads them: character references decoded as
often as renderers and browsers would, blanks and controls ignored. The outputs are checked with
real renderers (markdown-it-py and Python-Markdown) and an HTML parser standing in for the browser.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from html.parser import HTMLParser

import markdown as python_markdown
import pytest
from markdown_it import MarkdownIt

import zhconvert
from zhconvert.model import (
    Byline,
    Document,
    Figure,
    Footnote,
    FootnoteRef,
    InlineImage,
    Link,
    LinkCard,
    Mention,
    Metadata,
    Paragraph,
    Text,
    VideoCard,
)

#: Schemes that run code or carry a document of their own in a browser.
SCRIPT_SCHEMES = {"javascript", "vbscript", "data", "livescript", "mocha", "file"}

#: ``javascript:alert(1)`` as a hostile page spells it inside an HTML attribute.
HOSTILE_HREFS = [
    "&amp;#x6A;avascript:alert(1)",  # the reported case: a reference for the renderer to decode
    "&amp;#106;avascript:alert(1)",
    "&amp;#106avascript:alert(1)",  # browsers decode numeric references without the semicolon
    "&amp;amp;#x6A;avascript:alert(1)",  # encoded twice
    "&amp;amp;amp;#x6A;avascript:alert(1)",  # three times
    "java&amp;#x09;script:alert(1)",  # a tab, which browsers drop from a URL
    "java&amp;Tab;script:alert(1)",
    "javascript&amp;colon;alert(1)",
    "&amp;#x76;bscript:msgbox(1)",
    "&amp;#x64;ata:text/html,&lt;script&gt;alert(1)&lt;/script&gt;",
    " JaVaScRiPt:alert(1)",
]


def _browser_scheme(url: str) -> str:
    """Return the scheme a browser gives ``url`` (an attribute value, already decoded once)."""
    # The URL standard: C0 controls and spaces trimmed, tabs and newlines removed anywhere.
    url = url.strip("".join(map(chr, range(0x21))))
    url = re.sub(r"[\t\n\r]", "", url)
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return match.group(1).lower() if match else ""


class _Addresses(HTMLParser):
    """Collect every ``href`` and ``src`` of an HTML fragment, decoded as a browser does."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls.extend(v for k, v in attrs if k in ("href", "src") and v is not None)


def rendered_addresses(markdown_text: str) -> dict[str, list[str]]:
    """Return the addresses each real renderer makes of ``markdown_text``."""
    out = {}
    for name, render in (
        ("markdown-it", MarkdownIt("commonmark").enable("table").render),
        ("Python-Markdown", lambda text: python_markdown.markdown(text, extensions=["tables"])),
    ):
        parser = _Addresses()
        parser.feed(render(markdown_text))
        out[name] = parser.urls
    return out


def assert_no_script_address(markdown_text: str) -> None:
    for renderer, urls in rendered_addresses(markdown_text).items():
        for url in urls:
            assert _browser_scheme(url) not in SCRIPT_SCHEMES, (renderer, url, markdown_text)


def fully_decoded(text: str) -> str:
    for _ in range(10):
        text = html.unescape(text)
    return text


def assert_no_script_text(text: str) -> None:
    """Whatever decodes ``text`` however often, no script scheme appears in it."""
    flat = re.sub(r"[\x00-\x20\x7f]", "", fully_decoded(text)).lower()
    for scheme in ("javascript:", "vbscript:", "data:text"):
        assert scheme not in flat, text


def post(body: str) -> str:
    return f"---\ntitle: t\n---\n{body}\n"


@pytest.mark.parametrize("href", HOSTILE_HREFS)
def test_a_script_link_in_html_reaches_no_output(href: str) -> None:
    doc = zhconvert.loads(post(f'<p><a href="{href}">x</a> and <a href="{href}">{href}</a></p>'))
    markdown_text = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown_text, str)
    assert_no_script_address(markdown_text)
    json_text = zhconvert.dumps(doc, "json")
    assert isinstance(json_text, str)
    urls = re.findall(r'"url": "([^"]*)"', json_text)
    assert all(_browser_scheme(fully_decoded(u)) not in SCRIPT_SCHEMES for u in urls), urls


@pytest.mark.parametrize("href", HOSTILE_HREFS[:4])
def test_a_script_image_in_html_reaches_no_output(href: str) -> None:
    doc = zhconvert.loads(post(f'<p>a <img src="{href}" alt="y"> b</p><img src="{href}">'))
    markdown_text = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown_text, str)
    assert_no_script_address(markdown_text)


MARKDOWN_HOSTILE = [
    "&amp;#x6A;avascript:alert(1)",
    "&#38;#x6A;avascript:alert(1)",
    "&amp;#106avascript:alert(1)",
    "&amp;amp;#x6A;avascript:alert(1)",
]


@pytest.mark.parametrize("destination", MARKDOWN_HOSTILE)
def test_a_script_link_in_a_markdown_post_reaches_no_output(destination: str) -> None:
    source = post(
        f"A [link]({destination}), an ![image]({destination}) and [ref][r].\n\n[r]: {destination}"
    )
    doc = zhconvert.loads(source)
    assert doc.source.body_format == "markdown"
    markdown_text = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown_text, str)
    assert_no_script_address(markdown_text)
    json_text = zhconvert.dumps(doc, "json")
    assert isinstance(json_text, str)
    assert "avascript" not in fully_decoded(json_text)


def _hand_built(url: str, *, url_as_text: bool = True) -> Document:
    """A document with ``url`` in every place a document holds an address.

    With ``url_as_text``, one link's text is the address itself (a Markdown autolink).
    """
    return Document(
        meta=Metadata(title="t", cover=url, url=url),
        blocks=(
            Paragraph(
                (
                    Link(url, (Text("link"),)),
                    Text(" "),
                    Link(url, (Text(url if url_as_text else "text"),)),
                    Text(" "),
                    Mention("someone", url),
                    Text(" "),
                    InlineImage(url, "inline"),
                    FootnoteRef(1),
                )
            ),
            Figure(url, (Text("figure"),)),
            LinkCard(url, "card", url),
            VideoCard(url, "video", url),
            Byline("author", "", url),
        ),
        footnotes=(Footnote(1, "note", url),),
    )


HAND_BUILT_HOSTILE = [
    "&#x6A;avascript:alert(1)",
    "&#106avascript:alert(1)",
    "&amp;#x6A;avascript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&Tab;script:alert(1)",
    "javascript&colon;alert(1)",
    "&#x64;ata:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&#x76;bscript:msgbox(1)",
]


@pytest.mark.parametrize("url", HAND_BUILT_HOSTILE)
def test_the_markdown_writer_judges_a_hand_built_address_decoded(url: str) -> None:
    markdown_text = zhconvert.dumps(_hand_built(url), "markdown", front_matter="none")
    assert isinstance(markdown_text, str)
    assert_no_script_address(markdown_text)
    # Not a link, and not text a renderer could decode into one either.
    assert "](" not in markdown_text and "<&" not in markdown_text, markdown_text


@pytest.mark.parametrize("url", HAND_BUILT_HOSTILE)
def test_the_other_writers_judge_a_hand_built_address_decoded(url: str) -> None:
    doc = _hand_built(url, url_as_text=False)
    text = zhconvert.dumps(doc, "text")
    assert isinstance(text, str)
    assert_no_script_text(text)
    data = json.loads(str(zhconvert.dumps(doc, "json")))

    def urls(value: object) -> list[str]:
        if isinstance(value, dict):
            found = [v for k, v in value.items() if k in ("url", "cover", "image", "poster")]
            return found + [u for v in value.values() for u in urls(v)]
        if isinstance(value, list):
            return [u for v in value for u in urls(v)]
        return []

    found = urls(data)
    assert found, data
    for each in found:
        assert _browser_scheme(fully_decoded(each)) not in SCRIPT_SCHEMES, each
    book = zipfile.ZipFile(io.BytesIO(bytes(zhconvert.dumps(doc, "epub", images="link"))))
    for name in book.namelist():
        if name.endswith((".xhtml", ".opf")):
            parser = _Addresses()
            parser.feed(book.read(name).decode("utf-8"))
            for each in parser.urls:
                assert _browser_scheme(each) not in SCRIPT_SCHEMES, (name, each)


SAFE_WITH_REFERENCES = [
    "https://example.com/search?q=&lt;b&gt;&amp;page=2",
    "https://example.com/a&#x6A;b",
    "https://example.com/?x=1&copy;y",
    "/relative/&#106;path",
]


@pytest.mark.parametrize("url", SAFE_WITH_REFERENCES)
def test_a_written_address_is_the_same_to_every_renderer(url: str) -> None:
    """What the renderers link to is what was judged: no renderer decodes it into another."""
    doc = Document(meta=Metadata(), blocks=(Paragraph((Link(url, (Text("link"),)),)),))
    markdown_text = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(markdown_text, str)
    addresses = rendered_addresses(markdown_text)
    hrefs = {tuple(urls) for urls in addresses.values()}
    assert len(hrefs) == 1, addresses  # both renderers, and a browser after them, agree
    (href,) = hrefs.pop()
    # The same address but for "&" where it would start a reference, written %26.
    assert href == url.replace("&", "%26"), (href, markdown_text)


@pytest.mark.parametrize(
    "value",
    [
        "&#x6A;avascript:alert(1)",
        "&amp;#x6A;avascript:alert(1)",
        "javascript:alert(1); /* spaces */",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
    ],
)
def test_normalized_front_matter_keeps_no_script_address(value: str) -> None:
    import yaml

    source = (
        "---\n"
        + yaml.safe_dump(
            {"title": "t", "headimg": value, "thumbnail": value, "photos": [value]},
            allow_unicode=True,
        )
        + "---\n\ntext\n"
    )
    doc = zhconvert.loads(source)
    assert doc.meta.cover == ""
    written = zhconvert.dumps(doc, "markdown", front_matter="normalize")
    assert isinstance(written, str)
    front = yaml.safe_load(written.split("---\n")[1])
    assert front == {"title": "t"}, written


def test_normalized_front_matter_keeps_text_and_web_addresses() -> None:
    mapping = {
        "title": "t",
        "headimg": "https://example.com/a.jpg?x=1&amp;y=2",
        "description": "Update: 新的一版",
        "layout": "post",
    }
    import yaml

    source = "---\n" + yaml.safe_dump(mapping, allow_unicode=True) + "---\n\ntext\n"
    doc = zhconvert.loads(source)
    written = zhconvert.dumps(doc, "markdown", front_matter="normalize")
    front = yaml.safe_load(str(written).split("---\n")[1])
    for key, value in mapping.items():
        assert front[key] == value


def nested(url: str, rounds: int) -> str:
    for _ in range(rounds):
        url = url.replace("&", "&amp;")
    return url


def test_an_address_encoded_deeper_than_any_renderer_decodes_is_refused() -> None:
    """Past 8 rounds of ``&amp;`` no address is real: refused, even one that would be harmless."""
    # markdown-it decodes the first round itself.
    source = f"[deep]({nested('p&#x2F;q', 10)}) [shallow]({nested('p&#x2F;q', 3)})"
    doc = zhconvert.loads(post(source))
    links = [node for block in doc.blocks for node in getattr(block, "children", ())]
    assert [node.url for node in links if isinstance(node, Link)] == [nested("p&#x2F;q", 2)]


@pytest.mark.parametrize(
    ("href", "kept"),
    [
        ("JavaScript:alert(1)", False),  # no reference to decode, but capitals to fold
        ("java&#9;script:alert(1)", False),  # a tab (decoded by the parser) inside the scheme
        ("javascript&amp;colon;alert(1)", False),  # no ":" until the reference is decoded
        ("HTTPS://example.com/a", True),
        ("ht&#9;tps://example.com/b", True),
        ("https://example.com/c", True),
    ],
)
def test_a_scheme_is_read_the_same_with_or_without_references(href: str, kept: bool) -> None:
    """Only a plain lower-case web or mail scheme is read as written; any other is decoded."""
    doc = zhconvert.loads(post(f'<p><a href="{href}">x</a></p>'))
    links = [n for b in doc.blocks for n in getattr(b, "children", ()) if isinstance(n, Link)]
    assert bool(links) is kept, links
    markdown_text = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown_text, str)
    assert_no_script_address(markdown_text)
