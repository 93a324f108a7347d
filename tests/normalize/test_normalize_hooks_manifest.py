"""``.pre-commit-hooks.yaml``: valid for pre-commit, with the two hooks the docs promise."""

from __future__ import annotations

from typing import Any

import pytest
from pre_commit.clientlib import load_manifest

import zhconvert._cli
from _paths import REPO as REPO_ROOT


@pytest.fixture(scope="module")
def hooks() -> dict[str, dict[str, Any]]:
    # load_manifest checks the file against pre-commit's own schema (and raises if it fails).
    manifest = load_manifest(str(REPO_ROOT / ".pre-commit-hooks.yaml"))
    return {hook["id"]: hook for hook in manifest}


def test_hook_ids(hooks: dict[str, dict[str, Any]]) -> None:
    assert sorted(hooks) == ["zhconvert-check", "zhconvert-normalize"]


@pytest.mark.parametrize(
    ("hook_id", "entry"),
    [
        ("zhconvert-normalize", "zhconvert normalize"),
        ("zhconvert-check", "zhconvert normalize --check"),
    ],
)
def test_hook_definition(hooks: dict[str, dict[str, Any]], hook_id: str, entry: str) -> None:
    hook = hooks[hook_id]
    assert hook["entry"] == entry
    assert hook["language"] == "python"
    assert hook["types"] == ["markdown"]
    assert hook["pass_filenames"] is True
    assert hook["minimum_pre_commit_version"] != "0"
    # The entry's arguments parse: the hook cannot fail on a usage error.
    args = zhconvert._cli.build_parser().parse_args([*entry.split()[1:], "post.md"])
    assert args.command == "normalize"


def test_minimum_version_is_met_by_the_dev_dependency(hooks: dict[str, dict[str, Any]]) -> None:
    import importlib.metadata

    def version(text: str) -> tuple[int, ...]:
        return tuple(int(part) for part in text.split(".")[:3])

    installed = version(importlib.metadata.version("pre-commit"))
    for hook in hooks.values():
        assert version(hook["minimum_pre_commit_version"]) <= installed
