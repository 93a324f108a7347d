"""Fixtures for the ``normalize`` command and its pre-commit hook.

Real posts are read from the shared corpus (``../shared/corpus`` from the project root, or the
folder named by ``ZHCONVERT_CORPUS``) and copied into temporary folders; they are never copied
into the repository. Small hand-written posts come from ``normalize_support.make_post``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from normalize_support import make_post

from _paths import corpus_cases


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # A test asking for ``corpus_post`` runs once per real post, named by its file.
    if "corpus_post" in metafunc.fixturenames:
        metafunc.parametrize("corpus_post", corpus_cases())


@pytest.fixture
def write_post(tmp_path: Path) -> Callable[..., Path]:
    """Return ``write(name, data_or_text=html post, mode=None) -> Path`` below ``tmp_path``."""

    def write(name: str, content: bytes | str | None = None, *, mode: int | None = None) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = make_post() if content is None else content
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        if mode is not None:
            path.chmod(mode)
        return path

    return write


# ---------------------------------------------------------------------------------------------
# Running the command line in-process


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Return ``cli(*argv, cwd=None) -> CliResult`` running ``zhconvert`` in this process."""
    from zhconvert._cli import run

    def invoke(*argv: str | os.PathLike[str], cwd: Path | None = None) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.ExitStack() as stack:
            if cwd is not None:
                stack.enter_context(monkeypatch.context()).chdir(cwd)
            stack.enter_context(contextlib.redirect_stdout(out))
            stack.enter_context(contextlib.redirect_stderr(err))
            code = run([os.fspath(a) for a in argv])
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke
