"""zhconvert runs on Python 3.10, its oldest: no pattern may use the syntax ``re`` gained in 3.11.

Possessive quantifiers (``a*+``) and atomic groups (``(?>…)``) compile on 3.11 and make the
module that holds them fail to import on 3.10 ("multiple repeat"). The suite runs on one Python,
so this test parses every module-level pattern of the package with the running ``re``'s parser
and looks for the two.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections.abc import Iterator

import pytest

import zhconvert

pytestmark = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="on 3.10 the package's import is the test"
)


def _patterns() -> Iterator[tuple[str, re.Pattern[str] | re.Pattern[bytes]]]:
    for info in pkgutil.walk_packages(zhconvert.__path__, "zhconvert."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra's module (Dask) without the extra
            continue
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{info.name}.{name}", value


def _new_syntax(node: object) -> bool:
    """Whether a parsed pattern (or a piece of one) holds a possessive repeat or atomic group."""
    from re import _constants, _parser  # type: ignore[attr-defined]

    new = {_constants.POSSESSIVE_REPEAT, _constants.ATOMIC_GROUP}
    if isinstance(node, _parser.SubPattern):
        return any(op in new or _new_syntax(arguments) for op, arguments in node.data)
    if isinstance(node, list | tuple):
        return any(_new_syntax(item) for item in node)
    return False


def test_the_package_has_patterns_to_check() -> None:
    names = [name for name, _ in _patterns()]
    assert len(names) > 50
    assert "zhconvert.readers.html._MAYBE_BOGUS" in names


def test_no_pattern_uses_syntax_python_3_10_lacks() -> None:
    from re import _parser  # type: ignore[attr-defined]

    newer = [
        name
        for name, pattern in _patterns()
        if _new_syntax(_parser.parse(pattern.pattern, pattern.flags))
    ]
    assert newer == [], "possessive repeats or atomic groups break Python 3.10"


def test_the_check_sees_possessive_repeats_and_atomic_groups() -> None:
    from re import _parser  # type: ignore[attr-defined]

    for pattern in ("</?+a", "x(?:y|z*+)", "(?>ab)c", "a(?=[b]++)"):
        assert _new_syntax(_parser.parse(pattern, 0)), pattern
    for pattern in ("</?a", "[*+?]+", r"a\*+", "(?:a|b)*?"):
        assert not _new_syntax(_parser.parse(pattern, 0)), pattern
