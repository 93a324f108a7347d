"""Template code in a post never reaches the blog engine (issue 11), checked with real Hexo 7.

Hexo runs Nunjucks over every post (``{{ … }}``, ``{% … %}``, ``{# … #}``), Jekyll runs Liquid.
Hostile posts put template code in each place zhconvert writes to Markdown (``PLACES``: text,
inline code, a code block, formulas from Zhihu's ``img[eeimg]`` alt and ``span.ztext-math``
data-tex, a link's text, title and address, alt texts, captions, headings, tables, lists, quotes,
footnotes, link cards) and in the front-matter title. Each post
is written by every Markdown path (``convert -t md`` with each ``--front-matter``, ``normalize``
with and without ``--front-matter normalize``), and all of them are built by real Hexo in one
run (``tests/_hexo.py``): every build must succeed and each place must show exactly the post's
text, read from Hexo's HTML with an HTML parser.
"""

from __future__ import annotations

import random
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup, Tag

import zhconvert
from _hexo import HexoPost, build_posts, hexo_or_skip
from zhconvert._cli import run

#: What Nunjucks (and Liquid) would run, or choke on, in a post.
PAYLOAD = "{{ x }} {% if %} {# c #} {% raw %} {% endraw %} {{ 6*7 }}"
#: Formulas' TeX: ``{{ 6*7 }}`` is what Hexo 7 evaluated to 42 in zhconvert 0.1's output. (One
#: "*" only: marked, which has no math, would pair two as emphasis.)
FORMULA = "{{ 6*7 }} {% if %} {#1}"
FORMULA_SPAN = "{{ x }} {% raw %} {#1} #}"
CODE_BLOCK = PAYLOAD + "\n{% if x %}\n{{ y }}"
TITLE = "标题 {{ 6*7 }} {% if %}"
URL = "https://example.com/{{ 6*7 }}/{%if%}"
END = "END: the last paragraph survives"

#: Each place template code can be in, as the HTML of a Zhihu post.
PLACES = {
    "text": f"<p>TEXT: {PAYLOAD}</p>",
    "inline-code": f"<p>CODE: <code>{PAYLOAD}</code></p>",
    "code-block": f'<pre><code class="language-python">{CODE_BLOCK}</code></pre>',
    "formula": (
        f'<p>MATH: <img src="https://www.zhihu.com/equation?tex=x" alt="{FORMULA}" eeimg="1">'
        f' and <span class="ztext-math" data-eeimg="1" data-tex="{FORMULA_SPAN}">x</span></p>'
    ),
    "link-text": f'<p>LINK: <a href="https://example.com/">{PAYLOAD}</a></p>',
    "link-address": f'<p>HREF: <a href="{URL}">address</a></p>',
    "link-title": f'<p>TITLE: <a href="https://example.com/" title="{PAYLOAD}">t</a></p>',
    "alt-text": f'<p>ALT: <img src="https://example.com/a.png" alt="{PAYLOAD}"></p>',
    "caption": (
        f'<figure><img src="https://example.com/b.png"><figcaption>{PAYLOAD}</figcaption></figure>'
    ),
    "heading": f"<h2>{PAYLOAD}</h2>",
    "table-cell": f"<table><tr><th>H</th></tr><tr><td>{PAYLOAD}</td></tr></table>",
    "list-item": f"<ul><li>{PAYLOAD}</li></ul>",
    "quote": f"<blockquote>{PAYLOAD}</blockquote>",
    "footnote": f'<p>NOTE: x<sup data-numero="1" data-text="{PAYLOAD}" data-url="{URL}">1</sup></p>',
    "link-card": f'<a data-draft-type="link-card" href="https://example.com/card">{PAYLOAD}</a>',
}

#: How zhconvert writes Markdown: ``convert`` or ``normalize``, and its ``--front-matter``.
WAYS = ["convert", "convert:normalize", "convert:none", "normalize", "normalize:normalize"]


def _post(place: str) -> str:
    return (
        f'---\ntitle: "{TITLE}"\ndate: 2021-01-01 10:00:00\ncategories: 知乎\n---\n'
        f"{PLACES[place]}\n<p>{END}</p>\n"
    )


