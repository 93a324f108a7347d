"""``zhconvert.normalize``: one file at a time, through the public API."""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from normalize_support import (
    FRONT_MATTER,
    HTML_BODY,
    MARKDOWN_BODY,
    README,
    html_in_markdown,
    make_post,
    split_post,
)

import zhconvert
from zhconvert.errors import OptionError
from zhconvert.normalize import NormalizeResult, normalize_bytes, normalize_file

WritePost = Callable[..., Path]


def body_text(data: bytes, encoding: str = "utf-8") -> str:
    return split_post(data.removeprefix(codecs.BOM_UTF8))[1].decode(encoding)


def test_html_post_becomes_clean_markdown(write_post: WritePost) -> None:
    path = write_post("post.md")
    original = path.read_bytes()
    result = normalize_file(path)
    assert isinstance(result, NormalizeResult)
    assert result.status == "fixed" and result.changed
    assert result.before == original
    new = path.read_bytes()
    assert result.after == new
    # The front matter is the file's own bytes, the body is Markdown without HTML.
    assert split_post(new)[0] == split_post(original)[0]
    body = body_text(new)
    assert html_in_markdown(body) == []
    assert "<" not in body
    for words in ("张三", "第一段", "**粗体**", "](https://example.com/a)", "甲", "乙"):
        assert words in body
    assert zhconvert.loads(new).source.body_format == "markdown"


def test_second_run_changes_nothing(write_post: WritePost) -> None:
    path = write_post("post.md")
    assert normalize_file(path).status == "fixed"
    once = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    result = normalize_file(path)
    assert result.status == "unchanged"
    assert "markdown" in result.reason
    assert path.read_bytes() == once
    assert path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(make_post(MARKDOWN_BODY), id="markdown-post"),
        pytest.param(README.encode(), id="readme-with-html"),
        pytest.param(HTML_BODY.encode(), id="html-without-front-matter"),
        pytest.param(b"", id="empty-file"),
        pytest.param(b"---\ntitle: x\n", id="unclosed-front-matter"),
        pytest.param(make_post("\n"), id="empty-body"),
        pytest.param(make_post(MARKDOWN_BODY, newline="\r\n", bom=True), id="markdown-crlf-bom"),
    ],
)
def test_left_alone_byte_for_byte(write_post: WritePost, content: bytes) -> None:
    path = write_post("file.md", content, mode=0o640)
    before = path.stat()
    for check in (True, False):
        result = normalize_file(path, check=check)
        assert result.status == "unchanged", result.reason
        assert not result.changed
    assert path.read_bytes() == content
    after = path.stat()
    assert (after.st_mtime_ns, after.st_ino, after.st_mode) == (
        before.st_mtime_ns,
        before.st_ino,
        before.st_mode,
    )
    assert normalize_bytes(content) is None


HAND_WRITTEN = [
    '\n<img src="cover.png" width="300">\n\nSome *Markdown* with a [link](https://example.com).'
    '\n\n## A heading\n\n- one\n- two\n\n```python\nprint("<b>hi</b>")\n```\n',
    "\n<!-- more -->\nHello *world*\n\n1. one\n2. two\n",
    '\n<div align="center"><img src="a.png"></div>\n\n正文，**粗体**。\n',
    "\n<p>An HTML paragraph</p>\n\nthen plain Markdown text\n",
]


@pytest.mark.parametrize("body", HAND_WRITTEN)
def test_markdown_starting_with_html_is_left_alone(write_post: WritePost, body: str) -> None:
    # Converting the rest as HTML would flatten the Markdown: the reader sees Markdown chunks.
    content = make_post(body)
    path = write_post("hand.md", content)
    result = normalize_file(path)
    assert result.status == "unchanged"
    assert result.reason == "body is markdown, not HTML"
    assert path.read_bytes() == content


def test_check_writes_nothing(write_post: WritePost) -> None:
    path = write_post("post.md")
    original = path.read_bytes()
    result = normalize_file(path, check=True)
    assert result.status == "would-fix" and result.changed
    assert path.read_bytes() == original
    assert result.after == normalize_bytes(original)
    assert list(path.parent.iterdir()) == [path]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("final_newline", [False, True])
def test_keeps_bom_newlines_and_final_newline(
    write_post: WritePost, newline: str, bom: bool, final_newline: bool
) -> None:
    content = make_post(newline=newline, bom=bom, final_newline=final_newline)
    path = write_post("post.md", content)
    assert normalize_file(path).status == "fixed"
    new = path.read_bytes()
    assert new.startswith(codecs.BOM_UTF8) is bom
    text = new.decode("utf-8-sig" if bom else "utf-8")
    assert text.endswith(newline) is final_newline
    # Every line ending is the file's own: no stray LF in a CRLF file, no CR in an LF file.
    others = text.replace(newline, "")
    assert "\r" not in others and "\n" not in others
    assert text.startswith(FRONT_MATTER.replace("\n", newline))
    assert normalize_file(path).status == "unchanged"


