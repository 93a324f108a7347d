"""The table of bad inputs: each converted (with what could be kept) or refused cleanly.

Every case goes through the API (``loads`` and every writer, EPUB included), through
``zhconvert convert`` on the file alone, and with all the others in one folder (``convert`` and
``book``). ``CASES`` is the table of docs/reliability.md; ``test_reliability_doc.py`` checks that
each case id is listed there.
"""

from __future__ import annotations

import codecs
import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from lxml import etree
from reliability_support import Cli, epub_documents, every_output

import zhconvert


def post(title: str, body: str, *, extra: str = "") -> str:
    """A 知乎热榜-style post (blank first line, quoted title, one-line answer)."""
    return (
        f"\n---\ntitle: '{title}'\nauthor: 知乎\ndate: 2022-01-02 03:04:05\n{extra}---\n\n"
        f"<div>\n张三的回答<br><br><p>{body}</p>\n</div>\n"
    )


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\ncategories: *a9\n"


@dataclass(frozen=True)
class Case:
    """One bad input and what must happen to it.

    ``refused``: the reason of the error (the file is then not converted); otherwise it is
    converted, its warnings contain each of ``warnings``, its text each of ``texts``.
    """

    id: str
    data: bytes
    refused: str = ""
    warnings: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    title: str = ""
    has_front_matter: bool = True
    error_class: type[zhconvert.ZhconvertError] = zhconvert.ZhconvertError
    strict_error: str = ""  # the reason with --strict, where strict refuses it
    extra: dict[str, object] = field(default_factory=dict)


def encoded(case_id: str, encoding: str, *, bom: bytes = b"") -> Case:
    title = f"编码 {case_id}"
    text = post(title, f"正文{case_id}：汉字与 ASCII 混排。")
    return Case(case_id, bom + text.encode(encoding), texts=(f"正文{case_id}",), title=title)


def newlines(case_id: str, newline: str) -> Case:
    title = f"换行 {case_id}"
    text = post(title, f"正文{case_id}") + "<p>第二段</p>\n"
    return Case(
        case_id,
        text.replace("\n", newline).encode("utf-8"),
        texts=(f"正文{case_id}", "第二段"),
        title=title,
    )


_RANDOM = random.Random(6)
BROKEN_YAML = "\n---\ntitle: 'It's broken'\nauthor: 知乎\ndate: 2022-01-02 03:04:05\ncategories:\n - 知乎\n - 知乎热榜\n---\n\n<div>\n张三的回答<br><br><p>坏元数据的正文</p>\n</div>\n"

