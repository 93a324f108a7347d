"""Decoding a post's bytes through ``zhconvert.loads``: encodings, newlines, damage, binaries."""

from __future__ import annotations

import codecs
import dataclasses
import random
from pathlib import Path

import pytest

import zhconvert
from zhconvert import Byline, Document, Paragraph, Strong, Text

# A 知乎热榜-style post: blank first line, single-quoted title, one-line HTML answer.
POST = (
    "\n---\n"
    "title: '测试：编码与换行_'\n"
    "categories:\n"
    " - 社交媒体\n"
    " - 知乎\n"
    " - 知乎热榜\n"
    "author: 知乎\n"
    "date: Wed, 13 Jul 2022 15:40:55 GMT\n"
    "---\n"
    "\n<div>\n"
    "张三的回答<br><br><p>第一段，有<b>粗体</b>。</p><p>第二段：汉字“引号”与 ASCII 混排。</p>\n"
    "</div>\n"
)

EXPECTED_BLOCKS = (
    Byline(author="张三"),
    Paragraph((Text("第一段，有"), Strong((Text("粗体"),)), Text("。"))),
    Paragraph((Text("第二段：汉字“引号”与 ASCII 混排。"),)),
)


def reference() -> Document:
    return zhconvert.loads(POST.encode("utf-8"))


def same_except_source(doc: Document, ref: Document) -> bool:
    return dataclasses.replace(doc, source=ref.source) == ref


def test_reference_post_reads_as_written() -> None:
    doc = reference()
    assert doc.blocks == EXPECTED_BLOCKS
    assert doc.meta.title == "测试：编码与换行?"
    assert doc.source.encoding == "utf-8"
    assert doc.source.bom is False
    assert doc.warnings == ()


# ---------------------------------------------------------------------------------------------
# Encodings

ENCODED = [
    pytest.param(POST.encode("utf-8"), "utf-8", False, id="utf-8"),
    pytest.param(codecs.BOM_UTF8 + POST.encode("utf-8"), "utf-8", True, id="utf-8-bom"),
    pytest.param(codecs.BOM_UTF16_LE + POST.encode("utf-16-le"), "utf-16-le", True, id="utf-16-le"),
    pytest.param(codecs.BOM_UTF16_BE + POST.encode("utf-16-be"), "utf-16-be", True, id="utf-16-be"),
    pytest.param(codecs.BOM_UTF32_LE + POST.encode("utf-32-le"), "utf-32-le", True, id="utf-32-le"),
    pytest.param(codecs.BOM_UTF32_BE + POST.encode("utf-32-be"), "utf-32-be", True, id="utf-32-be"),
    pytest.param(POST.encode("gbk"), "gb18030", False, id="gbk"),
    pytest.param(POST.encode("gb18030"), "gb18030", False, id="gb18030"),
]


@pytest.mark.parametrize(("data", "encoding", "bom"), ENCODED)
def test_encoding_is_detected_and_text_is_identical(data: bytes, encoding: str, bom: bool) -> None:
    doc = zhconvert.loads(data)
    assert doc.source.encoding == encoding
    assert doc.source.bom is bom
    assert doc.warnings == ()
    assert doc.blocks == EXPECTED_BLOCKS
    assert same_except_source(doc, reference())
    assert zhconvert.dumps(doc, "md") == zhconvert.dumps(reference(), "md")


def test_gb18030_only_characters_survive() -> None:
    # 𠮷 (U+20BB7) is outside GBK: GB18030 writes it as four bytes.
    post = POST.replace("第二段", "第二段𠮷")
    doc = zhconvert.loads(post.encode("gb18030"))
    assert doc.source.encoding == "gb18030"
    assert "第二段𠮷：汉字" in zhconvert.dumps(doc, "txt")


def test_bom_is_not_part_of_the_text() -> None:
    doc = zhconvert.loads(codecs.BOM_UTF8 + POST.encode("utf-8"))
    assert doc.front_matter is not None
    assert doc.front_matter.text.startswith("\n---\n")
    assert "\ufeff" not in zhconvert.dumps(doc, "md")


def test_bom_in_a_str_is_recorded_and_dropped() -> None:
    doc = zhconvert.loads("\ufeff" + POST)
    assert doc.source.bom is True
    assert same_except_source(doc, reference())


def test_bytes_and_str_give_the_same_document() -> None:
    assert zhconvert.loads(POST) == reference()


# ---------------------------------------------------------------------------------------------
# Line endings


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_line_endings_are_recorded_and_normalized(newline: str) -> None:
    doc = zhconvert.loads(POST.replace("\n", newline).encode("utf-8"))
    ref = reference()
    assert doc.source.newline == newline
    assert doc.blocks == EXPECTED_BLOCKS
    assert doc.front_matter is not None and ref.front_matter is not None
    assert doc.front_matter.text == ref.front_matter.text  # normalized to \n
    assert "\r" not in doc.front_matter.text
    assert zhconvert.dumps(doc, "md") == zhconvert.dumps(ref, "md")
    assert doc.meta == ref.meta


