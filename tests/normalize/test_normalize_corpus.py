"""Every real post in ``../shared/corpus``: rewritten once, cleanly, then never again."""

from __future__ import annotations

import codecs
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from normalize_support import corpus_posts, html_in_markdown, split_post

import zhconvert
from _paths import corpus_root
from zhconvert.normalize import normalize_bytes, normalize_file


@pytest.fixture
def copy(corpus_post: Path, tmp_path: Path) -> Path:
    target = tmp_path / corpus_post.name
    shutil.copyfile(corpus_post, target)
    return target


def test_corpus_post_is_rewritten_once(copy: Path, corpus_post: Path) -> None:
    original = corpus_post.read_bytes()
    checked = normalize_file(copy, check=True)
    assert checked.status == "would-fix", checked.reason
    assert copy.read_bytes() == original

    fixed = normalize_file(copy)
    assert fixed.status == "fixed", fixed.reason
    new = copy.read_bytes()
    assert new == checked.after
    # Front matter: the same bytes, so the blog renders the post's page as before.
    front, body = split_post(new)
    assert front == split_post(original)[0]
    text = body.decode("utf-8")
    assert html_in_markdown(text) == [], "raw HTML left in the Markdown"
    assert "\r" not in text
    # The corpus convention (no final newline) is kept.
    assert new.endswith(b"\n") == original.endswith(b"\n")
    assert zhconvert.loads(new).source.body_format == "markdown"

    again = normalize_file(copy)
    assert again.status == "unchanged"
    assert copy.read_bytes() == new


def test_corpus_post_with_crlf_and_bom(corpus_post: Path) -> None:
    lf = corpus_post.read_bytes().replace(b"\r\n", b"\n")
    crlf_bom = codecs.BOM_UTF8 + lf.replace(b"\n", b"\r\n")
    once = normalize_bytes(crlf_bom)
    assert once is not None
    assert once.startswith(codecs.BOM_UTF8 + split_post(lf)[0].replace(b"\n", b"\r\n"))
    assert b"\n" not in once.replace(b"\r\n", b"")
    assert b"\r" not in once.replace(b"\r\n", b"")
    assert normalize_bytes(once) is None


def test_corpus_post_with_normalized_front_matter(corpus_post: Path) -> None:
    once = normalize_bytes(corpus_post.read_bytes(), front_matter="normalize")
    assert once is not None
    assert once.startswith(b"---\n")
    doc = zhconvert.loads(once, strict=True)
    assert doc.source.body_format == "markdown"
    original = zhconvert.loads(corpus_post.read_bytes())
    assert doc.meta.title == original.meta.title
    assert doc.meta.date == original.meta.date
    assert normalize_bytes(once, front_matter="normalize") is None
    assert normalize_bytes(once) is None


def test_whole_corpus_folder_twice(cli: Callable[..., object], tmp_path: Path) -> None:
    posts = corpus_posts()
    (tmp_path / ".git").mkdir()
    blog = tmp_path / "blog"
    # Contents only: the shared corpus is read-only, and normalize leaves read-only posts alone.
    shutil.copytree(corpus_root(), blog, copy_function=shutil.copyfile)
    before = {p: p.read_bytes() for p in blog.rglob("*") if p.is_file()}

    first = cli("normalize", "blog", cwd=tmp_path)
    assert first.code == 1, first.err
    # Last, one line about the images on hosts that refuse other sites' Referer (Zhihu's...).
    assert first.err_lines[-1].startswith("hint: ") and "--hotlink html" in first.err_lines[-1]
    fixed = [line for line in first.err_lines[:-1] if not line.startswith("Warning: ")]
    assert sorted(fixed) == sorted(
        f"fixed: blog/{p.relative_to(corpus_root()).as_posix()}" for p in posts
    )
    # What a rewritten post holds is said as it is rewritten: one post is dated 2189.
    warnings = [line for line in first.err_lines if line.startswith("Warning: ")]
    assert all("implausible" in line for line in warnings), warnings
    after = {p: p.read_bytes() for p in blog.rglob("*") if p.is_file()}
    assert after.keys() == before.keys(), "files appeared or vanished"
    readme = blog / "README.md"
    if readme in before:
        assert after[readme] == before[readme]

    second = cli("normalize", "blog", cwd=tmp_path)
    assert (second.code, second.err, second.out) == (0, "", "")
    assert {p: p.read_bytes() for p in blog.rglob("*") if p.is_file()} == after