def _markdown(folder: Path, post: str, way: str) -> str:
    """Return ``post`` as zhconvert writes it to Markdown in ``way``."""
    folder.mkdir(parents=True)
    source = folder / "post.md"
    source.write_text(post, encoding="utf-8")
    command, _, front_matter = way.partition(":")
    extra = ["--front-matter", front_matter] if front_matter else []
    if command == "convert":
        out = folder / "out.md"
        assert run(["convert", str(source), "-t", "md", "-o", str(out), "-q", *extra]) == 0
        return out.read_text(encoding="utf-8")
    assert run(["normalize", "-q", *extra, str(source)]) == 1  # 1: the file was rewritten
    again = folder / "again.md"
    shutil.copyfile(source, again)
    # Idempotent: each escaped form reads back as the text it stands for.
    assert run(["normalize", "-q", *extra, str(again)]) == 0
    return source.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], str]:
    """Every place's post as each way writes it, by ``(way, place)``."""
    root = tmp_path_factory.mktemp("template")
    return {
        (way, place): _markdown(root / f"{way.replace(':', '-')}-{place}", _post(place), way)
        for way in WAYS
        for place in PLACES
    }


@pytest.fixture(scope="module")
def built(written: dict[tuple[str, str], str]) -> dict[tuple[str, str], HexoPost]:
    """What Hexo made of each written post: all are built by one Hexo run."""
    hexo_or_skip()
    keys = list(written)
    posts = build_posts([(f"{way} {place}", written[way, place]) for way, place in keys])
    return {key: posts[f"{key[0]} {key[1]}"] for key in keys}


# -- what each place must show ----------------------------------------------------------------


def _paragraph(soup: BeautifulSoup, label: str) -> Tag:
    found = [p for p in soup.find_all("p") if p.get_text().startswith(label)]
    assert len(found) == 1, f"no single paragraph starting with {label!r} in:\n{soup}"
    return found[0]


def _same_tex(shown: str, tex: str) -> bool:
    # TeX ignores spaces in math mode; zhconvert spaces "{{" apart in a formula ("{ {").
    return re.sub(r"\s+", "", shown) == re.sub(r"\s+", "", tex)


def _text(soup: BeautifulSoup) -> None:
    assert _paragraph(soup, "TEXT:").get_text() == "TEXT: " + PAYLOAD


def _inline_code(soup: BeautifulSoup) -> None:
    codes = _paragraph(soup, "CODE:").find_all("code")
    assert [code.get_text() for code in codes] == [PAYLOAD]


def _code_block(soup: BeautifulSoup) -> None:
    # Hexo's default highlight.js writes a table with one ".line" per line of code.
    (figure,) = soup.select("figure.highlight")
    assert "\n".join(line.get_text() for line in figure.select("td.code .line")) == CODE_BLOCK


def _formula(soup: BeautifulSoup) -> None:
    # Without a math renderer, the TeX is text between dollars for MathJax in the browser.
    shown = _paragraph(soup, "MATH:").get_text()
    formulas = re.findall(r"\$([^$]*)\$", shown)
    assert len(formulas) == 2, shown
    assert _same_tex(formulas[0], FORMULA) and _same_tex(formulas[1], FORMULA_SPAN), shown


def _link_text(soup: BeautifulSoup) -> None:
    links = _paragraph(soup, "LINK:").find_all("a")
    assert [link.get_text() for link in links] == [PAYLOAD]


def _link_address(soup: BeautifulSoup) -> None:
    link = _paragraph(soup, "HREF:").find("a")
    assert isinstance(link, Tag) and unquote(str(link["href"])) == URL


def _link_title(soup: BeautifulSoup) -> None:
    link = _paragraph(soup, "TITLE:").find("a")
    assert isinstance(link, Tag) and link.get("title") == PAYLOAD


def _alt_text(soup: BeautifulSoup) -> None:
    # marked 4 leaves backslash escapes in an alt as written ("6\*7"): only braces are judged.
    image = _paragraph(soup, "ALT:").find("img")
    assert isinstance(image, Tag) and str(image["alt"]).replace("\\", "") == PAYLOAD


def _caption(soup: BeautifulSoup) -> None:
    # The caption is shown under the image, in italics (docs/formats.md).
    (image,) = soup.find_all("img")
    caption = image.find_next("em")
    assert isinstance(caption, Tag) and caption.get_text() == PAYLOAD


