"""Fixtures of the reliability tests (issue 6): hostile, broken and huge input.

Every bad input is tried through the public API (``zhconvert.loads`` and every writer) and
through the command line: in-process with ``zhconvert._cli.run`` (the ``cli`` fixture), or in a
real process where a crash, a hang or a kill must be seen from outside
(``reliability_support.run_process``). Each test is listed in ``docs/reliability.md``;
``test_reliability_doc.py`` keeps the two in step.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reliability_support import Cli, CliResult, assert_clean_stderr

from zhconvert._cli import run


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``cli(*argv)``: the command line in this process; its stderr must be clean."""

    def invoke(*argv: str | os.PathLike[str]) -> CliResult:
        capsys.readouterr()
        code = run([os.fspath(a) for a in argv])
        out, err = capsys.readouterr()
        assert_clean_stderr(err)
        assert "Traceback" not in out
        return CliResult(code, out, err)

    return invoke


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, bytes]], Path]:
    """``make_tree({relative path: bytes})``: a folder of files below ``tmp_path``; returns it."""

    def make(files: dict[str, bytes]) -> Path:
        root = tmp_path / "in"
        root.mkdir(exist_ok=True)
        for name, data in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return root

    return make
