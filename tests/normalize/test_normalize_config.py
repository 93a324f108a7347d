"""``zhconvert.config``: finding ``[tool.zhconvert]``, checking it, and remembering origins."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhconvert.config import Config, ConfigError, Setting, find_config, load_config
from zhconvert.errors import ZhconvertError


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository root: the configuration search stops at its ``.git``."""
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_defaults_when_no_file(repo: Path) -> None:
    config = find_config(repo)
    assert config.path is None
    assert config.front_matter == Setting("keep", "default")
    assert config.images == Setting("remote", "default")
    assert config.image_source == Setting("best", "default")
    assert config.image_folder == Setting("", "default")
    assert config.exclude == Setting((), "default")
    assert config.root == repo


def test_pyproject_table_found_from_a_subfolder(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "blog"\n\n[tool.zhconvert]\n'
        'front-matter = "normalize"\nimage-source = "src"\nexclude = ["drafts/**"]\n',
        encoding="utf-8",
    )
    below = repo / "source" / "_posts"
    below.mkdir(parents=True)
    config = find_config(below)
    assert config.path == repo / "pyproject.toml"
    assert config.root == repo
    assert config.front_matter.value == "normalize"
    assert config.image_source.value == "src"
    assert config.exclude.value == ("drafts/**",)
    for key, setting in config.items():
        if key in ("front-matter", "image-source", "exclude"):  # the keys the file sets
            assert setting.origin == f"{repo / 'pyproject.toml'} [tool.zhconvert]"


def test_pyproject_without_table_is_passed_over(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.zhconvert]\nimage-source = "src"\n', encoding="utf-8")
    inner = repo / "site"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_config(inner).image_source.value == "src"


def test_zhconvert_toml_top_level_keys_and_precedence(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.zhconvert]\nimage-source = "src"\n', encoding="utf-8")
    (repo / "zhconvert.toml").write_text('front-matter = "normalize"\n', encoding="utf-8")
    config = find_config(repo)
    assert config.path == repo / "zhconvert.toml"
    assert config.front_matter.value == "normalize"
    # The winning file is the whole configuration: files are not merged.
    assert config.image_source == Setting("best", "default")


def test_zhconvert_toml_may_use_the_tool_table(repo: Path) -> None:
    (repo / "zhconvert.toml").write_text('[tool.zhconvert]\nimage-source = "src"\n', encoding="utf-8")
    assert find_config(repo).image_source.value == "src"


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.zhconvert]\nimage-source = "src"\n', "utf-8")
    repo = tmp_path / "blog"
    (repo / ".git").mkdir(parents=True)
    assert find_config(repo).path is None
    # Without a repository boundary the search goes on upward.
    loose = tmp_path / "loose"
    loose.mkdir()
    assert find_config(loose).image_source.value == "src"


def test_snake_case_key_accepted(repo: Path) -> None:
    (repo / "zhconvert.toml").write_text('front_matter = "normalize"\n', encoding="utf-8")
    assert find_config(repo).front_matter.value == "normalize"


def test_unknown_key_warns_and_is_ignored(repo: Path) -> None:
    (repo / "zhconvert.toml").write_text('imags = "src"\nimage-source = "src"\n', encoding="utf-8")
    config = find_config(repo)
    assert config.image_source.value == "src"
    assert len(config.warnings) == 1
    assert "'imags'" in config.warnings[0]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('front-matter = "none"\n', 'front-matter: must be "keep" or "normalize", not "none"'),
        ("images = 1\n", 'images: must be "remote", "local", "embed" or "omit", not 1'),
        ('image-source = "big"\n', 'image-source: must be "best" or "src", not "big"'),
        ("image-folder = 1\n", "image-folder: must be a folder name"),
        ("exclude = [1]\n", "exclude: must be a list of glob strings"),
        ('exclude = [""]\n', "empty exclude glob"),
    ],
)
def test_bad_values_raise_config_error(repo: Path, toml: str, message: str) -> None:
    (repo / "zhconvert.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        find_config(repo)
    assert isinstance(caught.value, ZhconvertError)
    assert message in str(caught.value)


def test_invalid_toml_names_file_and_position(repo: Path) -> None:
    path = repo / "pyproject.toml"
    path.write_text('[tool.zhconvert]\nimages = "src\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        find_config(repo)
    text = str(caught.value)
    assert text.startswith(f"{path}: invalid TOML")
    assert "line 2" in text


def test_table_that_is_not_a_table(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool]\nzhconvert = "yes"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a table"):
        find_config(repo)


def test_load_config_reads_a_named_file(tmp_path: Path) -> None:
    path = tmp_path / "custom.toml"
    path.write_text('image-source = "src"\n', encoding="utf-8")
    config = load_config(path)
    assert config.image_source == Setting("src", f"{path} [tool.zhconvert]")
    assert config.root == tmp_path


def test_command_line_wins_and_says_so(repo: Path) -> None:
    (repo / "zhconvert.toml").write_text(
        'front-matter = "normalize"\nexclude = ["a.md"]\n', encoding="utf-8"
    )
    config = find_config(repo).override(front_matter="keep", exclude=["b.md"])
    assert config.front_matter == Setting("keep", "command line")
    assert config.images.origin == "default"
    assert config.exclude.value == ("a.md", "b.md")
    assert config.exclude.origin.endswith("+ command line")


def test_override_rejects_bad_values() -> None:
    with pytest.raises(ConfigError, match="front-matter"):
        Config().override(front_matter="drop")


@pytest.mark.parametrize(
    ("glob", "path", "excluded"),
    [
        ("*.raw.md", "a.raw.md", True),
        ("*.raw.md", "deep/er/a.raw.md", True),
        ("*.raw.md", "a.md", False),
        ("drafts", "drafts/x.md", True),
        ("drafts", "source/drafts/x.md", True),
        ("drafts", "draftsman.md", False),
        ("drafts/", "drafts/x.md", True),
        ("source/_drafts/**", "source/_drafts/a/b.md", True),
        ("source/_drafts/**", "other/source/_drafts/b.md", False),
        ("source/*.md", "source/a.md", True),
        ("source/*.md", "source/sub/a.md", False),
        ("**/知乎/*.md", "source/_posts/知乎/问题？.md", True),
        ("**/知乎/*.md", "知乎/问题.md", True),
        ("README.md", "docs/README.md", True),
        ("[ab].md", "a.md", True),
        ("[!ab].md", "a.md", False),
    ],
)
def test_exclude_globs(tmp_path: Path, glob: str, path: str, excluded: bool) -> None:
    config = Config(root=tmp_path).override(exclude=[glob])
    assert config.is_excluded(tmp_path / path) is excluded


def test_exclude_relative_to_the_config_folder(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "blog").override(exclude=["source/a.md"])
    assert config.is_excluded(tmp_path / "blog" / "source" / "a.md")
    # An anchored glob never matches outside its root.
    assert not config.is_excluded(tmp_path / "source" / "a.md")
