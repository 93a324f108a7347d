"""The public API: ``load``, ``loads``, ``dump``, ``dumps``, errors, pickling, JSON output."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import pickle
import re
from pathlib import Path

import pytest

import zhconvert
from zhconvert import Byline, Document, Metadata, Paragraph, Strong, Text

POST = (
    "\n---\n"
    "title: '接口测试_'\n"
    "categories:\n"
    " - 社交媒体\n"
    " - 知乎\n"
    " - 知乎日报\n"
    "author: 知乎\n"
    "date: 2022-04-15 00:40:41\n"
    "---\n"
    "\n<div>\n"
    "李四的回答<br><br><p>第一段，有<b>粗体</b>。</p><p>第二段。</p>\n"
    "</div>\n"
)

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$")

# format name -> canonical name; every built-in text format and alias
TEXT_FORMATS = {
    "markdown": "markdown",
    "md": "markdown",
    "text": "text",
    "txt": "text",
    "plain": "text",
    "json": "json",
}


@pytest.fixture
def doc() -> Document:
    return zhconvert.loads(POST.encode("utf-8"))


@pytest.fixture
def post_file(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_bytes(POST.encode("utf-8"))
    return path


# ---------------------------------------------------------------------------------------------
# load / loads


def test_loads_reads_the_post(doc: Document) -> None:
    assert doc.blocks == (
        Byline(author="李四"),
        Paragraph((Text("第一段，有"), Strong((Text("粗体"),)), Text("。"))),
        Paragraph((Text("第二段。"),)),
    )
    assert doc.meta == Metadata(
        title="接口测试?",
        author="李四",
        site="知乎",
        date=dt.datetime(2022, 4, 15, 0, 40, 41, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        categories=("社交媒体", "知乎", "知乎日报"),
        feed="知乎日报",
    )
    assert doc.source.path is None
    assert doc.source.body_format == "html"


@pytest.mark.parametrize("as_path", [True, False], ids=["Path", "str"])
def test_load_reads_a_file_and_records_its_path(post_file: Path, as_path: bool) -> None:
    loaded = zhconvert.load(post_file if as_path else str(post_file))
    assert loaded.source.path == str(post_file)
    expected = zhconvert.loads(POST.encode("utf-8"))
    assert dataclasses.replace(loaded, source=expected.source) == expected


def test_loads_path_only_names_the_post() -> None:
    doc = zhconvert.loads(POST, path="somewhere/post.md")
    assert doc.source.path == "somewhere/post.md"
    assert doc.meta.title == "接口测试?"


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("missing.md", "no such file"),
        ("no-folder/missing.md", "no such file"),
        (".", "is a folder"),
    ],
    ids=["missing-file", "missing-folder", "folder"],
)
def test_load_errors_name_the_path(tmp_path: Path, relative: str, reason: str) -> None:
    path = tmp_path / relative
    with pytest.raises(zhconvert.ZhconvertError) as info:
        zhconvert.load(path)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: ")
    assert reason in str(info.value)
    assert info.value.__cause__ is None  # no OSError chained for a user to read


def test_load_error_of_a_binary_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(zhconvert.NotTextError) as info:
        zhconvert.load(path)
    assert str(info.value) == f"{path}: not a text file"


# ---------------------------------------------------------------------------------------------
# dumps


@pytest.mark.parametrize(("name", "canonical"), TEXT_FORMATS.items())
def test_dumps_every_text_format_and_alias(doc: Document, name: str, canonical: str) -> None:
    out = zhconvert.dumps(doc, name)
    assert isinstance(out, str)
    assert out == zhconvert.dumps(doc, canonical)
    assert "第二段。" in out


def test_dumps_formats_differ(doc: Document) -> None:
    markdown = zhconvert.dumps(doc, "markdown")
    text = zhconvert.dumps(doc, "text")
    assert "第一段，有**粗体**。" in markdown
    assert "第一段，有粗体。" in text
    assert "**" not in text
    assert json.loads(zhconvert.dumps(doc, "json"))["meta"]["title"] == "接口测试?"


def test_dumps_default_format_is_markdown(doc: Document) -> None:
    assert zhconvert.dumps(doc) == zhconvert.dumps(doc, "markdown")


@pytest.mark.parametrize("name", ["docx", "html", "", "markdown2"])
def test_unknown_format(doc: Document, name: str) -> None:
    with pytest.raises(zhconvert.UnknownFormatError) as info:
        zhconvert.dumps(doc, name)
    message = str(info.value)
    assert f"unknown format {name!r}" in message
    for known in ("markdown", "text", "json"):
        assert known in message.split("known formats:", 1)[1]


@pytest.mark.parametrize(
    ("fmt", "options", "named"),
    [
        ("md", {"wrap": 3}, "wrap"),
        ("text", {"front_matter": "keep"}, "front_matter"),
        ("json", {"wrap": 72}, "wrap"),
        ("markdown", {"front_matter": "keep", "colour": True}, "colour"),
    ],
)
def test_unknown_option(doc: Document, fmt: str, options: dict[str, object], named: str) -> None:
    with pytest.raises(zhconvert.OptionError) as info:
        zhconvert.dumps(doc, fmt, **options)
    assert named in str(info.value)


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("md", {"front_matter": "x"}),
        ("md", {"front_matter": None}),
        ("txt", {"wrap": "x"}),
        ("txt", {"wrap": -1}),
        ("txt", {"wrap": 7.5}),
    ],
    ids=repr,
)
def test_bad_option_value(doc: Document, fmt: str, options: dict[str, object]) -> None:
    with pytest.raises(zhconvert.OptionError):
        zhconvert.dumps(doc, fmt, **options)


@pytest.mark.parametrize("indent", [None, 0, 4, "\t", "x"], ids=repr)
def test_json_output_parses_or_the_option_is_refused(doc: Document, indent: object) -> None:
    try:
        out = zhconvert.dumps(doc, "json", indent=indent)
    except zhconvert.OptionError:
        return
    assert isinstance(out, str)
    json.loads(out)


@pytest.mark.parametrize(("fmt", "wrap"), [("md", {}), ("txt", {"wrap": 0}), ("txt", {"wrap": 20})])
def test_good_options_are_accepted(doc: Document, fmt: str, wrap: dict[str, object]) -> None:
    assert "第二段。" in zhconvert.dumps(doc, fmt, **wrap)


@pytest.mark.parametrize("mode", ["keep", "normalize", "none"])
def test_front_matter_modes(doc: Document, mode: str) -> None:
    out = zhconvert.dumps(doc, "md", front_matter=mode)
    assert isinstance(out, str)
    if mode == "keep":
        assert doc.front_matter is not None
        assert out.startswith(doc.front_matter.text.lstrip("\n"))
    elif mode == "normalize":
        assert out.startswith("---\n")
        assert "接口测试?" in out.split("---\n", 2)[1]
    else:
        assert not out.lstrip().startswith("---")
        assert "title:" not in out


# ---------------------------------------------------------------------------------------------
# dump


@pytest.mark.parametrize("fmt", ["markdown", "text", "json"])
def test_dump_writes_the_file_and_nothing_else(tmp_path: Path, doc: Document, fmt: str) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / f"post.{fmt}"
    zhconvert.dump(doc, target, fmt)
    assert target.read_bytes() == zhconvert.dumps(doc, fmt).encode("utf-8")  # type: ignore[union-attr]
    assert os.listdir(out_dir) == [target.name]


def test_dump_replaces_an_existing_file(tmp_path: Path, doc: Document) -> None:
    target = tmp_path / "post.md"
    target.write_text("old content that is longer than nothing " * 100, encoding="utf-8")
    zhconvert.dump(doc, str(target))
    assert target.read_text(encoding="utf-8") == zhconvert.dumps(doc, "markdown")
    assert os.listdir(tmp_path) == ["post.md"]


def test_dump_passes_options(tmp_path: Path, doc: Document) -> None:
    target = tmp_path / "post.md"
    zhconvert.dump(doc, target, "md", front_matter="none")
    assert target.read_text(encoding="utf-8") == zhconvert.dumps(doc, "md", front_matter="none")


def test_dump_with_a_bad_option_writes_nothing(tmp_path: Path, doc: Document) -> None:
    with pytest.raises(zhconvert.OptionError):
        zhconvert.dump(doc, tmp_path / "post.md", "md", wrap=3)
    assert os.listdir(tmp_path) == []


def test_dump_into_a_missing_folder_names_the_path(tmp_path: Path, doc: Document) -> None:
    target = tmp_path / "missing" / "post.md"
    with pytest.raises(zhconvert.ZhconvertError) as info:
        zhconvert.dump(doc, target)
    assert str(info.value).startswith(f"{target}: ")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# Documents are plain values


def test_documents_survive_pickling(doc: Document) -> None:
    copy = pickle.loads(pickle.dumps(doc))
    assert copy == doc
    assert copy is not doc
    assert zhconvert.dumps(copy, "md") == zhconvert.dumps(doc, "md")


def test_corpus_documents_survive_pickling(corpus_posts: list[Path]) -> None:
    for path in corpus_posts:
        doc = zhconvert.load(path)
        assert pickle.loads(pickle.dumps(doc)) == doc, path.name


def test_documents_are_immutable(doc: Document) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        doc.meta = Metadata()  # type: ignore[misc]


def test_public_names_exist() -> None:
    assert len(set(zhconvert.__all__)) == len(zhconvert.__all__)
    for name in zhconvert.__all__:
        assert getattr(zhconvert, name, None) is not None, name


def test_errors_share_one_base_class() -> None:
    names = ("DecodeError", "NotTextError", "FrontMatterError", "OptionError", "UnknownFormatError")
    for name in names:
        assert issubclass(getattr(zhconvert, name), zhconvert.ZhconvertError), name
    assert issubclass(zhconvert.NotTextError, zhconvert.DecodeError)


def test_version() -> None:
    assert zhconvert.__version__ == "0.1.0"


# ---------------------------------------------------------------------------------------------
# JSON output


def test_json_shape(doc: Document) -> None:
    data = json.loads(zhconvert.dumps(doc, "json"))
    assert list(data) == ["version", "meta", "blocks", "footnotes"]
    assert data["version"] == 1
    assert data["meta"]["title"] == "接口测试?"
    assert data["meta"]["date"] == "2022-04-15T00:40:41+08:00"
    assert data["meta"]["categories"] == ["社交媒体", "知乎", "知乎日报"]
    assert data["blocks"][0] == {"type": "byline", "author": "李四", "bio": "", "url": ""}
    assert data["blocks"][1]["type"] == "paragraph"
    assert data["blocks"][1]["children"][1] == {
        "type": "strong",
        "children": [{"type": "text", "text": "粗体"}],
    }
    assert data["footnotes"] == []


def test_json_keys_follow_the_model_order(doc: Document) -> None:
    # writers/json.py documents the keys "in the model's order", so that outputs diff well
    data = json.loads(zhconvert.dumps(doc, "json"))
    # ... with the feed's name before 0.2 ("source") kept after it in format version 1
    names = [f.name for f in dataclasses.fields(Metadata)]
    names.insert(names.index("feed") + 1, "source")
    assert list(data["meta"]) == names
    assert list(data["blocks"][0]) == ["type"] + [f.name for f in dataclasses.fields(Byline)]


def test_json_of_a_post_without_date(doc: Document) -> None:
    undated = dataclasses.replace(doc, meta=dataclasses.replace(doc.meta, date=None))
    assert json.loads(zhconvert.dumps(undated, "json"))["meta"]["date"] is None


def test_json_dates_of_the_corpus_are_iso_with_offset(corpus_posts: list[Path]) -> None:
    for path in corpus_posts:
        data = json.loads(zhconvert.dumps(zhconvert.load(path), "json"))
        assert list(data) == ["version", "meta", "blocks", "footnotes"], path.name
        date = data["meta"]["date"]
        assert ISO_WITH_OFFSET.match(date), (path.name, date)
        assert dt.datetime.fromisoformat(date) == zhconvert.load(path).meta.date, path.name


def test_json_of_the_design_post(design_post: Path) -> None:
    data = json.loads(zhconvert.dumps(zhconvert.load(design_post), "json"))
    assert data["meta"]["date"] == "2022-07-13T15:40:55+00:00"
    assert data["meta"]["title"] == "如何看待朝鲜承认顿涅茨克和卢甘斯克独立?"
    assert data["meta"]["source"] == "知乎热榜"
    assert data["blocks"][0] == {"type": "byline", "author": "楚筠珺", "bio": "", "url": ""}
    assert data["blocks"][1] == {
        "type": "paragraph",
        "children": [{"type": "text", "text": "朝鲜在外交政策上一直配合俄罗斯。"}],
    }
