"""The documentation: the site builds with ``mkdocs build --strict``, the command-line reference
covers the real parser, every page is reachable, and the commands a new user copies work."""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from zhconvert._cli import COMMANDS, build_parser

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def docs_hooks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("docs_hooks", REPO / "scripts" / "docs_hooks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def all_options() -> dict[str, list[str]]:
    """``command -> every option string`` of the real parser ("" for zhconvert itself)."""
    parser = build_parser()
    found = {"": [o for a in parser._actions for o in a.option_strings]}
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, command in sub.choices.items():
        found[name] = [o for a in command._actions for o in a.option_strings]
    return found


def nav_pages(nav: object) -> list[str]:
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [p for item in nav for p in nav_pages(item)]
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in nav_pages(value)]
    return []


def mkdocs_config() -> dict[str, object]:
    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml may use MkDocs' own tags (!ENV, !relative); none is needed to read the nav.
    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    with (REPO / "mkdocs.yml").open(encoding="utf-8") as handle:
        config: dict[str, object] = yaml.load(handle, Loader=Loader)
    return config


# ---------------------------------------------------------------------------------------------
# The command-line reference is generated from the real parser


def test_cli_reference_names_every_command_and_option() -> None:
    page = docs_hooks().cli_reference()
    for command, options in all_options().items():
        if command:
            section = page.split(f"\n## zhconvert {command}\n", 1)[1].split("\n## ", 1)[0]
        else:
            section = page.split("\n## ", 1)[0]
        for option in options:
            assert f"`{option}" in section, (command, option)
    for command in COMMANDS:
        assert f"[`{command}`](#zhconvert-{command})" in page


def test_cli_reference_escapes_markdown_in_help() -> None:
    page = docs_hooks().cli_reference()
    # normalize's description names "*.md and *.markdown": literal, not emphasis.
    assert r"\*.md and \*.markdown" in page


# ---------------------------------------------------------------------------------------------
# Every page is in the navigation, every README link works


def test_every_page_is_in_the_navigation() -> None:
    pages = set(nav_pages(mkdocs_config()["nav"]))
    optional = set(docs_hooks().OPTIONAL_PAGES)
    written = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert written - pages - optional == set()
    generated = {"cli.md"}
    assert pages - written - generated == set()


def test_readme_links_to_existing_files() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(((?!https?:)[^)#\s]+)", readme)
    assert targets
    assert [t for t in targets if not (REPO / t).exists()] == []


# ---------------------------------------------------------------------------------------------
# The commands a new user copies and pastes


def shell_blocks(page: Path, section: str | None = None) -> list[str]:
    text = page.read_text(encoding="utf-8")
    if section is not None:
        text = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", text, flags=re.S)


#: Setup commands that need the network or change the machine: run by hand, not here.
SETUP = re.compile(r"^(git clone|cd zhconvert|pipx |python3 -m pip install|pip install)")


def runnable(block: str) -> str:
    lines = []
    for line in block.splitlines():
        commands = [c.strip() for c in line.split("&&")]
        kept = [c for c in commands if c and not SETUP.match(c)]
        if kept:
            lines.append(" && ".join(kept))
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("page", "section"),
    [
        ("README.md", "Quick start"),  # the rest of the README shows forms (post.md, posts/)
        ("docs/getting-started.md", None),
        ("docs/chinese.md", None),
    ],
    ids=str,
)
def test_copied_commands_work(page: str, section: str | None, tmp_path: Path) -> None:
    """Run each ``sh`` block as pasted into a shell in a fresh clone, but the install steps."""
    blocks = [runnable(b) for b in shell_blocks(REPO / page, section)]
    blocks = [b for b in blocks if b.strip() and "scripts/test.sh" not in b]
    assert blocks
    work = tmp_path / "clone"
    work.mkdir()
    shutil.copytree(REPO / "examples", work / "examples")
    home = tmp_path / "home"
    home.mkdir()
    env = dict(os.environ, HOME=str(home), PYTHON=sys.executable)
    env.pop("NO_COLOR", None)
    # ``zhconvert`` is the installed console script's name; this checkout's package runs it.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    prelude = 'set -euo pipefail\nzhconvert() { "$PYTHON" -m zhconvert "$@"; }\n'
    for block in blocks:
        proc = subprocess.run(
            ["bash", "-c", prelude + block],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
        )
        assert proc.returncode == 0, f"{page}:\n{block}\n--- stderr:\n{proc.stderr[-2000:]}"
        assert "Error:" not in proc.stderr, f"{page}:\n{block}\n{proc.stderr[-2000:]}"


# ---------------------------------------------------------------------------------------------
# The site


@pytest.mark.slow
def test_site_builds_strict(tmp_path: Path) -> None:
    site = tmp_path / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    cli = (site / "cli" / "index.html").read_text(encoding="utf-8")
    for command, options in all_options().items():
        if command:
            assert f"zhconvert {command}" in cli
        for option in options:
            assert option in cli, option
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("loads", "dumps", "convert_chinese", "ZhconvertError", "Document", "find_config"):
        assert name in api, name
    assert "Writer" in api
    plugins = (site / "plugins" / "index.html").read_text(encoding="utf-8")
    assert "UpperWriter" in plugins  # the tested example, included from tests/plugin_example
    epub = (site / "epub" / "index.html").read_text(encoding="utf-8")
    assert 'src="../epub-page.png"' in epub
    assert (site / "epub-page.png").is_file()
    for page in ("getting-started", "chinese", "formats", "configuration", "pre-commit", "json"):
        assert (site / page / "index.html").is_file(), page


def test_the_committed_cli_reference_is_up_to_date() -> None:
    page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert page == docs_hooks().cli_reference(), (
        "docs/cli.md is stale: regenerate it with python scripts/docs_hooks.py"
    )
