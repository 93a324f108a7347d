"""One rule for usage errors: exit 2, one line that names the option and the value, printed once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from zhconvert._cli import run

POST = (
    "\n---\ntitle: '用法'\nauthor: 知乎\ndate: 2022-04-15 00:40:41\n---\n\n<div>\n"
    "<p>第一段。</p>\n</div>\n"
)


def cli(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([os.fspath(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.md").write_text(POST, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("argv", "names"),
    [
        (["--wrap", "-3", "-t", "txt"], ["--wrap", "-3"]),
        (["--wrap", "0", "-t", "txt"], ["--wrap", "0"]),
        (["--wrap", "abc", "-t", "txt"], ["--wrap", "abc"]),
        (["-t", "mdd"], ["mdd", "md"]),
        (["--wrapp", "3"], ["--wrapp", "--wrap"]),
        (["--jobs", "0"], ["--jobs", "0"]),
    ],
    ids=["wrap-negative", "wrap-zero", "wrap-not-a-number", "unknown-format", "misspelled", "jobs"],
)
def test_a_usage_error_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
    posts: Path,
    tmp_path: Path,
    argv: list[str],
    names: list[str],
) -> None:
    code, _, err = cli(capsys, "convert", posts, "-o", tmp_path / "out", *argv)
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err  # once, not once per post; no usage block
    assert lines[0].startswith("Error: ")
    for name in names:
        assert name in lines[0]
    assert not (tmp_path / "out").exists(), "nothing is written after a usage error"


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "abc"])
def test_book_timeout_must_be_a_positive_finite_number(
    capsys: pytest.CaptureFixture[str], posts: Path, tmp_path: Path, value: str
) -> None:
    code, _, err = cli(capsys, "book", posts, "-o", tmp_path / "b.epub", f"--timeout={value}")
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "--timeout" in err and value in err
    assert not (tmp_path / "b.epub").exists()


@pytest.mark.parametrize("command", [["book", "-", "-o", "x.epub"], ["normalize", "-"]])
def test_standard_input_is_refused_by_book_and_normalize(
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, *command)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "standard input" in err and command[0] in err


def test_convert_of_a_folder_to_an_epub_name_points_to_book(
    capsys: pytest.CaptureFixture[str], posts: Path, tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "convert", posts, "-o", tmp_path / "out.epub")
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "zhconvert book" in err
    assert not (tmp_path / "out.epub").exists()


def test_one_post_to_an_epub_name_is_still_one_book(
    capsys: pytest.CaptureFixture[str], posts: Path, tmp_path: Path
) -> None:
    code, _, err = cli(capsys, "convert", posts / "a.md", "-o", tmp_path / "a.epub")
    assert code == 0, err
    assert (tmp_path / "a.epub").read_bytes().startswith(b"PK")
