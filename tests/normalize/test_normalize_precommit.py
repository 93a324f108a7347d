"""The real ``pre-commit`` running this project's hooks on a real git repository of posts.

``pre-commit try-repo`` takes a repository's committed files (plus *tracked* uncommitted changes;
files never added to git are left out), so the tests first commit a snapshot of this checkout
(``pyproject.toml``, ``README.md``, ``src/``, ``.pre-commit-hooks.yaml``) into a temporary
repository and point ``try-repo`` at that. ``try-repo`` builds the hook's virtualenv (zhconvert
and its dependencies, from PyPI) into a throw-away store on every call, which is what makes
these tests slow (10-25 s each); the installed-hook test caches its environment in a session
``PRE_COMMIT_HOME``.
"""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from normalize_support import MARKDOWN_BODY, README, make_post

from _paths import REPO as REPO_ROOT
from _paths import require_corpus

pytestmark = pytest.mark.slow

#: The pre-commit of the environment running the tests, whatever PATH says.
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "zhconvert tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "zhconvert tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    # The user's own git configuration (hooks, templates, signing) stays out of the tests.
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "commit.gpgsign", "false")
    return path


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed snapshot of this checkout: what users get from the published repository."""
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.fail("pre-commit is not installed (it is a dev dependency)")
    repo = new_repo(tmp_path_factory.mktemp("zhconvert-hook-repo"))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    shutil.copytree(REPO_ROOT / "src", repo / "src", ignore=ignore)
    # The build backend (setuptools, asking for mypy only for a compiled wheel) and setup.py.
    shutil.copytree(REPO_ROOT / "_build_backend", repo / "_build_backend", ignore=ignore)
    for name in ("pyproject.toml", "setup.py", ".pre-commit-hooks.yaml", "README.md", "LICENSE"):
        if (REPO_ROOT / name).exists():
            shutil.copy2(REPO_ROOT / name, repo / name)
    if not (repo / "README.md").exists():
        # pyproject.toml names README.md as the readme; the package cannot build without it.
        (repo / "README.md").write_text("# zhconvert\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")
    return repo


@pytest.fixture
def blog(tmp_path: Path) -> Iterator[Path]:
    """A blog repository: three real posts, a CRLF + BOM post, a Markdown post and a README."""
    root = require_corpus()
    repo = new_repo(tmp_path / "blog")
    posts = repo / "source" / "_posts"
    posts.mkdir(parents=True)
    chosen = sorted(root.glob("zhihu/*.md"))[:2] + sorted(root.glob("other/*.md"))[:1]
    assert len(chosen) == 3, f"too few posts at {root}"
    for source in chosen:
        shutil.copyfile(source, posts / source.name)
    (posts / "crlf-bom.md").write_bytes(make_post(newline="\r\n", bom=True))
    (posts / "already-markdown.md").write_bytes(make_post(MARKDOWN_BODY))
    (repo / "README.md").write_bytes(README.encode())
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "posts")
    yield repo


def snapshot(repo: Path) -> dict[str, bytes]:
    return {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(repo).parts
    }


def try_repo(
    blog: Path, hook_repo: Path, home: Path, hook: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(
        [*PRE_COMMIT, "try-repo", str(hook_repo), hook, "--all-files", *extra],
        cwd=blog,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_normalize_hook_fixes_then_passes(
    blog: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    before = snapshot(blog)
    first = try_repo(blog, hook_repo, pre_commit_home, "zhconvert-normalize", "--verbose")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "zhconvert normalize" in first.stdout and "Failed" in first.stdout
    assert "files were modified by this hook" in first.stdout
    after = snapshot(blog)
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {
        name
        for name in before
        if name.startswith("source/_posts/") and name != "source/_posts/already-markdown.md"
    }
    for name in sorted(changed):
        assert f"fixed: {name}" in first.stdout
    assert after["README.md"] == before["README.md"]
    assert after["source/_posts/already-markdown.md"] == before["source/_posts/already-markdown.md"]
    crlf = after["source/_posts/crlf-bom.md"]
    assert crlf.startswith(codecs.BOM_UTF8 + b"\r\n---\r\n")
    assert b"\n" not in crlf.replace(b"\r\n", b"")
    assert b"<div>" not in crlf and "**粗体**".encode() in crlf

    second = try_repo(blog, hook_repo, pre_commit_home, "zhconvert-normalize")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Passed" in second.stdout
    assert snapshot(blog) == after


def test_check_hook_fails_and_writes_nothing(
    blog: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    before = snapshot(blog)
    result = try_repo(blog, hook_repo, pre_commit_home, "zhconvert-check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "would fix: source/_posts/crlf-bom.md" in result.stdout
    assert "files were modified" not in result.stdout
    assert snapshot(blog) == before


def test_commit_is_blocked_then_accepted(
    blog: Path, hook_repo: Path, pre_commit_home: Path
) -> None:
    """The everyday flow: the hook installed as a git hook, then ``git commit``."""
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    (blog / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: zhconvert-normalize\n",
        encoding="utf-8",
    )
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home)}
    subprocess.run([*PRE_COMMIT, "install"], cwd=blog, env=env, check=True, capture_output=True)
    new_post = blog / "source" / "_posts" / "new.md"
    new_post.write_bytes(make_post())
    git(blog, "add", ".pre-commit-config.yaml", "source/_posts/new.md")

    def commit() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "commit", "-q", "-m", "new post"],
            cwd=blog,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )

    blocked = commit()
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    assert "fixed: source/_posts/new.md" in blocked.stdout + blocked.stderr
    # Only the staged post was given to the hook; the committed HTML posts are untouched.
    assert set(git(blog, "status", "--porcelain").splitlines()) == {
        "A  .pre-commit-config.yaml",
        "AM source/_posts/new.md",
    }
    git(blog, "add", "source/_posts/new.md")
    accepted = commit()
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert git(blog, "status", "--porcelain") == ""
    assert b"<div>" not in new_post.read_bytes()
