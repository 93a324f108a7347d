"""Where the tests find the shared corpus, the bundled examples and this checkout's source."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def find_corpus() -> Path:
    """Return the shared corpus folder (``$ZHCONVERT_CORPUS`` or ``../shared/corpus``)."""
    root = Path(os.environ.get("ZHCONVERT_CORPUS") or REPO.parent / "shared" / "corpus")
    if not (root / "zhihu").is_dir():
        raise RuntimeError(
            f"the shared corpus is missing at {root}: set ZHCONVERT_CORPUS to its folder"
        )
    return root


def python_env() -> dict[str, str]:
    """An environment in which ``python -m zhconvert`` imports this checkout."""
    env = dict(os.environ)
    src = str(REPO / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    return env
