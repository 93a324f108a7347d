"""Packaging: the sdist and wheel build, pass ``twine check``, and carry what users need."""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import zhconvert

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
VERSION = zhconvert.__version__

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` output: the sdist, and the wheel built from that sdist."""
    out = tmp_path_factory.mktemp("dist")
    proc = subprocess.run(
        # No isolation: offline, with the setuptools the [dev] extra installs.
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return out


def wheel(dist: Path) -> Path:
    return dist / f"zhconvert-{VERSION}-py3-none-any.whl"


def sdist(dist: Path) -> Path:
    return dist / f"zhconvert-{VERSION}.tar.gz"


def test_both_are_built(dist: Path) -> None:
    assert sorted(p.name for p in dist.iterdir()) == sorted([wheel(dist).name, sdist(dist).name])


def test_twine_check_is_clean(dist: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, sorted(dist.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2


def test_wheel_carries_the_package_and_its_data(dist: Path) -> None:
    names = set(zipfile.ZipFile(wheel(dist)).namelist())
    for needed in (
        "zhconvert/py.typed",
        "zhconvert/epub/style.css",
        "zhconvert/chinese.py",
        "zhconvert/_commands/config.py",
        f"zhconvert-{VERSION}.dist-info/licenses/LICENSE",
    ):
        assert needed in names
    assert not [n for n in names if n.startswith(("tests/", "docs/")) or "__pycache__" in n]


def test_wheel_metadata(dist: Path) -> None:
    archive = zipfile.ZipFile(wheel(dist))
    meta = email.message_from_bytes(archive.read(f"zhconvert-{VERSION}.dist-info/METADATA"))
    assert meta["Name"] == "zhconvert"
    assert meta["Version"] == VERSION
    assert meta["License-Expression"] == "MIT"
    assert meta["Requires-Python"] == ">=3.10"
    classifiers = meta.get_all("Classifier")
    assert "Typing :: Typed" in classifiers
    assert "Natural Language :: Chinese (Traditional)" in classifiers
    assert set(meta.get_all("Provides-Extra")) >= {"chinese", "completion", "docs", "dev"}
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("opencc") and 'extra == "chinese"' in r for r in requires)
    assert any(r.startswith("pangu") and 'extra == "chinese"' in r for r in requires)
    assert any(r.startswith("shtab") and 'extra == "completion"' in r for r in requires)
    entry_points = archive.read(f"zhconvert-{VERSION}.dist-info/entry_points.txt").decode()
    assert "zhconvert = zhconvert._cli:main" in entry_points
    for name in ("markdown", "text", "json", "epub"):
        assert f"\n{name} = " in entry_points


def test_sdist_carries_docs_examples_and_tests(dist: Path) -> None:
    with tarfile.open(sdist(dist)) as archive:
        names = {n.split("/", 1)[1] for n in archive.getnames() if "/" in n}
    for needed in (
        "README.md",
        "LICENSE",
        "CHANGELOG.md",
        "pyproject.toml",
        "mkdocs.yml",
        "docs/index.md",
        "docs/epub-page.png",
        "examples/如何在家里冲一杯好咖啡_.md",
        "tests/conftest.py",
        "tests/plugin_example/zhconvert_upper.py",
        "src/zhconvert/py.typed",
    ):
        assert needed in names, needed
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_version_is_written_in_one_place() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "version" not in project
    assert "version" in project["dynamic"]
    literal = f'"{VERSION}"'
    holders = [
        p.relative_to(REPO).as_posix()
        for p in (REPO / "src").rglob("*.py")
        if f"__version__ = {literal}" in p.read_text(encoding="utf-8")
    ]
    assert holders == ["src/zhconvert/__init__.py"]
