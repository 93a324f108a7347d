"""The ``epub`` writer on hand-made documents: package, chapter markup, options, determinism.

Every book these tests write goes to ``tmp_path`` and is validated by EPUBCheck (see conftest).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import zhconvert
from zhconvert import model as m

UTC = dt.timezone.utc
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def rich_doc(**meta: Any) -> m.Document:
    """A post using every block and inline kind of the model."""
    defaults: dict[str, Any] = {
        "title": "测试：每一种块 & <标记>",
        "author": "楚筠珺",
        "site": "知乎",
        "feed": "知乎热榜",
        "date": dt.datetime(2022, 7, 13, 15, 40, 55, tzinfo=UTC),
        "categories": ("社交媒体", "知乎", "知乎热榜"),
        "url": "https://www.zhihu.com/question/1/answer/2",
        "cover": "https://picsum.photos/400/300?random=7537",
    }
    defaults.update(meta)
    return m.Document(
        meta=m.Metadata(**defaults),
        blocks=(
            m.Byline("楚筠珺"),
            m.Paragraph(
                (
                    m.Text("朝鲜在外交政策上一直配合俄罗斯"),
                    m.FootnoteRef(1),
                    m.Text("，再次引用"),
                    m.FootnoteRef(1),
                    m.Text("。"),
                    m.Strong((m.Text("粗"),)),
                    m.Emphasis((m.Text("斜"),)),
                    m.Underline((m.Text("下划线"),)),
                    m.Strikethrough((m.Text("删除"),)),
                    m.Superscript((m.Text("上"),)),
                    m.Subscript((m.Text("下"),)),
                    m.InlineCode("a < b && c"),
                    m.LineBreak(),
                    m.Link("http://link.example.com/页面?q=中 文#frag", (m.Text("外链"),)),
                    m.Link("javascript:alert(1)", (m.Text("脚本链接"),)),
                    m.Link("/relative/path", (m.Text("相对链接"),)),
                    m.Mention("李四", "https://www.zhihu.com/people/lisi"),
                    # addresses that need care to stay valid URLs in EPUBCheck's eyes
                    m.Link(
                        'https://例子.中国/路径 有空格?q="<x>"&r=%zz#片段', (m.Text("国际化域名"),)
                    ),
                    m.Link("http://[::1]:8080/a[b]", (m.Text("IPv6"),)),
                    m.Link("https://exa mple.com/", (m.Text("坏主机名"),)),
                    m.Link("//cdn.example.com/x", (m.Text("无协议"),)),
                    m.Link("mailto:someone@example.com", (m.Text("邮件"),)),
                    m.Text("控制字符\x01\x0b被删除"),
                )
            ),
            m.Heading(1, (m.Text("一级小节"),)),
            m.Heading(3, (m.Text("三级小节"),)),
            m.Paragraph((m.Text("质能方程 "), m.InlineMath("E=mc^2"), m.Text(" 。"))),
            m.MathBlock(r"\sum_{i=0}^{n} \frac{a_i}{b_i}"),
            m.Paragraph((m.InlineMath(r"\begin{aligned}a&=b\end{aligned}"),)),
            m.Paragraph((m.InlineMath(r"\notacommand{x}"),)),
            m.CodeBlock(
                "def f(x):\n    if x < 2:\n        return  x  # 两个空格\n\treturn f(x - 1)",
                "python",
            ),
            m.CodeBlock("  name    age\n  张三    18", ""),
            m.BlockQuote((m.Paragraph((m.Text("引用的话"),)),)),
            m.ListBlock(
                (
                    m.ListItem((m.Paragraph((m.Text("第一项"),)),)),
                    m.ListItem(
                        (
                            m.Paragraph((m.Text("第二项"),)),
                            m.ListBlock((m.ListItem((m.Paragraph((m.Text("嵌套"),)),)),), True, 3),
                        )
                    ),
                )
            ),
            m.Table(
                header=(m.TableCell((m.Text("型号"),)), m.TableCell((m.Text("价格"),))),
                rows=(
                    (m.TableCell((m.Text("M1"),)), m.TableCell((m.Text("¥6,799"),))),
                    (m.TableCell((m.Text("\u00a0"),)), m.TableCell(())),
                ),
            ),
            m.ThematicBreak(),
            m.LinkCard("https://example.com/card", "一张链接卡片", "https://example.com/card.jpg"),
            m.VideoCard("https://www.zhihu.com/zvideo/1", "一段视频", "https://example.com/p.jpg"),
            m.Figure(
                "https://example.com/figure_r.jpg",
                caption=(m.Text("图一："), m.Link("https://e.com", (m.Text("来源"),))),
            ),
            m.Byline("第二位答主", "工程师", "https://www.zhihu.com/people/second"),
            m.Paragraph(
                (m.Text("第二个回答"), m.InlineImage("https://example.com/small.png", "小图"))
            ),
        ),
        footnotes=(
            m.Footnote(1, "引用来源", "https://example.com/ref"),
            m.Footnote(2, "未被引用的注释"),
        ),
    )


def write(tmp_path: Path, name: str, doc: m.Document, **options: Any) -> Path:
    options.setdefault("no_cache", True)
    data = zhconvert.dumps(doc, "epub", **options)
    assert isinstance(data, bytes)
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_package_layout_and_metadata(
    tmp_path: Path, open_epub: Any, assert_epubcheck_clean: Any
) -> None:
    path = write(tmp_path, "post.epub", rich_doc(), images="link")
    assert_epubcheck_clean(path)
    book = open_epub(path)

    # mimetype first, stored, no extra field; fixed time stamps from the post's date
    info = zipfile.ZipFile(path).infolist()
    assert info[0].filename == "mimetype"
    assert info[0].compress_type == zipfile.ZIP_STORED
    assert info[0].extra == b""
    assert book.read("mimetype") == b"application/epub+zip"
    assert {i.date_time for i in info} == {(2022, 7, 13, 15, 40, 54)}  # zip has 2-second steps

    assert book.opf.get("version") == "3.0"
    assert book.meta("title") == ["测试：每一种块 & <标记>"]
    assert book.meta("creator") == ["楚筠珺"]
    assert book.meta("language") == ["zh-CN"]
    assert book.meta("date") == ["2022-07-13T15:40:55Z"]
    assert book.meta("subject") == ["社交媒体", "知乎", "知乎热榜"]
    assert book.meta("source") == ["https://www.zhihu.com/question/1/answer/2"]
    (identifier,) = book.meta("identifier")
    assert re.fullmatch(
        r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", identifier
    )
    modified = book.opf.find(
        "opf:metadata/opf:meta[@property='dcterms:modified']",
        {"opf": "http://www.idpf.org/2007/opf"},
    )
    assert modified.text == "2022-07-13T15:40:55Z"

    manifest = book.manifest()
    assert manifest["nav.xhtml"]["properties"] == "nav"
    assert manifest["toc.ncx"]["media-type"] == "application/x-dtbncx+xml"
    assert book.opf.find("opf:spine", {"opf": "http://www.idpf.org/2007/opf"}).get("toc") == "ncx"
    assert manifest["text/post-0001.xhtml"]["properties"] == "mathml"
    # one post: no contents page with one entry in the reading order (the menu still has it)
    assert book.spine() == ["text/titlepage.xhtml", "text/post-0001.xhtml"]
    assert book.toc() == [("测试：每一种块 & <标记>", [])]
    nav = book.xml("EPUB/nav.xhtml")
    landmarks = nav.find(".//{*}nav[@{http://www.idpf.org/2007/ops}type='landmarks']")
    assert landmarks.get("hidden") == "hidden"
    assert [a.get("{http://www.idpf.org/2007/ops}type") for a in landmarks.iter("{*}a")] == [
        "titlepage",
        "bodymatter",
    ]
    ncx = book.xml("EPUB/toc.ncx")
    labels = [t.text for t in ncx.iterfind(".//{http://www.daisy.org/z3986/2005/ncx/}text")]
    assert labels == ["测试：每一种块 & <标记>", "测试：每一种块 & <标记>"]  # docTitle, navPoint
    # the picsum header image is never a cover
    assert not any("cover-image" in item.get("properties", "") for item in manifest.values())
    title_page = book.text("EPUB/text/titlepage.xhtml")
    assert "共 1 篇" in title_page and "2022-07-13" in title_page


def test_chapter_markup(tmp_path: Path, open_epub: Any) -> None:
    book = open_epub(write(tmp_path, "post.epub", rich_doc(), images="link"))
    text = book.text("EPUB/text/post-0001.xhtml")
    root = book.xml("EPUB/text/post-0001.xhtml")
    ns = {
        "x": "http://www.w3.org/1999/xhtml",
        "epub": "http://www.idpf.org/2007/ops",
        "m": "http://www.w3.org/1998/Math/MathML",
    }

    assert [("".join(h.itertext())) for h in root.iterfind(".//x:h1", ns)] == [
        "测试：每一种块 & <标记>"
    ]
    byline = root.find(".//x:p[@class='byline']", ns)
    byline_text = "".join(byline.itertext())
    assert (
        "楚筠珺" in byline_text
        and "2022-07-13 23:40 UTC+08:00" in byline_text
        and "知乎热榜" in byline_text
    )
    assert byline.find("x:a", ns).get("href") == "https://www.zhihu.com/question/1/answer/2"
    # several answers in one post: each keeps its "who answered" line
    assert [
        ("".join(p.itertext())) for p in root.iterfind(".//x:p[@class='answer-byline']", ns)
    ] == ["楚筠珺", "第二位答主工程师"]
    assert [h.tag.split("}")[1] for h in root.iter() if h.tag.split("}")[1] in {"h2", "h3", "h4"}][
        :2
    ] == ["h2", "h3"]  # levels 1 and 3 of the post: h2 and h3, never a skipped level

    # footnotes: EPUB 3 noterefs, asides with back links; repeated references get their own ids
    refs = root.findall(".//x:a[@epub:type='noteref']", ns)
    assert [r.get("href") for r in refs] == ["#fn-1", "#fn-1"]
    assert [r.get("id") for r in refs] == ["fnref-1", "fnref-1-2"]
    aside = root.find(".//x:aside[@epub:type='footnote']", ns)
    assert aside.get("id") == "fn-1"
    assert aside.find(".//x:a[@role='doc-backlink']", ns).get("href") == "#fnref-1"
    assert "https://example.com/ref" in "".join(aside.itertext())
    assert "未被引用的注释" in text  # kept, but not hidden as a pop-up footnote

    # formulas: MathML with the TeX as alttext, or the TeX in <code> when it does not convert
    maths = root.findall(".//m:math", ns)
    assert [x.get("alttext") for x in maths] == ["E=mc^2", r"\sum_{i=0}^{n} \frac{a_i}{b_i}"]
    assert [x.get("display") for x in maths] == ["inline", "block"]
    assert [c.text for c in root.iterfind(".//x:code[@class='tex']", ns)] == [
        r"\begin{aligned}a&=b\end{aligned}",
        r"\notacommand{x}",
    ]

    # code keeps its whitespace exactly
    codes = [c for c in root.iterfind(".//x:pre/x:code", ns)]
    assert (
        "".join(codes[0].itertext())
        == "def f(x):\n    if x < 2:\n        return  x  # 两个空格\n\treturn f(x - 1)"
    )
    assert codes[0].get("class") == "language-python"
    assert "".join(codes[1].itertext()) == "  name    age\n  张三    18"

    # tables, lists, quotes
    assert [("".join(c.itertext())) for c in root.iterfind(".//x:th", ns)] == ["型号", "价格"]
    assert len(root.findall(".//x:tbody/x:tr", ns)) == 2
    assert root.find(".//x:ol", ns).get("start") == "3"
    assert root.find(".//x:blockquote", ns) is not None

    # links: unwrapped, percent-encoded; unsafe and relative ones become plain text
    hrefs = [a.get("href") for a in root.iterfind(".//x:a", ns)]
    assert "http://link.example.com/%E9%A1%B5%E9%9D%A2?q=%E4%B8%AD%20%E6%96%87#frag" in hrefs
    assert not any(h.startswith(("javascript:", "/")) for h in hrefs)
    assert (
        "https://xn--fsqu00a.xn--fiqs8s/%E8%B7%AF%E5%BE%84%20%E6%9C%89%E7%A9%BA%E6%A0%BC?q=%22%3Cx%3E%22&r=%25zz#%E7%89%87%E6%AE%B5"
        in hrefs
    )
    assert "http://[::1]:8080/a%5Bb%5D" in hrefs
    assert "https://cdn.example.com/x" in hrefs
    assert "mailto:someone@example.com" in hrefs
    assert not any("exa mple" in h or "exa%20mple" in h for h in hrefs)
    assert "脚本链接" in text and "相对链接" in text
    assert "控制字符被删除" in text

    # cards are links (their images are not embedded in link mode)
    assert "一张链接卡片" in "".join(root.find(".//x:p[@class='card link-card']", ns).itertext())
    assert (
        root.find(".//x:p[@class='card video-card']/x:a", ns).get("href")
        == "https://www.zhihu.com/zvideo/1"
    )

    # every id is an XML name; no document references a remote resource
    for name in book.names:
        if name.endswith(".xhtml"):
            doc = book.xml(name)
            for element in doc.iter():
                if element.get("id") is not None:
                    assert XML_NAME.match(element.get("id")), element.get("id")
                src = element.get("src")
                assert src is None or not re.match(r"^[a-z]+:", src), src


def test_image_modes_link_and_omit(tmp_path: Path, open_epub: Any) -> None:
    linked = open_epub(write(tmp_path, "link.epub", rich_doc(), images="link"))
    root = linked.xml("EPUB/text/post-0001.xhtml")
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    figure_links = root.findall(".//x:p[@class='image-link']/x:a", ns)
    assert [(a.get("href"), a.text) for a in figure_links] == [
        ("https://example.com/figure_r.jpg", "图一：来源")
    ]
    assert root.find(".//x:img", ns) is None
    assert "[小图]" in "".join(root.itertext())

    omitted = open_epub(write(tmp_path, "omit.epub", rich_doc(), images="omit"))
    root = omitted.xml("EPUB/text/post-0001.xhtml")
    assert root.find(".//x:img", ns) is None
    assert root.find(".//x:p[@class='image-link']", ns) is None
    caption = root.find(".//x:p[@class='caption']", ns)
    assert "".join(caption.itertext()) == "图一：来源"
    assert not [name for name in omitted.names if name.startswith("EPUB/images/")]


def test_same_document_gives_the_same_bytes(tmp_path: Path) -> None:
    first = write(tmp_path, "a.epub", rich_doc(), images="link")
    second = write(tmp_path, "b.epub", rich_doc(), images="link")
    assert first.read_bytes() == second.read_bytes()
    retitled = write(tmp_path, "c.epub", rich_doc(title="另一个标题"), images="link")
    assert retitled.read_bytes() != first.read_bytes()


def test_identifier_follows_the_content(open_epub: Any) -> None:
    one = open_epub(zhconvert.dumps(rich_doc(), "epub", images="omit"))
    same = open_epub(zhconvert.dumps(rich_doc(), "epub", images="omit"))
    other = open_epub(zhconvert.dumps(rich_doc(author="别人"), "epub", images="omit"))
    assert one.meta("identifier") == same.meta("identifier") != other.meta("identifier")


def test_minimal_and_naive_dated_documents(tmp_path: Path, open_epub: Any) -> None:
    bare = write(tmp_path, "bare.epub", m.Document(meta=m.Metadata(), blocks=()))
    book = open_epub(bare)
    assert book.meta("title") == ["无题"]
    assert book.meta("date") == []
    modified = book.opf.find(
        "{http://www.idpf.org/2007/opf}metadata/{http://www.idpf.org/2007/opf}meta[@property='dcterms:modified']"
    )
    assert modified.text == "2000-01-01T00:00:00Z"

    naive = m.Document(
        meta=m.Metadata(title="日报", author="答主", date=dt.datetime(2022, 4, 15, 0, 40, 41)),
        blocks=(m.Byline("答主"), m.Paragraph((m.Text("正文"),))),
    )
    book = open_epub(
        write(tmp_path, "naive.epub", naive, title="自定书名", author="我", language="en")
    )
    assert book.meta("title") == ["自定书名"]
    assert book.meta("creator") == ["我"]
    assert book.meta("language") == ["en"]
    chapter = book.text("EPUB/text/post-0001.xhtml")
    assert 'lang="en"' in chapter
    # a time without a zone is China time, as the readers take it (docs/formats.md)
    assert '<time datetime="2022-04-15T00:40:41+08:00">2022-04-15 00:40 UTC+08:00</time>' in chapter
    # a single answer's "who answered" line repeats the byline: it is not shown twice
    assert "answer-byline" not in chapter


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"images": "inline"}, "images must be one of embed, link, omit"),
        ({"language": "zh CN"}, "language must be a language tag"),
        ({"sort": "date"}, "does not take option(s) sort"),
        ({"timeout": 0}, "timeout must be more than 0"),
    ],
)
def test_bad_options_raise_option_error(options: dict[str, Any], message: str) -> None:
    with pytest.raises(zhconvert.OptionError, match=re.escape(message)):
        zhconvert.dumps(rich_doc(), "epub", **options)


def test_bad_cover_raises_an_error_naming_the_file(tmp_path: Path) -> None:
    not_an_image = tmp_path / "cover.jpg"
    not_an_image.write_text("not an image")
    with pytest.raises(zhconvert.ZhconvertError, match=r"cover\.jpg: the cover is not"):
        zhconvert.dumps(rich_doc(), "epub", images="omit", cover=str(not_an_image))
    with pytest.raises(zhconvert.ZhconvertError, match="no such cover image"):
        zhconvert.dumps(rich_doc(), "epub", images="omit", cover=str(tmp_path / "missing.png"))


def test_writer_is_registered() -> None:
    from zhconvert.writers import get_writer

    writer = get_writer("epub")
    assert (writer.name, writer.aliases, writer.extension, writer.binary) == (
        "epub",
        (),
        ".epub",
        True,
    )
    assert writer.Options().images == "embed"
    assert writer.Options().language == "zh-CN"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=st.text(max_size=30),
    text=st.text(max_size=200),
    code=st.text(max_size=80),
    url=st.text(max_size=40),
)
def test_any_text_gives_well_formed_documents(title: str, text: str, code: str, url: str) -> None:
    from lxml import etree

    doc = m.Document(
        meta=m.Metadata(title=title, author=text[:10]),
        blocks=(
            m.Paragraph((m.Text(text), m.Link(url, (m.Text(text[:5]),)), m.InlineCode(code))),
            m.CodeBlock(code),
            m.Figure(url, caption=(m.Text(text[:8]),)),
        ),
    )
    book = zipfile.ZipFile(io.BytesIO(zhconvert.dumps(doc, "epub", images="link")))
    for name in book.namelist():
        if name.endswith((".xhtml", ".opf", ".ncx")):
            etree.fromstring(book.read(name))  # raises on anything that is not well-formed XML
    chapter = etree.fromstring(book.read("EPUB/text/post-0001.xhtml"))
    shown = "".join(chapter.itertext())
    invalid = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

    def lines(value: str) -> str:  # XML's own end-of-line handling: CR LF and CR become LF
        return value.replace("\r\n", "\n").replace("\r", "\n")

    for part in (text, code):
        assert lines(invalid.sub("", part)) in lines(shown)
