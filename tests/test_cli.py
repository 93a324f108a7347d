"""The command line, in-process through ``zhconvert._cli.run`` (and a few real subprocesses)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

import zhconvert
from zhconvert._cli import run

POST = (
    "\n---\n"
    "title: '命令行测试_'\n"
    "categories:\n"
    " - 社交媒体\n"
    " - 知乎\n"
    " - 知乎热榜\n"
    "author: 知乎\n"
    "date: Wed, 13 Jul 2022 15:40:55 GMT\n"
    "---\n"
    "\n<div>\n"
    "王五的回答<br><br><p>第一段，有<b>粗体</b>。</p><p>第二段。</p>\n"
    "</div>\n"
)
OTHER_POST = (
    POST.replace("命令行测试_", "另一篇").replace("王五", "赵六").replace("第二段", "另一段")
)
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


Cli = Callable[..., Result]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """``cli(*argv) -> Result``; no traceback may ever reach stderr."""

    def invoke(*argv: str | os.PathLike[str]) -> Result:
        capsys.readouterr()
        code = run([os.fspath(a) for a in argv])
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        assert "Traceback" not in out
        return Result(code, out, err)

    return invoke


@pytest.fixture
def post_file(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_text(POST, encoding="utf-8")
    return path


def expected(text: str, fmt: str) -> str:
    out = zhconvert.dumps(zhconvert.loads(text), fmt)
    assert isinstance(out, str)
    return out


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative POSIX path -> content)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


# ---------------------------------------------------------------------------------------------
# One file to standard output


def test_convert_to_stdout_is_markdown_by_default(cli: Cli, post_file: Path) -> None:
    result = cli("convert", post_file)
    assert result.code == 0
    assert result.err == ""
    assert result.out == expected(POST, "markdown")
    assert "第一段，有**粗体**。" in result.out
    assert result.out.startswith("---\ntitle: '命令行测试_'\n")


@pytest.mark.parametrize("flag", ["-t", "--to"])
def test_convert_to_text(cli: Cli, post_file: Path, flag: str) -> None:
    result = cli("convert", post_file, flag, "txt")
    assert result.code == 0
    assert result.out == expected(POST, "text")
    assert result.out.startswith("命令行测试?\n")
    assert "第一段，有粗体。" in result.out


def test_convert_to_json(cli: Cli, post_file: Path) -> None:
    result = cli("convert", post_file, "-t", "json")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["meta"]["title"] == "命令行测试?"
    assert data["meta"]["date"] == "2022-07-13T15:40:55+00:00"
    assert result.out == expected(POST, "json")


def test_convert_with_dash_output_goes_to_stdout(cli: Cli, post_file: Path) -> None:
    result = cli("convert", post_file, "-o", "-", "-t", "md")
    assert result.code == 0
    assert result.out == expected(POST, "markdown")


def test_convert_reads_stdin(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin = types.SimpleNamespace(buffer=io.BytesIO(POST.encode("gbk")))
    monkeypatch.setattr(sys, "stdin", stdin)
    result = cli("convert", "-", "-t", "txt")
    assert result.code == 0
    assert result.out == expected(POST, "text")


def test_convert_warnings_go_to_stderr(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "dup.md"
    path.write_text(POST.replace("author: 知乎\n", "author: 知乎\nauthor: 知乎\n"), "utf-8")
    result = cli("convert", path)
    assert result.code == 0
    assert len(result.err_lines) == 1
    assert result.err_lines[0].startswith(f"Warning: {path}: front matter key 'author'")
    assert "第二段。" in result.out
    assert cli("convert", path, "-q").err == ""


# ---------------------------------------------------------------------------------------------
# One file to a file


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("out.md", "markdown"),
        ("out.markdown", "markdown"),
        ("out.txt", "text"),
        ("out.json", "json"),
        ("OUT.TXT", "text"),
        ("out.unknown", "markdown"),
    ],
)
def test_output_format_follows_the_extension(
    cli: Cli, post_file: Path, tmp_path: Path, name: str, fmt: str
) -> None:
    target = tmp_path / "result" / name
    result = cli("convert", post_file, "-o", target)
    assert result.code == 0
    assert result.out == ""
    assert target.read_text(encoding="utf-8") == expected(POST, fmt)
    assert sorted(os.listdir(target.parent)) == [name]


def test_explicit_format_wins_over_the_extension(cli: Cli, post_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    assert cli("convert", post_file, "-o", target, "-t", "json").code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["meta"]["title"] == "命令行测试?"


def test_output_into_an_existing_folder(cli: Cli, post_file: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert cli("convert", post_file, "-o", out_dir, "-t", "txt").code == 0
    assert tree(out_dir) == {"post.txt": expected(POST, "text").encode("utf-8")}


def test_missing_input(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.md"
    result = cli("convert", missing)
    assert result.code == 1
    assert result.err_lines == [f"Error: {missing}: no such file"]
    assert result.out == ""


def test_binary_input(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "cover.md"
    path.write_bytes(BINARY)
    result = cli("convert", path)
    assert result.code == 1
    assert result.err_lines == [f"Error: {path}: not a text file"]
    assert result.out == ""


def test_strict_turns_broken_front_matter_into_an_error(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text(POST.replace("'命令行测试_'", "'It's broken'"), encoding="utf-8")
    loose = cli("convert", path, "-t", "txt")
    assert loose.code == 0
    assert loose.out.startswith("It's broken\n")
    assert len(loose.err_lines) == 1
    assert loose.err_lines[0].startswith(f"Warning: {path}: front matter is not valid YAML")
    strict = cli("convert", path, "--strict")
    assert strict.code == 1
    assert strict.out == ""
    assert len(strict.err_lines) == 1
    assert strict.err_lines[0].startswith(f"Error: {path}: front matter is not valid YAML")
    assert strict.err_lines[0].endswith("(at line 3, column 12)")


# ---------------------------------------------------------------------------------------------
# Folders


@pytest.fixture
def posts_dir(tmp_path: Path) -> Path:
    """A small tree of posts, plus files a folder walk must leave alone."""
    root = tmp_path / "posts"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.md").write_text(POST, encoding="utf-8")
    (root / "sub" / "b.md").write_bytes(OTHER_POST.encode("gb18030"))
    (root / "sub" / "deeper" / "c.markdown").write_text(OTHER_POST, encoding="utf-8")
    (root / "notes.txt").write_text("not a post", encoding="utf-8")
    (root / ".hidden" / "d.md").write_text(POST, encoding="utf-8")
    (root / ".e.md").write_text(POST, encoding="utf-8")
    return root


@pytest.mark.parametrize(("fmt", "ext"), [("md", ".md"), ("txt", ".txt"), ("json", ".json")])
def test_folder_is_mirrored(cli: Cli, posts_dir: Path, tmp_path: Path, fmt: str, ext: str) -> None:
    out_dir = tmp_path / "out"
    result = cli("convert", posts_dir, "-t", fmt, "-o", out_dir, "--jobs", "1")
    assert result.code == 0
    assert result.out == ""
    assert tree(out_dir) == {
        f"a{ext}": expected(POST, fmt).encode("utf-8"),
        f"sub/b{ext}": expected(OTHER_POST, fmt).encode("utf-8"),
        f"sub/deeper/c{ext}": expected(OTHER_POST, fmt).encode("utf-8"),
    }
    assert result.err_lines == [f"converted 3 of 3 posts into {out_dir}"]


def test_folder_conversion_is_the_same_in_parallel(
    cli: Cli, posts_dir: Path, tmp_path: Path
) -> None:
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert cli("convert", posts_dir, "-o", serial, "--jobs", "1").code == 0
    assert cli("convert", posts_dir, "-o", parallel, "--jobs", "2").code == 0
    assert tree(serial) == tree(parallel)
    assert sorted(tree(serial)) == ["a.md", "sub/b.md", "sub/deeper/c.md"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_bad_file_does_not_stop_the_others(
    cli: Cli, posts_dir: Path, tmp_path: Path, jobs: str
) -> None:
    bad = posts_dir / "sub" / "broken.md"
    bad.write_bytes(BINARY)
    out_dir = tmp_path / "out"
    result = cli("convert", posts_dir, "-o", out_dir, "--jobs", jobs)
    assert result.code == 1
    assert sorted(tree(out_dir)) == ["a.md", "sub/b.md", "sub/deeper/c.md"]
    assert f"Error: {bad}: not a text file" in result.err_lines
    assert [line for line in result.err_lines if line.startswith("Error:")] == [
        f"Error: {bad}: not a text file"
    ]
    assert result.err_lines[-1] == f"converted 3 of 4 posts into {out_dir}; 1 failed"


def test_same_output_name_keeps_both(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "posts"
    root.mkdir()
    (root / "a.md").write_text(POST, encoding="utf-8")
    (root / "a.markdown").write_text(OTHER_POST, encoding="utf-8")
    out_dir = tmp_path / "out"
    result = cli("convert", root, "-o", out_dir, "--jobs", "1")
    assert result.code == 0
    outputs = tree(out_dir)
    assert sorted(outputs) == ["a-2.md", "a.md"]
    assert sorted(outputs.values()) == sorted(
        [expected(POST, "md").encode("utf-8"), expected(OTHER_POST, "md").encode("utf-8")]
    )


def test_several_files_into_a_folder(cli: Cli, tmp_path: Path) -> None:
    first, second = tmp_path / "one.md", tmp_path / "two.md"
    first.write_text(POST, encoding="utf-8")
    second.write_text(OTHER_POST, encoding="utf-8")
    out_dir = tmp_path / "out"
    assert cli("convert", first, second, "-o", out_dir, "-t", "txt", "-j", "1").code == 0
    assert tree(out_dir) == {
        "one.txt": expected(POST, "text").encode("utf-8"),
        "two.txt": expected(OTHER_POST, "text").encode("utf-8"),
    }


def test_output_folder_inside_the_input_is_not_reread(cli: Cli, posts_dir: Path) -> None:
    out_dir = posts_dir / "clean"
    first = cli("convert", posts_dir, "-o", out_dir, "--jobs", "1")
    assert first.code == 0
    after_first = tree(out_dir)
    assert sorted(after_first) == ["a.md", "sub/b.md", "sub/deeper/c.md"]
    second = cli("convert", posts_dir, "-o", out_dir, "--jobs", "1")
    assert second.code == 0
    assert tree(out_dir) == after_first
    assert second.err_lines == [f"converted 3 of 3 posts into {out_dir}"]


def test_corpus_folders_convert(
    cli: Cli, corpus_dir: Path, corpus_posts: list[Path], tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    feeds = [corpus_dir / "zhihu", corpus_dir / "other"]
    result = cli("convert", *feeds, "-o", out_dir, "-t", "txt", "--jobs", "2")
    assert result.code == 0
    count = len(corpus_posts)
    assert result.err_lines == [f"converted {count} of {count} posts into {out_dir}"]
    outputs = tree(out_dir)
    assert sorted(outputs) == sorted(p.with_suffix(".txt").name for p in corpus_posts)
    design = outputs["如何看待朝鲜承认顿涅茨克和卢甘斯克独立_.txt"].decode("utf-8")
    assert design.startswith("如何看待朝鲜承认顿涅茨克和卢甘斯克独立?\n")
    assert "朝鲜在外交政策上一直配合俄罗斯。" in design


# ---------------------------------------------------------------------------------------------
# Usage errors and bad values


def only_error_line(result: Result) -> str:
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("Error: ")
    return result.err_lines[0]


def test_several_inputs_need_an_output_folder(cli: Cli, posts_dir: Path, post_file: Path) -> None:
    result = cli("convert", post_file, posts_dir / "a.md")
    assert result.code == 2
    assert "-o DIR" in only_error_line(result)
    assert result.out == ""


def test_a_folder_needs_an_output_folder(cli: Cli, posts_dir: Path) -> None:
    result = cli("convert", posts_dir)
    assert result.code == 2
    assert "-o DIR" in only_error_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ["-t", "txt", "--front-matter", "keep"],
        ["-t", "json", "--front-matter", "none"],
        ["-t", "md", "--wrap", "40"],
        ["--jobs", "0"],
    ],
    ids=" ".join,
)
def test_options_that_do_not_apply_are_usage_errors(
    cli: Cli, post_file: Path, args: list[str]
) -> None:
    result = cli("convert", post_file, *args)
    assert result.code == 2
    only_error_line(result)
    assert result.out == ""


def test_front_matter_option_applies_to_markdown(cli: Cli, post_file: Path) -> None:
    result = cli("convert", post_file, "--front-matter", "none")
    assert result.code == 0
    assert result.out == zhconvert.dumps(zhconvert.loads(POST), "md", front_matter="none")
    assert "title:" not in result.out


def test_wrap_option_applies_to_text(cli: Cli, post_file: Path) -> None:
    result = cli("convert", post_file, "-t", "txt", "--wrap", "12")
    assert result.code == 0
    assert result.out == zhconvert.dumps(zhconvert.loads(POST), "txt", wrap=12)


@pytest.mark.parametrize("name", ["docx", "html5"])
def test_unknown_format(cli: Cli, post_file: Path, name: str) -> None:
    result = cli("convert", post_file, "-t", name)
    assert result.code == 2
    assert only_error_line(result).startswith(f"Error: -t/--to {name}: unknown format {name!r}")
    assert "markdown" in result.err
    assert result.out == ""


@pytest.mark.parametrize(
    "argv",
    [
        ["convert"],
        ["convert", "x.md", "--jobs", "many"],
        ["convert", "x.md", "--front-matter", "x"],
        ["frobnicate"],
        ["inspect"],
    ],
    ids=" ".join,
)
def test_argparse_usage_errors_exit_2(cli: Cli, argv: list[str]) -> None:
    result = cli(*argv)
    assert result.code == 2
    assert result.err.startswith("Error: zhconvert")
    assert len(result.err.splitlines()) == 1


def test_no_command_exits_2_with_usage(cli: Cli) -> None:
    result = cli()
    assert result.code == 2
    assert result.err.startswith("usage: zhconvert")
    assert result.out == ""


# ---------------------------------------------------------------------------------------------
# inspect


def test_inspect(cli: Cli, post_file: Path) -> None:
    result = cli("inspect", post_file)
    assert result.code == 0
    assert result.err == ""
    lines = result.out.splitlines()
    assert "title:      命令行测试?" in lines
    assert "author:     王五" in lines
    assert "site:       知乎" in lines
    assert "date:       2022-07-13T15:40:55+00:00" in lines
    blank = lines.index("")
    block_lines = lines[blank + 1 :]
    assert len(block_lines) == 3  # the byline and two paragraphs
    assert block_lines[0].split() == ["1", "byline", "王五"]
    assert block_lines[1].split() == ["2", "paragraph", "第一段，有粗体。"]
    assert block_lines[2].split() == ["3", "paragraph", "第二段。"]


def test_inspect_the_design_post(cli: Cli, design_post: Path) -> None:
    result = cli("inspect", design_post)
    assert result.code == 0
    lines = result.out.splitlines()
    assert "title:      如何看待朝鲜承认顿涅茨克和卢甘斯克独立?" in lines
    assert "author:     楚筠珺" in lines
    block_lines = lines[lines.index("") + 1 :]
    assert len(block_lines) == len(zhconvert.load(design_post).blocks)
    assert block_lines[0].split() == ["1", "byline", "楚筠珺"]
    assert block_lines[1].split() == ["2", "paragraph", "朝鲜在外交政策上一直配合俄罗斯。"]


def test_inspect_stdin(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(POST.encode())))
    result = cli("inspect", "-")
    assert result.code == 0
    assert "title:      命令行测试?" in result.out.splitlines()


def test_inspect_binary_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "cover.md"
    path.write_bytes(BINARY)
    result = cli("inspect", path)
    assert result.code == 1
    assert result.err_lines == [f"Error: {path}: not a text file"]


# ---------------------------------------------------------------------------------------------
# Real processes


def run_process(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zhconvert", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        env=env,
    )


def test_version_in_a_process() -> None:
    proc = run_process("--version")
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0].startswith("zhconvert 0.1.0 ")
    assert proc.stderr == ""


def test_help_in_a_process() -> None:
    proc = run_process("--help")
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: zhconvert")
    for command in ("convert", "book", "normalize", "inspect"):
        assert f"    {command}" in proc.stdout
    assert proc.stderr == ""


def test_version_in_process(cli: Cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out.startswith("zhconvert 0.1.0")


def test_a_broken_writer_plugin_does_not_break_unknown_formats(
    tmp_path: Path, post_file: Path
) -> None:
    # A third-party distribution that registers a writer whose module does not import.
    site = tmp_path / "site"
    dist_info = site / "broken_writer-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-writer\nVersion: 1.0\n", encoding="utf-8"
    )
    (dist_info / "entry_points.txt").write_text(
        "[zhconvert.writers]\nbroken = broken_writer_module_that_does_not_exist:Writer\n",
        encoding="utf-8",
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    proc = run_process("convert", str(post_file), "-t", "docx", env=env)
    assert "Traceback" not in proc.stderr
    assert proc.stderr.splitlines()[0].startswith("Error: -t/--to docx: unknown format 'docx'")
    assert proc.returncode == 2
    assert proc.stdout == ""
