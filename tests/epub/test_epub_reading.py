"""Books as a reader meets them: highlighted code, heading levels, titles, authors, placeholders.

Structural checks on built books (issue 15). Every book these tests write goes to ``tmp_path``
and is validated by EPUBCheck when the test ends (see conftest): single posts, collections and
``--split`` volumes alike.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

import pytest

import zhconvert
from zhconvert import model as m

UTC = dt.timezone.utc
X = "{http://www.w3.org/1999/xhtml}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"


def post(*blocks: m.Block, **meta: Any) -> m.Document:
    defaults: dict[str, Any] = {
        "title": "一篇文章",
        "author": "作者甲",
        "date": dt.datetime(2022, 7, 13, 15, 40, tzinfo=UTC),
    }
    defaults.update(meta)
    return m.Document(meta=m.Metadata(**defaults), blocks=blocks)


def write(tmp_path: Path, doc: m.Document, name: str = "post.epub", **options: Any) -> Path:
    options.setdefault("no_cache", True)
    options.setdefault("images", "link")
    path = tmp_path / name
    path.write_bytes(zhconvert.dumps(doc, "epub", **options))
    return path


def chapter(open_epub: Any, path: Path, number: int = 0) -> Any:
    book = open_epub(path)
    return book.xml(book.chapters()[number])


def write_post(folder: Path, name: str, title: str, author: str, date: str, *cats: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    categories = "".join(f"\n - {c}" for c in cats)
    path = folder / name
    path.write_text(
        f"---\ntitle: '{title}'\nauthor: {author}\ndate: {date}\ncategories:{categories}\n---\n"
        f"<p>{title}的正文。</p>\n",
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------------------------
# Code


PYTHON = 'def f(x):\n    # 注释 <b>\n    return "a & b"  \n\n\tif x < 2: pass\n'


def is_line(span: Any) -> bool:
    return span.get("class", "").split()[0] == "line"


def code_of(root: Any) -> Any:
    return root.find(f".//{X}pre")


def test_code_block_is_highlighted_from_its_language(tmp_path: Path, open_epub: Any) -> None:
    root = chapter(open_epub, write(tmp_path, post(m.CodeBlock(PYTHON, "python"))))
    pre = code_of(root)
    # every character of the code is there, in order, and nothing else
    assert "".join(pre.itertext()) == PYTHON
    classes = {
        span.get("class"): "".join(span.itertext())
        for span in pre.iter(f"{X}span")
        if not is_line(span)
    }
    assert classes["k"] in ("def", "return", "if", "pass")  # keywords: bold in the stylesheet
    assert classes["c"] == "# 注释 <b>"  # comments: italic
    assert classes["s"].startswith('"')
    # one span per source line, so that a wrapped line hangs under its start
    lines = [span for span in pre.iter(f"{X}span") if is_line(span)]
    assert ["".join(line.itertext()) for line in lines] == PYTHON.splitlines(keepends=True)
    # each names its indentation (a tab is four columns), for a hanging indent that deep
    assert [line.get("class") for line in lines] == [
        "line",
        "line i4",
        "line i4",
        "line",
        "line i4",
    ]
    # highlighting is classes, never inline styles
    assert not any(el.get("style") for el in pre.iter())


@pytest.mark.parametrize("language", ["", "hljs", "no-such-language", "text", "plaintext"])
def test_code_without_a_known_language_is_plain(
    tmp_path: Path, open_epub: Any, language: str
) -> None:
    root = chapter(open_epub, write(tmp_path, post(m.CodeBlock(PYTHON, language))))
    pre = code_of(root)
    assert "".join(pre.itertext()) == PYTHON
    token_spans = [s for s in pre.iter(f"{X}span") if not is_line(s)]
    assert token_spans == []


def test_huge_code_block_is_not_highlighted(tmp_path: Path, open_epub: Any) -> None:
    text = "x = 1  # 一行\n" * 5000
    root = chapter(open_epub, write(tmp_path, post(m.CodeBlock(text, "python"))))
    pre = code_of(root)
    assert "".join(pre.itertext()) == text
    assert not [s for s in pre.iter(f"{X}span") if not is_line(s)]


def test_highlighted_code_keeps_hostile_characters_valid(
    tmp_path: Path, open_epub: Any, assert_epubcheck_clean: Any
) -> None:
    text = "int main() { return a<b && c>d; } // \x01控制字符 ]]> </code>\n"
    path = write(tmp_path, post(m.CodeBlock(text, "c++")))
    assert_epubcheck_clean(path)
    pre = code_of(chapter(open_epub, path))
    assert "".join(pre.itertext()) == text.replace("\x01", "")
    assert any(span.get("class") == "kt" for span in pre.iter(f"{X}span"))  # "int"


def test_inline_code_breaks_only_between_tokens(tmp_path: Path, open_epub: Any) -> None:
    codes = [
        "std::vector",
        "a_long_identifier.method()",
        "--images",
        "abcdefghijklmnop",
        "0x00111111100000000000000000000000",
    ]
    doc = post(m.Paragraph(tuple(m.InlineCode(code) for code in codes)))
    path = write(tmp_path, doc)
    found = list(chapter(open_epub, path).iter(f"{X}code"))
    assert ["".join(c.itertext()) for c in found] == codes  # the text is intact
    xhtml = open_epub(path).text(open_epub(path).chapters()[0])
    # a line may end after a separator, never inside a name
    assert "<code>std::<wbr/>vector</code>" in xhtml
    assert "<code>a_<wbr/>long_<wbr/>identifier.<wbr/>method()</code>" in xhtml
    assert "<code>--images</code>" in xhtml
    assert "<code>abcdefghijklmnop</code>" in xhtml
    # a word too long to read as one may break anywhere
    assert '<code><span class="long">0x00111111100000000000000000000000</span></code>' in xhtml


def test_stylesheet_for_code(tmp_path: Path, open_epub: Any) -> None:
    css = open_epub(write(tmp_path, post())).text("EPUB/style.css")
    # "monospace" alone makes browsers fall back to a 13 px font
    assert "font-family: monospace, monospace;" in css
    assert "text-indent: -" in css  # a wrapped code line hangs under its start
    assert "background: transparent" in css  # no band behind each line in calibre's AZW3
    assert "font-weight: bold" in css.split("pre.code .k,")[1].split("}")[0]
    assert "font-style: italic" in css.split("pre.code .c {")[1].split("}")[0]


# ---------------------------------------------------------------------------------------------
# Structure


def heading_levels(root: Any) -> list[int]:
    return [
        int(el.tag[-1])
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag[len(X) :] in ("h1", "h2", "h3", "h4", "h5", "h6")
    ]


def test_headings_never_skip_levels(tmp_path: Path, open_epub: Any) -> None:
    h = m.Heading
    doc = post(
        h(3, (m.Text("第一节"),)),
        h(4, (m.Text("小节"),)),
        h(6, (m.Text("更小"),)),
        h(3, (m.Text("第二节"),)),
        m.BlockQuote((h(5, (m.Text("引文里的标题"),)),)),
        h(2, (m.Text("比第一节还高"),)),
    )
    levels = heading_levels(chapter(open_epub, write(tmp_path, doc)))
    # the post's levels 2-6 become h2-h6 in rank; no heading is more than one below the last
    assert levels == [1, 2, 3, 4, 3, 4, 2]
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1


def test_headings_of_a_corpus_post_never_skip(
    corpus_dir: Path, tmp_path: Path, open_epub: Any
) -> None:
    for path in sorted((corpus_dir / "zhihu").glob("*.md"))[:12]:
        data = zhconvert.dumps(zhconvert.load(path), "epub", images="omit")
        book = open_epub(data)
        levels = heading_levels(book.xml(book.chapters()[0]))
        assert levels[0] == 1 and levels.count(1) == 1, path.name
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, path.name


def daily(*extra: m.Block, bio: str = "机器人工程师") -> m.Document:
    """A 知乎日报 post: the question, then who answered (the reader's shape of it)."""
    return post(
        m.Paragraph((m.Text("如何评价Apple新发布的M1 Max芯片？"),)),
        m.Byline("YY硕", bio, "https://www.zhihu.com/question/1/answer/2"),
        m.Paragraph((m.Text("M1 系列芯片这个性能完全不是单单为了笔记本电脑而设计的。"),)),
        *extra,
        title="如何评价苹果新发布的 M1 Max 芯片？",
        author="YY硕",
        feed="知乎日报",
        url="https://www.zhihu.com/question/1",
    )


def test_question_and_author_are_not_repeated(tmp_path: Path, open_epub: Any) -> None:
    root = chapter(open_epub, write(tmp_path, daily()))
    text = "".join(root.find(f".//{X}section").itertext())
    assert "如何评价Apple新发布" not in text  # the question under its own title
    assert text.count("YY硕") == 1
    byline = root.find(f".//{X}p[@class='byline']")
    assert "机器人工程师" in "".join(byline.itertext())  # the bio moves into the byline
    # and the author's name still links to the answer
    assert byline.find(f".//{X}span[@class='author']/{X}a").get("href") == (
        "https://www.zhihu.com/question/1/answer/2"
    )
    assert root.find(f".//{X}p[@class='answer-byline']") is None


def test_a_post_that_is_its_title_keeps_it(tmp_path: Path, open_epub: Any) -> None:
    doc = post(m.Paragraph((m.Text("一篇文章"),)))
    root = chapter(open_epub, write(tmp_path, doc))
    assert [p.text for p in root.iter(f"{X}p") if p.get("class") is None] == ["一篇文章"]
    doc = post(m.Paragraph((m.Text("一篇文章"),)), m.Paragraph((m.Text("正文"),)))
    root = chapter(open_epub, write(tmp_path, doc, name="two.epub"))
    assert [p.text for p in root.iter(f"{X}p") if p.get("class") is None] == ["正文"]


def test_several_answers_keep_their_bylines(tmp_path: Path, open_epub: Any) -> None:
    doc = daily(
        m.Byline("第二位", "", "https://www.zhihu.com/people/2"),
        m.Paragraph((m.Text("第二个回答。"),)),
    )
    root = chapter(open_epub, write(tmp_path, doc))
    assert len(root.findall(f".//{X}p[@class='answer-byline']")) == 2
    assert "如何评价Apple新发布" not in "".join(root.itertext())


def test_a_different_question_is_kept(tmp_path: Path, open_epub: Any) -> None:
    doc = daily()
    doc = m.Document(
        meta=doc.meta, blocks=(m.Paragraph((m.Text("另一个完全不同的问题？"),)), *doc.blocks[1:])
    )
    assert "另一个完全不同的问题？" in "".join(chapter(open_epub, write(tmp_path, doc)).itertext())


def test_corpus_daily_question_not_repeated(
    corpus_dir: Path, tmp_path: Path, open_epub: Any
) -> None:
    path = corpus_dir / "zhihu" / "如何评价苹果新发布的 M1 Max 芯片？.md"
    book = open_epub(zhconvert.dumps(zhconvert.load(path), "epub", images="omit"))
    text = "".join(book.xml(book.chapters()[0]).itertext())
    assert "如何评价Apple新发布的M1 Max芯片？" not in text
    assert text.count("YY硕") == 1


def test_one_post_book_has_no_contents_page(tmp_path: Path, open_epub: Any) -> None:
    book = open_epub(write(tmp_path, post()))
    assert "nav.xhtml" not in book.spine()
    assert book.manifest()["nav.xhtml"]["properties"] == "nav"  # still there for the menu


def collection(tmp_path: Path) -> Path:
    folder = tmp_path / "_posts"
    write_post(
        folder, "a.md", "甲问题", "作者甲", "2022-01-03 10:00:00", "社交媒体", "知乎", "知乎热榜"
    )
    write_post(
        folder, "b.md", "乙问题", "作者乙", "2022-03-05 10:00:00", "社交媒体", "知乎", "知乎热榜"
    )
    write_post(
        folder, "c.md", "丙问题", "作者丙", "2022-07-13 10:00:00", "社交媒体", "知乎", "知乎热榜"
    )
    return folder


def test_default_title_from_common_category_and_dates(tmp_path: Path, open_epub: Any) -> None:
    report = zhconvert.build_book([collection(tmp_path)], tmp_path / "book.epub", progress=False)
    book = open_epub(report.volumes[0])
    assert book.meta("title") == ["知乎热榜 2022-01-03 – 2022-07-13"]
    assert book.meta("creator") == ["作者甲", "作者乙", "作者丙"]
    assert "知乎热榜 2022-01-03 – 2022-07-13" in book.text("EPUB/text/titlepage.xhtml")


def test_default_title_from_the_folder(tmp_path: Path, open_epub: Any) -> None:
    folder = tmp_path / "读书笔记"
    write_post(folder, "a.md", "一", "甲", "2021-05-01 10:00:00", "书")
    write_post(folder, "b.md", "二", "甲", "2021-05-01 12:00:00", "影")
    report = zhconvert.build_book([folder], tmp_path / "all.epub", progress=False)
    book = open_epub(report.volumes[0])
    assert book.meta("title") == ["读书笔记 2021-05-01"]
    assert book.meta("creator") == ["甲"]


def test_many_authors_are_several_creators_not_one_string(tmp_path: Path, open_epub: Any) -> None:
    folder = collection(tmp_path)
    for n in range(6):
        write_post(folder, f"x{n}.md", f"问{n}", f"作者{n}", "2022-02-01 10:00:00", "知乎热榜")
    report = zhconvert.build_book([folder], tmp_path / "book.epub", progress=False)
    creators = open_epub(report.volumes[0]).meta("creator")
    assert 1 < len(creators) <= 5
    assert not any("、" in c or "等" in c for c in creators)


def test_explicit_title_and_author_win(tmp_path: Path, open_epub: Any) -> None:
    report = zhconvert.build_book(
        [collection(tmp_path)], tmp_path / "x.epub", title="合集", author="编者", progress=False
    )
    book = open_epub(report.volumes[0])
    assert book.meta("title") == ["合集"] and book.meta("creator") == ["编者"]


def grouped_collection(tmp_path: Path) -> Path:
    folder = collection(tmp_path)
    write_post(
        folder, "d.md", "丁", "作者丁", "2022-02-01 10:00:00", "社交媒体", "知乎", "知乎日报"
    )
    write_post(folder, "e.md", "戊", "作者戊", "2022-04-01 10:00:00", "新闻", "IT 之家")
    return folder


def test_toc_group_labels_are_labels_and_ncx_is_real(tmp_path: Path, open_epub: Any) -> None:
    report = zhconvert.build_book(
        [grouped_collection(tmp_path)], tmp_path / "b.epub", progress=False
    )
    book = open_epub(report.volumes[0])
    nav = book.xml("EPUB/nav.xhtml").find(f".//{X}nav[@id='toc']")
    for li in nav.iter(f"{X}li"):
        if li.find(f"{X}ol") is not None:  # a group: a label, not a link
            label = li.find(f"{X}span")
            assert label is not None and label.get("class") == "toc-group"
            assert li.find(f"{X}a") is None
    css = book.text("EPUB/style.css")
    assert "span.toc-group" in css

    ncx = book.xml("EPUB/toc.ncx")
    depth = ncx.find(f".//{NCX}meta[@name='dtb:depth']").get("content")

    def nesting(el: Any) -> int:
        points = el.findall(f"{NCX}navPoint")
        return max((1 + nesting(p) for p in points), default=0)

    assert int(depth) == nesting(ncx.find(f"{NCX}navMap")) == 3
    points = list(ncx.iter(f"{NCX}navPoint"))
    orders = [int(p.get("playOrder")) for p in points]
    srcs = [p.find(f"{NCX}content").get("src") for p in points]
    assert all(orders)
    by_src: dict[str, int] = {}
    for src, order in zip(srcs, orders, strict=True):
        assert by_src.setdefault(src, order) == order  # one target, one playOrder
    spine = [href for href in book.spine() if href.startswith("text/post-")]
    assert sorted(by_src, key=by_src.__getitem__) == spine  # in reading order


def test_split_volumes_are_titled_and_valid(tmp_path: Path, open_epub: Any) -> None:
    report = zhconvert.build_book(
        [grouped_collection(tmp_path)], tmp_path / "v.epub", split=2, progress=False
    )
    titles = [open_epub(p).meta("title")[0] for p in report.volumes]
    # no category is shared: the folder names the book ("_posts" without its underscore)
    assert titles == [f"posts 2022-01-03 – 2022-07-13 ({n}/3)" for n in (1, 2, 3)]


# ---------------------------------------------------------------------------------------------
# Images and links


def test_failed_image_is_a_visible_placeholder(
    tmp_path: Path, open_epub: Any, image_server: Any
) -> None:
    url = image_server.url("/missing.jpg")
    doc = post(m.Figure(url, caption=(m.Text("示意图"),)))
    root = chapter(open_epub, write(tmp_path, doc, images="embed", timeout=5, retries=0))
    box = root.find(f".//{X}div[@class='image-missing']")
    assert box is not None
    assert "".join(box.find(f"{X}p[@class='image-note']").itertext()) == "图片未能获取"
    link = box.find(f"{X}p[@class='image-link']/{X}a")
    assert (link.get("href"), link.text) == (url, "示意图")


def test_linked_image_says_it_is_not_in_the_book(tmp_path: Path, open_epub: Any) -> None:
    doc = post(m.Figure("https://example.com/a.jpg"))
    root = chapter(open_epub, write(tmp_path, doc, images="link"))
    box = root.find(f".//{X}div[@class='image-missing']")
    assert "图片未嵌入" in "".join(box.itertext())


def test_long_url_shown_shortened_and_breakable(tmp_path: Path, open_epub: Any) -> None:
    url = "https://github.com/someone/some-project/blob/main/src/some/deep/path/file.py?x=1#L10"
    doc = post(m.Paragraph((m.Text("见"), m.Link(url, (m.Text(url),)), m.Text("。"))))
    link = chapter(open_epub, write(tmp_path, doc)).find(f".//{X}a[@class='url']")
    assert link.get("href") == url
    shown = "".join(link.itertext())
    assert shown.startswith("github.com/someone/") and shown.endswith("…")
    assert len(shown) <= 41


def test_link_keeps_its_title(tmp_path: Path, open_epub: Any) -> None:
    doc = post(m.Paragraph((m.Link("https://e.com/", (m.Text("网站"),), title="提示 文字"),)))
    link = chapter(open_epub, write(tmp_path, doc)).find(f".//{X}a[@href='https://e.com/']")
    assert link.get("title") == "提示 文字"


def test_stylesheet_for_chinese_text(tmp_path: Path, open_epub: Any) -> None:
    css = open_epub(write(tmp_path, post())).text("EPUB/style.css")
    assert "word-break: break-all" in css.split("\na.url {")[1].split("}")[0]
    assert "text-justify" in css


def test_render_script_shoots_the_sample(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        pytest.skip("no chromium (scripts/render_epub.py installs it with apt-get)")
    script = Path(__file__).resolve().parents[2] / "scripts" / "render_epub.py"
    png, book = tmp_path / "page.png", tmp_path / "sample.epub"
    command = [sys.executable, str(script), "--no-install", "--out", str(png)]
    subprocess.run([*command, "--sample-book", str(book)], check=True, timeout=120)
    from PIL import Image

    with Image.open(png) as image:
        assert image.width == 600 and 600 < image.height < 1400  # blank space cut off
        assert len(image.convert("L").getcolors(256) or []) > 16  # something was drawn
    assert book.is_file()  # and the sample book is valid (EPUBCheck, as every book here)


# ---------------------------------------------------------------------------------------------
# Formulas

MATHML = "{http://www.w3.org/1998/Math/MathML}"


def test_operator_names_are_one_word(tmp_path: Path, open_epub: Any) -> None:
    tex = r"\operatorname{Var}(q) + \mathrm{max}(x) + \sin x + \mathrm{d}t"
    doc = post(m.Paragraph((m.InlineMath(tex),)))
    math = chapter(open_epub, write(tmp_path, doc)).find(f".//{MATHML}math")
    identifiers = [el.text for el in math.iter(f"{MATHML}mi")]
    assert "Var" in identifiers and "max" in identifiers  # one word, not "V a r" or "m a x"
    # "Var" is a function name, not an operator spaced apart from its "(q"
    assert "Var" not in [el.text for el in math.iter(f"{MATHML}mo")]
    upright = [el.text for el in math.iter(f"{MATHML}mi") if el.get("mathvariant") == "normal"]
    assert "d" in upright
    assert math.get("alttext") == tex


def test_every_formula_has_a_rendered_fallback(
    tmp_path: Path, open_epub: Any, assert_epubcheck_clean: Any
) -> None:
    doc = post(
        m.Paragraph((m.Text("方差 "), m.InlineMath(r"\operatorname{Var}(q)"), m.Text("。"))),
        m.MathBlock(r"\sum_{i=0}^{n} \frac{a_i}{b_i}"),
        m.Paragraph((m.InlineMath(r"\operatorname{Var}(q)"),)),  # the same formula again
    )
    path = write(tmp_path, doc, images="omit")
    assert_epubcheck_clean(path)
    book = open_epub(path)
    maths = list(chapter(open_epub, path).iter(f"{MATHML}math"))
    assert len(maths) == 3  # MathML stays for the readers that have it
    sources = [math.get("altimg") for math in maths]
    assert all(src and src.startswith("../math/") and src.endswith(".svg") for src in sources)
    assert sources[0] == sources[2] != sources[1]  # one file per distinct formula
    manifest = book.manifest()
    for src in set(sources):
        name = src[len("../") :]
        assert manifest[name]["media-type"] == "image/svg+xml"
        svg = book.xml("EPUB/" + name)
        assert svg.tag == "{http://www.w3.org/2000/svg}svg"
        assert svg.find(".//{http://www.w3.org/2000/svg}path") is not None  # drawn glyphs
    for math in maths:
        assert math.get("altimg-width", "").endswith("px")
        assert math.get("altimg-height", "").endswith("px")
    # --images omit leaves out pictures, not formulas
    assert not [n for n in book.names if n.startswith("EPUB/images/")]


def test_drawn_formulas_and_highlighting_are_reproducible(tmp_path: Path) -> None:
    doc = post(
        m.Paragraph((m.InlineMath(r"\operatorname{Var}(q) = \mathrm{E}[q^2]"),)),
        m.CodeBlock(PYTHON, "python"),
    )
    first = zhconvert.dumps(doc, "epub", images="omit")
    assert zhconvert.dumps(doc, "epub", images="omit") == first
