"""Interop with the libraries users already hold posts in: python-frontmatter, and walking a tree."""

from __future__ import annotations

import datetime as dt
import json

import frontmatter
import pytest

import zhconvert
from zhconvert import Emphasis, Footnote, Link, Paragraph, Strong, Text


def test_loads_takes_a_python_frontmatter_post() -> None:
    post = frontmatter.Post(
        "<div>\n<p>正文<b>粗体</b></p>\n</div>\n",
        title="一篇文章",
        author="知乎",
        date=dt.datetime(2022, 4, 15, 0, 40, 41),
        categories=["社交媒体", "知乎"],
    )
    doc = zhconvert.loads(post)
    assert doc.meta.title == "一篇文章"
    assert doc.meta.site == "知乎"
    assert doc.meta.categories == ("社交媒体", "知乎")
    assert doc.meta.date == dt.datetime(
        2022, 4, 15, 0, 40, 41, tzinfo=dt.timezone(dt.timedelta(hours=8))
    )
    assert doc.blocks == (Paragraph((Text("正文"), Strong((Text("粗体"),)))),)


def test_a_post_loaded_by_python_frontmatter_reads_the_same_as_its_text() -> None:
    text = "---\ntitle: 'A'\nauthor: 知乎\n---\n\n<div>\n<p>x <i>y</i></p>\n</div>\n"
    assert zhconvert.loads(frontmatter.loads(text)).blocks == zhconvert.loads(text).blocks


def test_walk_yields_every_block_and_inline_once() -> None:
    doc = zhconvert.loads(
        "---\ntitle: t\n---\n\n"
        '<div>\n<p>a<b>b<i>c</i></b><a href="https://e.com/">d</a></p><ul><li>e</li></ul>\n</div>\n'
    )
    nodes = list(zhconvert.walk(doc))
    names = [type(node).__name__ for node in nodes]
    assert names.count("Paragraph") == 2  # the paragraph and the list item's
    assert [n.text for n in nodes if isinstance(n, Text)] == ["a", "b", "d", "c", "e"]
    assert sum(isinstance(n, Emphasis) for n in nodes) == 1
    assert [n.url for n in nodes if isinstance(n, Link)] == ["https://e.com/"]
    # breadth first, like ast.walk: a node comes before its children
    assert names.index("Strong") < names.index("Emphasis")


def test_walk_takes_a_single_node_and_the_footnotes() -> None:
    assert list(zhconvert.walk(Strong((Text("x"),)))) == [Strong((Text("x"),)), Text("x")]
    doc = zhconvert.loads("---\ntitle: t\n---\n\n正文[^1]\n\n[^1]: 注释\n")
    assert [n.text for n in zhconvert.walk(doc) if isinstance(n, Footnote)] == ["注释"]


def test_walk_refuses_what_is_not_a_document_node() -> None:
    with pytest.raises(TypeError):
        list(zhconvert.walk("text"))  # type: ignore[arg-type]


def test_help_on_every_model_class_says_what_it_is_and_what_each_field_holds() -> None:
    import dataclasses

    import zhconvert.model as model

    for name in model.__all__:
        cls = getattr(model, name)
        if not dataclasses.is_dataclass(cls):
            continue
        doc = cls.__doc__ or ""
        # without a docstring, dataclass writes its signature there: "Strong(children: ...)"
        assert doc and not doc.startswith(f"{name}("), f"{name} has no docstring"
        missing = [f.name for f in dataclasses.fields(cls) if f"``{f.name}``" not in doc]
        assert missing == [], f"{name}'s docstring does not say what {missing} hold"


def test_meta_feed_is_the_feed_and_meta_source_is_its_deprecated_name() -> None:
    doc = zhconvert.loads(
        "---\ntitle: t\nauthor: 知乎\ncategories:\n - 知乎\n - 知乎热榜\n---\n\n<p>x</p>\n"
    )
    assert doc.meta.feed == "知乎热榜"
    with pytest.warns(DeprecationWarning, match="Metadata.feed"):
        assert doc.meta.source == "知乎热榜"
    with pytest.warns(DeprecationWarning):
        old = zhconvert.Metadata(title="t", source="知乎日报")
    assert old.feed == "知乎日报"
    import dataclasses

    assert dataclasses.replace(old, feed="x").feed == "x"


def test_json_has_the_feed_and_keeps_the_old_key() -> None:
    doc = zhconvert.loads("---\ntitle: t\ncategories: [知乎, 知乎热榜]\n---\n\n<p>x</p>\n")
    meta = json.loads(zhconvert.dumps(doc, "json"))["meta"]
    assert meta["feed"] == meta["source"] == "知乎热榜"
    assert list(meta)[list(meta).index("feed") + 1] == "source"
