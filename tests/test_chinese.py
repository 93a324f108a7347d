"""Chinese-text options: Simplified/Traditional conversion (OpenCC) and CJK spacing (pangu).

Both are document transforms that every writer gets through ``dumps(..., chinese=...,
cjk_spacing=...)``; they must never touch code, math or addresses.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import zhconvert
from zhconvert import (
    BlockQuote,
    Byline,
    CodeBlock,
    Document,
    Emphasis,
    Figure,
    Footnote,
    FrontMatter,
    Heading,
    InlineCode,
    InlineImage,
    InlineMath,
    Link,
    LinkCard,
    ListBlock,
    ListItem,
    MathBlock,
    Mention,
    Metadata,
    OptionError,
    Paragraph,
    Strong,
    Table,
    TableCell,
    Text,
    VideoCard,
)
from zhconvert.chinese import CHINESE_TARGETS, cjk_spacing, convert_chinese

WIKI = "https://zh.wikipedia.org/wiki/软件"


def sample() -> Document:
    """A document with Simplified prose in every place prose can be, and code, math, URLs."""
    return Document(
        meta=Metadata(
            title="软件开发入门",
            author="张三",
            site="知乎",
            categories=("知乎", "知乎热榜"),
            tags=("软件",),
            feed="知乎热榜",
            url=WIKI,
            cover="https://pic.example.com/软件.jpg",
        ),
        blocks=(
            Byline("张三", bio="软件工程师", url="https://www.zhihu.com/people/软件"),
            Heading(2, (Text("软件与鼠标"),)),
            Paragraph(
                (
                    Text("学习软件开发，先买鼠标。"),
                    InlineCode('print("软件")'),
                    Text("见"),
                    Link(WIKI, (Text("软件的定义"),)),
                    Text("或者 " + WIKI + " 。"),
                    InlineMath(r"\text{软件}"),
                    Mention("软件", "https://www.zhihu.com/people/软件"),
                    InlineImage("https://pic.example.com/软件.png", alt="软件图标"),
                )
            ),
            Figure("https://pic.example.com/软件.jpg", caption=(Strong((Text("软件"),)),)),
            CodeBlock('x = "软件"  # 鼠标', "python"),
            MathBlock(r"\text{鼠标}"),
            BlockQuote((Paragraph((Emphasis((Text("鼠标"),)),)),)),
            ListBlock((ListItem((Paragraph((Text("软件"),)),)),)),
            Table((TableCell((Text("软件"),)),), ((TableCell((Text("鼠标"),)),),)),
            LinkCard("https://example.com/软件", title="软件"),
            VideoCard(
                "https://example.com/鼠标", title="鼠标", poster="https://example.com/鼠标.jpg"
            ),
        ),
        footnotes=(Footnote(1, "软件手册", "https://example.com/软件"),),
        front_matter=FrontMatter("---\ntitle: 软件开发入门\n---\n", {"title": "软件开发入门"}),
    )


def all_strings(value: object) -> list[str]:
    """Every string anywhere in a document (walks the dataclasses)."""
    import dataclasses

    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in all_strings(getattr(value, f.name))]
    if isinstance(value, (tuple, list)):
        return [s for item in value for s in all_strings(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in all_strings(item)]
    return []


# ---------------------------------------------------------------------------------------------
# convert_chinese


def test_targets_are_the_four_documented_ones() -> None:
    assert CHINESE_TARGETS == {"s": "t2s", "t": "s2t", "tw": "s2twp", "hk": "s2hk"}


def test_tw_converts_prose_everywhere_with_taiwan_phrases() -> None:
    doc = convert_chinese(sample(), "tw")
    assert doc.meta.title == "軟體開發入門"
    assert doc.meta.author == "張三"
    assert doc.meta.tags == ("軟體",)
    assert doc.meta.categories == ("知乎", "知乎熱榜")
    assert doc.meta.feed == "知乎熱榜"
    byline, heading, para, figure, _code, _math, quote, lst, table, card, video = doc.blocks
    assert byline == Byline("張三", bio="軟體工程師", url="https://www.zhihu.com/people/软件")
    assert heading == Heading(2, (Text("軟體與滑鼠"),))
    assert para.children[0] == Text("學習軟體開發，先買滑鼠。")
    assert para.children[3] == Link(WIKI, (Text("軟體的定義"),))
    assert figure == Figure("https://pic.example.com/软件.jpg", caption=(Strong((Text("軟體"),)),))
    assert quote == BlockQuote((Paragraph((Emphasis((Text("滑鼠"),)),)),))
    assert lst == ListBlock((ListItem((Paragraph((Text("軟體"),)),)),))
    assert table == Table((TableCell((Text("軟體"),)),), ((TableCell((Text("滑鼠"),)),),))
    assert card == LinkCard("https://example.com/软件", title="軟體")
    assert video == VideoCard(
        "https://example.com/鼠标", title="滑鼠", poster="https://example.com/鼠标.jpg"
    )
    assert doc.footnotes == (Footnote(1, "軟體手冊", "https://example.com/软件"),)


def test_code_math_urls_mentions_and_the_kept_front_matter_are_never_converted() -> None:
    original = sample()
    doc = convert_chinese(original, "t")
    para = doc.blocks[2]
    assert isinstance(para, Paragraph)
    assert para.children[1] == InlineCode('print("软件")')
    assert para.children[5] == InlineMath(r"\text{软件}")
    assert para.children[6] == Mention("软件", "https://www.zhihu.com/people/软件")
    assert para.children[7] == InlineImage("https://pic.example.com/软件.png", alt="軟件圖標")
    assert doc.blocks[4] == CodeBlock('x = "软件"  # 鼠标', "python")
    assert doc.blocks[5] == MathBlock(r"\text{鼠标}")
    assert doc.meta.url == WIKI
    assert doc.meta.cover == original.meta.cover
    # front_matter="keep" promises the file's own front matter, so it is left as it was.
    assert doc.front_matter == original.front_matter


def test_a_bare_url_inside_text_keeps_its_characters() -> None:
    doc = convert_chinese(sample(), "t")
    para = doc.blocks[2]
    assert isinstance(para, Paragraph)
    assert para.children[4] == Text("或者 " + WIKI + " 。")
    text = Document(Metadata(), (Paragraph((Text(f"软件见{WIKI}，鼠标"),)),))
    converted = convert_chinese(text, "t").blocks[0]
    assert converted == Paragraph((Text(f"軟件見{WIKI}，鼠標"),))


@pytest.mark.parametrize(
    ("target", "source", "expected"),
    [
        ("t", "为了软件里的线", "爲了軟件裏的線"),  # OpenCC standard Traditional
        ("tw", "为了软件里的线", "為了軟體裡的線"),  # Taiwan, with its phrases
        ("hk", "为了软件里的线", "為了軟件裏的線"),  # Hong Kong: 為 (not 爲), 裏 (not 裡)
        ("s", "為了軟體裡的線", "为了软体里的线"),  # back to Simplified
    ],
)
def test_each_target(target: str, source: str, expected: str) -> None:
    doc = Document(Metadata(), (Paragraph((Text(source),)),))
    assert convert_chinese(doc, target).blocks == (Paragraph((Text(expected),)),)


@pytest.mark.parametrize("target", ["zh-tw", "T", "s2t", ""])
def test_an_unknown_target_is_an_option_error(target: str) -> None:
    with pytest.raises(OptionError, match=r"s, t, tw, hk"):
        convert_chinese(sample(), target)


def test_missing_opencc_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import zhconvert.chinese as chinese

    chinese._converter.cache_clear()
    monkeypatch.setitem(sys.modules, "opencc", None)  # makes ``import opencc`` fail
    try:
        with pytest.raises(OptionError, match=r"needs OpenCC: pip install opencc \(with pipx"):
            convert_chinese(sample(), "t")
    finally:
        chinese._converter.cache_clear()


@pytest.mark.parametrize(
    ("flag", "module", "message"),
    [
        (["--chinese", "tw"], "opencc", "needs OpenCC: pip install opencc"),
        (["--cjk-spacing"], "pangu", "CJK spacing needs pangu: pip install pangu"),
    ],
)
@pytest.mark.parametrize("command", ["convert", "normalize"])
def test_a_missing_library_fails_a_folder_run_once(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    flag: list[str],
    module: str,
    message: str,
    command: str,
) -> None:
    import zhconvert.chinese as chinese
    from zhconvert._cli import run

    posts = tmp_path / "posts"
    posts.mkdir()
    for name in ("a", "b", "c"):
        (posts / f"{name}.md").write_text(POST, encoding="utf-8")
    before = {p.name: p.read_bytes() for p in posts.iterdir()}
    chinese._converter.cache_clear()
    monkeypatch.setitem(sys.modules, module, None)
    try:
        argv = [command, str(posts), *flag]
        if command == "convert":
            argv += ["-o", str(tmp_path / "out")]
        capsys.readouterr()
        assert run(argv) == 1
    finally:
        chinese._converter.cache_clear()
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("Error: ") and message in err
    assert not (tmp_path / "out").exists()
    assert {p.name: p.read_bytes() for p in posts.iterdir()} == before


def test_nothing_outside_prose_changes() -> None:
    original = sample()
    doc = convert_chinese(original, "tw")
    changed = [s for s in all_strings(doc) if s not in all_strings(original)]
    # Every changed string is Traditional prose; no URL, code or TeX is among them.
    assert changed
    assert not [s for s in changed if "://" in s and WIKI not in s]
    assert not [s for s in changed if "print" in s or "\\text" in s]


# ---------------------------------------------------------------------------------------------
# cjk_spacing


def para(*children: object) -> Document:
    return Document(Metadata(), (Paragraph(tuple(children)),))  # type: ignore[arg-type]


def test_spacing_inside_text() -> None:
    doc = cjk_spacing(para(Text("当你凝视着bug，bug也凝视着你，用Python3写")))
    assert doc.blocks == (Paragraph((Text("当你凝视着 bug，bug 也凝视着你，用 Python3 写"),)),)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Literal stars are spaced as literal underscores are: not at all (pangu alone writes
        # "中文 * 星號 * 中文" but leaves "_下劃線_" as it is).
        ("中文*星號*中文和_下劃線_", "中文*星號*中文和_下劃線_"),
        ("用*bold*和_under_写", "用*bold*和_under_写"),
        # "<<" and ">>" are left as they are wherever they stand (pangu alone, seeing "<…>"
        # as brackets, turns "x << y 中>>文" into "x <<y 中>> 文").
        ("中文 x << y 中>>文", "中文 x << y 中>>文"),
        ("左移<<和右移>>", "左移<<和右移>>"),
        ("中文English中文", "中文 English 中文"),
    ],
)
def test_stars_and_angle_brackets_are_spaced_consistently(text: str, expected: str) -> None:
    assert cjk_spacing(para(Text(text))).blocks == (Paragraph((Text(expected),)),)


def test_spacing_between_text_and_code_goes_into_the_text() -> None:
    doc = cjk_spacing(para(Text("用"), InlineCode("pip"), Text("安装")))
    assert doc.blocks == (Paragraph((Text("用 "), InlineCode("pip"), Text(" 安装"))),)


def test_spacing_across_emphasis_and_links() -> None:
    doc = cjk_spacing(
        para(
            Text("这是"),
            Strong((Text("GitHub"),)),
            Text("上的"),
            Link("https://x.org", (Text("repo"),)),
        )
    )
    assert doc.blocks == (
        Paragraph(
            (
                Text("这是 "),
                Strong((Text("GitHub"),)),
                Text(" 上的 "),
                Link("https://x.org", (Text("repo"),)),
            )
        ),
    )


def test_spacing_never_touches_code_math_or_urls() -> None:
    code = CodeBlock("print('中文abc')")
    doc = Document(
        Metadata(title="如何评价iPhone15"),
        (
            Paragraph((InlineCode("中文abc"), InlineMath(r"\text{中文}x"))),
            code,
            Paragraph((Text("见https://zh.wikipedia.org/wiki/中文abc页面"),)),
            Paragraph((Link("https://example.com/中文abc", (Text("中文abc"),)),)),
        ),
    )
    spaced = cjk_spacing(doc)
    assert spaced.meta.title == "如何评价 iPhone15"
    assert spaced.blocks[0] == doc.blocks[0]
    assert spaced.blocks[1] == code
    assert spaced.blocks[2] == Paragraph((Text("见 https://zh.wikipedia.org/wiki/中文abc页面"),))
    assert spaced.blocks[3] == Paragraph(
        (Link("https://example.com/中文abc", (Text("中文 abc"),)),)
    )


def test_spacing_leaves_names_and_labels_alone() -> None:
    doc = Document(
        Metadata(author="张3", categories=("知乎A",)),
        (Byline("李4", bio="做AI的"),),
        footnotes=(Footnote(1, "见第3章", "https://example.com/第3章"),),
    )
    spaced = cjk_spacing(doc)
    assert spaced.meta.author == "张3"
    assert spaced.meta.categories == ("知乎A",)
    assert spaced.blocks == (Byline("李4", bio="做 AI 的"),)
    assert spaced.footnotes == (Footnote(1, "见第 3 章", "https://example.com/第3章"),)


_PIECES = st.sampled_from(
    ["中文", "咖啡", "abc", "Python3", "42", "，", "。", " ", "(", ")", "%", "@", "#", "-", "'"]
)
_TEXT = st.lists(_PIECES, max_size=12).map("".join)
_INLINE = st.one_of(
    _TEXT.map(Text),
    _TEXT.filter(bool).map(InlineCode),
    _TEXT.map(lambda t: Strong((Text(t),))),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_INLINE, max_size=6))
@example([Text("中文'"), Text("中文")])  # pangu respaces "中文' " once the boundary space is in
def test_spacing_only_adds_spaces_and_is_idempotent(children: list[object]) -> None:
    doc = para(*children)
    once = cjk_spacing(doc)
    assert cjk_spacing(once) == once

    def squeeze(d: Document) -> str:
        return "".join(all_strings(d)).replace(" ", "")

    assert squeeze(once) == squeeze(doc)
    codes = [c for c in doc.blocks[0].children if isinstance(c, InlineCode)]  # type: ignore[union-attr]
    assert codes == [c for c in once.blocks[0].children if isinstance(c, InlineCode)]  # type: ignore[union-attr]


# ---------------------------------------------------------------------------------------------
# Through dumps: every writer takes both options


POST = (
    "---\ntitle: 软件开发入门\nauthor: 知乎\ndate: 2022-07-13 15:40:55\n---\n\n<div>\n"
    "<p>学习软件开发，用<code>pip</code>安装Python包。</p>"
    "<pre><code>x = '软件'</code></pre>\n</div>\n"
)


@pytest.mark.parametrize("fmt", ["markdown", "text", "json"])
def test_every_text_writer_takes_chinese(fmt: str) -> None:
    out = zhconvert.dumps(zhconvert.loads(POST), fmt, chinese="tw")
    assert isinstance(out, str)
    assert "學習軟體開發" in out
    assert "x = '软件'" in out
    assert "学习软件" not in out


def test_markdown_with_both_options() -> None:
    doc = zhconvert.loads(POST)
    out = zhconvert.dumps(doc, "md", chinese="tw", cjk_spacing=True, front_matter="none")
    assert "學習軟體開發，用 `pip` 安裝 Python 包。" in out
    assert "x = '软件'" in out
    assert out.startswith("# 軟體開發入門\n")


def test_keep_front_matter_stays_as_in_the_file_normalize_converts_it() -> None:
    doc = zhconvert.loads(POST)
    kept = zhconvert.dumps(doc, "md", chinese="t")
    assert isinstance(kept, str)
    assert kept.startswith("---\ntitle: 软件开发入门\n")
    normalized = zhconvert.dumps(doc, "md", chinese="t", front_matter="normalize")
    assert isinstance(normalized, str)
    assert "title: 軟件開發入門" in normalized


def test_json_meta_is_converted() -> None:
    out = zhconvert.dumps(zhconvert.loads(POST), "json", chinese="t")
    assert isinstance(out, str)
    assert json.loads(out)["meta"]["title"] == "軟件開發入門"


def test_epub_takes_both_options() -> None:
    data = zhconvert.dumps(
        zhconvert.loads(POST), "epub", chinese="hk", cjk_spacing=True, images="omit"
    )
    assert isinstance(data, bytes)
    with zipfile.ZipFile(BytesIO(data)) as book:
        pages = "".join(
            book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xhtml")
        )
    assert "學習軟件開發" in pages
    assert re.search(r"安裝 Python 包", pages)


def test_defaults_change_nothing() -> None:
    doc = zhconvert.loads(POST)
    for fmt in ("markdown", "text", "json"):
        assert zhconvert.dumps(doc, fmt) == zhconvert.dumps(
            doc, fmt, chinese=None, cjk_spacing=False
        )
        assert zhconvert.dumps(doc, fmt) == zhconvert.dumps(doc, fmt, chinese="none")
    assert "安装Python包" in str(zhconvert.dumps(doc, "md"))


def test_a_bad_chinese_value_through_dumps_is_an_option_error() -> None:
    with pytest.raises(OptionError, match="chinese"):
        zhconvert.dumps(zhconvert.loads(POST), "md", chinese="traditional")
