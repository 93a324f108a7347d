"""Clear errors, not internal errors (issue 11).

A worker process that dies costs only its own post; a bad configuration file, a bad
``--timeout``, a full device or a closed standard stream gives one ``Error:`` line naming the file,
the stream or the option, with exit code 2 for usage and configuration errors and 1 otherwise;
a post that cannot be written into a book is named and skipped. (Named ``test_clear_errors``:
``tests/reliability/test_errors.py`` has the other name, and pytest needs basenames unique.)
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

import zhconvert
import zhconvert._commands.convert as convert_module
import zhconvert.epub.book as book_module
from _paths import python_env
from zhconvert._cli import run

HTML_POST = "---\ntitle: 标题{n}\ndate: 2022-07-13 15:40:55\n---\n<div><p>第{n}篇的正文</p></div>\n"


def post(n: int | str) -> str:
    return HTML_POST.format(n=n)


def cli(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = run([os.fspath(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err


def process(*argv: str | os.PathLike[str], shell_suffix: str = "", cwd: Path) -> tuple[int, str]:
    """Run ``python -m zhconvert ARGV`` through ``sh`` (for ``>&-`` and friends)."""
    command = " ".join(f"'{os.fspath(a)}'" for a in (sys.executable, "-m", "zhconvert", *argv))
    result = subprocess.run(
        ["sh", "-c", f"{command} {shell_suffix}"],
        cwd=cwd,
        env=python_env(),
        capture_output=True,
        timeout=120,
    )
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, err
    return result.returncode, err


# ---------------------------------------------------------------------------------------------
# A worker process that dies

needs_fork = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="the killing hook reaches the workers only when they are forked",
)


def make_posts(tmp_path: Path, count: int) -> Path:
    folder = tmp_path / "posts"
    folder.mkdir()
    for n in range(count):
        (folder / f"{n:02d}.md").write_text(post(n), encoding="utf-8")
    return folder


def kill_the_worker_on(monkeypatch: pytest.MonkeyPatch, name: str, marker: Path | None) -> None:
    """Make the worker converting ``name`` die as the OOM killer kills: SIGKILL.

    With ``marker``, only the first time (the marker file records it); else every time.
    """
    real = convert_module.convert_one

    def convert_or_die(job: convert_module._Job) -> object:
        if Path(job.source).name == name and (marker is None or not marker.exists()):
            if marker is not None:
                marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return real(job)

    monkeypatch.setattr(convert_module, "convert_one", convert_or_die)


@needs_fork
def test_a_worker_killed_on_one_post_costs_only_that_post(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_posts(tmp_path, 40)
    kill_the_worker_on(monkeypatch, "07.md", marker=None)
    out = tmp_path / "out"
    code, err = cli(capsys, "convert", folder, "-o", out, "--jobs", "2")
    assert code == 1
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {folder / '07.md'}: {convert_module.WORKER_DIED}"]
    assert "converted 39 of 40 posts" in err
    written = sorted(p.name for p in out.iterdir())
    assert written == [f"{n:02d}.md" for n in range(40) if n != 7]
    for n in range(40):
        if n != 7:
            text = (out / f"{n:02d}.md").read_text("utf-8")
            assert text == zhconvert.dumps(zhconvert.loads(post(n)), "markdown")


@needs_fork
def test_a_worker_killed_once_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_posts(tmp_path, 40)
    kill_the_worker_on(monkeypatch, "23.md", marker=tmp_path / "killed-once")
    out = tmp_path / "out"
    code, err = cli(capsys, "convert", folder, "-o", out, "--jobs", "2")
    assert (tmp_path / "killed-once").exists()  # the worker did die
    assert code == 0, err  # every post converted in the end
    assert f"Warning: {folder / '23.md'}: {convert_module.WORKER_RETRIED}" in err.splitlines()
    assert len(list(out.iterdir())) == 40


# ---------------------------------------------------------------------------------------------
# Configuration files


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b'chinese = "tw"\n# \xe4\xb8\xad\xff\n',
            "not UTF-8 text (byte 0xff) (at line 2, column 6)",
        ),
        (b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "invalid TOML: nested too deeply"),
        (b"x = " + b"{a = " * 50_000 + b"1" + b"}" * 50_000 + b"\n", "invalid TOML: nested too"),
    ],
    ids=["not-utf8", "deep-arrays", "deep-tables"],
)
def test_a_bad_configuration_file_is_named(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes,
    reason: str,
) -> None:
    (tmp_path / ".git").mkdir()  # the search for a configuration stops here
    config = tmp_path / "zhconvert.toml"
    config.write_bytes(content)
    (tmp_path / "post.md").write_text(post(1), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for argv in (["convert", "post.md"], ["normalize", "--check", "post.md"], ["config"]):
        code, err = cli(capsys, *argv)
        assert code == 2, argv
        assert err.startswith(f"Error: {config}: {reason}") and err.count("\n") == 1, err
    code, err = cli(capsys, "convert", "post.md", "--config", config)
    assert code == 2 and err.startswith(f"Error: {config}: ")


def test_a_configuration_that_is_not_a_file_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A FIFO nobody writes would block the read for ever; /dev/zero would never end.
    fifo = tmp_path / "zhconvert.toml"
    os.mkfifo(fifo)
    source = tmp_path / "post.md"
    source.write_text(post(1), encoding="utf-8")
    for config in (fifo, Path("/dev/zero"), tmp_path):
        code, err = cli(capsys, "convert", source, "--config", config)
        assert (code, err) == (2, f"Error: {config}: not a regular file\n")


# ---------------------------------------------------------------------------------------------
# --timeout


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "0", "-inf", "soon"])
@pytest.mark.parametrize("command", ["convert", "book"])
def test_a_bad_timeout_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, command: str
) -> None:
    source = tmp_path / "post.md"
    source.write_text(post(1), encoding="utf-8")
    out = tmp_path / "book.epub"
    code, err = cli(
        capsys,
        command,
        source,
        "-t" if command == "convert" else "--sort",
        "epub" if command == "convert" else "date",
        "-o",
        out,
        f"--timeout={value}",
    )
    assert code == 2
    assert "argument --timeout: " in err and value in err.splitlines()[-1]
    assert not out.exists()


def test_the_api_refuses_a_timeout_that_is_not_finite(tmp_path: Path) -> None:
    doc = zhconvert.loads(post(1))
    for value in (float("nan"), float("inf")):
        with pytest.raises(zhconvert.OptionError, match="timeout"):
            zhconvert.dumps(doc, "epub", timeout=value, images="link")


# ---------------------------------------------------------------------------------------------
# Full devices, FIFOs, closed standard streams


def full_device(tmp_path: Path) -> Path:
    """A character device that answers every write with ENOSPC, as /dev/full does.

    A copy of /dev/full's node where the tests may make one (root), so that a regression that
    replaced the node would replace a file of the test's own, never the system's /dev/full.
    """
    node = tmp_path / "full"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except (PermissionError, AttributeError):
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip("cannot make a device node, and /dev/full is not to be risked as root")
        return Path("/dev/full")  # not root: /dev cannot be written, so it cannot be replaced
    return node


@pytest.mark.parametrize("fmt", ["md", "epub"])
def test_output_to_a_full_device_is_an_error_and_the_device_stays(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    device = full_device(tmp_path)
    source = tmp_path / "post.md"
    source.write_text(post(1), encoding="utf-8")
    code, err = cli(capsys, "convert", source, "-t", fmt, "--images", "omit", "-o", device)
    assert code == 1
    assert err == f"Error: {device}: cannot write: No space left on device\n"
    assert stat.S_ISCHR(device.stat().st_mode)  # not replaced by a regular file
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".zhconvert")] == []


def test_a_book_to_a_full_device_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = full_device(tmp_path)
    source = tmp_path / "post.md"
    source.write_text(post(1), encoding="utf-8")
    code, err = cli(capsys, "book", source, "--images", "omit", "-q", "-o", device)
    assert code == 1
    assert err == f"Error: {device}: cannot write: No space left on device\n"
    assert stat.S_ISCHR(device.stat().st_mode)


def test_output_to_a_fifo_is_written_into_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    source = tmp_path / "post.md"
    source.write_text(post(1), encoding="utf-8")
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader is there before the write
    received = bytearray()
    thread = threading.Thread(target=lambda: received.extend(drain(reader)), daemon=True)
    thread.start()
    try:
        code, _ = cli(capsys, "convert", source, "-o", fifo)
        thread.join(timeout=30)
    finally:
        os.close(reader)
    assert code == 0
    assert bytes(received) == zhconvert.dumps(zhconvert.loads(post(1)), "markdown").encode()
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    # With nobody reading, it is an error at once, not a wait for ever.
    code, err = cli(capsys, "convert", source, "-o", fifo)
    assert (code, err) == (1, f"Error: {fifo}: cannot write: nobody reads it\n")


def drain(fd: int) -> bytes:
    """Read ``fd`` (a FIFO opened without blocking) until its writer closes it."""
    import select

    os.set_blocking(fd, True)
    chunks = []
    wrote = False
    while True:
        select.select([fd], [], [], 30)
        chunk = os.read(fd, 65536)
        if chunk:
            chunks.append(chunk)
            wrote = True
        elif wrote:
            return b"".join(chunks)
        else:
            time.sleep(0.01)  # no writer yet: an empty read is not the end


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs mknod")
def test_a_link_planted_in_an_output_folder_is_replaced_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    device = full_device(tmp_path)
    folder = tmp_path / "posts"
    folder.mkdir()
    (folder / "a.md").write_text(post(1), encoding="utf-8")
    (folder / "b.md").write_text(post(2), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.md").symlink_to(device)  # a link to a device, put there by someone else
    victim = tmp_path / "victim.md"
    victim.write_text("mine", encoding="utf-8")
    (out / "b.md").symlink_to(victim)
    code, _ = cli(capsys, "convert", folder, "-o", out, "--jobs", "1", "-q")
    assert code == 0
    assert not (out / "a.md").is_symlink() and not (out / "b.md").is_symlink()
    assert stat.S_ISCHR(device.stat().st_mode) and victim.read_text("utf-8") == "mine"


@pytest.mark.parametrize(
    ("argv", "redirect", "stream"),
    [
        (["convert", "post.md"], ">&-", "standard output"),
        (["convert", "-"], "<&-", "standard input"),
        (["inspect", "post.md"], ">&-", "standard output"),
        (["convert", "post.md"], ">/dev/full", "standard output"),
        (["inspect", "post.md"], ">/dev/full", "standard output"),
        (["config"], ">/dev/full", "standard output"),
    ],
    ids=[
        "convert-stdout",
        "convert-stdin",
        "inspect-stdout",
        "convert-full",
        "inspect-full",
        "config-full",
    ],
)
def test_a_closed_or_full_standard_stream_is_one_error(
    tmp_path: Path, argv: list[str], redirect: str, stream: str
) -> None:
    (tmp_path / "post.md").write_text(post(1), encoding="utf-8")
    code, err = process(*argv, shell_suffix=redirect, cwd=tmp_path)
    assert code == 1
    assert len(err.splitlines()) == 1 and err.startswith(f"Error: {stream}: "), err


def test_a_closed_stdin_does_not_matter_when_it_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "post.md").write_text(post(1), encoding="utf-8")
    code, err = process("convert", "post.md", "-o", "out.md", shell_suffix="<&-", cwd=tmp_path)
    assert (code, err) == (0, "")
    assert (tmp_path / "out.md").is_file()


def test_closed_streams_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "post.md"
    source.write_text(post(1), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", None)
    assert run(["convert", os.fspath(source)]) == 1
    assert capsys.readouterr().err == "Error: standard output: closed\n"
    monkeypatch.setattr(sys, "stdin", None)
    assert run(["convert", "-", "-o", os.fspath(tmp_path / "out.md")]) == 1
    assert capsys.readouterr().err == "Error: standard input: closed\n"


# ---------------------------------------------------------------------------------------------
# One bad post in a book


def test_a_post_that_cannot_be_written_is_named_and_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_posts(tmp_path, 3)
    real = book_module.finish

    def fail_on_one(chapter: object, *, title: str, **kwargs: object) -> object:
        if title == "标题1":
            raise OverflowError("date value out of range")
        return real(chapter, title=title, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(book_module, "finish", fail_on_one)
    out = tmp_path / "book.epub"
    code, err = cli(capsys, "book", folder, "-o", out, "--images", "omit", "--jobs", "1")
    assert code == 1
    assert (
        f"Warning: skipped: {folder / '01.md'}: cannot be written into the book "
        "(OverflowError: date value out of range)"
    ) in err.splitlines()
    assert "2 posts" in err.splitlines()[-1]
    with zipfile.ZipFile(out) as book:
        text = "".join(
            book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xhtml")
        )
    assert "第0篇的正文" in text and "第2篇的正文" in text and "第1篇的正文" not in text
