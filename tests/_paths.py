"""Where the tests find the shared corpus and the bundled examples."""

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
