"""Metadata for every feed: categories, titles, dates and authors of RSS-archive posts.

The posts here are written by hand in the shapes the feeds' generator writes (a blank line, then
``---``; single-quoted titles; ``author`` naming the site); the last tests read every real post
of ``../shared/corpus/feeds`` and check what must hold for each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

import zhconvert
from _paths import corpus_posts
from zhconvert._cli import run


def post(
    title: str = "'标题'",
    categories: str = " - 二次元\n - Animen 动漫平台\n - news\n",
    author: str = "Animen 动漫平台",
    date: str = "Fri, 14 Dec 2018 18:47:00 GMT",
    body: str = "<div>   \n<p>正文。</p>  \n</div>\n            ",
) -> str:
    """A post as the feed generator writes it; ``title`` is the YAML as written."""
    return (
        f"\n---\ntitle: {title}\ncategories: \n{categories}headimg: 'https://img.example/1.jpg'\n"
        f"author: {author}\ncomments: false\ndate: {date}\n"
        "thumbnail: 'https://img.example/1.jpg'\n---\n\n" + body
    )


# ---------------------------------------------------------------------------------------------
# Categories


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        (" - 二次元\n - Animen 动漫平台\n - news\n", ("二次元", "Animen 动漫平台", "news")),
        # indented four spaces, as some posts of the same feeds are
        ("    - 二次元\n    - AcFun\n    - 番剧\n\n", ("二次元", "AcFun", "番剧")),
        # a list inside the list: YAML reads ` -  - news` as ["news"]
        (" - 二次元\n - Animen 动漫平台\n -  - news\n", ("二次元", "Animen 动漫平台", "news")),
        # an em dash YAML does not take for a list item
        (" - 二次元\n - Animen 动漫平台\n - — news\n", ("二次元", "Animen 动漫平台", "news")),
        (" - 学习\n - - 知識分子\n   - 深度\n", ("学习", "知識分子", "深度")),
        (" - 年份\n - 2021\n - 2021\n", ("年份", "2021")),
        (" - 一\n - {二: 三}\n", ("一", "二", "三")),
        (" - '多  个\n   空格'\n", ("多 个 空格",)),
    ],
)
def test_categories_are_a_flat_tuple_of_plain_strings(
    categories: str, expected: tuple[str, ...]
) -> None:
    doc = zhconvert.loads(post(categories=categories))
    assert doc.meta.categories == expected


def test_a_category_may_start_with_a_dash_word() -> None:
    doc = zhconvert.loads(post(categories=" - -fno-inline\n - C—C++\n"))
    assert doc.meta.categories == ("-fno-inline", "C—C++")


def test_tags_are_flattened_the_same_way() -> None:
    doc = zhconvert.loads(post(categories=" - 编程\ntags:\n - - Go\n - — Rust\n"))
    assert doc.meta.tags == ("Go", "Rust")


# ---------------------------------------------------------------------------------------------
# Titles


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # Mastodon: the post's own lines inside the quotes (blank lines keep a line break)
        ("'@someone \"\n\n@friend\n\n你好👏\n\"'", '@someone "@friend 你好👏"'),
        ("'@someone \"\nMV鑑賞\n\"'", '@someone "MV鑑賞"'),
        # 即刻: Chinese lines join without a space, Latin and Chinese with one
        (
            "'第2周「摄影群」作品来了，请横屏观看。\n\n视觉：@Kenny \n\n本期主题：「手」'",
            "第2周「摄影群」作品来了，请横屏观看。视觉：@Kenny 本期主题：「手」",
        ),
        ("'line one\n\nline two'", "line one line two"),
        ("'tabs\tand   spaces'", "tabs and spaces"),
        # a title cut off by the feed is still a title
        ("'某问题？-某人的回答：说实话建议...'", "某问题？-某人的回答：说实话建议..."),
        ("'🎉🎉🎉'", "🎉🎉🎉"),
    ],
)
def test_titles_are_one_line(title: str, expected: str) -> None:
    assert zhconvert.loads(post(title=title)).meta.title == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        ("' '", "<div><h2>第一个标题</h2><p>正文。</p></div>", "第一个标题"),
        ("''", "<div><p>第一行<br>第二行</p></div>", "第一行"),
        ("'-'", "<div><br>-<br><p>真正的第一行</p></div>", "真正的第一行"),
        ("'——'", "<div><p><strong>加粗的</strong>第一行</p></div>", "加粗的第一行"),
        ("'。。。'", "<div><p>" + "长" * 80 + "</p></div>", "长" * 50 + "…"),
        ("'?'", "<div><p>问号不是标题。</p></div>", "问号不是标题。"),
    ],
)
def test_a_blank_or_placeholder_title_comes_from_the_body(
    title: str, body: str, expected: str
) -> None:
    assert zhconvert.loads(post(title=title, body=body)).meta.title == expected


def test_then_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "文件名就是标题.md"
    path.write_text(post(title="'-'", body="<div><img src='https://img.example/a.jpg'></div>"))
    assert zhconvert.load(path).meta.title == "文件名就是标题"


def test_then_from_the_feed_and_the_day(tmp_path: Path) -> None:
    path = tmp_path / "-.md"
    path.write_text(
        post(
            title="'-'",
            categories=" - 社交媒体\n - 即刻\n - 圈子\n",
            author="即刻",
            date="Thu, 20 Jan 2022 03:03:55 GMT",
            body="<div>   \n<br>-<br><img src='https://img.example/a.jpg'>  \n</div>\n",
        )
    )
    assert zhconvert.load(path).meta.title == "即刻 圈子 2022-01-20"


def test_a_post_without_front_matter_has_no_title_made_up() -> None:
    assert zhconvert.loads("<p>只有正文。</p>").meta.title == ""


# ---------------------------------------------------------------------------------------------
# Dates


def _in(days: int) -> str:
    return (dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=days)).strftime(
        "%a, %d %b %Y %H:%M:%S GMT"
    )


@pytest.mark.parametrize(
    ("date", "implausible"),
    [
        ("Sun, 03 May 2189 00:00:00 GMT", True),
        ("1970-01-01 08:00:00", True),
        ("Mon, 31 Dec 1989 23:00:00 GMT", True),
        pytest.param(_in(2 * 365), True, id="in-two-years"),
        ("Mon, 01 Jan 1990 12:00:00 GMT", False),
        ("2022-04-15 00:40:41", False),
        pytest.param(_in(30), False, id="in-a-month"),  # a post scheduled a little ahead
    ],
)
def test_implausible_dates_are_kept_and_warned_about(date: str, implausible: bool) -> None:
    doc = zhconvert.loads(post(date=date))
    assert doc.meta.date is not None
    warned = [w for w in doc.warnings if "implausible" in w]
    assert bool(warned) == implausible
    if implausible:
        assert doc.meta.date.date().isoformat() in warned[0]


def test_the_cli_shows_the_date_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "future.md"
    path.write_text(post(date="Sun, 03 May 2189 00:00:00 GMT"), encoding="utf-8")
    code = run(["convert", str(path), "-t", "txt"])
    out, err = capsys.readouterr()
    assert code == 0
    assert f"Warning: {path}: the date 2189-05-03 is implausible" in err
    assert "正文。" in out


# ---------------------------------------------------------------------------------------------
# Authors


def test_the_feed_author_names_the_site_not_a_person() -> None:
    meta = zhconvert.loads(post()).meta
    assert (meta.author, meta.site) == ("", "Animen 动漫平台")


def test_a_front_matter_author_who_is_not_the_site_is_the_author() -> None:
    meta = zhconvert.loads(post(categories=" - 随笔\n", author="张三")).meta
    assert (meta.author, meta.site) == ("张三", "")


def test_a_list_of_authors_is_read() -> None:
    meta = zhconvert.loads(post(categories=" - 随笔\n", author="\n - 张三\n - 李四")).meta
    assert (meta.author, meta.site) == ("张三、李四", "")


@pytest.mark.parametrize(
    ("body", "author"),
    [
        # 少数派 Shortcuts Gallery
        ('<div>作者：<a href="https://sspai.example/user/1">Minja</a><br></div>', "Minja"),
        # 36kr: a reprint's lead paragraph
        (
            "<div><p>编者按：本文来自微信公众号“某某评楼市”（ID:abc），作者：丁某某，"
            "36氪经授权发布。</p><p>正文。</p></div>",
            "丁某某",
        ),
        # WeChat-style articles
        ("<div><p>撰文 | Jess Wade</p><p>翻译 | 某某</p><p>正文。</p></div>", "Jess Wade"),
        ("<div><p>文/李四</p><p>正文。</p></div>", "李四"),
        # 知乎 话题: the question in bold, then "某某的回答"
        (
            "<div><strong>问题？</strong><br>香香的小橘子的回答<br><p>回答。</p></div>",
            "香香的小橘子",
        ),
        # not an author line
        ("<div><p>作者还添加了两个分类标签。</p><p>作者在 GitHub 上的规划。</p></div>", ""),
        ("<div><p>原文：https://example.com/a</p></div>", ""),
    ],
)
def test_the_author_comes_from_the_body(body: str, author: str) -> None:
    assert zhconvert.loads(post(body=body)).meta.author == author


def test_a_social_post_is_by_the_handle_in_its_title() -> None:
    doc = zhconvert.loads(
        post(
            title="'@someone \"\n眠すぎて\n\"'",
            categories=" - 社交媒体\n - Mastodon\n - 实例公共时间线（本站）\n",
            author="Mastodon",
            body="<div>   \n<hr><p>眠すぎて</p><br>  \n</div>\n",
        )
    )
    assert (doc.meta.author, doc.meta.site) == ("@someone", "Mastodon")


def test_a_byline_is_the_site_rules_word_on_the_author() -> None:
    # 知乎热榜: the reader turns "某某的回答" into a byline; the front matter's author is the site.
    doc = zhconvert.loads(
        post(
            categories=" - 社交媒体\n - 知乎\n - 知乎热榜\n",
            author="知乎",
            body="<div>   \n张三的回答<br><br><p>作者：李四，不是答主。</p>\n</div>\n",
        )
    )
    assert (doc.meta.author, doc.meta.site) == ("张三", "知乎")


def test_metadata_from_the_body_reads_back_the_same_after_normalize() -> None:
    doc = zhconvert.loads(
        post(title="' '", body='<div>作者：<a href="https://sspai.example/u">Minja</a><br></div>')
    )
    out = zhconvert.dumps(doc, "md", front_matter="normalize")
    assert isinstance(out, str)
    again = zhconvert.loads(out)
    assert again.meta == doc.meta
    assert doc.meta.author == "Minja"


# ---------------------------------------------------------------------------------------------
# Every real post of the feeds


@pytest.fixture(scope="module")
def feed_posts(corpus_dir: Path) -> list[Path]:
    """The posts of ``feeds/``: one folder per feed, named ``<site>-<feed>``."""
    posts = corpus_posts("feeds")
    assert len(posts) >= 55, f"the feeds corpus at {corpus_dir} is missing or incomplete"
    return posts


def test_every_feed_post_has_a_one_line_title_and_plain_categories(
    feed_posts: list[Path],
) -> None:
    for path in feed_posts:
        doc = zhconvert.load(path)
        where = str(path.relative_to(path.parents[1]))
        meta = doc.meta
        assert meta.title.strip(), where
        assert "\n" not in meta.title and meta.title == meta.title.strip(), where
        assert isinstance(meta.categories, tuple) and meta.categories, where
        for category in meta.categories:
            assert type(category) is str, where
            assert category.strip() == category and "\n" not in category, where
            assert not category.startswith(("[", "-", "—")), where
        # The feed folder is "<site>-<feed>": both are among the categories.
        site, _, feed = path.parent.name.partition("-")
        assert site in meta.categories and feed in meta.categories, where
        assert meta.site == site, where
        assert meta.date is not None, where


def test_every_feed_post_keeps_its_real_title(feed_posts: list[Path]) -> None:
    for path in feed_posts:
        doc = zhconvert.load(path)
        assert doc.front_matter is not None
        raw = doc.front_matter.mapping["title"]
        words = [w for w in str(raw).replace('"', " ").split() if w.strip("-_")]
        # Every word of a real title survives; only placeholder titles are replaced.
        for word in words:
            assert word.rstrip("_") in doc.meta.title.replace(" ", "") or word in doc.meta.title, (
                path.name
            )


def test_only_the_implausible_date_is_warned_about(feed_posts: list[Path]) -> None:
    warned = set()
    for path in feed_posts:
        raw = yaml.safe_load(path.read_text("utf-8").split("---")[1])
        doc = zhconvert.load(path)
        if any("implausible" in w for w in doc.warnings):
            warned.add(path.name)
            assert "2189" in str(raw["date"]), path.name
    assert len(warned) == 1
