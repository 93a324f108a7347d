"""What zhconvert prints on a terminal cannot be a terminal command or a forged line.

File names and titles are the posts' authors'. Printed raw, ``ESC [ 31 m`` turns the terminal red
(or, with other sequences, clears it or writes the clipboard), BEL rings, CR overwrites the line,
and a newline in a name starts a line of its own: ``Error: …`` that zhconvert never wrote.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from zhconvert._cli import run
from zhconvert._progress import Progress

#: A name part that tries every trick: colour, bell, carriage return, a forged line.
HOSTILE = "x\x1b[31mred\x07\rover\nError: forged\x9b2J\u202eevil"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]")  # all but the line feeds


def assert_safe(output: str) -> None:
    assert not RAW_CONTROL.search(output), repr(output)
    forged = [line for line in output.split("\n") if line.startswith(("Error: forged", "Error:f"))]
    assert not forged, repr(output)


def hostile_post(folder: Path, body: str = "<p>正文</p>") -> Path:
    path = folder / f"{HOSTILE}.md"
    title = 'title: "标题\\e[2J\\a\\r\\nError: forged"'  # YAML escapes: ESC, BEL, CR, LF
    path.write_text(f"---\n{title}\ndate: 2022-07-13\n---\n{body}\n", encoding="utf-8")
    return path


def test_inspect_escapes_the_title_and_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = hostile_post(
        tmp_path,
        "<p>正文</p><p>[x]: y</p><figure><img src='https://e.com/"
        "a.png'><figcaption>说明\x1b[31m</figcaption></figure>",
    )
    assert run(["inspect", "-v", str(post)]) == 0
    out, err = capsys.readouterr()
    assert "标题\\x1b[2J\\x07" in out  # the reader made the line break a space
    assert_safe(out)
    assert_safe(err)


def test_error_lines_escape_the_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / f"{HOSTILE}.md"
    assert run(["convert", str(missing)]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("Error: ") and err.count("\n") == 1, repr(err)
    assert "\\x1b[31mred\\x07\\rover\\nError: forged\\x9b2J\\u202eevil" in err
    assert_safe(out + err)


def test_warning_lines_escape_the_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    post = tmp_path / f"{HOSTILE}.md"
    post.write_text("---\ntitle: [unclosed\n---\n<p>正文</p>\n", encoding="utf-8")
    assert run(["convert", str(post), "-t", "txt"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("Warning: "), repr(err)
    assert all(line.startswith("Warning: ") for line in err.splitlines()), repr(err)
    assert_safe(err)


def test_convert_names_escaped_in_verbose_lines_and_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = tmp_path / f"in{HOSTILE}"
    posts.mkdir()
    hostile_post(posts)
    (posts / "plain.md").write_text("---\ntitle: t\n---\n<p>正文</p>\n", encoding="utf-8")
    out_dir = tmp_path / f"out{HOSTILE}"
    assert run(["convert", str(posts), "-t", "txt", "-o", str(out_dir), "-v", "-j", "1"]) == 0
    out, err = capsys.readouterr()
    assert "converted: " in err and "converted 2 of 2 posts" in err, err
    assert_safe(out + err)


def test_book_names_escaped_in_its_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    hostile_post(posts)
    (posts / f"note{HOSTILE}.md").write_text("no front matter\n", encoding="utf-8")
    (posts / f"broken{HOSTILE}.md").write_bytes(b"\x00\x01\x02\xff" * 100)
    book = tmp_path / f"book{HOSTILE}.epub"
    code = run(["book", str(posts), "-o", str(book), "-v", "--images", "omit", "-j", "1"])
    out, err = capsys.readouterr()
    assert code in (0, 1)
    assert "left out" in err, err
    assert_safe(out + err)


def test_normalize_names_escaped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = hostile_post(tmp_path, "<p>正文<b>粗</b></p>")
    assert run(["normalize", "--diff", "-v", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert "would fix: " in err, err
    header = [line for line in out.splitlines() if line.startswith(("--- ", "+++ "))]
    assert len(header) == 2, out
    assert_safe("\n".join(header) + err)
    assert post.exists()


def test_usage_errors_escape_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    option = "--x\x1b[31mred\x07\rover\nError:forged"  # no space: argparse's option syntax
    assert run(["convert", "post.md", option]) == 2
    out, err = capsys.readouterr()
    assert "unrecognized arguments" in err
    assert_safe(out + err)


def test_progress_labels_are_escaped() -> None:
    stream = io.StringIO()
    progress = Progress(True, stream)
    progress.start(HOSTILE, 2)
    progress.advance(2)
    progress.done()
    # The bar redraws itself with CR, on purpose; nothing else may be a control.
    assert_safe(stream.getvalue().replace("\r", ""))


def test_config_escapes_the_folder_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / f"blog{HOSTILE}"
    folder.mkdir()
    (folder / "zhconvert.toml").write_text('chinese = "none"\n', encoding="utf-8")
    assert run(["config", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "# read from " in out, out
    assert_safe(out + err)


@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_every_control_character_is_removed_and_no_other(as_bytes: bool) -> None:
    """C0 (but tab and newlines), DEL and C1 controls go; ``·``, ``×``, CJK stay (a fast path)."""
    import unicodedata

    import zhconvert

    others = [0xA0, 0xB7, 0xD7, 0x2028, 0x3000, 0xFEFF, 0xFF0C, 0x1F600]
    for code in [*range(1, 0x100), *others]:
        char = chr(code)
        text = f"---\ntitle: 标题\n---\n<p>前{char}中·×{char}后</p>\n"
        doc = zhconvert.loads(text.encode() if as_bytes else text)
        control = unicodedata.category(char) == "Cc" and char not in "\t\n\r"
        plain = zhconvert.dumps(doc, "text")
        removed = [w for w in doc.warnings if "control character" in w]
        if control:
            assert removed == ["2 control character(s) removed"], hex(code)
            assert char not in plain, hex(code)
        else:
            assert removed == [], hex(code)
        assert "前" in plain and "中·×" in plain and "后" in plain, hex(code)


def test_no_writer_lets_a_control_character_through() -> None:
    """A document built in Python (no reader to clean it) is written without controls too."""
    import unicodedata

    import zhconvert
    from zhconvert import model as m

    for code in [*range(0, 0x100), 0x3000, 0xFF0C]:
        char = chr(code)
        doc = m.Document(m.Metadata(), (m.Paragraph((m.Text(f"前{char}中·×后"),)),))
        for form in ("markdown", "text"):
            out = zhconvert.dumps(doc, form)
            assert isinstance(out, str)
            if unicodedata.category(char) == "Cc" and char not in "\t\n":
                assert char not in out, (hex(code), form)
            assert "中·×后" in out, (hex(code), form)
