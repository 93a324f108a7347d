"""``normalize`` never destroys a user's file (issue 11).

It rewrites posts in place, as the pre-commit hook, often as root in CI containers. So it keeps
each file's owner, group and mode, loses no edit saved while it runs, never writes through a
symbolic link to a file outside the folders it was given, never silently rewrites a read-only
file, and says when a rewrite breaks a hard link. Races are made with hooks, not with timing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import zhconvert
import zhconvert._atomic as atomic_module
import zhconvert.normalize as normalize_module
from zhconvert._cli import run
from zhconvert.normalize import normalize_file

HTML_POST = (
    "---\ntitle: 一篇文章\ndate: 2022-07-13 15:40:55\n---\n"
    "<div><p>第一段，有<b>粗体</b>。</p><ul><li>甲</li><li>乙</li></ul></div>\n"
)
CLEAN_POST = "---\ntitle: 一篇文章\n---\n\n已经是 Markdown 了。\n"
USER_EDIT = "---\ntitle: 一篇文章\n---\n\n用户刚刚保存的新内容，必须保留。\n"

NOBODY = 65534  # nobody / nogroup on Debian and most Linux systems


def write(path: Path, text: str = HTML_POST) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def is_markdown(path: Path) -> bool:
    return zhconvert.load(path).source.body_format == "markdown"


def cli(capsys: pytest.CaptureFixture[str], *argv: str | os.PathLike[str]) -> tuple[int, str]:
    capsys.readouterr()
    code = run([os.fspath(a) for a in argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err


# ---------------------------------------------------------------------------------------------
# An edit saved while normalize runs


def save_after_the_write(monkeypatch: pytest.MonkeyPatch, path: Path, data: bytes) -> None:
    """Save ``data`` to ``path`` once the new file is written and flushed, before the rename."""
    real = atomic_module._write_unnamed

    def write_then_someone_saves(*args: object, **kwargs: object) -> str | None:
        name = real(*args, **kwargs)  # type: ignore[arg-type]
        path.write_bytes(data)
        return name

    monkeypatch.setattr(atomic_module, "_write_unnamed", write_then_someone_saves)


def test_an_edit_saved_between_the_write_and_the_rename_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path / "post.md")
    save_after_the_write(monkeypatch, path, USER_EDIT.encode())
    result = normalize_file(path)
    assert result.status == "failed"
    assert result.reason == normalize_module.CHANGED_WHILE_RUNNING
    assert path.read_text("utf-8") == USER_EDIT
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]  # no temporary file left


def test_an_edit_of_the_same_size_and_time_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An editor that restores the modification time (or saves within the clock's tick) with
    # the same number of bytes: the size and mtime alone would not show it.
    path = write(tmp_path / "post.md")
    before = path.stat()
    same_size = HTML_POST.replace("第一段", "第二段").encode()
    assert len(same_size) == before.st_size
    real = atomic_module._write_unnamed

    def write_then_someone_saves(*args: object, **kwargs: object) -> str | None:
        name = real(*args, **kwargs)  # type: ignore[arg-type]
        path.write_bytes(same_size)
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        return name

    monkeypatch.setattr(atomic_module, "_write_unnamed", write_then_someone_saves)
    assert normalize_file(path).status == "failed"
    assert path.read_bytes() == same_size


def test_an_editor_that_saves_by_renaming_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Many editors write a new file and rename it over the post: a new inode, maybe the same
    # size and time.
    path = write(tmp_path / "post.md")
    before = path.stat()
    real = atomic_module._write_unnamed

    def write_then_editor_renames(*args: object, **kwargs: object) -> str | None:
        name = real(*args, **kwargs)  # type: ignore[arg-type]
        saved = tmp_path / "post.md~"
        saved.write_text(HTML_POST, encoding="utf-8")
        os.utime(saved, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.replace(saved, path)
        return name

    monkeypatch.setattr(atomic_module, "_write_unnamed", write_then_editor_renames)
    assert normalize_file(path).status == "failed"
    assert path.stat().st_ino != before.st_ino
    assert path.read_text("utf-8") == HTML_POST


def test_the_command_line_reports_the_kept_edit_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "post.md")
    save_after_the_write(monkeypatch, path, USER_EDIT.encode())
    code, err = cli(capsys, "normalize", path)
    assert code == 1
    assert err.splitlines() == [
        f"Warning: {path}: {normalize_module.CHANGED_WHILE_RUNNING}; the new content was kept"
        ", run normalize again"
    ]
    assert path.read_text("utf-8") == USER_EDIT


# ---------------------------------------------------------------------------------------------
# Owner, group and mode


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_keeps_the_owner_group_and_mode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "post.md")
    os.chown(path, NOBODY, NOBODY)
    path.chmod(0o640)
    code, _ = cli(capsys, "normalize", "-q", path)
    assert code == 1 and is_markdown(path)  # 1: a file was rewritten
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (NOBODY, NOBODY, 0o640)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_keeps_the_owner_of_a_file_named_through_a_symbolic_link(tmp_path: Path) -> None:
    real = write(tmp_path / "real" / "post.md")
    os.chown(real, NOBODY, 0)
    real.chmod(0o604)
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert normalize_file(link).status == "fixed"
    info = real.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (NOBODY, 0, 0o604)
    assert link.is_symlink()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_a_file_whose_owner_cannot_be_kept_is_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Run by another user than the owner (a group-writable post), the new file would belong to
    # whoever runs normalize: simulated by a chown the system refuses.
    path = write(tmp_path / "post.md")
    os.chown(path, NOBODY, NOBODY)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", refuse)
    result = normalize_file(path)
    assert result.status == "failed"
    assert "owner" in result.reason
    assert path.read_text("utf-8") == HTML_POST
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


# ---------------------------------------------------------------------------------------------
# Symbolic links


def test_a_link_out_of_the_folder_is_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = write(tmp_path / "elsewhere" / "secret.md")
    posts = tmp_path / "blog" / "_posts"
    write(posts / "mine.md")
    (posts / "evil.md").symlink_to(outside)
    code, err = cli(capsys, "normalize", "-q", posts)
    assert code == 1
    assert outside.read_text("utf-8") == HTML_POST  # untouched
    assert is_markdown(posts / "mine.md")  # the others are still normalized
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {posts / 'evil.md'}: ")
    assert "symbolic link" in lines[0] and "outside" in lines[0]


def test_a_link_named_on_the_command_line_to_another_folder_is_not_followed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = write(tmp_path / "elsewhere" / "secret.md")
    link = tmp_path / "blog" / "post.md"
    link.parent.mkdir()
    link.symlink_to(outside)
    code, err = cli(capsys, "normalize", link)
    assert code == 1 and "outside" in err
    assert outside.read_text("utf-8") == HTML_POST
    # Naming the folder that holds the real file too is consent.
    code, _ = cli(capsys, "normalize", "-q", link, outside.parent)
    assert code == 1 and is_markdown(outside) and link.is_symlink()


def test_a_link_inside_the_folder_is_followed_and_kept(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    real = write(posts / "2022" / "real.md")
    link = posts / "link.md"
    link.symlink_to(Path("2022") / "real.md")
    assert normalize_file(link, roots=[posts]).status == "fixed"
    assert link.is_symlink() and is_markdown(real)


def test_the_api_follows_links_only_within_the_links_folder_by_default(tmp_path: Path) -> None:
    outside = write(tmp_path / "elsewhere" / "secret.md")
    link = tmp_path / "blog" / "post.md"
    link.parent.mkdir()
    link.symlink_to(outside)
    result = normalize_file(link)
    assert result.status == "failed" and "outside" in result.reason
    assert outside.read_text("utf-8") == HTML_POST
    assert normalize_file(link, roots=[tmp_path]).status == "fixed"


# ---------------------------------------------------------------------------------------------
# Read-only files and hard links


def test_a_read_only_post_is_reported_not_rewritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # As root (CI containers), a rename would replace it regardless of its mode.
    path = write(tmp_path / "post.md")
    path.chmod(0o444)
    code, err = cli(capsys, "normalize", path)
    assert code == 1
    assert err.splitlines() == [f"Error: {path}: read-only; left as it was"]
    assert path.read_text("utf-8") == HTML_POST
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_read_only_post_that_needs_nothing_is_not_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "post.md", CLEAN_POST)
    path.chmod(0o444)
    assert cli(capsys, "normalize", path) == (0, "")
    # --check writes nothing, so it says what would change as for any post
    html = write(tmp_path / "html.md")
    html.chmod(0o444)
    code, err = cli(capsys, "normalize", "--check", html)
    assert (code, err) == (1, f"would fix: {html}\n")


def test_breaking_a_hard_link_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "post.md")
    other = tmp_path / "backup" / "post.md"
    other.parent.mkdir()
    os.link(path, other)
    code, err = cli(capsys, "normalize", path)
    assert code == 1 and is_markdown(path)
    assert other.read_text("utf-8") == HTML_POST  # the other name keeps the old post
    assert f"Warning: {path}: had 2 hard links" in err