@pytest.mark.parametrize("final_newline", [False, True])
@pytest.mark.parametrize("front_matter", ["keep", "normalize"])
def test_final_newline_kept_whatever_the_writer_ends_with(
    write_post: WritePost, final_newline: bool, front_matter: str
) -> None:
    # A line break closing a paragraph has made the writer end with a blank line.
    content = make_post("\n<div><p><b>知<a</b><br></p></div>\n", final_newline=final_newline)
    path = write_post("post.md", content)
    assert normalize_file(path, front_matter=front_matter).status == "fixed"
    new = path.read_bytes()
    assert new.endswith(b"\n") is final_newline
    assert not new.endswith(b"\n\n")


@pytest.mark.parametrize("final_newline", [False, True])
def test_html_body_that_converts_to_nothing(write_post: WritePost, final_newline: bool) -> None:
    content = make_post("\n<div><p></p><p><br></p></div>\n", final_newline=final_newline)
    path = write_post("post.md", content)
    assert normalize_file(path).status == "fixed"
    # Only the front matter is left, with its own closing line ending.
    assert path.read_bytes() == FRONT_MATTER.encode()
    assert normalize_file(path).status == "unchanged"


def test_keeps_mixed_line_endings_in_front_matter(write_post: WritePost) -> None:
    front = FRONT_MATTER.replace("\n", "\r\n").replace("author: 知乎\r\n", "author: 知乎\n")
    path = write_post("post.md", (front + HTML_BODY.replace("\n", "\r\n")).encode())
    assert normalize_file(path).status == "fixed"
    assert path.read_bytes().startswith(front.encode())


def test_keeps_gb18030(write_post: WritePost) -> None:
    content = make_post(encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    path = write_post("post.md", content)
    result = normalize_file(path, encoding="keep")
    assert result.status == "fixed"
    assert result.encoding == "gb18030"
    new = path.read_bytes()
    assert split_post(new)[0] == split_post(content)[0]
    assert "第一段" in new.decode("gb18030")


def test_keeps_utf16_with_bom(write_post: WritePost) -> None:
    content = make_post(encoding="utf-16-le", bom=True, newline="\r\n")
    path = write_post("post.md", content)
    assert normalize_file(path, encoding="keep").status == "fixed"
    new = path.read_bytes()
    assert new.startswith(codecs.BOM_UTF16_LE)
    text = new[2:].decode("utf-16-le")
    assert text.startswith(FRONT_MATTER.replace("\n", "\r\n"))
    assert "**粗体**" in text


@pytest.mark.parametrize("mode", [0o600, 0o644, 0o664, 0o755])
def test_keeps_permission_bits(write_post: WritePost, mode: int) -> None:
    path = write_post("post.md", mode=mode)
    assert normalize_file(path).status == "fixed"
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert [p.name for p in path.parent.iterdir()] == ["post.md"]


def test_writes_through_a_symbolic_link(write_post: WritePost) -> None:
    real = write_post("real/post.md")
    link = real.parent.parent / "link.md"
    link.symlink_to(real)
    result = normalize_file(link)
    assert result.status == "fixed"
    assert result.path == link
    assert link.is_symlink()
    assert zhconvert.load(real).source.body_format == "markdown"


def test_front_matter_normalize_writes_typed_metadata(write_post: WritePost) -> None:
    path = write_post("post.md", make_post(newline="\r\n", bom=True))
    assert normalize_file(path, front_matter="normalize").status == "fixed"
    new = path.read_bytes()
    assert new.startswith(codecs.BOM_UTF8 + b"---\r\n")
    text = new.decode("utf-8-sig")
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    doc = zhconvert.loads(new)
    assert doc.source.body_format == "markdown"
    # The ISO date and the repaired title ("_" was an ASCII "?") are in the YAML.
    assert "Wed, 13 Jul" not in text
    assert "2022-07-13" in text
    assert doc.meta.title == "一篇测试文章?"
    assert normalize_file(path, front_matter="normalize").status == "unchanged"


def test_images_src_keeps_the_displayed_url(write_post: WritePost) -> None:
    best = write_post("best.md")
    src = write_post("src.md")
    normalize_file(best)
    normalize_file(src, image_source="src")
    assert "v2-abc_r.jpg" in best.read_text("utf-8")
    assert "v2-abc_720w.jpg" not in best.read_text("utf-8")
    assert "v2-abc_720w.jpg" in src.read_text("utf-8")
    assert "v2-abc_r.jpg" not in src.read_text("utf-8")


def test_images_src_reaches_figures_inside_quotes_and_lists(write_post: WritePost) -> None:
    figure = (
        '<figure><img src="https://pic1.zhimg.com/v2-q_720w.jpg" '
        'data-original="https://pic1.zhimg.com/v2-q_r.jpg"></figure>'
    )
    body = f"\n<div><blockquote>{figure}</blockquote><ol><li>{figure}</li></ol></div>\n"
    path = write_post("post.md", make_post(body))
    assert normalize_file(path, image_source="src").status == "fixed"
    text = path.read_text("utf-8")
    assert "v2-q_r.jpg" not in text
    assert text.count("v2-q_720w.jpg") == 2


def test_invalid_utf8_is_left_untouched(write_post: WritePost) -> None:
    # A UTF-8 post with one broken byte: the reader replaces it, normalize must not write that.
    content = make_post().replace("第二段".encode(), b"\xff\xfe" + "第二段".encode())
    path = write_post("post.md", content)
    result = normalize_file(path)
    assert result.status == "failed"
    assert "not valid utf-8" in result.reason
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "not a text file"),
        (codecs.BOM_UTF8 + b"\n---\ntitle: x\n---\n\n<p>\xff</p>", "not valid utf-8"),
    ],
)
def test_unreadable_content_is_reported_not_raised(
    write_post: WritePost, content: bytes, reason: str
) -> None:
    path = write_post("bad.md", content)
    result = normalize_file(path)
    assert result.status == "failed"
    assert reason in result.reason
    assert str(path) not in result.reason
    assert path.read_bytes() == content


