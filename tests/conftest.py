"""Fixtures shared by every test folder: where the real posts are.

The real posts live outside the repository (``../shared/corpus`` from the project root, or the
folder named by ``ZHCONVERT_CORPUS``) and are read from there, never copied in. Without them the
tests that need them are skipped with the reason; in CI (``CI=true``) they fail instead
(``_paths.require_corpus``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from _paths import corpus_posts as all_corpus_posts
from _paths import require_corpus

REPO_ROOT = Path(__file__).resolve().parents[1]
DESIGN_POST = "如何看待朝鲜承认顿涅茨克和卢甘斯克独立_.md"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The folder of real posts, with its ``zhihu/``, ``other/`` and ``feeds/`` folders."""
    return require_corpus()


@pytest.fixture(scope="session")
def corpus_posts(corpus_dir: Path) -> list[Path]:
    """The Zhihu and news posts (``*.md`` of ``zhihu/`` and ``other/``), sorted."""
    posts = all_corpus_posts("zhihu", "other")
    if not posts:
        pytest.fail(f"the corpus at {corpus_dir} holds no *.md posts", pytrace=False)
    return posts


@pytest.fixture(scope="session")
def archive_posts(corpus_dir: Path) -> list[Path]:
    """Every real post of the archive: Zhihu, news and the 25 other feeds of ``feeds/``."""
    return all_corpus_posts()


@pytest.fixture(scope="session")
def design_post(corpus_dir: Path) -> Path:
    """The 知乎热榜 post the project was designed from."""
    path = corpus_dir / "zhihu" / DESIGN_POST
    if not path.is_file():
        pytest.fail(f"the design post is missing from the corpus: {path}", pytrace=False)
    return path
