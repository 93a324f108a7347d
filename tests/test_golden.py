"""Golden files: each post in ``examples/`` and ``tests/golden/`` next to its expected outputs.

Expected files live in ``tests/golden/expected/<stem>.{md,txt,json}``; a missing one fails. After
a deliberate change of output, regenerate them with ``ZHCONVERT_UPDATE_GOLDEN=1 pytest
tests/test_golden.py`` and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import zhconvert
from _paths import EXAMPLES, REPO

GOLDEN = REPO / "tests" / "golden"
EXPECTED = GOLDEN / "expected"
CASES = sorted([*EXAMPLES.glob("*.md"), *GOLDEN.glob("*.md")])
FORMATS = {"md": {}, "txt": {"wrap": 40}, "json": {}}


def test_there_are_cases() -> None:
    assert len(CASES) >= 5


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden(case: Path, fmt: str) -> None:
    out = zhconvert.dumps(zhconvert.load(case), fmt, **FORMATS[fmt])
    assert isinstance(out, str)
    expected = EXPECTED / f"{case.stem}.{fmt}"
    if os.environ.get("ZHCONVERT_UPDATE_GOLDEN"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_text(out, encoding="utf-8")
    assert expected.exists(), f"missing golden file {expected.relative_to(REPO)}"
    assert out == expected.read_text(encoding="utf-8")
