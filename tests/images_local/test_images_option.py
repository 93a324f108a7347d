"""``--images remote|local|embed|omit``: one meaning in convert, book, normalize and the config file.

The old spellings keep working for this release, each with one warning naming the new one:
``--images link`` (EPUB) is ``remote``; normalize's ``--images best|src`` and the config key
``images = "best"|"src"`` are ``--image-source`` / ``image-source``.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from images_local_support import CliResult, html_post

URL = "https://pic1.zhimg.com/v2-abc_r.jpg"


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_text(html_post(URL), encoding="utf-8")
    return path


def one_line_usage_error(result: CliResult, *needles: str) -> str:
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error:"), lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- invalid combinations: one line, exit 2, naming the fix


def test_embed_is_for_epub_only(cli: Callable[..., CliResult], post: Path, tmp_path: Path) -> None:
    result = cli("convert", post, "-t", "md", "-o", tmp_path / "out.md", "--images", "embed")
    one_line_usage_error(result, "--images embed", "--images local")
    assert not (tmp_path / "out.md").exists()


def test_local_needs_an_output_file(cli: Callable[..., CliResult], post: Path) -> None:
    one_line_usage_error(cli("convert", post, "-t", "md", "--images", "local"), "-o")


@pytest.mark.parametrize("fmt", ["txt", "json", "epub"])
def test_local_is_for_markdown_only(
    cli: Callable[..., CliResult], post: Path, tmp_path: Path, fmt: str
) -> None:
    result = cli("convert", post, "-t", fmt, "-o", tmp_path / f"out.{fmt}", "--images", "local")
    line = one_line_usage_error(result, "--images local")
    assert ("--images embed" in line) if fmt == "epub" else ("markdown" in line)


def test_book_refuses_local(cli: Callable[..., CliResult], post: Path, tmp_path: Path) -> None:
    result = cli("book", post, "-o", tmp_path / "b.epub", "--images", "local")
    one_line_usage_error(result, "--images local", "--images embed")


def test_normalize_refuses_embed(cli: Callable[..., CliResult], post: Path) -> None:
    before = post.read_bytes()
    one_line_usage_error(cli("normalize", post, "--images", "embed"), "--images local")
    assert post.read_bytes() == before


# -- omit: the image goes, its caption stays as text


@pytest.mark.parametrize("fmt", ["md", "txt"])
def test_omit_keeps_the_caption_as_text(
    cli: Callable[..., CliResult], post: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    result = cli("convert", post, "-t", fmt, "-o", out, "--images", "omit")
    assert result.code == 0, result.err
    text = out.read_text(encoding="utf-8")
    assert "zhimg.com" not in text
    assert "图0" in text
    assert "![" not in text


def test_remote_is_the_markdown_default(
    cli: Callable[..., CliResult], post: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.md"
    assert cli("convert", post, "-o", out).code == 0
    default = out.read_text(encoding="utf-8")
    assert f"]({URL})" in default
    assert cli("convert", post, "-o", out, "--images", "remote").code == 0
    assert out.read_text(encoding="utf-8") == default


# -- the old spellings


def test_link_is_remote_with_a_warning(
    cli: Callable[..., CliResult], post: Path, tmp_path: Path
) -> None:
    book = tmp_path / "b.epub"
    result = cli("convert", post, "-t", "epub", "-o", book, "--images", "link")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if "deprecated" in line]
    assert len(warnings) == 1 and "--images remote" in warnings[0], result.err
    with zipfile.ZipFile(book) as epub:
        assert not [n for n in epub.namelist() if n.startswith("EPUB/images/")]
        chapters = [epub.read(n).decode() for n in epub.namelist() if n.endswith(".xhtml")]
    assert any(URL in chapter for chapter in chapters)


def test_remote_in_a_book_links_the_images(
    cli: Callable[..., CliResult], post: Path, tmp_path: Path
) -> None:
    book = tmp_path / "b.epub"
    result = cli("convert", post, "-t", "epub", "-o", book, "--images", "remote")
    assert result.code == 0, result.err
    assert "deprecated" not in result.err
    with zipfile.ZipFile(book) as epub:
        assert not [n for n in epub.namelist() if n.startswith("EPUB/images/")]


FIGURE_SRC = (
    '<figure><img src="https://pic1.zhimg.com/v2-abc_b.jpg" '
    'data-original="https://pic1.zhimg.com/v2-abc_r.jpg"><figcaption>图</figcaption></figure>'
)


def src_post(tmp_path: Path, name: str = "post.md") -> Path:
    path = tmp_path / name
    path.write_text(html_post().replace("<p>后文。</p>", FIGURE_SRC), encoding="utf-8")
    return path


def test_image_source_src(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    best, src = src_post(tmp_path, "best.md"), src_post(tmp_path, "src.md")
    assert cli("normalize", best).code == 1
    assert "v2-abc_r.jpg)" in best.read_text(encoding="utf-8")
    result = cli("normalize", "--image-source", "src", src)
    assert result.code == 1 and "Warning" not in result.err, result.err
    assert "v2-abc_b.jpg)" in src.read_text(encoding="utf-8")


def test_normalize_images_src_still_works_with_a_warning(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    post = src_post(tmp_path)
    result = cli("normalize", "--images", "src", post)
    assert result.code == 1
    warnings = [line for line in result.err.splitlines() if line.startswith("Warning")]
    assert len(warnings) == 1 and "--image-source src" in warnings[0], result.err
    assert "v2-abc_b.jpg)" in post.read_text(encoding="utf-8")


def test_config_images_src_still_works_with_a_warning(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "zhconvert.toml").write_text('images = "src"\n', encoding="utf-8")
    post = src_post(tmp_path)
    result = cli("normalize", post, cwd=tmp_path)
    assert result.code == 1
    warnings = [line for line in result.err.splitlines() if line.startswith("Warning")]
    assert len(warnings) == 1 and 'image-source = "src"' in warnings[0], result.err
    assert "v2-abc_b.jpg)" in post.read_text(encoding="utf-8")


def test_config_command_shows_the_image_keys(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "zhconvert.toml").write_text(
        'images = "local"\nimage-source = "src"\nimage-folder = "pics"\n', encoding="utf-8"
    )
    result = cli("config", "--json", cwd=tmp_path)
    assert result.code == 0, result.err
    settings = json.loads(result.out)["settings"]
    assert settings["images"]["value"] == "local"
    assert settings["image-source"]["value"] == "src"
    assert settings["image-folder"]["value"] == "pics"
    result = cli("config", "--json", "--images", "omit", cwd=tmp_path)
    assert json.loads(result.out)["settings"]["images"]["value"] == "omit"


def test_config_images_value_that_does_not_exist(
    cli: Callable[..., CliResult], post: Path, tmp_path: Path
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "zhconvert.toml").write_text('images = "lokal"\n', encoding="utf-8")
    result = cli("normalize", post, cwd=tmp_path)
    assert result.code == 2
    assert '"remote", "local", "embed" or "omit"' in result.err


def test_config_local_does_not_break_a_book(
    cli: Callable[..., CliResult], post: Path, tmp_path: Path
) -> None:
    # A blog's zhconvert.toml says local for its posts; an EPUB keeps its own default (embed).
    (tmp_path / ".git").mkdir()
    (tmp_path / "zhconvert.toml").write_text('images = "local"\n', encoding="utf-8")
    result = cli(
        "convert",
        post,
        "-t",
        "epub",
        "-o",
        tmp_path / "b.epub",
        "--no-cache",
        "--offline",
        cwd=tmp_path,
    )
    assert result.code == 0, result.err
