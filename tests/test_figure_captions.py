"""Figure captions stay visible: under the image in Markdown (Hexo's marked, markdown-it), in text,
EPUB and JSON, and read back by the Markdown reader; an image's alt text stays alt text."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

import zhconvert
from _hexo import build_post, hexo_or_skip
from zhconvert import model as m
from zhconvert.normalize import normalize_bytes

HEAD = "---\ntitle: 图\n---\n"
CAPTIONED = (
    HEAD + '<figure><img src="https://e.org/a.png">'
    '<figcaption>图片来源于<a href="https://weibo.com/u/1">微博 @某人</a></figcaption></figure>'
    "<p>正文。</p>"
)
ALT_ONLY = HEAD + '<p><img src="https://e.org/b.png" alt="image.png"></p><p>正文。</p>'
CAPTION = (m.Text("图片来源于"), m.Link("https://weibo.com/u/1", (m.Text("微博 @某人"),)))


def markdown(source: str) -> str:
    out = zhconvert.dumps(zhconvert.loads(source), "markdown")
    assert isinstance(out, str)
    return out


def figures(doc: m.Document) -> list[m.Figure]:
    return [block for block in doc.blocks if isinstance(block, m.Figure)]


def test_caption_is_written_under_the_image_not_as_its_alt_text() -> None:
    out = markdown(CAPTIONED)
    assert "![](https://e.org/a.png)\\\n*图片来源于[微博 @某人](https://weibo.com/u/1)*" in out
    rendered = MarkdownIt("commonmark").render(out.split("---\n", 2)[2])
    assert (
        '<img src="https://e.org/a.png" alt="" /><br />\n<em>图片来源于<a href="https://weibo.com/u/1">微博 @某人</a></em>'
        in rendered
    )


def test_alt_text_stays_alt_text() -> None:
    out = markdown(ALT_ONLY)
    assert "![image.png](https://e.org/b.png)\n\n正文。" in out
    [figure] = figures(zhconvert.loads(ALT_ONLY))
    assert (figure.alt, figure.caption) == ("image.png", ())


def test_markdown_reader_reads_the_caption_back() -> None:
    out = markdown(CAPTIONED)
    [figure] = figures(zhconvert.loads(out))
    assert figure.url == "https://e.org/a.png"
    assert figure.caption == CAPTION
    assert figure.alt == ""
    assert markdown(out) == out
    # a figure written by hand with alt text, a title and a caption of several kinds of inline
    hand = HEAD + '\n![猫](https://e.org/c.png "标题")\\\n*一只**猫**，摄于 `2020`*\n'
    [figure] = figures(zhconvert.loads(hand))
    assert (figure.alt, figure.title) == ("猫", "标题")
    assert figure.caption == (
        m.Text("一只"),
        m.Strong((m.Text("猫"),)),
        m.Text("，摄于 "),
        m.InlineCode("2020"),
    )
    assert markdown(hand) == hand


def test_normalize_keeps_the_caption_and_is_idempotent() -> None:
    once = normalize_bytes(CAPTIONED.encode())
    assert once is not None
    assert "*图片来源于[微博 @某人](https://weibo.com/u/1)*" in once.decode()
    assert normalize_bytes(once) is None


def test_text_json_show_the_caption() -> None:
    doc = zhconvert.loads(CAPTIONED)
    text = zhconvert.dumps(doc, "text")
    assert isinstance(text, str)
    assert "[图：图片来源于微博 @某人[1]] https://e.org/a.png" in text
    data = json.loads(str(zhconvert.dumps(doc, "json")))
    [figure] = [b for b in data["blocks"] if b["type"] == "figure"]
    assert figure["caption"][1]["url"] == "https://weibo.com/u/1"
    assert figure["alt"] == ""
    alt_text = zhconvert.dumps(zhconvert.loads(ALT_ONLY), "text")
    assert "[图：image.png] https://e.org/b.png" in str(alt_text)


def test_hexo_shows_the_caption_under_the_image() -> None:
    hexo_or_skip()
    post = build_post(markdown(CAPTIONED))
    assert post.html is not None, post.error
    assert (
        '<p><img src="https://e.org/a.png"><br><em>图片来源于<a href="https://weibo.com/u/1">微博 @某人</a></em>'
        in post.html
    )
