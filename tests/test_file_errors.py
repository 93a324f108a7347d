"""File errors are catchable the Python way: ``except FileNotFoundError`` works on zhconvert's."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import zhconvert


def test_a_missing_post_is_a_file_not_found_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.md"
    with pytest.raises(FileNotFoundError) as caught:
        zhconvert.load(missing)
    assert isinstance(caught.value, zhconvert.ZhconvertError)
    assert caught.value.errno == errno.ENOENT
    assert caught.value.filename == str(missing)
    assert str(caught.value) == f"{missing}: no such file"


def test_a_folder_given_as_a_post_is_an_is_a_directory_error(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError) as caught:
        zhconvert.load(tmp_path)
    assert isinstance(caught.value, zhconvert.ZhconvertError)
    assert caught.value.errno == errno.EISDIR


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_post_is_a_permission_error(tmp_path: Path) -> None:
    post = tmp_path / "post.md"
    post.write_text("# x\n", encoding="utf-8")
    post.chmod(0)
    with pytest.raises(PermissionError) as caught:
        zhconvert.load(post)
    assert isinstance(caught.value, zhconvert.ZhconvertError)


def test_file_errors_are_os_errors_and_zhconvert_errors() -> None:
    assert issubclass(zhconvert.FileError, OSError)
    assert issubclass(zhconvert.FileError, zhconvert.ZhconvertError)
    # A handler written for zhconvert's errors still catches them.
    with pytest.raises(zhconvert.ZhconvertError):
        zhconvert.load("/nonexistent/zhconvert/post.md")


def test_an_error_that_learns_its_path_names_it_as_an_os_error_too() -> None:
    error = zhconvert.FileError("cannot read")
    error.with_path("a.md")
    assert (error.filename, str(error)) == ("a.md", "a.md: cannot read")
