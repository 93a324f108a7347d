"""Fixtures shared by every test folder: where the real posts are.

The real posts live outside the repository (``../shared/corpus`` from the project root, or the
folder named by ``ZHCONVERT_CORPUS``) and are read from there, never copied in. A missing corpus
fails the tests that need it: a skipped corpus would let CI pass without checking real input.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS_FEEDS = ("zhihu", "other")
DESIGN_POST = "如何看待朝鲜承认顿涅茨克和卢甘斯克独立_.md"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The folder of real posts, with its ``zhihu/`` and ``other/`` feeds."""
    configured = os.environ.get("ZHCONVERT_CORPUS")
    root = Path(configured) if configured else REPO_ROOT.parent / "shared" / "corpus"
    missing = [feed for feed in CORPUS_FEEDS if not (root / feed).is_dir()]
    if missing:
        how = "ZHCONVERT_CORPUS" if configured else "the default ../shared/corpus"
        pytest.fail(
            f"the corpus of real posts is missing: {root} (from {how}) has no "
            f"{', '.join(f + '/' for f in missing)} folder; set ZHCONVERT_CORPUS to the folder "
            "holding zhihu/ and other/",
            pytrace=False,
        )
    return root


@pytest.fixture(scope="session")
def corpus_posts(corpus_dir: Path) -> list[Path]:
    """Every real post (``*.md`` under ``zhihu/`` and ``other/``), sorted."""
    posts = sorted(p for feed in CORPUS_FEEDS for p in (corpus_dir / feed).glob("*.md"))
    if not posts:
        pytest.fail(f"the corpus at {corpus_dir} holds no *.md posts", pytrace=False)
    return posts


@pytest.fixture(scope="session")
def design_post(corpus_dir: Path) -> Path:
    """The 知乎热榜 post the project was designed from."""
    path = corpus_dir / "zhihu" / DESIGN_POST
    if not path.is_file():
        pytest.fail(f"the design post is missing from the corpus: {path}", pytrace=False)
    return path
