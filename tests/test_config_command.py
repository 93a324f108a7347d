"""One configuration for every command: the keys, ``zhconvert config``, and who reads what."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

import zhconvert
from zhconvert._cli import run
from zhconvert.config import KEYS, Config, ConfigError, Setting, find_config

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]

POST = (
    "---\ntitle: 软件开发\nauthor: 知乎\ndate: 2022-07-13 15:40:55\n---\n\n<div>\n"
    "<p>学习软件开发，用<code>pip</code>安装Python包。</p>\n</div>\n"
)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository root (the search stops at its ``.git``), as the working directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([os.fspath(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def settings_of(out: str) -> dict[str, tuple[str, str]]:
    """``key -> (value as written, origin comment)`` from ``zhconvert config``'s output."""
    found = {}
    for line in out.splitlines():
        match = re.match(r"^([a-z-]+) = (.*?)\s+# (.*)$", line)
        if match:
            found[match[1]] = (match[2], match[3])
    return found


# ---------------------------------------------------------------------------------------------
# zhconvert config


def test_defaults_with_their_origin(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "config")
    assert (code, err) == (0, "")
    assert settings_of(out) == {
        "front-matter": ('"keep"', "default"),
        "images": ('"remote"', "default"),
        "image-source": ('"best"', "default"),
        "image-folder": ('""', "default"),
        "encoding": ('"utf-8"', "default"),
        "exclude": ("[]", "default"),
        "chinese": ('"none"', "default"),
        "cjk-spacing": ("false", "default"),
        "hotlink": ('"markdown"', "default"),
        "referer-hosts": ("[]", "default"),
    }
    assert "no zhconvert.toml or pyproject.toml" in out


def test_output_is_toml_that_reads_back(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "zhconvert.toml").write_text(
        'chinese = "tw"\nexclude = ["草稿/**", "*.raw.md"]\ncjk-spacing = true\n', encoding="utf-8"
    )
    code, out, _ = cli(capsys, "config")
    assert code == 0
    assert tomllib.loads(out) == {
        "front-matter": "keep",
        "images": "remote",
        "image-source": "best",
        "image-folder": "",
        "encoding": "utf-8",
        "exclude": ["草稿/**", "*.raw.md"],
        "chinese": "tw",
        "cjk-spacing": True,
        "hotlink": "markdown",
        "referer-hosts": [],
    }
    # ... so it can be pasted into zhconvert.toml and gives the same settings.
    (repo / "zhconvert.toml").write_text(out, encoding="utf-8")
    assert cli(capsys, "config", "-q")[1] == cli(capsys, "config", "-q")[1]
    assert find_config(repo).chinese.value == "tw"


def test_every_origin_file_and_flag(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.zhconvert]\nimage-source = "src"\nexclude = ["drafts/**"]\nchinese = "hk"\n',
        encoding="utf-8",
    )
    code, out, _ = cli(
        capsys,
        "config",
        "--chinese",
        "tw",
        "--cjk-spacing",
        "--exclude",
        "x.md",
        "--encoding",
        "keep",
    )
    assert code == 0
    file_origin = f"{repo / 'pyproject.toml'} [tool.zhconvert]"
    assert f"# read from {repo / 'pyproject.toml'}" in out
    assert settings_of(out) == {
        "front-matter": ('"keep"', "default"),
        "images": ('"remote"', "default"),
        "image-source": ('"src"', file_origin),
        "image-folder": ('""', "default"),
        "encoding": ('"keep"', "command line (--encoding)"),
        "exclude": ('["drafts/**", "x.md"]', f"{file_origin} + command line (--exclude)"),
        "chinese": ('"tw"', "command line (--chinese)"),
        "cjk-spacing": ("true", "command line (--cjk-spacing)"),
        "hotlink": ('"markdown"', "default"),
        "referer-hosts": ("[]", "default"),
    }