@pytest.mark.parametrize(
    ("ending", "final_newline"),
    [
        ("</div>\n", True),
        ("</div>\r\n", True),
        ("</div>\r", True),
        ("</div>", False),
        # what every real post ends with: a newline, then 12 spaces
        ("</div>\n            ", False),
    ],
    ids=["LF", "CRLF", "CR", "none", "trailing-spaces"],
)
def test_final_newline_is_detected(ending: str, final_newline: bool) -> None:
    post = POST.removesuffix("</div>\n") + ending
    doc = zhconvert.loads(post.encode("utf-8"))
    assert doc.source.final_newline is final_newline
    assert doc.blocks == EXPECTED_BLOCKS


def test_real_post_has_no_final_newline(design_post: Path) -> None:
    doc = zhconvert.loads(design_post.read_bytes())
    assert doc.source.final_newline is False
    assert doc.source.newline == "\n"
    assert doc.source.encoding == "utf-8"


# ---------------------------------------------------------------------------------------------
# Damaged text


@pytest.mark.parametrize(
    "damage",
    [b"\xff", b"\x80", "汉".encode()[:2]],
    ids=["invalid-byte", "stray-continuation", "truncated-sequence"],
)
def test_invalid_utf8_is_replaced_with_a_warning(damage: bytes) -> None:
    data = POST.encode("utf-8").replace("第一段".encode(), "第一段".encode() + damage)
    doc = zhconvert.loads(data)
    assert doc.source.encoding == "utf-8"
    assert len(doc.warnings) == 1
    assert "U+FFFD" in doc.warnings[0]
    text = zhconvert.dumps(doc, "txt")
    assert "第一段\ufffd，有粗体。" in text
    assert "第二段：汉字“引号”与 ASCII 混排。" in text
    assert doc.meta.title == "测试：编码与换行?"


@pytest.mark.parametrize("as_bytes", [True, False], ids=["bytes", "str"])
def test_nul_characters_are_removed_with_a_warning(as_bytes: bool) -> None:
    post = POST.replace("第二段", "第二\x00段").replace("张三", "张\x00三")
    doc = zhconvert.loads(post.encode("utf-8") if as_bytes else post)
    assert len(doc.warnings) == 1
    assert "NUL" in doc.warnings[0]
    assert "2" in doc.warnings[0]
    assert doc.blocks == EXPECTED_BLOCKS
    assert "\x00" not in zhconvert.dumps(doc, "md")


# ---------------------------------------------------------------------------------------------
# Not text at all


def _control_noise(size: int) -> bytes:
    rng = random.Random(20220713)
    return bytes(
        rng.randrange(0, 32) if rng.random() < 0.5 else rng.randrange(32, 127) for _ in range(size)
    )


BINARIES = [
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), id="png"),
    pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32), id="jpeg"),
    pytest.param(b"GIF89a\x01\x00\x01\x00", id="gif"),
    pytest.param(b"PK\x03\x04\x14\x00\x00\x00", id="zip"),
    pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", id="pdf"),
    pytest.param(b"\x1f\x8b\x08\x00\x00\x00\x00\x00", id="gzip"),
    pytest.param(_control_noise(4096), id="control-characters"),
]


@pytest.mark.parametrize("data", BINARIES)
def test_binary_input_is_not_text(data: bytes) -> None:
    with pytest.raises(zhconvert.NotTextError) as info:
        zhconvert.loads(data)
    assert str(info.value) == "not a text file"
    assert isinstance(info.value, zhconvert.DecodeError)
    assert isinstance(info.value, zhconvert.ZhconvertError)


def test_binary_input_error_names_the_path() -> None:
    with pytest.raises(zhconvert.NotTextError) as info:
        zhconvert.loads(BINARIES[0].values[0], path="posts/cover.md")
    assert str(info.value) == "posts/cover.md: not a text file"
    assert info.value.path == "posts/cover.md"


def test_utf16_is_not_mistaken_for_binary() -> None:
    # Every ASCII character of UTF-16 has a zero byte: only the BOM tells it from a binary.
    data = codecs.BOM_UTF16_LE + ("---\ntitle: 'ascii only'\n---\n\n<p>plain</p>\n").encode(
        "utf-16-le"
    )
    doc = zhconvert.loads(data)
    assert doc.meta.title == "ascii only"
    assert doc.blocks == (Paragraph((Text("plain"),)),)


# ---------------------------------------------------------------------------------------------
# Empty input


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", "", codecs.BOM_UTF8], ids=repr)
def test_empty_input_has_no_blocks(data: bytes | str) -> None:
    doc = zhconvert.loads(data)
    assert doc.blocks == ()
    assert doc.footnotes == ()
    assert doc.front_matter is None
    assert doc.source.body_format == "empty"
    assert doc.meta == zhconvert.Metadata()
    assert doc.warnings == ()


def test_front_matter_without_body_is_empty() -> None:
    doc = zhconvert.loads(b"---\ntitle: 'only metadata'\n---\n")
    assert doc.blocks == ()
    assert doc.source.body_format == "empty"
    assert doc.meta.title == "only metadata"
