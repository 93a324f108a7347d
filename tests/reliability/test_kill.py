"""Killed mid-run (SIGKILL, in a real process): no partial output, no damaged input.

Every file is written atomically (``zhconvert._atomic``): a nameless file where Linux allows it
(``O_TMPFILE``), named only once complete and then renamed over the target. So a killed
``convert`` leaves each output complete or absent, a killed ``book`` each volume old or new, and
the inputs as they were. ``normalize`` has its own kill test:
``tests/normalize/test_normalize_kill.py``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_support import run_process, snapshot

import zhconvert
from _paths import python_env

POSTS = 400
TEMPORARY = (".zhconvert-", ".tmp")


def start(*args: str | os.PathLike[str], cwd: Path) -> subprocess.Popen[bytes]:
    """Start ``python -m zhconvert ARGS`` in its own process group (it and its workers)."""
    return subprocess.Popen(
        [sys.executable, "-m", "zhconvert", *map(os.fspath, args)],
        cwd=cwd,
        env=python_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def files_below(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def is_temporary(path: Path) -> bool:
    return path.name.startswith(TEMPORARY[0]) and path.name.endswith(TEMPORARY[1])


@pytest.fixture
def big_folder(tmp_path: Path, corpus_posts: list[Path]) -> tuple[Path, dict[str, Path]]:
    """POSTS copies of the real posts in sub-folders; maps each copy to its original."""
    folder = tmp_path / "posts"
    sources: dict[str, Path] = {}
    for number in range(POSTS):
        original = corpus_posts[number % len(corpus_posts)]
        relative = f"{number // 100:02d}/{number:04d}-{original.name}"
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(original.read_bytes())
        sources[relative] = original
    return folder, sources


@pytest.mark.slow
@pytest.mark.parametrize(("fmt", "jobs"), [("md", "1"), ("json", "2")])
def test_a_killed_convert_leaves_complete_outputs_and_intact_inputs(
    big_folder: tuple[Path, dict[str, Path]], tmp_path: Path, fmt: str, jobs: str
) -> None:
    folder, sources = big_folder
    writer = {"md": "markdown", "json": "json"}[fmt]
    reference = {
        original: zhconvert.dumps(zhconvert.load(original), writer)
        for original in set(sources.values())
    }
    before = snapshot(folder)
    out = tmp_path / "out"
    process = start("convert", folder, "-o", out, "-t", fmt, "--jobs", jobs, cwd=tmp_path)
    deadline = time.monotonic() + 60
    while len(files_below(out)) < 30:
        assert process.poll() is None, "convert ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    time.sleep(random.uniform(0, 0.05))
    kill(process)

    complete = leftovers = 0
    for path in files_below(out):
        if is_temporary(path):
            leftovers += 1  # only where nameless files are not available
            continue
        relative = path.relative_to(out).with_suffix(".md").as_posix()
        assert path.read_text("utf-8") == reference[sources[relative]], path
        complete += 1
    assert 30 <= complete < POSTS
    assert leftovers <= int(jobs)
    assert snapshot(folder) == before

    # a second run finishes the job
    result = run_process("convert", folder, "-o", out, "-t", fmt, "--jobs", jobs, "-q")
    assert result.code == 0
    written = [p for p in files_below(out) if not is_temporary(p)]
    assert len(written) == POSTS
    for path in written:
        relative = path.relative_to(out).with_suffix(".md").as_posix()
        assert path.read_text("utf-8") == reference[sources[relative]]
    assert snapshot(folder) == before


@pytest.mark.slow
def test_a_killed_book_leaves_each_volume_old_or_new(
    big_folder: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    folder, _ = big_folder
    subset = folder / "00"  # 100 posts (37 different answers)
    options = ["--images", "omit", "--split", "4", "--jobs", "1", "-q"]
    reference_dir = tmp_path / "reference"
    done = run_process("book", subset, "-o", reference_dir / "book.epub", *options)
    assert done.code == 0
    new = {p.name: p.read_bytes() for p in reference_dir.iterdir()}
    assert len(new) >= 8

    out = tmp_path / "out"
    out.mkdir()
    old = {name: f"an older build of {name}".encode() for name in new}
    for name, data in old.items():
        (out / name).write_bytes(data)
    before = snapshot(folder)

    process = start("book", subset, "-o", out / "book.epub", *options, cwd=tmp_path)
    deadline = time.monotonic() + 120
    # Killed as soon as the first volume is replaced: most likely while writing the others.
    while all((out / name).stat().st_size == len(data) for name, data in old.items()):
        assert process.poll() is None, "book ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    kill(process)

    replaced = 0
    for path in files_below(out):
        if is_temporary(path):
            continue
        data = path.read_bytes()
        assert data in (old[path.name], new[path.name]), path.name
        replaced += data == new[path.name]
    assert replaced >= 1
    assert len([p for p in files_below(out) if is_temporary(p)]) <= 1
    assert snapshot(folder) == before

    done = run_process("book", subset, "-o", out / "book.epub", *options)
    assert done.code == 0
    assert {p.name: p.read_bytes() for p in files_below(out) if not is_temporary(p)} == new


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(n) for n in path.read_text().split()] if path.exists() else []


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # a zombie has finished; only its parent's reaping is left


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_killing_only_the_parent_stops_the_workers(
    big_folder: tuple[Path, dict[str, Path]], tmp_path: Path
) -> None:
    folder, sources = big_folder
    reference = {
        original: zhconvert.dumps(zhconvert.load(original), "markdown")
        for original in set(sources.values())
    }
    out = tmp_path / "out"
    process = start("convert", folder, "-o", out, "-t", "md", "--jobs", "2", cwd=tmp_path)
    deadline = time.monotonic() + 60
    while len(files_below(out)) < 30:
        assert process.poll() is None, "convert ended before it was killed"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    workers = _children(process.pid)
    assert len(workers) == 2
    os.kill(process.pid, signal.SIGKILL)  # the parent only, not its process group
    process.wait(timeout=30)
    written_before = len(files_below(out))  # the workers know from here on they are orphans

    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers):
        assert time.monotonic() < deadline, "the workers outlived their parent"
        time.sleep(0.01)
    written = [p for p in files_below(out) if not is_temporary(p)]
    # Each worker finishes the post it had started, and starts no other: without the check,
    # each would go on to the end of its chunk (16 posts here).
    assert len(written) - written_before <= 2
    assert len(written) < POSTS
    for path in written:
        relative = path.relative_to(out).with_suffix(".md").as_posix()
        assert path.read_text("utf-8") == reference[sources[relative]], path
    os.killpg(process.pid, signal.SIGKILL)  # nothing should be left; be sure