CASES: list[Case] = [
    Case("empty-file", b"", has_front_matter=False),
    Case("blank-lines-only", b"\n  \n\t\n", has_front_matter=False),
    Case(
        "front-matter-only",
        b"\n---\ntitle: '\xe5\x8f\xaa\xe6\x9c\x89\xe5\x85\x83\xe6\x95\xb0\xe6\x8d\xae'\n---\n",
        title="只有元数据",
    ),
    Case(
        "front-matter-unclosed",
        "---\ntitle: 未闭合\n\n未闭合的正文\n".encode(),
        texts=("未闭合的正文", "title: 未闭合"),
        has_front_matter=False,
    ),
    Case(
        "no-front-matter",
        "<div><p>没有元数据的正文</p></div>".encode(),
        texts=("没有元数据的正文",),
        has_front_matter=False,
    ),
    Case(
        "plain-markdown",
        "\n---\ntitle: 纯 Markdown\n---\n\n# 标题\n\n正文**粗体**。\n\n- 一\n- 二\n".encode(),
        texts=("正文粗体。", "标题"),
        title="纯 Markdown",
    ),
    Case(
        "yaml-does-not-parse",
        BROKEN_YAML.encode(),
        warnings=("not valid YAML", "(at line 3, column 12)", "keys recovered line by line"),
        texts=("坏元数据的正文",),
        title="It's broken",
        strict_error="front matter is not valid YAML: did not find expected key (at line 3, column 12)",
        extra={"categories": ("知乎", "知乎热榜")},
    ),
    Case(
        "yaml-impossible-date",
        post("不存在的日期", "日期不对的正文")
        .replace("2022-01-02 03:04:05", "2022-02-30 10:00:00")
        .encode(),
        warnings=("front matter has a value that cannot be read: day is out of range for month",),
        texts=("日期不对的正文",),
        title="不存在的日期",
        strict_error="front matter has a value that cannot be read: day is out of range for month",
        extra={"date": None},
    ),
    Case(
        "yaml-is-a-list",
        "\n---\n- a\n- b\n---\n\n<p>列表元数据的正文</p>\n".encode(),
        warnings=("front matter is a YAML list, not a mapping; ignored",),
        texts=("列表元数据的正文",),
        strict_error="front matter is a YAML list, not a mapping (at line 2)",
    ),
    Case(
        "yaml-is-a-scalar",
        "\n---\n只是一句话\n---\n\n<p>标量元数据的正文</p>\n".encode(),
        warnings=("front matter is a YAML str, not a mapping; ignored",),
        texts=("标量元数据的正文",),
        strict_error="front matter is a YAML str, not a mapping (at line 2)",
    ),
    Case(
        "yaml-duplicate-keys",
        post("第一个", "重复键的正文", extra="title: '第二个'\n").encode(),
        warnings=("front matter key 'title' appears twice (line 6); the last wins",),
        texts=("重复键的正文",),
        title="第二个",
    ),
    Case(
        "yaml-python-tag",
        post("x", "标签的正文")
        .replace("title: 'x'", "title: !!python/object/apply:os.system ['echo pwned']")
        .encode(),
        warnings=("could not determine a constructor", "keys recovered line by line"),
        texts=("标签的正文",),
        title="!!python/object/apply:os.system ['echo pwned']",  # text, never run
        strict_error="front matter is not valid YAML",
    ),
    Case(
        "yaml-alias-bomb",
        post("别名炸弹", "别名炸弹的正文", extra=alias_bomb()).encode(),
        warnings=("front matter holds more than 100000 values, aliases expanded",),
        texts=("别名炸弹的正文",),
        title="别名炸弹",
        strict_error="front matter holds more than 100000 values, aliases expanded",
    ),
    Case(
        "yaml-deeply-nested",
        post(
            "深层", "深层元数据的正文", extra="tags: " + "[" * 100_000 + "]" * 100_000 + "\n"
        ).encode(),
        warnings=("front matter nests deeper than 50 levels",),
        texts=("深层元数据的正文",),
        title="深层",
        strict_error="front matter nests deeper than 50 levels",
    ),
    encoded("gb18030", "gb18030"),
    encoded("gbk", "gbk"),
    encoded("utf-16-le-bom", "utf-16-le", bom=codecs.BOM_UTF16_LE),
    encoded("utf-16-be-bom", "utf-16-be", bom=codecs.BOM_UTF16_BE),
    encoded("utf-8-bom", "utf-8", bom=codecs.BOM_UTF8),
    newlines("crlf", "\r\n"),
    newlines("lone-cr", "\r"),
    Case(
        "utf-16-without-bom",
        post("无 BOM", "正文").encode("utf-16-le"),
        refused="not a text file",
        error_class=zhconvert.NotTextError,
    ),
    Case(
        "nul-bytes",
        post("空字符", "有\x00空\x00字符").encode(),
        warnings=("2 NUL character(s) removed",),
        texts=("有空字符",),
        title="空字符",
    ),
    Case(
        "control-characters",
        post("控制字符", "终端\x1b[2J\x1b]0;title\x07转义\x9b31m序列").encode(),
        warnings=("control character(s) removed",),
        texts=("终端[2J]0;title转义31m序列",),
        title="控制字符",
    ),
    Case(
        "binary-png",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200),
        refused="not a text file",
        error_class=zhconvert.NotTextError,
    ),
    Case(
        "binary-random",
        bytes(_RANDOM.randrange(256) for _ in range(4096)),
        refused="not a text file",
        error_class=zhconvert.NotTextError,
    ),
    Case(
        "invalid-utf8-inside",
        post("坏字节", "前\udcff后")
        .encode("utf-8", "surrogateescape")
        .replace(b"\xff", b"\xff\xc3("),
        warnings=("invalid UTF-8 sequence(s) replaced by U+FFFD",),
        texts=("前\ufffd\ufffd(后",),
        title="坏字节",
    ),
    Case(
        "utf8-cut-mid-character",
        "\n---\ntitle: 截断\n---\n\n<p>正文在字中间被".encode() + "截".encode()[:2],
        warnings=("1 invalid UTF-8 sequence(s) replaced by U+FFFD",),
        texts=("正文在字中间被\ufffd",),
        title="截断",
    ),
]

CONVERTED = [case for case in CASES if not case.refused]


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------------------------------------
# The API


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_input_through_the_api(case: Case) -> None:
    if case.refused:
        with pytest.raises(case.error_class) as info:
            zhconvert.loads(case.data, path="case.md")
        assert info.value.reason == case.refused
        assert info.value.path == "case.md"
        assert str(info.value) == f"case.md: {case.refused}"
        return
    doc = zhconvert.loads(case.data, path="case.md")
    warnings = " | ".join(doc.warnings)
    for expected in case.warnings:
        assert expected in warnings
    if not case.warnings:
        assert doc.warnings == ()
    assert doc.meta.title == case.title
    assert (doc.front_matter is not None) == case.has_front_matter
    for key, value in case.extra.items():
        assert getattr(doc.meta, key) == value
    outputs = every_output(doc)
    for text in case.texts:
        assert text in outputs["text"]
        assert text in outputs["epub"]


