"""Front matter: finding it, keeping it, typed metadata, broken YAML, and the real posts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhconvert

BODY = "\n<div>\n张三的回答<br><br><p>正文。</p>\n</div>\n"
UTC = dt.timezone.utc
CHINA = dt.timezone(dt.timedelta(hours=8))


def post(yaml_lines: str, *, lead: str = "\n", body: str = BODY) -> str:
    """A post whose front matter holds ``yaml_lines`` (each ending with a newline)."""
    return f"{lead}---\n{yaml_lines}---\n{body}"


def meta_of(yaml_lines: str) -> zhconvert.Metadata:
    doc = zhconvert.loads(post(yaml_lines))
    assert doc.warnings == ()
    return doc.meta


# ---------------------------------------------------------------------------------------------
# Where the front matter is


@pytest.mark.parametrize("lead", ["", "\n", "\n\n\n", "  \n\t\n"], ids=repr)
def test_leading_blank_lines_are_part_of_the_front_matter(lead: str) -> None:
    yaml_lines = "title: 'A'\nauthor: 知乎\n"
    doc = zhconvert.loads(post(yaml_lines, lead=lead).encode("utf-8"))
    assert doc.front_matter is not None
    assert doc.front_matter.text == f"{lead}---\n{yaml_lines}---\n"
    assert dict(doc.front_matter.mapping) == {"title": "A", "author": "知乎"}
    assert doc.meta.title == "A"
    assert doc.source.body_format == "html"


def test_front_matter_text_is_exact_through_the_closing_line() -> None:
    yaml_lines = "title: 'A'   \n# a comment\ncategories: \n - x\n"
    text = post(yaml_lines, lead="\n")
    doc = zhconvert.loads(text)
    assert doc.front_matter is not None
    assert doc.front_matter.text == "\n---\ntitle: 'A'   \n# a comment\ncategories: \n - x\n---\n"
    assert text.startswith(doc.front_matter.text)


def test_front_matter_text_of_a_crlf_post_has_lf_newlines() -> None:
    yaml_lines = "title: 'A'\nauthor: 知乎\n"
    doc = zhconvert.loads(post(yaml_lines).replace("\n", "\r\n").encode("utf-8"))
    assert doc.front_matter is not None
    assert doc.front_matter.text == f"\n---\n{yaml_lines}---\n"


def test_mapping_keeps_key_order() -> None:
    doc = zhconvert.loads(post("zeta: 1\nalpha: 2\nmid: 3\ntitle: 'T'\n"))
    assert doc.front_matter is not None
    assert list(doc.front_matter.mapping) == ["zeta", "alpha", "mid", "title"]
    assert doc.front_matter.mapping["alpha"] == 2


@pytest.mark.parametrize(
    "text",
    [
        "<div><p>正文，没有元数据。</p></div>\n",
        "前言\n---\ntitle: 'A'\n---\n<p>正文</p>\n",  # not at the start
        "---\ntitle: 'A'\n<p>正文</p>\n",  # never closed
        "----\ntitle: 'A'\n----\n<p>正文</p>\n",  # four dashes: a rule, not a fence
    ],
    ids=["none", "not-at-start", "unclosed", "four-dashes"],
)
def test_no_front_matter(text: str) -> None:
    doc = zhconvert.loads(text)
    assert doc.front_matter is None
    assert doc.meta.title == ""
    assert doc.warnings == ()


# ---------------------------------------------------------------------------------------------
# Typed metadata


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("'如何看待某事_'", "如何看待某事?"),
        ("'Is Firefox still faster than Canary_'", "Is Firefox still faster than Canary?"),
        ("'snake_case 与 C_ABI'", "snake_case 与 C_ABI"),
        ("'a_b_'", "a_b?"),
        ("'问_'", "问?"),  # a title of "?" alone is a placeholder (test_feeds_metadata.py)
        ("'为什么？'", "为什么？"),
        ("'&#123;JSON&#125; 的写法'", "{JSON} 的写法"),
        ("'Map&#123;k: v&#125;_'", "Map{k: v}?"),
        ("'  带空格  '", "带空格"),
    ],
)
def test_title(title: str, expected: str) -> None:
    assert meta_of(f"title: {title}\n").title == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 13 Jul 2022 15:40:55 GMT", dt.datetime(2022, 7, 13, 15, 40, 55, tzinfo=UTC)),
        ("Wed, 13 Jul 2022 15:40:55 +0000", dt.datetime(2022, 7, 13, 15, 40, 55, tzinfo=UTC)),
        # RFC 2822 section 3.3: "-0000" is UTC whose local zone is unknown, not a naive time.
        ("Wed, 13 Jul 2022 15:40:55 -0000", dt.datetime(2022, 7, 13, 15, 40, 55, tzinfo=UTC)),
        (
            "Wed, 13 Jul 2022 15:40:55 +0900",
            dt.datetime(2022, 7, 13, 15, 40, 55, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        ),
        ("2022-04-15 00:40:41", dt.datetime(2022, 4, 15, 0, 40, 41, tzinfo=CHINA)),
        ("'2022-04-15 00:40:41'", dt.datetime(2022, 4, 15, 0, 40, 41, tzinfo=CHINA)),
        ("2022-04-15T00:40:41Z", dt.datetime(2022, 4, 15, 0, 40, 41, tzinfo=UTC)),
        ("'2022-04-15T00:40:41Z'", dt.datetime(2022, 4, 15, 0, 40, 41, tzinfo=UTC)),
        (
            "2022-04-15T00:40:41+02:00",
            dt.datetime(2022, 4, 15, 0, 40, 41, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        ("2022-04-15", dt.datetime(2022, 4, 15, 0, 0, tzinfo=CHINA)),
    ],
    ids=str,
)
def test_date(value: str, expected: dt.datetime) -> None:
    date = meta_of(f"date: {value}\n").date
    assert date is not None
    assert date.tzinfo is not None
    assert date.utcoffset() == expected.utcoffset()
    assert date == expected


@pytest.mark.parametrize("value", ["''", "not a date", "null"])
def test_missing_or_unreadable_date_is_none(value: str) -> None:
    assert meta_of(f"date: {value}\n").date is None


def test_no_date_key() -> None:
    assert meta_of("title: 'A'\n").date is None


@pytest.mark.parametrize(
    ("yaml_lines", "categories", "tags"),
    [
        ("categories:\n - 社交媒体\n - 知乎\n - 知乎热榜\n", ("社交媒体", "知乎", "知乎热榜"), ()),
        (
            "categories: [社交媒体, 知乎]\ntags: [Linux, 内核]\n",
            ("社交媒体", "知乎"),
            ("Linux", "内核"),
        ),
        ("categories: 随笔\ntags: 单个\n", ("随笔",), ("单个",)),
        ("categories:\ntags: []\n", (), ()),
        ("categories:\n - ' 两边有空格 '\n - ''\n", ("两边有空格",), ()),
    ],
    ids=["block-list", "flow-lists", "scalars", "empty", "blank-items"],
)
def test_categories_and_tags_are_tuples(
    yaml_lines: str, categories: tuple[str, ...], tags: tuple[str, ...]
) -> None:
    meta = meta_of(yaml_lines)
    assert meta.categories == categories
    assert meta.tags == tags


def test_site_comes_from_author() -> None:
    meta = meta_of("author: 知乎\n")
    assert meta.site == "知乎"
    assert meta.author == "张三"  # the person comes from the answer's byline, not the YAML


@pytest.mark.parametrize(
    ("categories", "source"),
    [
        ("[社交媒体, 知乎, 知乎热榜]", "知乎热榜"),
        ("[社交媒体, 知乎, 知乎日报]", "知乎日报"),
    ],
)
def test_source_from_categories(categories: str, source: str) -> None:
    assert meta_of(f"categories: {categories}\nauthor: 知乎\n").feed == source


PICSUM = "https://picsum.photos/400/300?random=7537"
EQUATION = "https://www.zhihu.com/equation?tex=%5Cmathbb%7BR%7D"
IMAGE = "https://pic1.zhimg.com/v2-20e0713de0d9dac9129025d7c33de783_1440w.jpg?source=b1748391"
OTHER_IMAGE = "https://pic2.zhimg.com/v2-86ea4b8b7df16d9c219613abc03b1ee5_l.jpg"


@pytest.mark.parametrize(
    ("headimg", "thumbnail", "cover"),
    [
        pytest.param(IMAGE, IMAGE, IMAGE, id="image"),
        pytest.param(PICSUM, PICSUM, "", id="picsum"),
        pytest.param(EQUATION, EQUATION, "", id="equation"),
        pytest.param(None, OTHER_IMAGE, OTHER_IMAGE, id="thumbnail-only"),
        pytest.param(IMAGE, OTHER_IMAGE, IMAGE, id="headimg-first"),
        # a placeholder is ignored: it does not hide a real image in the next key
        pytest.param(PICSUM, OTHER_IMAGE, OTHER_IMAGE, id="picsum-then-real"),
        pytest.param(None, None, "", id="none"),
    ],
)
def test_cover(headimg: str | None, thumbnail: str | None, cover: str) -> None:
    lines = "".join(
        f"{key}: '{value}'\n"
        for key, value in (("headimg", headimg), ("thumbnail", thumbnail))
        if value is not None
    )
    assert meta_of(lines).cover == cover


# ---------------------------------------------------------------------------------------------
# Broken front matter

BROKEN = (
    "title: 'It's broken'\n"
    "categories: \n"
    " - 社交媒体\n"
    " - 知乎\n"
    " - 知乎热榜\n"
    "author: 知乎\n"
    "date: Wed, 13 Jul 2022 15:40:55 GMT\n"
)
# `title: 'It'` closes the quote; YAML stops at the `s` in column 12.
BROKEN_COLUMN = 12


@pytest.mark.parametrize(("lead", "line"), [("", 2), ("\n", 3), ("\n\n\n", 5)])
def test_broken_yaml_is_recovered_with_a_warning(lead: str, line: int) -> None:
    doc = zhconvert.loads(post(BROKEN, lead=lead).encode("utf-8"))
    assert len(doc.warnings) == 1
    warning = doc.warnings[0]
    assert "not valid YAML" in warning
    assert f"line {line}, column {BROKEN_COLUMN}" in warning
    assert doc.meta.title == "It's broken"
    assert doc.meta.categories == ("社交媒体", "知乎", "知乎热榜")
    assert doc.meta.site == "知乎"
    assert doc.meta.feed == "知乎热榜"
    assert doc.meta.date == dt.datetime(2022, 7, 13, 15, 40, 55, tzinfo=UTC)
    assert doc.blocks  # the body is still read


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (post(BROKEN, lead=""), 2),
        (post(BROKEN, lead="\n"), 3),
        (post(BROKEN, lead="\n\n\n"), 5),
        (post("author: 知乎\n" + BROKEN, lead="\n"), 4),
        (post(BROKEN, lead="\n").replace("\n", "\r\n"), 3),
    ],
    ids=["no-lead", "one-blank-line", "three-blank-lines", "second-key", "crlf"],
)
def test_broken_yaml_is_an_error_when_strict(text: str, line: int) -> None:
    with pytest.raises(zhconvert.FrontMatterError) as info:
        zhconvert.loads(text.encode("utf-8"), strict=True)
    error = info.value
    assert error.line == line
    assert error.column == BROKEN_COLUMN
    assert f"(at line {line}, column {BROKEN_COLUMN})" in str(error)
    assert "\n" not in str(error)


def test_strict_error_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_text(post(BROKEN), encoding="utf-8")
    with pytest.raises(zhconvert.FrontMatterError) as info:
        zhconvert.load(path, strict=True)
    assert str(info.value).startswith(f"{path}: front matter")
    assert str(info.value).endswith(f"(at line 3, column {BROKEN_COLUMN})")
    assert info.value.path == str(path)


@pytest.mark.parametrize(
    ("yaml_lines", "kind"),
    [("- a\n- b\n", "list"), ("just some words\n", "str"), ("42\n", "int")],
)
def test_front_matter_that_is_not_a_mapping(yaml_lines: str, kind: str) -> None:
    doc = zhconvert.loads(post(yaml_lines))
    assert len(doc.warnings) == 1
    assert f"YAML {kind}, not a mapping" in doc.warnings[0]
    assert doc.front_matter is not None
    assert dict(doc.front_matter.mapping) == {}
    assert doc.front_matter.text == f"\n---\n{yaml_lines}---\n"
    assert doc.meta.title == ""
    with pytest.raises(zhconvert.FrontMatterError, match="not a mapping"):
        zhconvert.loads(post(yaml_lines), strict=True)


@pytest.mark.parametrize(("lead", "line"), [("", 3), ("\n", 4)])
def test_duplicate_keys_warn_and_the_last_wins(lead: str, line: int) -> None:
    doc = zhconvert.loads(post("title: 'first'\ntitle: 'second'\nauthor: 知乎\n", lead=lead))
    assert len(doc.warnings) == 1
    assert "'title'" in doc.warnings[0]
    assert f"line {line}" in doc.warnings[0]
    assert doc.meta.title == "second"


@pytest.mark.parametrize("strict", [False, True])
def test_valid_front_matter_has_no_warning(strict: bool) -> None:
    doc = zhconvert.loads(post("title: 'A'\nauthor: 知乎\n"), strict=strict)
    assert doc.warnings == ()


# ---------------------------------------------------------------------------------------------
# The real posts

CORPUS_KEYS = ["title", "categories", "headimg", "author", "comments", "date", "thumbnail"]


def test_design_post_metadata(design_post: Path) -> None:
    doc = zhconvert.load(design_post)
    assert doc.meta.title == "如何看待朝鲜承认顿涅茨克和卢甘斯克独立?"
    assert doc.meta.date == dt.datetime(2022, 7, 13, 15, 40, 55, tzinfo=UTC)
    assert doc.meta.categories == ("社交媒体", "知乎", "知乎热榜")
    assert doc.meta.site == "知乎"
    assert doc.meta.feed == "知乎热榜"
    assert doc.meta.author == "楚筠珺"
    assert doc.meta.cover == IMAGE
    assert doc.front_matter is not None
    first_lines = "\n---\ntitle: '如何看待朝鲜承认顿涅茨克和卢甘斯克独立_'\n"
    assert doc.front_matter.text.startswith(first_lines)
    assert doc.front_matter.text.endswith("source=b1748391'\n---\n")
    assert doc.warnings == ()


def test_every_corpus_post_has_its_metadata(corpus_posts: list[Path], corpus_dir: Path) -> None:
    feeds = {"zhihu": 0, "other": 0}
    for path in corpus_posts:
        feed = path.parent.name
        feeds[feed] += 1
        doc = zhconvert.load(path, strict=True)
        where = str(path.relative_to(corpus_dir))
        assert doc.warnings == (), where
        assert doc.front_matter is not None, where
        mapping = doc.front_matter.mapping
        assert list(mapping) == CORPUS_KEYS, where

        raw_title = mapping["title"]
        expected_title = raw_title[:-1] + "?" if raw_title.endswith("_") else raw_title
        assert doc.meta.title == expected_title, where
        assert doc.meta.title, where

        date = doc.meta.date
        assert date is not None and date.tzinfo is not None, where
        # 知乎热榜 and the other feeds write RFC 2822 in GMT; 知乎日报 writes naive China time.
        offset = dt.timedelta(0) if isinstance(mapping["date"], str) else dt.timedelta(hours=8)
        assert date.utcoffset() == offset, where

        assert isinstance(doc.meta.categories, tuple), where
        assert doc.meta.categories == tuple(mapping["categories"]), where
        assert len(doc.meta.categories) == 3, where
        assert doc.meta.site == mapping["author"], where
        assert "picsum.photos" not in doc.meta.cover, where
        if feed == "zhihu":
            assert doc.meta.site == "知乎", where
            assert doc.meta.categories[:2] == ("社交媒体", "知乎"), where
            assert doc.meta.feed in ("知乎热榜", "知乎日报"), where
            assert doc.meta.feed == doc.meta.categories[-1], where
            if doc.meta.feed == "知乎日报":
                assert date.utcoffset() == dt.timedelta(hours=8), where
        else:
            assert doc.meta.site != "知乎", where
    assert feeds == {"zhihu": 34, "other": 3}


#: Values that YAML reads as text, numbers, booleans, dates, nothing, or collections; anchors,
#: aliases and merge keys. The reader builds the common mappings itself (without PyYAML's
#: constructor, for speed); whatever it builds must be what PyYAML builds.
_YAML_VALUES = [
    "text", "'quoted: text'", '"双引号"', "知乎", "1", "-2.5", "0x1F", "1_000", "1:20", ".inf",
    "yes", "off", "true", "~", "null", "", "2022-03-06 14:08:20", "2022-03-06",
    "2022-03-06T14:08:20+08:00", "[a, 1, null, 2022-01-01]", "[]", "{}", "{a: 1}", "[[x]]",
    "&anchor [a, b]", "*anchor", "&s text", "*s", "\n - a\n - 2\n", "\n  -  - nested\n",
    "!!str 12", "| \n  block\n",
]  # fmt: skip
_YAML_KEYS = ["title", "categories", "date", "1", "yes", "null", "<<", "'quoted key'", "title"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_YAML_KEYS), st.sampled_from(_YAML_VALUES)), max_size=6))
def test_front_matter_mapping_is_what_pyyaml_builds(items: list[tuple[str, str]]) -> None:
    import yaml

    yaml_text = "".join(f"{key}: {value}\n" for key, value in items)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        expected = yaml.load(yaml_text, Loader=loader)
    except (yaml.YAMLError, ValueError, TypeError):
        return  # recovered line by line: tests above
    if not isinstance(expected, dict):
        return
    doc = zhconvert.loads(post(yaml_text))
    assert doc.front_matter is not None
    mapping = dict(doc.front_matter.mapping)
    assert list(mapping) == [str(key) for key in expected]
    assert mapping == {str(key): value for key, value in expected.items()}
    for key, value in expected.items():
        assert type(mapping[str(key)]) is type(value)


#: Lines of the common front matter (``key: value``, ``- item``) and their near misses: what
#: YAML reads as more than the line's text (comments, ``: ``, open quotes, anchors, tabs, other
#: line breaks), keys that are not text, indents that do not line up.
_GOOD_VALUES = [
    "text", "知乎 热榜", "Mon, 01 Nov 2021 23:43:16 GMT", "2021-10-21 10:09:00", "2022-02-30",
    "false", "on", "~", "1", "0x1F", "1:20", ".inf", "'q''s'", "'  spaced  '", "''", "a#b",
    "a:b", "it's", "x  ", "<<", "=", "@x", "'- x'", "'a: b'", "'#'",
]  # fmt: skip
_NEAR_MISSES = [
    "", "'open", "'a' b", "'a' #c", "'''", "a: b", "a #c", "a:", "&x a", "*x", "[a]", "{a: 1}",
    "- x", '"dq"', "a\tb", "a\u2028b", "\ufeffa", "!!str 1", "|", "%x", "`x`", "-x", "?x", ":x",
]  # fmt: skip
_VALUES = st.sampled_from(_GOOD_VALUES * 8 + _NEAR_MISSES)
_KEYS = st.sampled_from(["title", "tags", "date", "_k", "a-b"] * 8 + ["yes", "null", "On", "1"])
_INDENTS = st.sampled_from(["", " ", "  ", "    "])
_ENTRIES = st.one_of(
    st.builds("{}:{}{}{}".format, _KEYS, st.sampled_from([" ", "  "]), _VALUES, _INDENTS),
    st.builds(
        lambda key, indent, items: key + ":" + "".join(f"\n{indent}- {item}" for item in items),
        _KEYS,
        _INDENTS,
        st.lists(_VALUES, max_size=3),
    ),
    st.sampled_from(["", "  ", "# c", " b", "---x", "\tx: 1", "'q': x", "key:x", " - x", "-  x"]),
)


def _assert_read_as_pyyaml_reads(yaml_text: str) -> None:
    import yaml

    doc = zhconvert.loads(post(yaml_text))
    assert doc.front_matter is not None
    mapping = dict(doc.front_matter.mapping)
    try:
        expected = yaml.load(yaml_text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, ValueError, TypeError):
        assert any(w.startswith("front matter") for w in doc.warnings), doc.warnings
        return
    if expected is None or not isinstance(expected, dict):
        assert mapping == {}
        return
    assert list(mapping) == [str(key) for key in expected]
    assert mapping == {str(key): value for key, value in expected.items()}
    for key, value in expected.items():
        assert type(mapping[str(key)]) is type(value)
        if isinstance(value, list):
            assert [type(item) for item in mapping[str(key)]] == [type(item) for item in value]


@pytest.mark.parametrize("value", _GOOD_VALUES + _NEAR_MISSES)
@pytest.mark.parametrize("form", ["a: {}\n", "a:\n - {}\n", "a:\n- b\n- {}\nc: d\n"])
def test_each_line_value_is_what_pyyaml_builds(form: str, value: str) -> None:
    """Each value alone, as a key's and as a list item's: read as PyYAML reads it."""
    _assert_read_as_pyyaml_reads(form.format(value))


@settings(max_examples=500, deadline=None)
@given(st.lists(_ENTRIES, min_size=1, max_size=6))
def test_line_by_line_front_matter_is_what_pyyaml_builds(lines: list[str]) -> None:
    """Front matter of ``key: value`` and ``- item`` lines and their near misses: as PyYAML reads it."""
    yaml_text = "".join(line + "\n" for line in lines)
    if yaml_text.strip() and "---" not in lines and "..." not in lines:
        _assert_read_as_pyyaml_reads(yaml_text)
