"""Never destroy a user's file: no output of ``convert`` or ``book`` replaces an input, or another
output of the same run (issue 11).

Each case is refused before anything is written, with one line naming both files, exit 1.
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest

import zhconvert
from zhconvert._cli import run

HAND_WRITTEN = "---\ntitle: 手写\n---\n\n我自己写的文章，不能丢。\n"
HTML_POST = "---\ntitle: 抓取\ndate: 2022-07-13 15:40:55\n---\n<div><p>抓来的 HTML 正文</p></div>\n"


def cli(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = run([os.fspath(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` (links not followed) and a digest of its bytes."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def make_folder(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "posts"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------------------------
# convert


def test_convert_into_its_own_folder_never_replaces_a_hand_written_post(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a.html becomes a.md: the post written by hand beside it must survive.
    folder = make_folder(tmp_path, {"a.md": HAND_WRITTEN, "a.html": HTML_POST})
    before = snapshot(folder)
    code, err = cli(capsys, "convert", folder, "-o", folder, "--jobs", "1")
    assert code == 1
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert str(folder / "a.md") in lines[0] and str(folder / "a.html") in lines[0]
    assert snapshot(folder) == before  # nothing written, not even the outputs that were safe


def test_two_inputs_that_map_to_one_output_are_both_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_folder(tmp_path, {"a.md": HAND_WRITTEN, "a.html": HTML_POST})
    out = tmp_path / "out"
    code, _ = cli(capsys, "convert", folder, "-o", out, "--jobs", "1", "-q")
    assert code == 0
    texts = sorted(p.read_text("utf-8") for p in out.iterdir())
    assert len(texts) == 2
    assert any("我自己写的文章" in t for t in texts) and any("抓来的" in t for t in texts)


def test_outputs_differing_only_in_case_are_both_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # On a case-insensitive file system (macOS, Windows) A.md and a.md are one file.
    folder = make_folder(tmp_path, {"A.html": HTML_POST, "a.html": HAND_WRITTEN})
    out = tmp_path / "out"
    code, _ = cli(capsys, "convert", folder, "-o", out, "--jobs", "1", "-q")
    assert code == 0
    names = sorted(p.name.casefold() for p in out.iterdir())
    assert len(names) == len(set(names)) == 2


def test_a_single_post_onto_itself_is_refused_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / "post.md"
    post.write_text(HTML_POST, encoding="utf-8")
    code, err = cli(capsys, "convert", post, "-o", post)
    assert code == 1 and err.startswith(f"Error: {post}: ") and err.count("\n") == 1
    assert post.read_text("utf-8") == HTML_POST


@pytest.mark.parametrize("kind", ["hard link", "symbolic link"])
def test_an_output_that_is_an_input_under_another_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    post = tmp_path / "post.md"
    post.write_text(HTML_POST, encoding="utf-8")
    other = tmp_path / "other.md"
    if kind == "hard link":
        os.link(post, other)
    else:
        other.symlink_to(post)
    code, err = cli(capsys, "convert", post, "-o", other)
    assert code == 1 and str(post) in err and str(other) in err
    assert post.read_text("utf-8") == HTML_POST


def test_an_output_folder_whose_files_are_inputs_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The output of posts/x/b.html is out/x/b.md, a hard link to an input elsewhere.
    folder = make_folder(tmp_path, {"x/b.html": HTML_POST, "c.md": HAND_WRITTEN})
    out = tmp_path / "out"
    (out / "x").mkdir(parents=True)
    os.link(folder / "c.md", out / "x" / "b.md")
    before = snapshot(folder)
    code, err = cli(capsys, "convert", folder, "-o", out, "--jobs", "1")
    assert code == 1
    assert str(folder / "c.md") in err and str(folder / "x" / "b.html") in err
    assert snapshot(folder) == before
    assert not (out / "c.md").exists()  # refused before anything was written


def test_an_output_folder_inside_the_input_folder_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_folder(tmp_path, {"a.md": HAND_WRITTEN, "b.html": HTML_POST})
    before = snapshot(folder)
    out = folder / "clean"
    code, _ = cli(capsys, "convert", folder, "-o", out, "--jobs", "1", "-q")
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "b.md"]
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if not k.startswith("clean/")} == before
    # A second run neither reads its own outputs nor is refused because of them.
    code, _ = cli(capsys, "convert", folder, "-o", out, "--jobs", "1", "-q")
    assert code == 0


# ---------------------------------------------------------------------------------------------
# book


def test_book_onto_its_own_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / "post.md"
    post.write_text(HTML_POST, encoding="utf-8")
    code, err = cli(capsys, "book", post, "-o", post, "--images", "omit", "-q")
    assert code == 1 and err.count("\n") == 1 and err.startswith("Error: ")
    assert str(post) in err
    assert post.read_text("utf-8") == HTML_POST


def test_book_volumes_never_replace_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # vol-1.md, the first volume's name, is one of the posts.
    folder = make_folder(
        tmp_path,
        {"vol-1.md": HAND_WRITTEN, "b.md": HTML_POST, "c.md": HTML_POST.replace("抓取", "丙")},
    )
    before = snapshot(folder)
    code, err = cli(
        capsys, "book", folder, "-o", folder / "vol.md", "--split", "1", "--images", "omit", "-q"
    )
    assert code == 1 and err.count("\n") == 1
    assert str(folder / "vol-1.md") in err
    assert snapshot(folder) == before  # no volume written, not even vol-2.md or vol-3.md


def test_book_refuses_a_folder_file_that_is_not_a_post_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README.md is left out of the book (no front matter), but it is still the user's file.
    folder = make_folder(tmp_path, {"README.md": "# my blog\n", "b.md": HTML_POST})
    code, err = cli(capsys, "book", folder, "-o", folder / "README.md", "--images", "omit")
    assert code == 1 and str(folder / "README.md") in err
    assert (folder / "README.md").read_text("utf-8") == "# my blog\n"


def test_build_book_refuses_too(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text(HTML_POST, encoding="utf-8")
    with pytest.raises(zhconvert.ZhconvertError, match="would replace"):
        zhconvert.build_book([post], post, images="omit", progress=False)
    assert post.read_text("utf-8") == HTML_POST


def test_book_into_its_input_folder_with_a_new_name_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_folder(tmp_path, {"b.md": HTML_POST})
    code, _ = cli(capsys, "book", folder, "-o", folder / "book.epub", "--images", "omit", "-q")
    assert code == 0 and (folder / "book.epub").is_file()


if sys.platform == "win32":  # pragma: no cover - links and modes differ
    pytestmark = pytest.mark.skip("POSIX file semantics")
