"""Fixtures of the ``--images local`` tests: an image server on 127.0.0.1, posts, Hexo sites.

The image server is the EPUB tests' own (``tests/epub/conftest.py``, loaded here under another
name, not copied); every test gets its own image cache folder, so that no test reads the user's
cache or another test's.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from images_local_support import CliResult  # noqa: E402


def _load(name: str, path: Path) -> object:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


_epub = _load("_epub_fixtures_for_images_local", HERE.parent / "epub" / "conftest.py")
image_server = _epub.image_server  # type: ignore[attr-defined]  # the fixture, registered here
generate_image: Callable[..., bytes] = _epub.generate_image  # type: ignore[attr-defined]
ImageServer = _epub.ImageServer  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _own_image_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # platformdirs reads XDG_CACHE_HOME on each call: the default cache of every run in the
    # test is a fresh folder.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., CliResult]:
    """Return ``run(*argv, cwd=None) -> CliResult``: the command line, in this process."""
    from zhconvert._cli import run

    def invoke(*argv: str | Path, cwd: Path | None = None) -> CliResult:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run([str(a) for a in argv])
        return CliResult(code, out.getvalue(), err.getvalue())

    return invoke


@pytest.fixture
def make_png() -> Callable[..., bytes]:
    def make(color: str = "teal", size: tuple[int, int] = (24, 16)) -> bytes:
        return generate_image("PNG", size, color)

    return make
