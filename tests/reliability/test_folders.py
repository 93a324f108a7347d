"""Folder and book mode: symbolic-link loops, unreadable files, special files, two posts mapping to
one output name, and an output folder inside the input folder.

A folder run converts every good file and names each bad one (``Error: <file>: <reason>``, exit
code 1); nothing is read twice and no input is changed.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reliability_support import (
    Cli,
    CliResult,
    assert_clean_stderr,
    epub_documents,
    run_process,
    snapshot,
)

import zhconvert


def post(title: str) -> bytes:
    return (
        f"\n---\ntitle: '{title}'\nauthor: 知乎\n---\n\n<div><p>{title}的正文</p></div>\n".encode()
    )


Tree = Callable[[dict[str, bytes]], Path]


def outputs(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text("utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------------------------
# Symbolic links


def test_folder_symlink_loops_are_not_followed(cli: Cli, make_tree: Tree, tmp_path: Path) -> None:
    folder = make_tree({"a.md": post("甲"), "sub/b.md": post("乙"), "sub/deeper/c.md": post("丙")})
    (folder / "sub" / "loop-to-parent").symlink_to("..", target_is_directory=True)
    (folder / "sub" / "deeper" / "loop-to-root").symlink_to(folder, target_is_directory=True)
    (folder / "self").symlink_to(".", target_is_directory=True)
    before = snapshot(folder)
    result = cli("convert", folder, "-o", tmp_path / "out", "--jobs", "1")
    assert result.code == 0, result.err
    assert sorted(outputs(tmp_path / "out")) == ["a.md", "sub/b.md", "sub/deeper/c.md"]
    book = tmp_path / "book.epub"
    result = cli("book", folder, "-o", book, "--images", "omit", "-q")
    assert result.code == 0
    chapters = [n for n in epub_documents(book.read_bytes()) if "/post-" in n]
    assert len(chapters) == 3
    assert snapshot(folder) == before


def _broken_links(folder: Path) -> list[str]:
    (folder / "dangling.md").symlink_to("nowhere.md")
    (folder / "self.md").symlink_to("self.md")
    (folder / "ping.md").symlink_to("pong.md")
    (folder / "pong.md").symlink_to("ping.md")
    return ["dangling.md", "ping.md", "pong.md", "self.md"]


def test_broken_file_symlinks_are_named_in_a_book(
    cli: Cli, make_tree: Tree, tmp_path: Path
) -> None:
    folder = make_tree({"a.md": post("甲"), "b.md": post("乙")})
    bad = _broken_links(folder)
    book = tmp_path / "book.epub"
    result = cli("book", folder, "-o", book, "--images", "omit")
    assert result.code == 1
    named = sorted(line.split(": ")[2] for line in result.warnings if "skipped" in line)
    assert named == [str(folder / name) for name in bad]
    assert len([n for n in epub_documents(book.read_bytes()) if "/post-" in n]) == 2


def test_broken_file_symlinks_are_named_in_a_folder_run(
    cli: Cli, make_tree: Tree, tmp_path: Path
) -> None:
    folder = make_tree({"a.md": post("甲"), "b.md": post("乙")})
    bad = _broken_links(folder)
    result = cli("convert", folder, "-o", tmp_path / "out", "--jobs", "1")
    assert result.code == 1
    assert sorted(outputs(tmp_path / "out")) == ["a.md", "b.md"]
    assert len(result.errors) == len(bad)


# ---------------------------------------------------------------------------------------------
# Unreadable files. Root reads anything, so as root the command runs in a forked child that has
# become ``nobody`` (everything it needs is imported before the fork).


def _as_nobody(argv: list[str]) -> CliResult:
    from zhconvert._cli import run

    # Once as root on a small folder: the child could not read the modules the command imports.
    with tempfile.TemporaryDirectory() as warm_up:
        (Path(warm_up) / "a.md").write_bytes(post("热身"))
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            run([argv[0], warm_up, "-o", str(Path(warm_up) / "out"), *argv[4:]])
    context = multiprocessing.get_context("fork")
    queue = context.Queue()

    def child() -> None:
        os.setgid(65534)
        os.setuid(65534)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run(argv)
        queue.put((code, out.getvalue(), err.getvalue()))

    process = context.Process(target=child)
    process.start()
    code, out, err = queue.get(timeout=120)
    process.join(timeout=30)
    assert_clean_stderr(err)
    return CliResult(code, out, err)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder that another user may enter (pytest's own is private to root)."""
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="zhconvert-unreadable-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_unreadable_files_are_named_and_the_others_converted(shared_tmp: Path) -> None:
    folder = shared_tmp / "posts"
    folder.mkdir()
    for name in ("a.md", "b.md", "locked.md"):
        (folder / name).write_bytes(post(name[0]))
    (folder / "locked-folder").mkdir()
    (folder / "locked-folder" / "c.md").write_bytes(post("c"))
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o777 if path.is_dir() else 0o666)
    (folder / "locked.md").chmod(0)
    (folder / "locked-folder").chmod(0)
    out = shared_tmp / "out"
    argv = ["convert", str(folder), "-o", str(out), "--jobs", "1"]
    book_argv = ["book", str(folder), "-o", str(shared_tmp / "book.epub"), "--images", "omit"]
    if os.geteuid() == 0:
        result, book = _as_nobody(argv), _as_nobody(book_argv)
    else:
        from zhconvert._cli import run

        result = CliResult(run(argv), "", "")
        book = CliResult(run(book_argv), "", "")
    assert result.code == 1
    assert sorted(p.name for p in out.iterdir()) == ["a.md", "b.md"]
    if result.err:
        assert f"Error: {folder / 'locked.md'}: permission denied" in result.errors
    assert book.code == 1
    assert (
        len([n for n in epub_documents((shared_tmp / "book.epub").read_bytes()) if "/post-" in n])
        == 2
    )
    if book.err:
        assert any("locked.md: permission denied" in line for line in book.warnings)
    (folder / "locked-folder").chmod(0o777)


def _locked_folder_tree(shared_tmp: Path) -> tuple[Path, Path]:
    """``posts/`` with two readable posts and ``posts/locked/`` that only root may read."""
    folder = shared_tmp / "posts"
    (folder / "sub").mkdir(parents=True)
    (folder / "locked").mkdir()
    (folder / "a.md").write_bytes(post("甲"))
    (folder / "sub" / "b.md").write_bytes(post("乙"))
    (folder / "locked" / "c.md").write_bytes(post("丙"))
    for path in (folder, *folder.rglob("*")):
        path.chmod(0o777 if path.is_dir() else 0o666)
    (folder / "locked").chmod(0)
    return folder, folder / "locked"


def _run_unprivileged(argv: list[str]) -> CliResult:
    """Run the command line as a user who cannot read what has mode 0 (``nobody`` for root)."""
    if os.geteuid() == 0:
        return _as_nobody(argv)
    from zhconvert._cli import run

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(argv)
    assert_clean_stderr(err.getvalue())
    return CliResult(code, out.getvalue(), err.getvalue())


def test_an_unreadable_folder_is_named_and_the_others_converted(shared_tmp: Path) -> None:
    folder, locked = _locked_folder_tree(shared_tmp)
    out = shared_tmp / "out"
    result = _run_unprivileged(["convert", str(folder), "-o", str(out), "--jobs", "1"])
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.md")) == ["a.md", "sub/b.md"]
    assert f"{locked}: cannot read folder (permission denied)" in result.err
    book = shared_tmp / "book.epub"
    result = _run_unprivileged(["book", str(folder), "-o", str(book), "--images", "omit"])
    assert result.code == 1  # the book is written, but not with every post
    assert result.warnings == [
        f"Warning: skipped: {locked}: cannot read folder (permission denied)"
    ]
    assert "1 unreadable skipped" in result.err
    assert len([n for n in epub_documents(book.read_bytes()) if "/post-" in n]) == 2
    # the folder given is itself unreadable: nothing to convert, and the reason is given
    result = _run_unprivileged(["book", str(locked), "-o", str(book), "--images", "omit"])
    assert result.code == 1
    assert result.errors == [
        f"Error: no post could be read ({locked}: cannot read folder (permission denied))"
    ]
    locked.chmod(0o777)