def test_no_cjk_spacing_turns_a_configured_true_off(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "zhconvert.toml").write_text("cjk-spacing = true\n", encoding="utf-8")
    out = cli(capsys, "config", "--no-cjk-spacing")[1]
    assert settings_of(out)["cjk-spacing"] == ("false", "command line (--cjk-spacing)")


def test_folder_argument_and_config_file(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blog = repo / "blog"
    (blog / "_posts").mkdir(parents=True)
    (blog / "zhconvert.toml").write_text('chinese = "s"\n', encoding="utf-8")
    assert settings_of(cli(capsys, "config", blog / "_posts")[1])["chinese"][0] == '"s"'
    assert settings_of(cli(capsys, "config")[1])["chinese"][0] == '"none"'
    named = repo / "ci.toml"
    named.write_text('[tool.zhconvert]\nchinese = "t"\n', encoding="utf-8")
    out = cli(capsys, "config", "--config", named)[1]
    assert settings_of(out)["chinese"] == ('"t"', f"{named} [tool.zhconvert]")


def test_json(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "zhconvert.toml").write_text('chinese = "tw"\n', encoding="utf-8")
    code, out, _ = cli(capsys, "config", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["file"] == str(repo / "zhconvert.toml")
    assert report["root"] == str(repo)
    assert report["settings"]["chinese"] == {
        "value": "tw",
        "origin": f"{repo / 'zhconvert.toml'} [tool.zhconvert]",
    }
    assert report["settings"]["exclude"] == {"value": [], "origin": "default"}
    assert list(report["settings"]) == [key.name for key in KEYS]


def test_verbose_says_what_each_key_does(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "config", "-v")[1]
    for key in KEYS:
        assert f"# {key.help}" in out
        assert f"# used by: {', '.join(key.commands)}; flag: {key.flag}" in out


def test_bad_value_is_a_configuration_error(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "zhconvert.toml").write_text('chinese = "traditional"\n', encoding="utf-8")
    code, out, err = cli(capsys, "config")
    assert code == 2
    assert out == ""
    assert err == (
        f"Error: {repo / 'zhconvert.toml'}: [tool.zhconvert] chinese: must be "
        '"none", "s", "t", "tw" or "hk", not "traditional"\n'
    )


def test_cjk_spacing_must_be_a_bool(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "zhconvert.toml").write_text('cjk-spacing = "yes"\n', encoding="utf-8")
    code, _, err = cli(capsys, "config")
    assert code == 2
    assert 'cjk-spacing: must be true or false, not "yes"' in err


def test_unknown_key_is_a_warning(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "zhconvert.toml").write_text('chinses = "tw"\n', encoding="utf-8")
    code, _, err = cli(capsys, "config")
    assert code == 0
    assert (
        err
        == f"Warning: {repo / 'zhconvert.toml'}: [tool.zhconvert] unknown key 'chinses' ignored\n"
    )
    assert cli(capsys, "config", "-q")[2] == ""


def test_missing_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "config", "nowhere")
    assert code == 1
    assert err == "Error: nowhere: no such folder\n"


def test_config_api_new_keys() -> None:
    assert Config().chinese == Setting("none", "default")
    assert Config().cjk_spacing == Setting(False, "default")
    config = Config().override(chinese="hk", cjk_spacing=True)
    assert config.text_options == {"chinese": "hk", "cjk_spacing": True}
    assert Config().text_options == {"chinese": None, "cjk_spacing": False}
    with pytest.raises(ConfigError, match="chinese"):
        Config().override(chinese="zh-tw")


# ---------------------------------------------------------------------------------------------
# Every command reads the same file


def test_convert_reads_chinese_and_spacing_from_the_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "post.md").write_text(POST, encoding="utf-8")
    (repo / "pyproject.toml").write_text(
        '[tool.zhconvert]\nchinese = "tw"\ncjk-spacing = true\n', encoding="utf-8"
    )
    code, out, _ = cli(capsys, "convert", "post.md", "-t", "txt")
    assert code == 0
    assert out == zhconvert.dumps(zhconvert.loads(POST), "txt", chinese="tw", cjk_spacing=True)
    assert "學習軟體開發，用 pip 安裝 Python 包。" in out
    # The command line wins.
    code, out, _ = cli(
        capsys, "convert", "post.md", "-t", "txt", "--chinese", "none", "--no-cjk-spacing"
    )
    assert out == zhconvert.dumps(zhconvert.loads(POST), "txt")


