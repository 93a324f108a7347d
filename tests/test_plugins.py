"""Writer plugins: a real package (``tests/plugin_example``) installed with pip, used via ``-t``.

The plugin is installed with ``pip install --target`` into a temporary folder put on
``PYTHONPATH`` of the processes that use it: a real install (pip builds the wheel and writes the
``.dist-info`` with its entry points) that leaves the test environment untouched. A fresh
``venv --system-site-packages`` would not do here: made from a virtualenv (as CI's ``.venv``),
it sees the base interpreter's packages, not zhconvert and its dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import zhconvert

PLUGIN = Path(__file__).resolve().parent / "plugin_example"
SRC = Path(__file__).resolve().parents[1] / "src"

POST = (
    "---\ntitle: Plugin test\nauthor: 知乎\ndate: 2022-07-13 15:40:55\n---\n\n<div>\n"
    "<p>Hello 软件 world, <b>bold</b> and <code>code</code>.</p>\n</div>\n"
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed plugin (its module and ``.dist-info``)."""
    target = tmp_path_factory.mktemp("plugin-site")
    build = tmp_path_factory.mktemp("plugin-build")
    source = build / "plugin_example"
    # pip builds in place for local folders: a copy keeps build/ and *.egg-info out of tests/.
    shutil.copytree(PLUGIN, source)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",  # offline: the [dev] extra brings setuptools
            "--no-input",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (target / "zhconvert_upper-0.1.0.dist-info" / "entry_points.txt").is_file()
    return target


def zhconvert_cli(
    site: Path, *argv: str | os.PathLike[str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), str(SRC)])
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("NO_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "zhconvert", *map(os.fspath, argv)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_text(POST, encoding="utf-8")
    return path


def expected(**options: object) -> str:
    text = zhconvert.dumps(zhconvert.loads(POST), "text", **options)  # type: ignore[arg-type]
    assert isinstance(text, str)
    return text.upper()


def test_version_lists_the_plugin(site: Path) -> None:
    proc = zhconvert_cli(site, "--version")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith(f"zhconvert {zhconvert.__version__} ")
    assert "  writer upper: zhconvert-upper 0.1.0" in proc.stdout.splitlines()


def test_version_lists_the_site_rule_plugin(site: Path) -> None:
    proc = zhconvert_cli(site, "--version")
    assert proc.returncode == 0, proc.stderr
    assert "  site shouting: zhconvert-upper 0.1.0" in proc.stdout.splitlines()


def test_the_installed_site_rule_applies(site: Path, tmp_path: Path) -> None:
    post = tmp_path / "shouting.md"
    post.write_text(
        "---\ntitle: t\n---\n\n<div><p>留下</p><div class='shout-box'>分享到微博</div></div>\n",
        encoding="utf-8",
    )
    proc = zhconvert_cli(site, "convert", post, "-t", "txt")
    assert proc.returncode == 0, proc.stderr
    assert "留下" in proc.stdout
    assert "分享到微博" not in proc.stdout


def test_a_broken_site_plugin_is_named_by_version(site: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken-site"
    shutil.copytree(site, broken)
    (broken / "zhconvert_upper.py").write_text("raise ImportError('no such thing')\n")
    proc = zhconvert_cli(broken, "--version")
    assert proc.returncode == 0, proc.stderr
    line = next(line for line in proc.stdout.splitlines() if "site shouting" in line)
    assert "could not be loaded" in line
    assert "no such thing" in line


def test_version_without_plugins_lists_none(tmp_path: Path) -> None:
    proc = zhconvert_cli(tmp_path, "--version")
    assert proc.returncode == 0
    assert "upper" not in proc.stdout
    assert "  site " not in proc.stdout  # the built-in site rules are not plugins


@pytest.mark.parametrize("name", ["upper", "UPPER", "shout"])
def test_convert_with_the_plugin_format(site: Path, post: Path, name: str) -> None:
    proc = zhconvert_cli(site, "convert", post, "-t", name)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected()
    assert "HELLO 软件 WORLD" in proc.stdout


def test_chinese_options_apply_to_plugins_too(site: Path, post: Path) -> None:
    proc = zhconvert_cli(site, "convert", post, "-t", "upper", "--chinese", "tw", "--cjk-spacing")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected(chinese="tw", cjk_spacing=True)
    assert "HELLO 軟體 WORLD" in proc.stdout


def test_plugin_output_file_and_folder_in_parallel(site: Path, tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    for name in ("a", "b", "c"):
        (posts / f"{name}.md").write_text(POST, encoding="utf-8")
    proc = zhconvert_cli(site, "convert", posts, "-t", "upper", "-o", tmp_path / "out", "-j", "2")
    assert proc.returncode == 0, proc.stderr
    outputs = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in outputs] == ["a.txt", "b.txt", "c.txt"]  # the plugin's extension
    assert all(p.read_text(encoding="utf-8") == expected() for p in outputs)


def test_plugin_satisfies_the_writer_protocol_and_takes_its_options(site: Path) -> None:
    code = (
        "import zhconvert\n"
        "from zhconvert.writers import Writer, available_formats, get_writer\n"
        "writer = get_writer('upper')\n"
        "assert isinstance(writer, Writer)\n"
        "assert 'upper' in available_formats()\n"
        f"doc = zhconvert.loads({POST!r})\n"
        "print(zhconvert.dumps(doc, 'upper', wrap=20), end='')\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(SRC)]))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected(wrap=20)


def test_unknown_option_of_a_plugin_is_an_option_error(site: Path) -> None:
    code = (
        "import zhconvert\n"
        f"doc = zhconvert.loads({POST!r})\n"
        "try:\n"
        "    zhconvert.dumps(doc, 'upper', colour='red')\n"
        "except zhconvert.OptionError as exc:\n"
        "    print(exc)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), str(SRC)]))
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.stdout.strip() == (
        "the upper writer does not take option(s) colour (it takes: wrap)"
    )


def test_a_misspelt_plugin_format_is_suggested(site: Path, post: Path) -> None:
    proc = zhconvert_cli(site, "convert", post, "-t", "uper")
    assert proc.returncode == 2
    assert proc.stderr.startswith("Error: -t/--to uper: unknown format 'uper'")
    assert "did you mean -t upper?" in proc.stderr