def _only(soup: BeautifulSoup, name: str) -> str:
    (element,) = soup.find_all(name)
    return str(element.get_text()).strip()


def _heading(soup: BeautifulSoup) -> None:
    assert _only(soup, "h2") == PAYLOAD


def _table_cell(soup: BeautifulSoup) -> None:
    assert _only(soup, "td") == PAYLOAD


def _list_item(soup: BeautifulSoup) -> None:
    assert _only(soup, "li") == PAYLOAD


def _quote(soup: BeautifulSoup) -> None:
    assert _only(soup, "blockquote") == PAYLOAD


def _footnote(soup: BeautifulSoup) -> None:
    # marked has no footnotes: the definition is a paragraph, its address a link.
    note = _paragraph(soup, "[^1]:")
    link = note.find("a")
    assert isinstance(link, Tag) and unquote(str(link["href"])) == URL
    assert note.get_text() == f"[^1]: {PAYLOAD} {link.get_text()}"
    assert unquote(link.get_text()) == URL  # the address, percent-encoded or not


def _link_card(soup: BeautifulSoup) -> None:
    (card,) = [a for a in soup.find_all("a") if a.get("href") == "https://example.com/card"]
    assert card.get_text() == PAYLOAD


CHECKS: dict[str, Callable[[BeautifulSoup], None]] = {
    "text": _text,
    "inline-code": _inline_code,
    "code-block": _code_block,
    "formula": _formula,
    "link-text": _link_text,
    "link-address": _link_address,
    "link-title": _link_title,
    "alt-text": _alt_text,
    "caption": _caption,
    "heading": _heading,
    "table-cell": _table_cell,
    "list-item": _list_item,
    "quote": _quote,
    "footnote": _footnote,
    "link-card": _link_card,
}


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize("way", WAYS)
def test_hexo_shows_template_code_as_text(
    built: dict[tuple[str, str], HexoPost], way: str, place: str
) -> None:
    post = built[way, place]
    assert post.ok, f"Hexo failed to build the post: {post.error}"
    assert post.html is not None
    soup = BeautifulSoup(post.html, "html.parser")
    assert "42" not in soup.get_text(), "Hexo evaluated {{ 6*7 }}"
    CHECKS[place](soup)
    assert _paragraph(soup, "END:").get_text() == END  # nothing after the payload was swallowed


@pytest.mark.parametrize("way", WAYS)
def test_hexo_shows_the_title_as_text(built: dict[tuple[str, str], HexoPost], way: str) -> None:
    post = built[way, "code-block"]  # its body builds on Hexo 7 whatever the escaping
    assert post.ok, f"Hexo failed to build the post: {post.error}"
    if way == "convert:none":  # no front matter: the title is the first heading
        assert post.html is not None
        headings = BeautifulSoup(post.html, "html.parser").find_all("h1")
        assert [h.get_text() for h in headings] == [TITLE]
    else:
        assert post.title == TITLE


@pytest.mark.parametrize("way", WAYS)
def test_markdown_holds_no_template_syntax_outside_code_blocks(
    written: dict[tuple[str, str], str], way: str
) -> None:
    # Jekyll runs Liquid over the whole file and Hexo scans it for tags before Markdown (an
    # unclosed "{%" there swallows the rest of the post): no "{{", "{%", "{#" or "#}" may be
    # left in the body but in fenced code blocks, which Hexo sets apart first.
    for place in PLACES:
        markdown = written[way, place]
        body = markdown.split("\n---\n", 1)[1] if markdown.startswith("---\n") else markdown
        outside = re.sub(r"(?ms)^(`{3,})[^\n]*\n.*?^\1$", "", body)
        assert re.search(r"\{[{%#]|#\}", outside) is None, outside


def test_hexo_reads_a_hostile_multiline_title_as_text(tmp_path: Path) -> None:
    # A title whose lines look like the end of the front matter and a template tag: written by
    # --front-matter normalize, it must stay inside the front matter, as data.
    hostile = "---\ntitle: |-\n  第一行\n  ---\n  {{ 6*7 }}\n  #}\ncategories: 知乎\n---\n"
    post = hostile + f"<p>{END}</p>\n"
    markdown = _markdown(tmp_path / "title", post, "normalize:normalize")
    hexo_or_skip()
    (built,) = build_posts([("title", markdown)]).values()
    assert built.ok, f"Hexo failed to build the post: {built.error}"
    assert built.title == zhconvert.loads(post).meta.title
    assert built.html is not None and built.html.strip() == f"<p>{END}</p>"


