"""Hexo reads UTF-8 only: a rewritten GB18030 or UTF-16 post is written as UTF-8, unless kept."""

from __future__ import annotations

import codecs
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from normalize_support import FRONT_MATTER, make_post, split_post

from zhconvert.images.hosts import hint_line
from zhconvert.normalize import normalize_bytes, normalize_file

WritePost = Callable[..., Path]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_gb18030_post_is_written_as_utf8(write_post: WritePost) -> None:
    content = make_post(encoding="gb18030", newline="\r\n")
    path = write_post("post.md", content)
    result = normalize_file(path)
    assert (result.status, result.encoding, result.reencoded) == ("fixed", "gb18030", True)
    new = path.read_bytes()
    text = new.decode("utf-8")  # strict: every byte is UTF-8
    assert not new.startswith(codecs.BOM_UTF8)
    # the front matter is the file's own, character for character, CRLF kept
    assert split_post(new)[0].decode("utf-8") == split_post(content)[0].decode("gb18030")
    assert text.startswith(FRONT_MATTER.replace("\n", "\r\n"))
    assert "第一段" in text and "\n" not in text.replace("\r\n", "")
    assert normalize_file(path).status == "unchanged"


def test_utf16_post_loses_its_mark_and_becomes_utf8() -> None:
    content = make_post(encoding="utf-16-le", bom=True)
    once = normalize_bytes(content)
    assert once is not None
    assert not once.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF8))
    assert once.decode("utf-8").startswith(FRONT_MATTER)
    assert "**粗体**" in once.decode("utf-8")


@pytest.mark.parametrize(("encoding", "bom"), [("gb18030", False), ("utf-16-le", True)])
def test_keep_writes_the_original_encoding(encoding: str, bom: bool) -> None:
    content = make_post(encoding=encoding, bom=bom)
    once = normalize_bytes(content, encoding="keep")
    assert once is not None
    assert once.startswith(codecs.BOM_UTF16_LE) is bom
    assert "**粗体**" in once.removeprefix(codecs.BOM_UTF16_LE).decode(encoding)


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_utf8_posts_keep_their_mark_and_line_endings(bom: bool, newline: str) -> None:
    content = make_post(bom=bom, newline=newline)
    once = normalize_bytes(content)
    assert once is not None
    assert once.startswith(codecs.BOM_UTF8) is bom
    assert once.startswith(codecs.BOM_UTF8 + FRONT_MATTER.replace("\n", newline).encode()) is bom
    assert once.removeprefix(codecs.BOM_UTF8).startswith(
        FRONT_MATTER.replace("\n", newline).encode()
    )


def test_bad_encoding_option_is_an_error() -> None:
    from zhconvert.errors import OptionError

    with pytest.raises(OptionError, match="encoding"):
        normalize_bytes(make_post(), encoding="latin-1")


def test_cli_says_so_and_keep_flag_and_config_key(cli: Callable[..., Any], repo: Path) -> None:
    post = repo / "post.md"
    post.write_bytes(make_post(encoding="gb18030"))
    result = cli("normalize", "post.md", cwd=repo)
    hint = hint_line(1)  # the post's figure is on Zhihu's image host
    assert (result.code, result.err_lines) == (1, ["fixed: post.md (GB18030 → UTF-8)", hint])
    post.read_bytes().decode("utf-8")

    post.write_bytes(make_post(encoding="gb18030"))
    kept = cli("normalize", "--encoding", "keep", "post.md", cwd=repo)
    assert (kept.code, kept.err_lines) == (1, ["fixed: post.md", hint])
    with pytest.raises(UnicodeDecodeError):
        post.read_bytes().decode("utf-8")

    post.write_bytes(make_post(encoding="gb18030"))
    (repo / "zhconvert.toml").write_text('encoding = "keep"\n', encoding="utf-8")
    configured = cli("normalize", "post.md", cwd=repo)
    assert configured.err_lines == ["fixed: post.md", hint]
    shown = cli("config", cwd=repo)
    assert "encoding" in shown.out and "keep" in shown.out
    overridden = cli("normalize", "--encoding", "utf-8", "--check", "post.md", cwd=repo)
    assert overridden.err_lines == []  # already converted: nothing more to do
    (repo / "zhconvert.toml").write_text('encoding = "latin-1"\n', encoding="utf-8")
    bad = cli("normalize", "post.md", cwd=repo)
    assert bad.code == 2 and "encoding" in bad.err
