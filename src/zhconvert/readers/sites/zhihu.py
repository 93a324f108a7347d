"""知乎 (热榜, 日报, 话题): answers, 日报's page skeleton, formulas, cards, mentions, notes."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import parse_qs, unquote_plus, urlsplit

from lxml import etree

from ...model import (
    Block,
    Byline,
    Footnote,
    FootnoteRef,
    InlineMath,
    LineBreak,
    MathBlock,
    Mention,
    Paragraph,
    Strong,
    Text,
)
from . import SiteFixture, SiteRule
from .helpers import (
    Piece,
    WebReader,
    class_names,
    clean_url,
    collapse,
    math,
    plain_text,
    text_of,
    to_int,
)

__all__ = ["Zhihu"]

#: 热榜's body opens with "<author>的回答<br><br>": the answer's byline.
_ANSWER_HEADER = re.compile(r"^\s*(\S.{0,60}?)\s*的回答\s*$")


class Zhihu(SiteRule):
    """Zhihu's answers (热榜, 话题) and 知乎日报's pages."""

    name = "zhihu"
    sites = frozenset({"知乎", "知乎热榜", "知乎日报"})
    # Few and distinctive: each marker is a search of the whole body of every post.
    hosts = ("zhihu.com", "zhimg.com")
    markers = (
        "eeimg",
        "ztext-math",
        "data-numero",
        "member_mention",
        "data-draft-type",
        "video-box",
        "的回答",
        "view-more",
    )
    redirects: ClassVar[dict[str, str]] = {"link.zhihu.com": "target"}
    # data-original is the full-size image, data-actualsrc the lazy loader's.
    image_attributes = ("data-original", "data-actualsrc", "src", "data-src")
    block_classes: ClassVar[dict[str, str]] = {
        "answer": "answer",
        "view-more": "view_more",
        "avatar": "nothing",
        "originUrl": "nothing",
        "img-place-holder": "nothing",
    }
    inline_tags: ClassVar[dict[str, str]] = {
        "a": "link",
        "img": "formula",
        "span": "math_span",
        "sup": "footnote",
    }
    tests = (
        SiteFixture(
            '张三的回答<br><br><p>正文 <img eeimg="1" src="https://www.zhihu.com/equation?'
            'tex=x%5E2" alt="x^2"></p>',
            "**张三**\n\n正文 $x^2$",
            ("知乎", "知乎热榜"),
        ),
        SiteFixture(
            '<strong>狗的年龄怎么算？</strong><br>李四的回答<br><p data-pid="x">正文。</p>',
            "**狗的年龄怎么算？**\n\n作者：**李四**\n\n正文。",
            ("社交媒体", "知乎", "话题"),
        ),
        SiteFixture(
            '<p><a href="https://link.zhihu.com/?target=https%3A//example.com/a">例</a>'
            '<a class="member_mention" href="https://www.zhihu.com/people/x">@李四</a></p>',
            "[例](https://example.com/a)",
            ("知乎",),
        ),
        SiteFixture(
            '<div class="answer"><img class="avatar" src="https://pic1.zhimg.com/a.jpg">'
            '<span class="author">王五，</span><span class="bio">作者</span>'
            '<div class="content"><p>日报正文</p></div></div>'
            '<div class="view-more"><a href="https://www.zhihu.com/question/1">查看知乎讨论</a></div>',
            "日报正文",
            ("知乎日报",),
            absent=("查看知乎讨论", "a.jpg"),
        ),
    )

    def answer(self, reader: WebReader, el: etree._Element) -> list[Block]:
        """Read a 知乎日报 ``div.answer``: its byline, then its content."""
        author = bio = url = ""
        content = None
        for node in el.iter():
            if not isinstance(node.tag, str):
                continue
            classes = class_names(node)
            if "author" in classes and not author:
                author = collapse(text_of(node)).strip().rstrip("，,:： ")
            elif "bio" in classes and not bio:
                bio = collapse(text_of(node)).strip()
            elif "originUrl" in classes and not url:
                url = clean_url(node.get("href")) or ""
            elif "content" in classes and content is None:
                content = node
        out: list[Block] = [Byline(author, bio, url)] if author else []
        if content is not None:
            out.extend(reader.flow(content))
        return out

    def view_more(self, reader: WebReader, el: etree._Element) -> list[Block]:
        """Take 日报's "查看知乎讨论" link as the page's own address."""
        link = el.find(".//a")
        if link is not None and not reader.page_url:
            reader.page_url = clean_url(link.get("href")) or ""
        return []

    def nothing(self, reader: WebReader, el: etree._Element) -> list[Block]:
        """Leave out page chrome (avatars, the hidden "查看知乎原文" link)."""
        return []

    def link(self, reader: WebReader, el: etree._Element) -> list[Piece] | None:
        """Read mentions, link and video cards, and links whose text is split into spans."""
        classes = class_names(el)
        card = el.get("data-draft-type") == "link-card" or "video-box" in classes
        if card or "member_mention" in classes:
            # Cleaned here only for these: the generic reader cleans every other link itself.
            url = clean_url(el.get("href"))
            if url and not card:
                name = collapse(text_of(el)).strip().lstrip("@")
                return [Mention(name, url)] if name else []
            if url:
                return reader.card(el, url)
        split_url = [
            node
            for node in el
            if isinstance(node.tag, str) and {"invisible", "visible"} & set(class_names(node))
        ]
        if split_url:
            # Zhihu shortens long link texts with hidden spans; the full URL is the text.
            return reader.link(el, [Text("".join(text_of(n) for n in split_url))])
        return None

    def formula(self, reader: WebReader, el: etree._Element) -> list[Piece] | None:
        """Read a formula image (``img[eeimg]``, ``zhihu.com/equation``) as its TeX."""
        src = el.get("src") or ""
        if el.get("eeimg") is None and "zhihu.com/equation" not in src:
            return None
        tex = el.get("alt") or ""
        if not tex.strip() or tex.strip() == "[公式]":
            # The query is form-encoded, and parse_qs decodes it ("+" a space, "%2B" a plus):
            # decoding again would make every plus sign a space.
            tex = parse_qs(urlsplit(src).query).get("tex", [""])[0] if "tex=" in src else ""
            if not tex:
                query = src.split("tex=", 1)[1] if "tex=" in src else ""
                tex = unquote_plus(query)
        return [math(tex)] if tex.strip() else []

    def math_span(self, reader: WebReader, el: etree._Element) -> list[Piece] | None:
        """Read ``span.ztext-math[data-tex]`` as its TeX."""
        tex = el.get("data-tex")
        if tex is not None and "ztext-math" in class_names(el):
            return [math(tex)]
        return None

    def footnote(self, reader: WebReader, el: etree._Element) -> list[Piece] | None:
        """Read ``sup[data-numero]`` as a reference to a footnote it defines."""
        numero = to_int(el.get("data-numero"))
        url = clean_url(el.get("data-url")) or ""
        text = (el.get("data-text") or "").strip()
        if numero is None or not (url or text):
            return None
        reader.footnotes.setdefault(numero, Footnote(numero, collapse(text).strip(), url))
        return [FootnoteRef(numero)]

    def finish(self, reader: WebReader, blocks: list[Block]) -> list[Block]:
        """Make the "<author>的回答" header the answer's byline.

        热榜 opens with the header alone; 话题 with the question in bold, a line break, then
        the header. Formulas split into paragraphs of their own are put back into their sentence.
        """
        blocks = _rejoined(blocks)
        if not blocks or not isinstance(blocks[0], Paragraph):
            return blocks
        children = blocks[0].children
        match = _ANSWER_HEADER.match(plain_text(children))
        if match and all(isinstance(c, (Text, LineBreak)) for c in children):
            blocks[0] = Byline(author=match.group(1))
        elif (
            len(children) == 3
            and isinstance(children[0], Strong)
            and isinstance(children[1], LineBreak)
            and isinstance(children[2], Text)
        ):
            match = _ANSWER_HEADER.match(children[2].text)
            if match:
                blocks[0:1] = [Paragraph(children[:1]), Byline(author=match.group(1))]
        return blocks


#: What cannot start a sentence: text after a formula that starts with one goes on with it.
_GOES_ON = frozenset("，。、；：？！）」』”’,.;:?!)")
#: What ends a sentence or announces a formula set apart ("总的概率为：").
_ENDS = frozenset("。！？：；…:;!?")
#: One symbol (p, x_1, \alpha): between two halves of a clause, never a formula set apart.
_SYMBOL = re.compile(r"^(?:[A-Za-z]|\\[A-Za-z]+)(?:_\{?\w+\}?)?$")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _rejoined(blocks: list[Block]) -> list[Block]:
    """Put each formula 知乎日报 split into a paragraph of its own back into its sentence.

    日报 writes "获胜概率是" / p / "，输的概率是" / q=1-p / "，各局…" as five paragraphs. A formula
    goes back inline when the paragraph before it does not end its sentence and the one after
    goes on with it: it starts with punctuation that cannot start a sentence, or the formula is
    one symbol between two pieces of Chinese ("设" / x / "为正数"). Others stay display formulas.
    """
    if not any(isinstance(block, MathBlock) for block in blocks):
        return blocks  # nearly every answer: no formula on its own
    out: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        before = out[-1] if out else None
        if (
            isinstance(block, MathBlock)
            and isinstance(before, Paragraph)
            and isinstance(after, Paragraph)
            and _one_clause(before, block.tex.strip(), after)
        ):
            tex = block.tex.strip()
            out[-1] = Paragraph((*before.children, InlineMath(tex), *after.children))
            index += 2
            continue
        out.append(block)
        index += 1
    return out


def _one_clause(before: Paragraph, tex: str, after: Paragraph) -> bool:
    if not tex or "\n" in tex or "\\\\" in tex or "\\begin" in tex:
        return False
    tail = plain_text(before.children).rstrip()[-1:]
    head = plain_text(after.children).lstrip()[:1]
    if not tail or not head or tail in _ENDS:
        return False
    if head in _GOES_ON:
        return True
    return bool(_SYMBOL.match(tex) and _HAN.match(tail) and _HAN.match(head))
