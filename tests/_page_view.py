"""What a reader sees on a web page, read with BeautifulSoup: the yardstick of the Hexo corpus test.

``page_view(html)`` reads one page (a post's original HTML body, or the HTML Hexo rendered) the
way a browser shows it, into the four things a reader can lose: visible text, images, the lines
of code blocks and the targets of links. It never looks at zhconvert's Markdown, only at HTML,
so it judges zhconvert's output from outside.

How each is read (the same rules for every page, so that pages compare):

- Visible text: the text of every element a browser renders. Skipped: ``script``, ``style``,
  ``template``, ``noscript`` (a browser running scripts does not show it; Zhihu's copy of a lazy
  image there is the same image), ``iframe`` contents, elements with the ``hidden`` attribute or
  an inline ``display:none`` / ``visibility:hidden`` style, and everything inside them. Alt text
  is not visible text (the image is shown instead). Han characters are compared as a multiset
  (reflowing, emphasis, escaping and typographic quotes cannot change them), and Latin words and
  numbers (``[A-Za-z0-9]+`` runs) as a second multiset.
- Images: every visible ``img`` with a real address (``data:`` placeholders are not one). An image
  is the set of addresses it may be shown from: ``src``, the lazy loaders' ``data-original``,
  ``data-actualsrc``, ``data-src``, ``data-default-watermark-src``, ``data-thumbnail``, and the
  ``srcset`` entries of the image and of its ``<picture>``'s ``<source>``s; another page shows
  the image when one of its images has one of these addresses.
- Code lines: the non-blank lines of every visible ``<pre>`` (``br`` breaks a line), as a browser
  shows them. The line-number gutter of a Hexo/Next code table (``td.gutter``) is not code.
  With ``raw_code=True`` (for an original post, the code as its author wrote it) they are read
  from the page's source text instead, because an HTML parser, like a browser, turns raw
  ``<dir>`` or ``<unistd.h>`` inside code into bogus elements and drops them: inside ``<pre>``
  only the highlighters' own markup (``span``, ``code``, ``br`` and the inline ``a``, ``b``,
  ``i``, ``em``, ``strong``, ``u``, ``s``, ``mark``, ``font``) is markup; every other tag is
  text, then entities are decoded. The code's text is then also the page's text.
- Inline code: the text of every visible ``<code>`` outside ``<pre>``, read the same way.
- Link targets: the ``href`` of every visible ``a`` that shows something (text or an image).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, NavigableString

#: Han characters: the CJK unified ideographs, their extensions and the compatibility block.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
WORD = re.compile(r"[A-Za-z0-9]+")

INVISIBLE_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "head", "title"})
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
        "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
        "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "ul", "br", "img",
    }
)  # fmt: skip
IMAGE_ATTRIBUTES = (
    "src",
    "data-original",
    "data-actualsrc",
    "data-src",
    "data-default-watermark-src",
    "data-thumbnail",
)
#: Tags a highlighter (Pygments, highlight.js, Rouge, Hexo's own) puts inside ``<pre>``.
CODE_MARKUP = frozenset(
    {"span", "code", "br", "a", "b", "i", "em", "strong", "u", "s", "mark", "font", "pre"}
)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")


@dataclass
class PageView:
    """What a reader sees on one page."""

    text: str = ""
    han: Counter[str] = field(default_factory=Counter)
    words: Counter[str] = field(default_factory=Counter)
    images: list[frozenset[str]] = field(default_factory=list)
    code_lines: list[str] = field(default_factory=list)
    #: The text of each inline ``<code>`` (outside ``<pre>``), read like code blocks.
    inline_code: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    #: The ``href``s and image addresses, for spotting template debris outside the text.
    addresses: list[str] = field(default_factory=list)


def hidden(tag: Tag) -> bool:
    """Tell whether a browser shows nothing of ``tag`` (and so of its descendants)."""
    if tag.name in INVISIBLE_TAGS or tag.has_attr("hidden"):
        return True
    style = re.sub(r"\s+", "", str(tag.get("style", ""))).lower()
    return "display:none" in style or "visibility:hidden" in style


def _visible(tag: Tag) -> bool:
    return not any(hidden(t) for t in (tag, *tag.parents) if isinstance(t, Tag))


def canonical_address(address: str) -> str:
    """Return ``address`` as the resource it names, for comparing.

    Percent-encoding and surrounding spaces are undone, the scheme and host are lower case, and
    a web address without a path gets ``/`` (a browser, and Hexo's ``encodeURL``, add it).
    """
    address = html.unescape(address.strip())
    for _ in range(3):  # "%2520" is a space encoded twice; decoding stops once nothing changes
        decoded = unquote(address)
        if decoded == address:
            break
        address = decoded
    parts = urlsplit(address)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        parts = parts._replace(
            scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), path=parts.path or "/"
        )
        return urlunsplit(parts)
    return address


def _real_address(address: str) -> bool:
    address = address.strip()
    return bool(address) and not address.lower().startswith(("data:", "about:", "javascript:"))


def _srcset(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.split()]


def image_addresses(img: Tag) -> frozenset[str]:
    found = [str(img.get(name, "")) for name in IMAGE_ATTRIBUTES]
    found += _srcset(str(img.get("srcset", "")))
    picture = img.find_parent("picture")
    if picture is not None:
        for source in picture.find_all("source"):
            found += _srcset(str(source.get("srcset", "")))
    return frozenset(canonical_address(a) for a in found if _real_address(a))


def _pre_text(pre: Tag) -> str:
    """Return the text a browser shows in ``pre`` (``br`` breaks the line)."""
    parts: list[str] = []
    for node in pre.descendants:
        if isinstance(node, Tag):
            if node.name == "br" and _visible(node):
                parts.append("\n")
        elif (
            not isinstance(node, Comment) and isinstance(node.parent, Tag) and _visible(node.parent)
        ):
            parts.append(str(node))
    return "".join(parts)


def _text_of(root: Tag) -> str:
    """Return the visible text under ``root``, with a line break between blocks."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                parts.append(str(child))
            elif isinstance(child, Tag) and not hidden(child):
                block = child.name in BLOCK_TAGS
                if block:
                    parts.append("\n")
                walk(child)
                if block:
                    parts.append("\n")

    walk(root)
    return "".join(parts)


def code_text(source: str) -> str:
    """Return the text of a ``<pre>`` element's source: highlighter markup out, other tags kept."""

    def tag(match: re.Match[str]) -> str:
        if match.group(2).lower() in CODE_MARKUP:
            return "\n" if match.group(2).lower() == "br" else ""
        return match.group(0)

    return html.unescape(_TAG.sub(tag, source))


def _element_source(page: str, lines: list[int], element: Tag) -> str | None:
    """Return the source text between ``element``'s start tag and its end tag."""
    if element.sourceline is None or element.sourcepos is None:
        return None
    start = lines[element.sourceline - 1] + element.sourcepos
    opening = page.find(">", start)
    end = re.compile(rf"</{element.name}\s*>", re.IGNORECASE).search(page, opening)
    if opening < 0 or end is None:
        return None
    return page[opening + 1 : end.start()]


def page_view(
    page: str, *, raw_code: bool = False, edit: Callable[[BeautifulSoup], None] | None = None
) -> PageView:
    """Read ``page`` (an HTML document or fragment) as a reader sees it.

    ``edit`` may change the parsed page first (outside ``<pre>``), to take out what a reader is
    not to be held to.
    """
    soup = BeautifulSoup(page, "html.parser")
    if edit is not None:
        edit(soup)
    # html.parser counts lines by "\n" only (str.splitlines would also split at U+2028 & co).
    line_starts = [0] + [match.end() for match in re.finditer("\n", page)]
    view = PageView()
    for pre in soup.find_all("pre"):
        if not _visible(pre) or pre.find_parent("td", class_="gutter") is not None:
            continue
        if pre.find_parent("pre") is not None:
            continue
        source = _element_source(page, line_starts, pre) if raw_code else None
        if source is not None:
            # 掘金's "复制代码" (copy the code) button sits inside its <pre>: not code ("copy-button").
            text = code_text(source.replace('<span class="copy-code-btn">复制代码</span>', ""))
            pre.clear()
            pre.append(NavigableString(text))
        else:
            for button in pre.select(".copy-code-btn"):  # "copy-button"
                button.decompose()
            text = _pre_text(pre)
        view.code_lines += [line for line in text.split("\n") if line.strip()]
    for code in soup.find_all("code"):
        if not _visible(code) or code.find_parent(["pre", "code"]) is not None:
            continue
        source = _element_source(page, line_starts, code) if raw_code else None
        text = code_text(source) if source is not None else code.get_text()
        if raw_code:
            code.clear()
            code.append(NavigableString(text))
        view.inline_code.append(text)
    view.text = _text_of(soup)
    view.han = Counter(HAN.findall(view.text))
    view.words = Counter(WORD.findall(view.text))
    for img in soup.find_all("img"):
        if _visible(img):
            addresses = image_addresses(img)
            if addresses:
                view.images.append(addresses)
                view.addresses += sorted(addresses)
    for link in soup.find_all("a", href=True):
        if not _visible(link):
            continue
        shows = _text_of(link).strip() or any(_visible(i) for i in link.find_all("img"))
        if shows:
            view.links.append(str(link["href"]))
            view.addresses.append(str(link["href"]))
    return view
