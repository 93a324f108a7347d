"""A ``normalize`` process killed (SIGKILL) midway leaves every post whole: original or done."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from normalize_support import corpus_posts

from _paths import python_env
from zhconvert.normalize import normalize_bytes

POSTS = 600


@pytest.fixture
def big_folder(tmp_path: Path) -> tuple[Path, dict[Path, tuple[bytes, bytes]]]:
    """A folder of POSTS real posts; maps each file to (its bytes, its normalized bytes)."""
    (tmp_path / ".git").mkdir()
    folder = tmp_path / "posts"
    sources = corpus_posts()
    normalized = {}
    for source in sources:
        data = source.read_bytes()
        after = normalize_bytes(data, path=str(source))
        assert after is not None and after != data
        normalized[source] = (data, after)
    expected: dict[Path, tuple[bytes, bytes]] = {}
    for number in range(POSTS):
        source = sources[number % len(sources)]
        path = folder / f"{number // 100:02d}" / f"{number:04d}-{source.name}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(normalized[source][0])
        expected[path] = normalized[source]
    return tmp_path, expected


def test_sigkill_midway_leaves_every_post_original_or_finished(
    big_folder: tuple[Path, dict[Path, tuple[bytes, bytes]]],
) -> None:
    root, expected = big_folder
    process = subprocess.Popen(
        [sys.executable, "-m", "zhconvert", "normalize", "posts"],
        cwd=root,
        env=python_env(),
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
    )
    assert process.stderr is not None
    fixed = 0
    try:
        # Let it get going, then kill it at an arbitrary moment, most likely inside a write.
        while fixed < 40:
            line = process.stderr.readline()
            assert line, f"normalize ended before it was killed (after {fixed} posts)"
            if line.startswith(b"fixed: "):
                fixed += 1
        time.sleep(random.uniform(0, 0.05))
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    states = {"original": 0, "normalized": 0}
    for path, (original, normalized) in expected.items():
        data = path.read_bytes()
        if data == original:
            states["original"] += 1
        elif data == normalized:
            states["normalized"] += 1
        else:
            pytest.fail(f"{path.name} is neither the original nor the normalized post")
    assert states["normalized"] >= fixed and states["original"] > 0, states

    # No post vanished or appeared; a killed write may leave only its hidden temporary file.
    present = {p for p in (root / "posts").rglob("*") if p.is_file()}
    leftovers = present - expected.keys()
    assert all(p.name.startswith(".") and p.name.endswith(".tmp") for p in leftovers), leftovers
    assert len(leftovers) <= 1

    # A second run finishes the job (temporary files are not posts), a third has nothing to do.
    finish = subprocess.run(
        [sys.executable, "-m", "zhconvert", "normalize", "posts"],
        cwd=root,
        env=python_env(),
        capture_output=True,
        timeout=600,
    )
    assert finish.returncode == 1, finish.stderr
    # one "fixed:" line a post; a post may also have a warning (the feeds' date in 2189)
    finished = [line for line in finish.stderr.splitlines() if line.startswith(b"fixed: ")]
    assert len(finished) == states["original"], finish.stderr
    assert all(path.read_bytes() == after for path, (_, after) in expected.items())
    again = subprocess.run(
        [sys.executable, "-m", "zhconvert", "normalize", "--check", "posts"],
        cwd=root,
        env=python_env(),
        capture_output=True,
        timeout=600,
    )
    assert (again.returncode, again.stderr) == (0, b"")
