"""Hugo's TOML (``+++``) and JSON front matter: read, typed, and written back in their own format.

python-frontmatter's handlers are the reference for the fences: ``+++`` lines around TOML, and a
JSON object whose first and last lines are ``{`` and ``}``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import pytest

import zhconvert

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BODY = "<div>\n<p>第一段，<b>粗体</b>。</p>\n</div>\n"

TOML_POST = (
    '+++\ntitle = "一篇 Hugo 文章"\ndate = 2022-07-13T23:40:55+08:00\n'
    'categories = ["博客", "Hugo"]\ndraft = false\nauthor = "张三"\n+++\n\n' + BODY
)
JSON_POST = (
    '{\n  "title": "一篇 JSON 文章",\n  "date": "2022-07-13T23:40:55+08:00",\n'
    '  "categories": ["博客"],\n  "tags": ["a", "b"]\n}\n\n' + BODY
)
CHINA = dt.timezone(dt.timedelta(hours=8))


def test_toml_front_matter_is_read_and_typed() -> None:
    doc = zhconvert.loads(TOML_POST)
    assert doc.front_matter is not None and doc.front_matter.format == "toml"
    assert doc.meta.title == "一篇 Hugo 文章"
    assert doc.meta.date == dt.datetime(2022, 7, 13, 23, 40, 55, tzinfo=CHINA)
    assert doc.meta.categories == ("博客", "Hugo")
    assert doc.source.body_format == "html"
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph"]


def test_json_front_matter_is_read_and_typed() -> None:
    doc = zhconvert.loads(JSON_POST)
    assert doc.front_matter is not None and doc.front_matter.format == "json"
    assert doc.meta.title == "一篇 JSON 文章"
    assert doc.meta.tags == ("a", "b")
    assert doc.meta.date == dt.datetime(2022, 7, 13, 23, 40, 55, tzinfo=CHINA)


@pytest.mark.parametrize("post", [TOML_POST, JSON_POST], ids=["toml", "json"])
def test_convert_keeps_the_front_matter_as_it_was(post: str) -> None:
    markdown = zhconvert.dumps(zhconvert.loads(post), "md")
    assert isinstance(markdown, str)
    head = post.split("\n\n<div>", 1)[0]
    assert markdown.startswith(head + "\n")
    assert "\\+++" not in markdown and "第一段，**粗体**。" in markdown


def test_normalized_toml_front_matter_is_toml() -> None:
    markdown = zhconvert.dumps(zhconvert.loads(TOML_POST), "md", front_matter="normalize")
    assert isinstance(markdown, str)
    assert markdown.startswith("+++\n")
    toml_text, rest = markdown[4:].split("+++\n", 1)
    data = tomllib.loads(toml_text)
    assert data["title"] == "一篇 Hugo 文章"
    assert data["date"] == dt.datetime(2022, 7, 13, 23, 40, 55, tzinfo=CHINA)
    assert data["draft"] is False  # a key zhconvert does not type is kept
    assert "第一段" in rest
    again = zhconvert.loads(markdown)
    assert (again.meta.title, again.meta.date) == ("一篇 Hugo 文章", data["date"])


def test_normalized_json_front_matter_is_json() -> None:
    markdown = zhconvert.dumps(zhconvert.loads(JSON_POST), "md", front_matter="normalize")
    assert isinstance(markdown, str)
    assert markdown.startswith("{\n")
    end = markdown.index("\n}\n") + 3
    data = json.loads(markdown[:end])
    assert data["title"] == "一篇 JSON 文章"
    assert data["tags"] == ["a", "b"]
    assert zhconvert.loads(markdown).meta.tags == ("a", "b")


def test_inspect_shows_a_toml_title(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from zhconvert._cli import run

    post = Path(str(tmp_path)) / "post.md"
    post.write_text(TOML_POST, encoding="utf-8")
    assert run(["inspect", str(post)]) == 0
    assert "一篇 Hugo 文章" in capsys.readouterr().out


@pytest.mark.parametrize(
    "post",
    ["+++\ntitle = \n+++\n\n" + BODY, '{\n  "title": \n}\n\n' + BODY],
    ids=["toml", "json"],
)
def test_broken_toml_or_json_is_a_warning_or_a_strict_error(post: str) -> None:
    doc = zhconvert.loads(post)
    assert doc.warnings and "front matter" in doc.warnings[0]
    with pytest.raises(zhconvert.FrontMatterError) as caught:
        zhconvert.loads(post, strict=True)
    assert caught.value.line is not None


def test_deep_json_front_matter_is_refused_cleanly() -> None:
    post = "{\n" + '"a": ' + "[" * 100_000 + "]" * 100_000 + "\n}\n\n" + BODY
    doc = zhconvert.loads(post)
    assert any("deeper" in w for w in doc.warnings)


def test_a_brace_paragraph_is_not_json_front_matter() -> None:
    doc = zhconvert.loads("{这是正文}\n\n第二段\n")
    assert doc.front_matter is None
    assert doc.source.body_format == "markdown"


def test_convert_output_starts_with_the_front_matter_on_the_first_line() -> None:
    # The archived posts put a blank line first; Jekyll needs the block to open the file.
    post = "\n---\ntitle: 'A'\nauthor: 知乎\n---\n\n" + BODY
    markdown = zhconvert.dumps(zhconvert.loads(post), "md")
    assert isinstance(markdown, str) and markdown.startswith("---\ntitle: 'A'\n")
