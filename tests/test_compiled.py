"""The modules setup.py compiles with mypyc are compiled exactly when the run expects them to be.

`scripts/test_compiled.sh` runs the suite against a wheel built with ``ZHCONVERT_MYPYC=1`` and
sets ``ZHCONVERT_EXPECT_COMPILED=1``: there every listed module must be an extension module, so
that a passing run proves the compiled code, not the sources, produced the outputs. Everywhere
else they must be this checkout's sources.
"""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import os
import re
import sys
from pathlib import Path

import pytest

import zhconvert
from _paths import REPO

COMPILED = os.environ.get("ZHCONVERT_EXPECT_COMPILED") == "1"


def _literal(path: Path, name: str) -> object:
    """Return the literal assigned to ``name`` at the top of the Python file ``path``."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.AnnAssign | ast.Assign):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                assert node.value is not None
                return ast.literal_eval(node.value)
    raise AssertionError(f"{path.name} assigns no {name}")


def _mypyc_modules() -> list[str]:
    """Return the dotted names of setup.py's ``MYPYC_MODULES``."""
    paths = _literal(REPO / "setup.py", "MYPYC_MODULES")
    assert isinstance(paths, list)
    names = []
    for path in paths:
        parts = Path(path).relative_to("src").with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _mypyc_modules()


def _names(requirements: object) -> set[str]:
    assert isinstance(requirements, list)
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_a_compiled_build_gets_every_runtime_dependency() -> None:
    # mypyc type-checks what the compiled modules import, all the way down, in the isolated
    # build environment: a dependency missing there fails the compiled build only.
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    backend = REPO / "_build_backend" / "zhconvert_build.py"
    assert _names(project["dependencies"]) <= _names(_literal(backend, "MYPYC_REQUIRES"))


def test_the_hot_modules_are_listed() -> None:
    assert {"zhconvert.readers.html", "zhconvert.writers.markdown"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_is_compiled_exactly_when_expected(name: str) -> None:
    module = importlib.import_module(name)
    origin = module.__file__ or ""
    extension = origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
    if COMPILED:
        assert extension, f"{name} was imported from {origin}, not from the compiled wheel"
        assert not origin.startswith(str(REPO / "src")), origin
    else:
        assert not extension, f"{name} is an extension module ({origin}) in a pure run"


@pytest.mark.skipif(not COMPILED, reason="only the compiled run checks where its package is from")
def test_the_compiled_package_is_the_installed_one() -> None:
    # The run must not see the sources: a src/ on sys.path would shadow the wheel's modules for
    # any test that spawns `python -m zhconvert` with tests/_paths.py's environment.
    assert "site-packages" in (zhconvert.__file__ or ""), zhconvert.__file__
    assert not (REPO / "src").exists(), "the compiled run must not have a src/ to fall back on"


def test_a_list_of_referer_hosts_is_taken_like_a_tuple() -> None:
    # A compiled dataclass checks its fields' declared types in __init__: a field annotated
    # `tuple` refused the list a config file gives, before __post_init__ could convert it.
    doc = zhconvert.loads("---\ntitle: t\n---\n<p><img src='https://img.example.net/a.jpg'></p>\n")
    as_list = zhconvert.dumps(doc, "markdown", hotlink="html", referer_hosts=["example.net"])
    as_tuple = zhconvert.dumps(doc, "markdown", hotlink="html", referer_hosts=("example.net",))
    assert as_list == as_tuple
    assert 'referrerpolicy="no-referrer"' in as_list
    with pytest.raises(zhconvert.ZhconvertError, match="referer_hosts must be a sequence"):
        zhconvert.dumps(doc, "markdown", referer_hosts="example.net")