def test_convert_reads_front_matter_for_markdown_only(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "post.md").write_text(POST, encoding="utf-8")
    (repo / "zhconvert.toml").write_text('front-matter = "normalize"\n', encoding="utf-8")
    doc = zhconvert.loads(POST)
    assert cli(capsys, "convert", "post.md")[1] == zhconvert.dumps(
        doc, "md", front_matter="normalize"
    )
    assert cli(capsys, "convert", "post.md", "--front-matter", "keep")[1] == zhconvert.dumps(
        doc, "md"
    )
    assert cli(capsys, "convert", "post.md", "-t", "json")[0] == 0


def test_convert_skips_excluded_files_in_folders(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = repo / "posts"
    (posts / "drafts").mkdir(parents=True)
    (posts / "a.md").write_text(POST, encoding="utf-8")
    (posts / "drafts" / "b.md").write_text(POST, encoding="utf-8")
    (posts / "c.raw.md").write_text(POST, encoding="utf-8")
    (repo / "zhconvert.toml").write_text('exclude = ["posts/drafts/**"]\n', encoding="utf-8")
    code, _, err = cli(capsys, "convert", "posts", "-o", "out", "--exclude", "*.raw.md", "-j", "1")
    assert code == 0, err
    assert sorted(p.relative_to(repo / "out").as_posix() for p in (repo / "out").rglob("*.md")) == [
        "a.md"
    ]


def test_normalize_reads_chinese_from_the_file(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = repo / "post.md"
    post.write_text(POST, encoding="utf-8")
    (repo / "zhconvert.toml").write_text('chinese = "t"\ncjk-spacing = true\n', encoding="utf-8")
    code, _, err = cli(capsys, "normalize", post)
    assert code == 1
    assert err == f"fixed: {post}\n"
    text = post.read_text(encoding="utf-8")
    # front-matter "keep": the front matter stays byte for byte; the body is converted.
    assert text.startswith("---\ntitle: 软件开发\n")
    assert "學習軟件開發，用 `pip` 安裝 Python 包。" in text
    # A second run leaves the post alone: it is Markdown now.
    assert cli(capsys, "normalize", post) == (0, "", "")
    assert post.read_text(encoding="utf-8") == text


def test_normalize_quiet_prints_only_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = repo / "post.md"
    post.write_text(POST, encoding="utf-8")
    code, out, err = cli(capsys, "normalize", "-q", "--check", post, repo / "missing.md")
    assert code == 1
    assert out == ""
    assert err == f"Error: {repo / 'missing.md'}: no such file or folder\n"


def test_a_bad_file_stops_convert_with_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "post.md").write_text(POST, encoding="utf-8")
    (repo / "zhconvert.toml").write_text("chinese = [\n", encoding="utf-8")
    code, out, err = cli(capsys, "convert", "post.md")
    assert (code, out) == (2, "")
    assert err.startswith(f"Error: {repo / 'zhconvert.toml'}: invalid TOML")


# ---------------------------------------------------------------------------------------------
# Documentation


def test_every_key_is_documented() -> None:
    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = page.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    documented = {re.match(r"\| `([a-z-]+)`", line)[1] for line in table}  # type: ignore[index]
    assert documented == {key.name for key in KEYS}
    for key in KEYS:
        row = next(line for line in table if line.startswith(f"| `{key.name}`"))
        for command in key.commands:
            assert command in row, (key.name, command)