def test_code_block_language_holds_no_template_syntax() -> None:
    doc = zhconvert.loads('---\ntitle: t\n---\n<pre><code class="language-{{x}}">a</code></pre>')
    markdown = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown, str) and "{" not in markdown and "}" not in markdown, markdown


def test_inline_code_never_starts_a_line_as_a_code_fence() -> None:
    # Hexo reads any line starting with three backticks as a fence: inline code with both "`"
    # and "``" in it, first on its line, paired with the opening line of a real code block,
    # left that block's second half (and its template code) outside any code.
    hexo_or_skip()
    code_block = "```\n{% if x %}\n{{ 6*7 }}"
    doc = zhconvert.Document(
        zhconvert.Metadata(),
        (
            zhconvert.Paragraph((zhconvert.InlineCode("a`b``c"), zhconvert.Text(" text"))),
            zhconvert.CodeBlock(code_block),
            zhconvert.Paragraph((zhconvert.Text(END),)),
        ),
    )
    markdown = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown, str)
    assert zhconvert.loads("---\ntitle: t\n---\n" + markdown).blocks == doc.blocks
    (post,) = build_posts([("post", "---\ntitle: t\n---\n" + markdown)]).values()
    assert post.ok and post.html is not None, post.error
    soup = BeautifulSoup(post.html, "html.parser")
    assert [c.get_text() for c in soup.select("p code")] == ["a`b``c"]
    (figure,) = soup.select("figure.highlight")
    assert "\n".join(line.get_text() for line in figure.select("td.code .line")) == code_block
    assert _paragraph(soup, "END:").get_text() == END


def _nested(kinds: str, block: zhconvert.Block) -> zhconvert.Block:
    """Wrap ``block`` in quotes (``q``) and list items (``l``), innermost last."""
    for kind in reversed(kinds):
        if kind == "q":
            block = zhconvert.BlockQuote((block,))
        else:
            block = zhconvert.ListBlock((zhconvert.ListItem((block,)),))
    return block


@pytest.mark.parametrize("kinds", ["l", "lq", "qlq", "lqq", "qqqq", "qqqqq", "lqqqq", "qlqlq"])
def test_hexo_sets_apart_code_blocks_in_lists_and_quotes(kinds: str) -> None:
    # Hexo hides a fenced code block from Nunjucks only when nothing but blanks and at most
    # three ">" come before its fence: "- > ```" or a fifth quote left "{% raw %}" in the code
    # free to turn off Hexo's own escaping of <code>, and "{{ 6*7 }}" became 42.
    hexo_or_skip()
    code = "{% raw %}{% endraw %}{{ 6*7 }} {# c #}\n{% if x %}"
    doc = zhconvert.Document(
        zhconvert.Metadata(),
        (
            _nested(kinds, zhconvert.CodeBlock(code, "py")),
            zhconvert.Paragraph((zhconvert.Text(END),)),
        ),
    )
    markdown = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown, str)
    (post,) = build_posts([("post", "---\ntitle: t\n---\n" + markdown)]).values()
    assert post.ok and post.html is not None, (markdown, post.error)
    soup = BeautifulSoup(post.html, "html.parser")
    (figure,) = soup.select("figure.highlight")
    assert "\n".join(line.get_text() for line in figure.select("td.code .line")) == code, markdown
    assert _paragraph(soup, "END:").get_text() == END
    again = zhconvert.dumps(zhconvert.loads("---\ntitle: t\n---\n" + markdown), "markdown")
    assert isinstance(again, str) and again.removeprefix("---\ntitle: t\n---\n\n") == markdown


def test_escaped_forms_read_back_as_the_same_text() -> None:
    doc = zhconvert.loads(_post("text").replace(PLACES["text"], "\n".join(PLACES.values())))
    markdown = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown, str)
    again = zhconvert.loads(markdown)
    assert zhconvert.dumps(again, "markdown") == markdown
    text, text_again = zhconvert.dumps(doc, "text"), zhconvert.dumps(again, "text")
    assert isinstance(text, str) and isinstance(text_again, str)
    for line, line_again in zip(text.splitlines(), text_again.splitlines(), strict=True):
        if line.startswith("MATH:"):
            assert _same_tex(line, line_again)
        elif "://" in line:  # an address comes back percent-encoded
            assert unquote(line) == unquote(line_again)
        else:
            assert line == line_again