def test_convert_exits_1_when_a_folder_cannot_be_read(shared_tmp: Path) -> None:
    folder, locked = _locked_folder_tree(shared_tmp)
    argv = ["convert", str(folder), "-o", str(shared_tmp / "out"), "--jobs", "1"]
    result = _run_unprivileged(argv)
    locked.chmod(0o777)
    assert f"Error: {locked}: cannot read folder (permission denied)" in result.err
    assert result.code == 1


# ---------------------------------------------------------------------------------------------
# Special files


@pytest.mark.slow
def test_a_fifo_among_the_posts_does_not_hang(make_tree: Tree, tmp_path: Path) -> None:
    folder = make_tree({"a.md": post("甲")})
    os.mkfifo(folder / "pipe.md")
    try:
        result = run_process("convert", folder, "-o", tmp_path / "out", "--jobs", "1", timeout=6)
    except subprocess.TimeoutExpired:
        pytest.fail("convert hung on a FIFO")
    assert result.code == 1
    assert "pipe.md" in result.err


# ---------------------------------------------------------------------------------------------
# Two posts, one output name


def test_two_posts_mapping_to_one_output_name_are_both_kept(
    cli: Cli, make_tree: Tree, tmp_path: Path
) -> None:
    files = {
        "a.md": post("一"),
        "a.markdown": post("二"),
        "a.html": post("三"),
        "a-2.md": post("四"),  # already holds the name the second "a" would get
        "A.md": post("五"),
    }
    folder = make_tree(files)
    out = tmp_path / "out"
    result = cli("convert", folder, "-o", out, "--jobs", "2")
    assert result.code == 0, result.err
    written = outputs(out)
    assert len(written) == len(files)
    expected = sorted(str(zhconvert.dumps(zhconvert.loads(data))) for data in files.values())
    assert sorted(written.values()) == expected
    # several inputs named on the command line, from different folders, into one folder
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.md").write_bytes(post("六"))
    result = cli("convert", folder / "a.md", other / "a.md", "-o", tmp_path / "two")
    assert result.code == 0
    assert sorted(outputs(tmp_path / "two")) == ["a-2.md", "a.md"]


def test_an_output_that_is_the_input_is_refused(cli: Cli, make_tree: Tree) -> None:
    folder = make_tree({"a.md": post("甲")})
    before = snapshot(folder)
    result = cli("convert", folder / "a.md", "-o", folder / "a.md")
    assert result.code != 0
    result = cli("convert", folder, "-o", folder)
    assert result.code != 0
    assert snapshot(folder) == before


# ---------------------------------------------------------------------------------------------
# Output inside the input


def test_an_output_folder_inside_the_input_is_not_read_again(
    cli: Cli, make_tree: Tree, tmp_path: Path
) -> None:
    folder = make_tree({"a.md": post("甲"), "sub/b.md": post("乙")})
    out = folder / "converted"
    for _ in range(2):
        result = cli("convert", folder, "-o", out, "--jobs", "1")
        assert result.code == 0
        assert sorted(outputs(out)) == ["a.md", "sub/b.md"]
    # a book written inside its input folder is not a post; a second build is the same book
    book = folder / "book.epub"
    first = cli("book", folder / "sub", "-o", book, "--images", "omit", "-q")
    data = book.read_bytes()
    second = cli("book", folder / "sub", "-o", book, "--images", "omit", "-q")
    assert (first.code, second.code) == (0, 0)
    assert book.read_bytes() == data