def test_missing_folder_and_unreadable_files_fail(tmp_path: Path, write_post: WritePost) -> None:
    assert normalize_file(tmp_path / "nope.md").reason == "no such file"
    assert normalize_file(tmp_path).reason == "not a regular file"
    if os.geteuid() != 0:  # root reads anything
        locked = write_post("locked.md", mode=0o000)
        assert normalize_file(locked).reason == "permission denied"


def test_long_file_names_are_rewritten(write_post: WritePost) -> None:
    # 249 bytes: the temporary file beside it must not be named after the post.
    path = write_post("长" * 82 + ".md")
    assert len(path.name.encode()) == 249
    assert normalize_file(path).status == "fixed"
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_write_failure_is_reported_and_keeps_the_post(write_post: WritePost) -> None:
    # A file-size limit makes the write fail for real, even for root.
    import subprocess
    import sys

    path = write_post("post.md")
    original = path.read_bytes()
    script = (
        "import resource, signal, sys\n"
        "from zhconvert.normalize import normalize_file\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (64, 64))\n"
        "result = normalize_file(sys.argv[1])\n"
        "print(result.status, result.reason)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("failed cannot write"), out
    assert path.read_bytes() == original
    assert [p.name for p in path.parent.iterdir()] == [path.name]


def test_read_only_folder_fails_and_keeps_the_post(write_post: WritePost) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    path = write_post("ro/post.md")
    original = path.read_bytes()
    path.parent.chmod(0o555)
    try:
        result = normalize_file(path)
    finally:
        path.parent.chmod(0o755)
    assert result.status == "failed"
    assert "cannot write" in result.reason
    assert path.read_bytes() == original


def test_a_post_edited_during_conversion_is_not_overwritten(
    write_post: WritePost, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zhconvert.normalize as normalize_module

    path = write_post("post.md")
    edited = make_post(MARKDOWN_BODY + "\nthe editor's last sentence, longer than before\n")
    real_dumps = normalize_module.dumps

    def dumps_while_someone_saves(*args: object, **kwargs: object) -> object:
        path.write_bytes(edited)  # an editor saves the post while it is being converted
        return real_dumps(*args, **kwargs)

    monkeypatch.setattr(normalize_module, "dumps", dumps_while_someone_saves)
    result = normalize_file(path)
    assert result.status == "failed"
    assert result.reason == "changed while it was being normalized"
    assert path.read_bytes() == edited


def test_bad_options_raise() -> None:
    with pytest.raises(OptionError):
        normalize_file("x.md", front_matter="none")
    with pytest.raises(OptionError):
        normalize_bytes(b"", images="large")


def test_broken_yaml_front_matter_is_kept_as_is(write_post: WritePost) -> None:
    # The feed generator's quoting breaks on a title with "'": the bytes must survive.
    front = FRONT_MATTER.replace("'一篇测试文章_'", "'It's broken'")
    path = write_post("post.md", make_post(front_matter=front))
    result = normalize_file(path)
    assert result.status == "fixed"
    assert path.read_bytes().startswith(front.encode())
