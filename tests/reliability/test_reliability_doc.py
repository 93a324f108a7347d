"""docs/reliability.md stays in step with the tests: every reliability test and every input case
is listed there, every test it names exists, and every test marked as a known gap is in the
"Known gaps" section."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from test_inputs import CASES

TESTS = Path(__file__).resolve().parents[1]
DOC = TESTS.parent / "docs" / "reliability.md"


def _test_functions(path: Path) -> dict[str, bool]:
    """``name -> marked xfail`` for each test function of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            found[node.name] = any("xfail" in ast.unparse(d) for d in node.decorator_list)
    return found


def reliability_tests() -> dict[str, bool]:
    found: dict[str, bool] = {}
    for path in sorted((TESTS / "reliability").glob("test_*.py")):
        if path.name != Path(__file__).name:
            found.update(_test_functions(path))
    return found


def all_test_names() -> set[str]:
    return {name for path in TESTS.rglob("test_*.py") for name in _test_functions(path)}


def named_in(text: str) -> set[str]:
    return set(re.findall(r"`(test_\w+)`", text))


def test_every_reliability_test_is_in_the_doc() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert set(reliability_tests()) - named_in(doc) == set()


def test_every_test_the_doc_names_exists() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert named_in(doc) - all_test_names() == set()


def test_every_input_case_is_in_the_doc() -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert [case.id for case in CASES if f"`{case.id}`" not in doc] == []


def test_every_known_gap_is_in_its_section() -> None:
    doc = DOC.read_text(encoding="utf-8")
    gaps = doc.split("## Known gaps", 1)[1]
    marked = {name for name, xfail in reliability_tests().items() if xfail}
    assert marked == named_in(gaps.split("\n## ", 1)[0]) & set(reliability_tests())