@pytest.mark.parametrize("case", [c for c in CASES if c.strict_error], ids=lambda case: case.id)
def test_input_through_the_api_strict(case: Case) -> None:
    with pytest.raises(zhconvert.FrontMatterError) as info:
        zhconvert.loads(case.data, path="case.md", strict=True)
    assert str(info.value).startswith(f"case.md: {case.strict_error}")
    # the line is known, except for a value YAML parsed but Python could not build
    assert (info.value.line is None) == ("cannot be read" in case.strict_error)
    assert "\n" not in str(info.value)


# ---------------------------------------------------------------------------------------------
# The command line, one file


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_input_through_the_cli(case: Case, cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "case.md"
    path.write_bytes(case.data)
    result = cli("convert", path, "-t", "txt")
    if case.refused:
        assert (result.code, result.out) == (1, "")
        assert result.err == f"Error: {path}: {case.refused}\n"
        return
    assert result.code == 0
    for text in case.texts:
        assert text in result.out
    assert result.errors == []
    for line in result.warnings:
        assert line.startswith(f"Warning: {path}: ")
    for expected in case.warnings:
        assert any(expected in line for line in result.warnings)
    if case.strict_error:
        strict = cli("convert", "--strict", path)
        assert strict.code == 1 and strict.out == ""
        assert strict.err.startswith(f"Error: {path}: {case.strict_error}")
        assert len(strict.err.splitlines()) == 1


# ---------------------------------------------------------------------------------------------
# Folder and book mode: every case in one folder


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    for case in CASES:
        (folder / f"{case.id}.md").write_bytes(case.data)
    return folder


def test_every_input_in_one_folder(cli: Cli, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    out = tmp_path / "out"
    result = cli("convert", folder, "-o", out, "--jobs", "1")
    assert result.code == 1
    refused = sorted(f"Error: {folder / c.id}.md: {c.refused}" for c in CASES if c.refused)
    assert sorted(result.errors) == refused
    # a post with broken front matter is converted anyway, with the metadata that could be read
    assert any(
        line.startswith(f"Warning: {folder / 'yaml-does-not-parse.md'}: front matter is not")
        and "(at line 3, column 12)" in line
        for line in result.warnings
    )
    assert result.err.splitlines()[-1] == (
        f"converted {len(CONVERTED)} of {len(CASES)} posts into {out}; "
        f"{len(CASES) - len(CONVERTED)} failed"
    )
    for case in CONVERTED:
        written = (out / f"{case.id}.md").read_text(encoding="utf-8")
        assert written == zhconvert.dumps(zhconvert.loads(case.data))
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{c.id}.md" for c in CONVERTED)


def test_every_input_in_one_folder_as_a_book(cli: Cli, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    book = tmp_path / "book.epub"
    result = cli("book", folder, "-o", book, "--images", "omit", "--jobs", "1")
    assert result.code == 1  # posts were skipped: the exit code says so
    skipped = sorted(
        f"Warning: skipped: {folder / c.id}.md: {c.refused}" for c in CASES if c.refused
    )
    assert sorted(line for line in result.warnings if "skipped: " in line) == skipped
    # files found in a folder without front matter are notes, not posts: not in the book
    in_book = [c for c in CONVERTED if c.has_front_matter]
    # what was recovered in the posts of the book is named, in the words ``convert`` uses
    converted = cli("convert", folder, "-o", tmp_path / "out", "--jobs", "1")
    names = {f"{folder / c.id}.md" for c in in_book}
    recovered = [line for line in converted.warnings if line.split(": ", 2)[1] in names]
    assert [line for line in result.warnings if "skipped: " not in line] == recovered
    assert any("yaml-does-not-parse.md: front matter is not valid" in line for line in recovered)
    documents = epub_documents(book.read_bytes())
    chapters = [name for name in documents if "/post-" in name]
    assert len(chapters) == len(in_book)
    everything = "".join("".join(etree.fromstring(d).itertext()) for d in documents.values())
    for case in in_book:
        for text in case.texts:
            assert text in everything
    assert "坏元数据的正文" in everything
    assert "It's broken" in everything  # the title recovered from the broken front matter


def test_book_warns_about_recovered_front_matter(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "bad.md").write_text(BROKEN_YAML, encoding="utf-8")
    (folder / "good.md").write_text(post("好", "好的正文"), encoding="utf-8")
    result = cli("book", folder, "-o", tmp_path / "book.epub", "--images", "omit")
    assert result.code == 0  # recovered, not skipped: the book has every post
    expected = f"Warning: {folder / 'bad.md'}: front matter is not valid YAML"
    assert [line[: len(expected)] for line in result.warnings] == [expected]
    # the same line as ``convert`` prints for the same file
    converted = cli("convert", folder, "-o", tmp_path / "out", "--jobs", "1")
    assert converted.warnings == result.warnings
    quiet = cli("book", folder, "-o", tmp_path / "book.epub", "--images", "omit", "-q")
    assert (quiet.code, quiet.err) == (0, "")
