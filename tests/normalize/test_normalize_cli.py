"""``zhconvert normalize`` on the command line: messages, exit codes, folders, configuration."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from normalize_support import FRONT_MATTER, MARKDOWN_BODY, README, make_post

import zhconvert
from _paths import python_env
from zhconvert.images.hosts import hint_line

#: What normalize says after rewriting one post of ``make_post()`` (a figure on pic1.zhimg.com).
HINT = hint_line(1)

WritePost = Callable[..., Path]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The working directory of each test: a repository root, so no outside config leaks in."""
    (tmp_path / ".git").mkdir()
    return tmp_path


def test_rewrites_and_exits_1_then_0(cli: Callable[..., object], repo: Path) -> None:
    post = repo / "post.md"
    post.write_bytes(make_post())
    first = cli("normalize", "post.md", cwd=repo)
    # The post's figure is on Zhihu's image host: one line says how to make it show on a blog.
    assert (first.code, first.err_lines, first.out) == (1, ["fixed: post.md", HINT], "")
    assert zhconvert.load(post).source.body_format == "markdown"
    second = cli("normalize", "post.md", cwd=repo)
    assert (second.code, second.err, second.out) == (0, "", "")


def test_check_names_files_and_writes_nothing(cli: Callable[..., object], repo: Path) -> None:
    post = repo / "post.md"
    post.write_bytes(make_post())
    clean = repo / "clean.md"
    clean.write_bytes(make_post(MARKDOWN_BODY))
    result = cli("normalize", "--check", "post.md", "clean.md", cwd=repo)
    assert (result.code, result.err_lines, result.out) == (1, ["would fix: post.md"], "")
    assert post.read_bytes() == make_post()
    only_clean = cli("normalize", "--check", "clean.md", cwd=repo)
    assert (only_clean.code, only_clean.err) == (0, "")


def test_diff_prints_a_unified_diff_and_writes_nothing(
    cli: Callable[..., object], repo: Path
) -> None:
    post = repo / "post.md"
    post.write_bytes(make_post())
    result = cli("normalize", "--diff", "post.md", cwd=repo)
    assert result.code == 1
    assert result.err_lines == ["would fix: post.md"]
    lines = result.out.splitlines()
    assert lines[:2] == ["--- a/post.md", "+++ b/post.md"]
    assert lines[2].startswith("@@ ")
    assert any(line.startswith("-<div>") for line in lines)
    assert "+第一段，有**粗体**和[一个链接](https://example.com/a)。" in lines
    # The corpus convention: no newline at the end of the file, before and after.
    assert lines.count("\\ No newline at end of file") == 2
    assert post.read_bytes() == make_post()


def test_folders_are_walked_for_markdown_files(cli: Callable[..., object], repo: Path) -> None:
    posts = repo / "source" / "_posts"
    for name in ("a.md", "sub/b.markdown", "sub/deeper/c.MD"):
        (posts / name).parent.mkdir(parents=True, exist_ok=True)
        (posts / name).write_bytes(make_post())
    ignored = {
        "post.html": make_post(),
        "post.txt": make_post(),
        ".hidden/d.md": make_post(),
        "README.md": README.encode(),
    }
    for name, content in ignored.items():
        (posts / name).parent.mkdir(parents=True, exist_ok=True)
        (posts / name).write_bytes(content)
    result = cli("normalize", "source", cwd=repo)
    assert result.code == 1
    assert result.err_lines == [
        "fixed: source/_posts/a.md",
        "fixed: source/_posts/sub/b.markdown",
        "fixed: source/_posts/sub/deeper/c.MD",
        hint_line(3),
    ]
    for name, content in ignored.items():
        assert (posts / name).read_bytes() == content


def test_a_file_named_twice_is_handled_once(cli: Callable[..., object], repo: Path) -> None:
    (repo / "posts").mkdir()
    (repo / "posts" / "a.md").write_bytes(make_post())
    result = cli("normalize", "posts", "posts/a.md", "./posts/a.md", cwd=repo)
    assert (result.code, result.err_lines) == (1, ["fixed: posts/a.md", HINT])


def test_failures_are_reported_and_other_files_still_fixed(
    cli: Callable[..., object], repo: Path
) -> None:
    broken = make_post().replace("第二段".encode(), b"\xff" + "第二段".encode())
    (repo / "broken.md").write_bytes(broken)
    (repo / "good.md").write_bytes(make_post())
    result = cli("normalize", "broken.md", "missing.md", "good.md", cwd=repo)
    assert result.code == 1
    assert result.err_lines[0].startswith("Error: broken.md: not valid utf-8")
    assert result.err_lines[1:] == [
        "Error: missing.md: no such file or folder",
        "fixed: good.md",
        HINT,
    ]
    assert "Traceback" not in result.err
    assert (repo / "broken.md").read_bytes() == broken


def test_reader_warnings_are_shown_for_changed_posts(
    cli: Callable[..., object], repo: Path
) -> None:
    broken = FRONT_MATTER.replace("'一篇测试文章_'", "'It's broken'")
    (repo / "post.md").write_bytes(make_post(front_matter=broken))
    result = cli("normalize", "post.md", cwd=repo)
    assert result.code == 1
    assert result.err_lines[-2:] == ["fixed: post.md", HINT]
    warning = result.err_lines[0]
    assert warning.startswith("Warning: post.md: front matter is not valid YAML")
    assert (repo / "post.md").read_bytes().startswith(broken.encode())


