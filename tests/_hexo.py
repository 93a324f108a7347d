"""Build Markdown posts with a real Hexo 7 site and return what Hexo made of each.

Hexo and its Markdown renderer come from npm, pinned by ``tests/hexo/package-lock.json``
(``hexo`` 7.3.0 and ``hexo-renderer-marked`` 6.3.0, what ``hexo init`` gives a Hexo 7 site), and
are installed once into a cache folder outside the repository, keyed by that lock file:
``$XDG_CACHE_HOME/zhconvert-tests/hexo-<hash>`` (``~/.cache/...`` without ``XDG_CACHE_HOME``), or
``$ZHCONVERT_HEXO_CACHE`` when set. ``scripts/test.sh`` installs it before the tests run
(``python tests/_hexo.py install``); a test that finds it missing installs it the same way, so
the tests also run from a bare ``pytest``.

Use ``build_posts([(name, markdown), ...])`` from a test; ``hexo_or_skip()`` skips the test, with
the reason, only where Node.js or npm cannot be found (``scripts/test.sh`` installs both from
Debian's packages where it can). One ``node`` process renders every post given, each through
Hexo's own post pipeline (its code-block filter, its Nunjucks tag pass and hexo-renderer-marked),
alone, so that one post's template error is reported for that post.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent / "hexo"
"""``package.json``, ``package-lock.json`` and ``render_posts.js``."""

#: A minimal site: Hexo's defaults (highlight.js code blocks, hexo-renderer-marked's defaults),
#: no theme (posts are rendered, pages are not generated).
SITE_CONFIG = "title: zhconvert tests\nlanguage: zh-CN\ntimezone: UTC\n"

#: Seconds one build may take before it is stopped (the ~90 corpus posts take a few seconds).
BUILD_TIMEOUT = 300
INSTALL_TIMEOUT = 600


class HexoUnavailable(RuntimeError):
    """Node.js or npm is not installed, so Hexo cannot run here."""


@dataclass(frozen=True)
class HexoPost:
    """What Hexo made of one post: its title and HTML body, or the error that stopped it."""

    name: str
    title: str | None = None
    html: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.html is not None


def _lock_key() -> str:
    digest = hashlib.sha256((PACKAGE / "package-lock.json").read_bytes()).hexdigest()
    return digest[:16]


def cache_dir() -> Path:
    """Return the folder that holds (or will hold) the installed ``node_modules``."""
    configured = os.environ.get("ZHCONVERT_HEXO_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "zhconvert-tests" / f"hexo-{_lock_key()}"


def _tool(*names: str) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return None


def node_binary() -> str:
    """Return the ``node`` program (Debian's older packages call it ``nodejs``)."""
    found = _tool("node", "nodejs")
    if found is None:
        raise HexoUnavailable(
            "Node.js is not installed (scripts/test.sh installs Debian's nodejs and npm)"
        )
    return found


def _ready(folder: Path) -> bool:
    return (folder / "node_modules" / ".zhconvert-installed").is_file()


def install(*, quiet: bool = True) -> Path:
    """Install the pinned Hexo into the cache folder unless it is there; return that folder."""
    node_binary()
    folder = cache_dir()
    if _ready(folder):
        return folder
    npm = _tool("npm")
    if npm is None:
        raise HexoUnavailable("npm is not installed (scripts/test.sh installs Debian's npm)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    # Two test workers may get here at once: one installs, the other waits and reuses it.
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _ready(folder):
            return folder
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        try:
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(PACKAGE / name, work / name)
            # `npm ci` installs exactly the lock; install scripts are not run (none is needed).
            command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
            command += ["--loglevel=error"] if quiet else []
            done = subprocess.run(
                command,
                cwd=work,
                capture_output=quiet,
                text=True,
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
            if done.returncode != 0:
                tail = "\n".join(((done.stderr or "") + (done.stdout or "")).splitlines()[-20:])
                raise RuntimeError(f"npm ci of Hexo failed (exit {done.returncode}):\n{tail}")
            (work / "node_modules" / ".zhconvert-installed").write_text(
                json.dumps(_installed_versions(work / "node_modules")) + "\n"
            )
            shutil.rmtree(folder, ignore_errors=True)
            work.rename(folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return folder


def _installed_versions(modules: Path) -> dict[str, str]:
    names = ("hexo", "hexo-renderer-marked", "marked", "nunjucks")
    versions = {}
    for name in names:
        manifest = modules / name / "package.json"
        if manifest.is_file():
            versions[name] = json.loads(manifest.read_text(encoding="utf-8"))["version"]
    return versions


def installed_versions() -> dict[str, str]:
    """Return the installed versions of Hexo, hexo-renderer-marked, marked and Nunjucks."""
    marker = install() / "node_modules" / ".zhconvert-installed"
    return dict(json.loads(marker.read_text(encoding="utf-8")))


def hexo_or_skip() -> Path:
    """Return the installed Hexo's folder, or skip the calling test where Node or npm is missing."""
    import pytest

    try:
        return install()
    except HexoUnavailable as why:
        pytest.skip(f"real Hexo 7 cannot run here: {why}")


@contextlib.contextmanager
def hexo_site(posts: Iterable[tuple[str, str]], *, config: str = SITE_CONFIG) -> Iterator[Path]:
    """Yield a temporary Hexo site folder holding ``posts`` in ``source/_posts``."""
    modules = install() / "node_modules"
    with tempfile.TemporaryDirectory(prefix="zhconvert-hexo-") as tmp:
        site = Path(tmp)
        (site / "node_modules").symlink_to(modules, target_is_directory=True)
        shutil.copyfile(PACKAGE / "package.json", site / "package.json")
        (site / "_config.yml").write_text(config, encoding="utf-8")
        folder = site / "source" / "_posts"
        folder.mkdir(parents=True)
        for name, text in posts:
            (folder / name).write_text(text, encoding="utf-8")
        yield site


def build_posts(
    posts: Iterable[tuple[str, str]], *, config: str = SITE_CONFIG
) -> dict[str, HexoPost]:
    """Render ``(name, markdown)`` posts with Hexo; return what became of each, by name.

    Names are kept apart from file names (which Hexo may skip or read as dates): post ``i`` is
    written as ``post-<i>.md``. A post Hexo did not read at all is reported with an error.
    """
    posts = list(posts)
    files = [(f"post-{index:05d}.md", text) for index, (_, text) in enumerate(posts)]
    with hexo_site(files, config=config) as site:
        done = subprocess.run(
            [node_binary(), str(PACKAGE / "render_posts.js"), str(site)],
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"Hexo crashed (exit {done.returncode}):\n{done.stderr[-4000:]}")
    report = json.loads(done.stdout)
    if report["error"]:
        raise RuntimeError(f"Hexo could not read the site:\n{report['error']}")
    results: dict[str, HexoPost] = {}
    for (name, _), (file_name, _) in zip(posts, files, strict=True):
        got = report["posts"].get(file_name)
        if got is None:
            results[name] = HexoPost(name, error="Hexo did not read this post")
        else:
            results[name] = HexoPost(name, got.get("title"), got.get("html"), got.get("error"))
    return results


def build_post(markdown: str, *, config: str = SITE_CONFIG) -> HexoPost:
    """Render one Markdown post with Hexo."""
    return build_posts([("post.md", markdown)], config=config)["post.md"]


def main(argv: list[str]) -> int:
    """``python tests/_hexo.py install``: install Hexo into its cache folder (for scripts/test.sh)."""
    if argv != ["install"]:
        print("usage: python tests/_hexo.py install", file=sys.stderr)
        return 2
    try:
        folder = install()
    except HexoUnavailable as why:
        print(f"tests/_hexo.py: the Hexo tests will be skipped: {why}", file=sys.stderr)
        return 0
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        print(f"tests/_hexo.py: installing Hexo failed: {error}", file=sys.stderr)
        return 1
    versions = ", ".join(f"{name} {version}" for name, version in installed_versions().items())
    print(f"Hexo for the tests: {versions} ({folder})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
