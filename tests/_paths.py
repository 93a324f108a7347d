"""Where the tests find the shared corpus, the bundled examples and this checkout's source.

The real posts live outside the repository (``../shared/corpus`` from the project root, or the
folder named by ``$ZHCONVERT_CORPUS``) and are read from there, never copied in. Without them the
corpus tests are skipped with one visible reason, so that a fresh clone's suite passes; in CI
(``CI=true``) a missing corpus fails instead, so that CI can never pass without real input.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

#: The corpus's folders of posts: Zhihu, two news feeds, and 25 other feeds (one folder each).
CORPUS_FEEDS = ("zhihu", "other", "feeds")


def corpus_root() -> Path:
    """Return where the corpus should be (``$ZHCONVERT_CORPUS`` or ``../shared/corpus``)."""
    configured = os.environ.get("ZHCONVERT_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "corpus"


def in_ci() -> bool:
    """Tell whether this run is CI's, which must have the corpus."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def corpus_missing() -> str | None:
    """Return why the corpus cannot be used, or None when it is there."""
    root = corpus_root()
    if (root / "zhihu").is_dir():
        return None
    return (
        f"the shared corpus of real posts is not at {root} "
        "(set ZHCONVERT_CORPUS to the folder holding zhihu/, other/ and feeds/)"
    )


def require_corpus() -> Path:
    """Return the corpus folder; skip the test without it (fail in CI)."""
    reason = corpus_missing()
    if reason is not None:
        if in_ci():
            pytest.fail(f"CI needs the corpus: {reason}", pytrace=False)
        pytest.skip(reason)
    return corpus_root()


def corpus_posts(*feeds: str) -> list[Path]:
    """Return the real posts of ``feeds`` (all of them by default), sorted; [] without a corpus.

    A post is a ``*.md`` file at any depth below a feed's folder, other than a ``README.md``.
    """
    root = corpus_root()
    return sorted(
        path
        for feed in feeds or CORPUS_FEEDS
        for path in (root / feed).rglob("*.md")
        if path.name != "README.md" and path.is_file()
    )


def find_corpus() -> Path:
    """Return the shared corpus folder, skipping the calling test without it (failing in CI)."""
    return require_corpus()


def python_env() -> dict[str, str]:
    """An environment in which ``python -m zhconvert`` imports this checkout."""
    env = dict(os.environ)
    src = str(REPO / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def corpus_cases(*feeds: str) -> list[object]:
    """Return one ``pytest.param`` per real post of ``feeds``, named by its path in the corpus.

    Without the corpus: one case that is skipped with the reason, so that the reason is shown
    once per test; in CI, a collection error instead.
    """
    reason = corpus_missing()
    if reason is None:
        root = corpus_root()
        posts = corpus_posts(*feeds)
        if posts:
            return [pytest.param(p, id=p.relative_to(root).as_posix()) for p in posts]
        reason = f"the corpus at {root} has no posts in {', '.join(feeds or CORPUS_FEEDS)}"
    if in_ci():
        pytest.fail(f"CI needs the corpus: {reason}", pytrace=False)
    return [pytest.param(None, id="corpus-missing", marks=pytest.mark.skip(reason=reason))]