def test_a_failure_alone_exits_1(cli: Callable[..., object], repo: Path) -> None:
    (repo / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = cli("normalize", "--check", "image.md", cwd=repo)
    assert (result.code, result.err_lines) == (1, ["Error: image.md: not a text file"])


@pytest.mark.parametrize(
    "argv",
    [
        ["normalize"],
        ["normalize", "--front-matter", "drop", "x.md"],
        ["normalize", "--images", "huge", "x.md"],
        ["normalize", "--no-such-flag", "x.md"],
    ],
)
def test_usage_errors_exit_2(cli: Callable[..., object], repo: Path, argv: list[str]) -> None:
    assert cli(*argv, cwd=repo).code == 2


def test_bad_configuration_exits_2_with_one_line(cli: Callable[..., object], repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[tool.zhconvert]\nimages = "all"\n', "utf-8")
    (repo / "post.md").write_bytes(make_post())
    result = cli("normalize", "post.md", cwd=repo)
    assert result.code == 2
    assert result.err_lines == [
        f'Error: {repo / "pyproject.toml"}: [tool.zhconvert] images: must be "remote", "local",'
        ' "embed" or "omit", not "all"'
    ]
    assert (repo / "post.md").read_bytes() == make_post()


def test_configuration_is_used_and_flags_win(cli: Callable[..., object], repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.zhconvert]\nfront-matter = "normalize"\nimages = "src"\n', "utf-8"
    )
    below = repo / "source"
    below.mkdir()
    (below / "a.md").write_bytes(make_post())
    (below / "b.md").write_bytes(make_post())
    # Run from a subfolder: the configuration is found upward.
    assert cli("normalize", "a.md", cwd=below).code == 1
    a = (below / "a.md").read_text("utf-8")
    assert a.startswith("---\n") and "2022-07-13" in a and "v2-abc_720w.jpg" in a
    assert cli("normalize", "--front-matter", "keep", "--images", "best", "b.md", cwd=below).code
    b = (below / "b.md").read_text("utf-8")
    assert b.startswith("\n---\ntitle: '一篇测试文章_'") and "v2-abc_r.jpg" in b


def test_unknown_configuration_key_warns(cli: Callable[..., object], repo: Path) -> None:
    (repo / "zhconvert.toml").write_text('font-matter = "keep"\n', "utf-8")
    (repo / "post.md").write_bytes(make_post(MARKDOWN_BODY))
    result = cli("normalize", "post.md", cwd=repo)
    assert result.code == 0
    assert result.err_lines == [
        f"Warning: {repo / 'zhconvert.toml'}: [tool.zhconvert] unknown key 'font-matter' ignored"
    ]


def test_config_option_names_the_file(cli: Callable[..., object], repo: Path) -> None:
    settings = repo / "settings.toml"
    settings.write_text('exclude = ["*.md"]\n', "utf-8")
    (repo / "post.md").write_bytes(make_post())
    assert cli("normalize", "--config", "settings.toml", "post.md", cwd=repo).code == 0
    assert (repo / "post.md").read_bytes() == make_post()
    missing = cli("normalize", "--config", "nope.toml", "post.md", cwd=repo)
    assert missing.code == 2
    assert missing.err_lines == ["Error: nope.toml: cannot read: No such file or directory"]


def test_excluded_globs_from_config_and_flags(cli: Callable[..., object], repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[tool.zhconvert]\nexclude = ["source/_drafts/**"]\n', "utf-8"
    )
    files = ["source/_drafts/d.md", "source/_posts/keep.raw.md", "source/_posts/p.md"]
    for name in files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(make_post())
    # pre-commit names each file: excluded files stay alone even when named.
    result = cli("normalize", "--exclude", "*.raw.md", *files, cwd=repo)
    assert (result.code, result.err_lines) == (1, ["fixed: source/_posts/p.md", HINT])
    assert (repo / files[0]).read_bytes() == make_post()
    assert (repo / files[1]).read_bytes() == make_post()


def test_verbose_names_files_left_alone(cli: Callable[..., object], repo: Path) -> None:
    (repo / "README.md").write_text(README, "utf-8")
    (repo / "clean.md").write_bytes(make_post(MARKDOWN_BODY))
    (repo / "drafts").mkdir()
    (repo / "drafts" / "d.md").write_bytes(make_post())
    result = cli("normalize", "-v", "--exclude", "drafts", ".", cwd=repo)
    assert result.code == 0
    assert result.err_lines == [
        "left alone: README.md: not a post (no front matter)",
        "left alone: clean.md: body is markdown, not HTML",
        "left alone: drafts/d.md: excluded",
    ]


def test_help_lists_options_and_examples(cli: Callable[..., object], repo: Path) -> None:
    result = cli("normalize", "--help", cwd=repo)
    assert result.code == 0
    for text in ("--check", "--diff", "--front-matter", "--images", "--exclude", "examples:"):
        assert text in result.out


def test_real_process_does_not_import_the_epub_stack(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "post.md").write_bytes(make_post())
    probe = (
        "import sys\n"
        "from zhconvert._cli import run\n"
        "code = run(['normalize', '--check', 'post.md'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in"
        " ('ebooklib', 'PIL', 'httpx', 'latex2mathml') or m.startswith('zhconvert.epub'))\n"
        "print(code, heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env=python_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "1 []", done.stderr
    assert done.stderr.strip() == "would fix: post.md"