def test_inline_code_with_template_code_stays_code_when_read_back() -> None:
    doc = zhconvert.loads("---\ntitle: t\n---\n\nsee `" + PAYLOAD + "` and `a {{ b`\n")
    markdown = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown, str)
    (paragraph,) = zhconvert.loads(markdown).blocks
    assert isinstance(paragraph, zhconvert.Paragraph)
    codes = [c.text for c in paragraph.children if isinstance(c, zhconvert.InlineCode)]
    assert codes == [PAYLOAD, "a {{ b"]


def test_pieces_that_meet_make_no_template_tag() -> None:
    # "{" ending one piece of a paragraph and "{x}}" starting the next one, where nothing is
    # written between them (a link whose address cannot be written is its text alone).
    doc = zhconvert.Document(
        zhconvert.Metadata(),
        (
            zhconvert.Paragraph(
                (
                    zhconvert.Text("a {"),
                    zhconvert.Link("javascript:x", (zhconvert.Text("{ 6*7 }} and #"),)),
                    zhconvert.Text("} b"),
                )
            ),
        ),
    )
    markdown = zhconvert.dumps(doc, "markdown")
    assert isinstance(markdown, str)
    assert re.search(r"\{[{%#]|#\}", markdown) is None, markdown
    (paragraph,) = zhconvert.loads(markdown).blocks
    assert paragraph == zhconvert.Paragraph((zhconvert.Text("a {{ 6*7 }} and #} b"),))


def _random_text(rng: random.Random, edge: str) -> str:
    # Braces, template characters and Markdown's own, but none that marked's typography changes.
    middle = "".join(rng.choice("{{{}}}%%##ab *`\\$<&;_[]") for _ in range(rng.randrange(16)))
    return edge + middle + edge


def test_hexo_builds_random_brace_soup_as_text() -> None:
    # Many paragraphs of text and inline code made of braces, "%", "#" and Markdown's special
    # characters, all built in one Hexo run: each builds, and shows exactly its text and code.
    hexo_or_skip()
    rng = random.Random(11)
    cases = []
    for index in range(120):
        before, code, after = (_random_text(rng, edge) for edge in ("a", "c", "z"))
        paragraph = zhconvert.Paragraph(
            (zhconvert.Text(before), zhconvert.InlineCode(code), zhconvert.Text(after))
        )
        markdown = zhconvert.dumps(zhconvert.Document(zhconvert.Metadata(), (paragraph,)), "md")
        assert isinstance(markdown, str)
        assert re.search(r"\{[{%#]", markdown) is None, markdown  # ("#}" is harmless in code)
        cases.append((str(index), before, code, after, markdown))
    built = build_posts((name, "---\ntitle: t\n---\n" + md) for name, *_, md in cases)
    for name, before, code, after, markdown in cases:
        post = built[name]
        assert post.ok and post.html is not None, (markdown, post.error)
        soup = BeautifulSoup(post.html, "html.parser")
        assert [c.get_text() for c in soup.find_all("code")] == [code], markdown
        assert soup.get_text().strip() == before + code + after, markdown


def test_hexo_harness_runs_nunjucks_and_reports_errors() -> None:
    # The tests above mean something only if the harness renders the way a Hexo site does.
    hexo_or_skip()
    got = build_posts(
        [
            ("evaluated", "---\ntitle: a\n---\nsix times seven is {{ 6*7 }}\n"),
            ("broken", "---\ntitle: b\n---\n{% if x %} never closed\n"),
            ("unreadable", "---\ntitle: [c\n---\nfront matter that does not parse\n"),
        ]
    )
    html = got["evaluated"].html
    assert got["evaluated"].ok and html is not None
    assert BeautifulSoup(html, "html.parser").get_text().strip() == "six times seven is 42"
    assert not got["broken"].ok and got["broken"].error
    assert not got["unreadable"].ok and "could not read" in str(got["unreadable"].error)
