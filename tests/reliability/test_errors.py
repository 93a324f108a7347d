"""No traceback ever reaches a command-line user; errors are one line, ``Error: <file>: <reason>``.

Every command-line test of this folder already checks its stderr (``assert_clean_stderr``);
these tests add the commands and failures the others do not meet: ``inspect`` on every bad input,
a whole folder of them in a real process, an interrupt, a write that fails half-way (a file-size
limit standing in for a full disk), and the API's errors with their path, line and column.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_support import Cli, assert_clean_stderr, run_process
from test_inputs import CASES

import zhconvert
from _paths import python_env


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_inspect_every_bad_input(case: object, cli: Cli, tmp_path: Path) -> None:
    from test_inputs import Case

    assert isinstance(case, Case)
    path = tmp_path / "case.md"
    path.write_bytes(case.data)
    result = cli("inspect", path)
    if case.refused:
        assert (result.code, result.out, result.err) == (1, "", f"Error: {path}: {case.refused}\n")
    else:
        assert result.code == 0 and result.out
        assert all(line.startswith(f"Warning: {path}: ") for line in result.err.splitlines())


@pytest.mark.slow
def test_a_folder_of_every_bad_input_in_a_process(tmp_path: Path) -> None:
    from test_deep_nesting import HTML_CASES
    from test_hostile_markup import POSTS

    folder = tmp_path / "posts"
    folder.mkdir()
    for case in CASES:
        (folder / f"{case.id}.md").write_bytes(case.data)
    for name, source in POSTS.items():
        (folder / f"hostile-{name}.md").write_text(source, encoding="utf-8")
    (folder / "deep.md").write_text("<div>" + HTML_CASES["inline-mix"], encoding="utf-8")
    refused = sum(1 for case in CASES if case.refused)
    for fmt in ("md", "txt", "json", "epub"):
        extra = ["--images", "link", "--no-cache"] if fmt == "epub" else []
        result = run_process("convert", folder, "-o", tmp_path / fmt, "-t", fmt, *extra)
        assert result.code == 1
        assert len(result.errors) == refused
    book = run_process(
        "book", folder, "-o", tmp_path / "book.epub", "--images", "link", "--no-cache"
    )
    assert book.code == 1 and (tmp_path / "book.epub").is_file()


@pytest.mark.slow
def test_an_interrupt_is_one_line(tmp_path: Path, corpus_posts: list[Path]) -> None:
    folder = tmp_path / "posts"
    folder.mkdir()
    for number in range(300):
        source = corpus_posts[number % len(corpus_posts)]
        (folder / f"{number:04d}.md").write_bytes(source.read_bytes())
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "zhconvert", "convert", folder, "-o", out, "--jobs", "2"],
        env=python_env(),
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not out.is_dir() or len(list(out.iterdir())) < 20:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.decode() == "Interrupted.\n"


def _limit_file_size() -> None:
    # A write past 1 KB then fails with EFBIG, as on a full disk (the signal is ignored).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


def _size(path: Path) -> int:
    return path.stat().st_size


def test_a_write_that_fails_leaves_the_old_file_and_no_other(
    tmp_path: Path, corpus_posts: list[Path]
) -> None:
    target = tmp_path / "out" / "post.json"
    target.parent.mkdir()
    target.write_bytes(b"the old output")
    done = subprocess.run(
        [sys.executable, "-m", "zhconvert", "convert", max(corpus_posts, key=_size), "-o", target],
        env=python_env(),
        capture_output=True,
        preexec_fn=_limit_file_size,
        timeout=60,
    )
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.startswith(f"Error: {target}: cannot write: ") and err.count("\n") == 1
    assert_clean_stderr(err)
    assert target.read_bytes() == b"the old output"
    assert [p.name for p in target.parent.iterdir()] == ["post.json"]


def test_outputs_that_cannot_be_written(cli: Cli, tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("\n---\ntitle: 写不了\n---\n\n<p>正文</p>\n", encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = cli("convert", post, tmp_path / "nope.md", "-o", blocker)
    assert result.code == 1
    assert result.errors == [f"Error: {blocker}: exists and is not a folder"]
    unwritable = Path("/proc/zhconvert-cannot-write.md")
    result = cli("convert", post, "-o", unwritable)
    assert result.code == 1
    assert result.err.startswith(f"Error: {unwritable}: cannot write: ")


def test_an_output_below_a_file_is_a_write_error(cli: Cli, tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("<p>正文</p>\n", encoding="utf-8")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    target = blocker / "sub" / "post.md"
    result = cli("convert", post, "-o", target)
    assert result.code == 1
    assert result.err.startswith(f"Error: {target}: cannot write: "), result.err


def test_api_errors_carry_the_path_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "broken.md"
    broken.write_text("\n---\ntitle: 'It's'\n---\n<p>x</p>", encoding="utf-8")
    with pytest.raises(zhconvert.FrontMatterError) as info:
        zhconvert.load(broken, strict=True)
    assert (info.value.path, info.value.line, info.value.column) == (str(broken), 3, 12)
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with pytest.raises(zhconvert.NotTextError) as refused:
        zhconvert.load(binary)
    assert str(refused.value) == f"{binary}: not a text file"
    for missing, reason in ((tmp_path / "nope.md", "no such file"), (tmp_path, "is a folder")):
        with pytest.raises(zhconvert.ZhconvertError) as error:
            zhconvert.load(missing)
        assert str(error.value).startswith(f"{missing}: {reason}")
    with pytest.raises(zhconvert.ZhconvertError) as write_error:
        zhconvert.dump(zhconvert.loads("<p>x</p>"), binary / "x.md")
    assert str(write_error.value).startswith(f"{binary / 'x.md'}: cannot write: ")
