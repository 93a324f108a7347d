"""CLI polish: quiet/verbose, colour, errors that suggest the right flag, help examples, completion."""

from __future__ import annotations

import argparse
import io
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zhconvert._cli import COMMANDS, build_parser, run

POST = (
    "\n---\ntitle: 'CLI 测试'\nauthor: 知乎\ndate: Wed, 13 Jul 2022 15:40:55 GMT\n---\n\n<div>\n"
    '王五的回答<br><br><p>第一段<sup data-text="注释" data-url="https://example.com/n" '
    'data-numero="1">[1]</sup>。</p>\n</div>\n'
)
BROKEN = "---\ntitle: [unclosed\nauthor: 知乎\n---\n\n<p>正文。</p>\n"


def cli(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([os.fspath(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def post(tmp_path: Path) -> Path:
    path = tmp_path / "post.md"
    path.write_text(POST, encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.md"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


# ---------------------------------------------------------------------------------------------
# --quiet / --verbose


PENDING_VERBOSE: set[str] = set()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_takes_quiet_and_verbose(command: str) -> None:
    options = {o for a in subparsers()[command]._actions for o in a.option_strings}
    assert {"-q", "--quiet"} <= options
    if command not in PENDING_VERBOSE:
        assert {"-v", "--verbose"} <= options


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - PENDING_VERBOSE))
def test_quiet_and_verbose_exclude_each_other(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    code, _, err = cli(capsys, command, "-q", "-v", "x")
    assert code == 2
    assert "not allowed with argument" in err


def test_convert_quiet_and_verbose(
    capsys: pytest.CaptureFixture[str], post: Path, broken: Path, tmp_path: Path
) -> None:
    out_dir = tmp_path / "out"
    code, _, err = cli(capsys, "convert", post, broken, "-o", out_dir, "-j", "1")
    assert code == 0
    assert "Warning:" in err and "converted 2 of 2 posts" in err
    code, _, err = cli(capsys, "convert", post, broken, "-o", out_dir, "-j", "1", "-q")
    assert (code, err) == (0, "")
    code, _, err = cli(capsys, "convert", post, broken, "-o", out_dir, "-j", "1", "-v")
    assert f"converted: {post} -> {out_dir / 'post.md'}" in err.splitlines()
    assert f"converted: {broken} -> {out_dir / 'broken.md'}" in err.splitlines()
    # Errors are printed however quiet.
    code, _, err = cli(capsys, "convert", tmp_path / "missing.md", "-q")
    assert code == 1 and err.startswith("Error: ")


def test_inspect_quiet_and_verbose(
    capsys: pytest.CaptureFixture[str], post: Path, broken: Path
) -> None:
    assert "Warning:" in cli(capsys, "inspect", broken)[2]
    assert cli(capsys, "inspect", "-q", broken)[2] == ""
    plain = cli(capsys, "inspect", post)[1]
    verbose = cli(capsys, "inspect", "-v", post)[1]
    assert verbose.startswith(plain)
    assert verbose[len(plain) :] == "\nfootnotes:\n   1  注释  https://example.com/n\n"


# ---------------------------------------------------------------------------------------------
# Colour


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_colour_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def run_with_stderr(stream: io.StringIO, *argv: str) -> int:
    saved = sys.stderr
    sys.stderr = stream
    try:
        return run(list(argv))
    finally:
        sys.stderr = saved


def test_error_is_red_on_a_terminal(no_colour_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    stream = TTY()
    assert run_with_stderr(stream, "inspect", str(tmp_path / "missing.md")) == 1
    assert stream.getvalue() == f"\033[31mError:\033[0m {tmp_path / 'missing.md'}: no such file\n"


def test_warning_is_yellow_on_a_terminal(no_colour_env: pytest.MonkeyPatch, broken: Path) -> None:
    stream = TTY()
    run_with_stderr(stream, "inspect", str(broken))
    assert stream.getvalue().startswith("\033[33mWarning:\033[0m ")


@pytest.mark.parametrize(("name", "value"), [("NO_COLOR", "1"), ("TERM", "dumb")])
def test_no_colour_on_a_terminal_when_asked(
    no_colour_env: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    no_colour_env.setenv(name, value)
    stream = TTY()
    run_with_stderr(stream, "inspect", str(tmp_path / "missing.md"))
    assert stream.getvalue().startswith("Error: ")


def test_no_colour_when_not_a_terminal_unless_forced(
    no_colour_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    stream = io.StringIO()
    run_with_stderr(stream, "inspect", str(tmp_path / "missing.md"))
    assert stream.getvalue().startswith("Error: ")
    no_colour_env.setenv("FORCE_COLOR", "1")
    forced = io.StringIO()
    run_with_stderr(forced, "inspect", str(tmp_path / "missing.md"))
    assert forced.getvalue().startswith("\033[31mError:")
    no_colour_env.setenv("NO_COLOR", "1")  # NO_COLOR wins over FORCE_COLOR
    plain = io.StringIO()
    run_with_stderr(plain, "inspect", str(tmp_path / "missing.md"))
    assert plain.getvalue().startswith("Error: ")


@pytest.mark.parametrize("no_color", [None, "1"])
def test_colour_in_a_real_terminal(tmp_path: Path, no_color: str | None) -> None:
    """A real process whose stderr is a pseudo-terminal, as in a user's shell."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TERM")}
    if no_color:
        env["NO_COLOR"] = no_color
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "zhconvert", "inspect", str(tmp_path / "missing.md")],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=env,
            timeout=60,
        )
        os.close(follower)
        follower = -1
        err = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # Linux: EIO once the terminal has no writer
                break
            if not chunk:
                break
            err += chunk
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    assert proc.returncode == 1
    text = err.decode("utf-8")
    if no_color:
        assert text.startswith("Error: ") and "\033[" not in text
    else:
        assert text.startswith("\033[31mError:\033[0m ")


# ---------------------------------------------------------------------------------------------
# Errors that suggest the right flag


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["convert", "p.md", "--chinse", "tw"], "--chinse: did you mean --chinese?"),
        (
            ["convert", "p.md", "--frontmatter", "none"],
            "--frontmatter: did you mean --front-matter?",
        ),
        (["convert", "p.md", "--wrapp=72"], "--wrapp: did you mean --wrap?"),
        (["normalize", "p.md", "--wrap", "72"], "--wrap is an option of: zhconvert convert"),
        (["convert", "p.md", "--format", "md"], "--format: -t/--to names the output format"),
        (["convert", "p.md", "-f", "html"], "-f: zhconvert reads posts whatever they hold"),
        (["convert", "p.md", "--traditional"], "--traditional: --chinese t (or tw, hk)"),
        (["convert", "p.md", "--front-matter", "norm"], "did you mean 'normalize'?"),
        (["convert", "p.md", "--chinese", "tww"], "did you mean 'tw'?"),
        (["convrt", "p.md"], "did you mean 'convert'?"),
        (["p.md"], "to convert a post, name the command: zhconvert convert p.md"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_usage_errors_suggest_what_was_meant(
    capsys: pytest.CaptureFixture[str], argv: list[str], hint: str
) -> None:
    code, out, err = cli(capsys, *argv)
    assert code == 2
    assert out == ""
    assert hint in err
    assert err.startswith("Error: zhconvert")
    assert len(err.splitlines()) == 1, "one line, no usage block"


def test_unknown_option_names_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    err = cli(capsys, "convert", "p.md", "--chinse", "tw")[2]
    assert err.startswith("Error: zhconvert convert: unrecognized arguments: --chinse tw; ")


def test_no_suggestion_when_nothing_is_close(capsys: pytest.CaptureFixture[str]) -> None:
    err = cli(capsys, "convert", "p.md", "--zzzzzz")[2]
    assert err == (
        "Error: zhconvert convert: unrecognized arguments: --zzzzzz"
        " (see zhconvert convert --help)\n"
    )


def test_unknown_format_suggests_the_close_one(
    capsys: pytest.CaptureFixture[str], post: Path
) -> None:
    code, _, err = cli(capsys, "convert", post, "-t", "markdwon")
    assert code == 2
    assert err.startswith("Error: -t/--to markdwon: unknown format 'markdwon'")
    assert err.rstrip().endswith("did you mean -t markdown?")


# ---------------------------------------------------------------------------------------------
# Help


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_has_examples(capsys: pytest.CaptureFixture[str], command: str | None) -> None:
    code, out, _ = cli(capsys, *([command] if command else []), "--help")
    assert code == 0
    examples = out.split("\nexamples:\n", 1)[1].splitlines()
    commands = [line for line in examples if line.lstrip().startswith(("zhconvert ", "cat "))]
    assert len(commands) >= 2
    if command:
        assert all(f"zhconvert {command}" in line for line in commands if "zhconvert" in line) or (
            command == "book"
        )


def test_top_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, "--help")[1]
    for command in COMMANDS:
        assert f"\n    {command} " in out


# ---------------------------------------------------------------------------------------------
# Shell completion


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_script(capsys: pytest.CaptureFixture[str], shell: str) -> None:
    code, out, err = cli(capsys, "--print-completion", shell)
    assert (code, err) == (0, "")
    for word in ("convert", "normalize", "config", "--chinese", "--cjk-spacing", "tw"):
        assert word in out
    if shell == "bash" and shutil.which("bash"):
        check = subprocess.run(["bash", "-n"], input=out, text=True, capture_output=True)
        assert check.returncode == 0, check.stderr


def test_completion_completes_in_bash(tmp_path: Path) -> None:
    """Source the script in a real bash and ask it what ``zhconvert convert --chi<TAB>`` gives."""
    if not shutil.which("bash"):
        pytest.skip("bash is not installed")
    script = tmp_path / "zhconvert.bash"
    proc = subprocess.run(
        [sys.executable, "-m", "zhconvert", "--print-completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
    )
    script.write_text(proc.stdout, encoding="utf-8")
    probe = f"""
source {script}
complete -p zhconvert >/dev/null || exit 3
fn=$(complete -p zhconvert | sed -E 's/.*-F ([^ ]+).*/\\1/')
COMP_WORDS=(zhconvert convert --chi); COMP_CWORD=2; COMP_LINE="zhconvert convert --chi"; COMP_POINT=${{#COMP_LINE}}
$fn zhconvert --chi convert
printf '%s\\n' "${{COMPREPLY[@]}}"
COMP_WORDS=(zhconvert convert --chinese ""); COMP_CWORD=3; COMP_LINE="zhconvert convert --chinese "; COMP_POINT=${{#COMP_LINE}}
$fn zhconvert "" --chinese
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
    result = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    replies = result.stdout.split()
    assert "--chinese" in replies
    assert {"s", "t", "tw", "hk", "none"} <= set(replies)


def test_completion_without_shtab_says_how_to_get_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)
    code, out, err = cli(capsys, "--print-completion", "bash")
    assert code == 1
    assert out == ""
    assert err == (
        "Error: shell completion needs shtab: pip install shtab (with pipx: pipx inject "
        "zhconvert shtab), or install zhconvert with its [completion] extra\n"
    )
