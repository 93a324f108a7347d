"""Books from the shared corpus: every post alone, the whole corpus, volumes, duplicates, CLI.

Images come from a folder of generated files named like the corpus's image addresses
(``image_dir``), so embedding is exercised on real posts without any network. Every book is
validated by EPUBCheck (see conftest).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import zhconvert
from zhconvert import model as m
from zhconvert._cli import run


def _image_addresses(node: object) -> set[str]:
    """Every image address anywhere in a document (figures, inline images, cards, cover)."""
    found: set[str] = set()
    if isinstance(node, m.Figure):
        found |= {node.url, *node.fallbacks}
    elif isinstance(node, m.InlineImage):
        found.add(node.url)
    elif isinstance(node, m.LinkCard):
        found.add(node.image)
    elif isinstance(node, m.VideoCard):
        found.add(node.poster)
    elif isinstance(node, m.Metadata):
        found.add(node.cover)
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            found |= _image_addresses(getattr(node, f.name))
    elif isinstance(node, tuple):
        for item in node:
            found |= _image_addresses(item)
    return {url for url in found if url}


@pytest.fixture(scope="module")
def corpus_images(corpus_posts: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a small generated image for every image address of the corpus."""
    from PIL import Image

    folder = tmp_path_factory.mktemp("corpus-images")
    addresses: set[str] = set()
    for post in corpus_posts:
        addresses |= _image_addresses(zhconvert.load(post))
    for number, url in enumerate(sorted(addresses)):
        name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
        if name and not name.startswith("."):
            color = (number * 37 % 256, number * 91 % 256, 160)
            Image.new("RGB", (48, 32), color).save(folder / name, "PNG")
    return folder


def test_every_corpus_post_as_a_single_book(
    corpus_posts: list[Path],
    corpus_images: Path,
    tmp_path: Path,
    open_epub: Any,
    assert_epubcheck_clean: Any,
) -> None:
    books = []
    embedded = 0
    for number, post in enumerate(corpus_posts):
        doc = zhconvert.load(post)
        data = zhconvert.dumps(doc, "epub", image_dir=str(corpus_images), no_cache=True)
        assert isinstance(data, bytes)
        path = tmp_path / f"post-{number:02d}.epub"
        path.write_bytes(data)
        books.append(path)
        book = open_epub(data)
        assert book.meta("title") == [doc.meta.title]
        assert len(book.chapters()) == 1
        h1 = book.xml(book.chapters()[0]).find(".//{http://www.w3.org/1999/xhtml}h1")
        assert "".join(h1.itertext()) == doc.meta.title
        embedded += len([n for n in book.names if n.startswith("EPUB/images/")])
    assert len(books) == 37
    assert embedded > 50
    assert_epubcheck_clean(*books)


def test_whole_corpus_as_one_collection(
    corpus_dir: Path,
    corpus_images: Path,
    tmp_path: Path,
    open_epub: Any,
    assert_epubcheck_clean: Any,
) -> None:
    out = tmp_path / "知乎合集.epub"
    report = zhconvert.build_book(
        [corpus_dir / "zhihu", corpus_dir / "other"],
        out,
        image_dir=str(corpus_images),
        no_cache=True,
        jobs=2,
    )
    assert_epubcheck_clean(out)
    assert report.volumes == (out,)
    assert (report.posts, report.duplicates, report.unreadable, report.not_posts) == (37, 0, (), ())
    assert report.images_failed == 0 and report.images_embedded > 50
    assert report.size == out.stat().st_size
    assert "37 posts" in report.summary() and "1 volume" in report.summary()

    book = open_epub(out)
    # no --title: the folder holding the inputs and the posts' dates, not the file's name
    assert book.meta("title") == [f"{corpus_dir.name} 2021-04-21 – 2022-08-04"]
    assert len(book.chapters()) == 37
    assert "知乎热榜" in book.meta("subject") and "cnBeta" in book.meta("subject")
    # grouped by category, nested; a level with a single child folds into its parent
    toc = book.toc()
    assert [label for label, _ in toc] == ["社交媒体 / 知乎", "新媒体"]
    assert [label for label, _ in toc[0][1]] == ["知乎热榜", "知乎日报"]
    # groups come in the order of their oldest post (快科技 2021-12-17, cnBeta 2021-12-30)
    assert [label for label, _ in toc[1][1]] == ["快科技（原驱动之家） / 最新新闻", "cnBeta / 最新"]
    # two answers to one question are told apart by their authors
    labels = [label for _, group in toc[0][1] for label, _ in group]
    assert sum(label.startswith("Apache 存在 Log4j") for label in labels) == 2
    assert any(label.endswith("（nlfox）") for label in labels)
    # the reading order follows the table of contents; within a group, oldest first
    hot = [label for label, _ in toc[0][1][0][1]]
    assert hot[0].startswith("如何评价苹果发布 AirTag")  # 2021-04-21, the oldest 热榜 post
    # the cover is the first real header image, embedded
    assert book.spine()[0] == "text/cover.xhtml"
    # dcterms:modified is the newest post's date, not the clock
    modified = book.opf.find(
        "{http://www.idpf.org/2007/opf}metadata/{http://www.idpf.org/2007/opf}meta"
        "[@property='dcterms:modified']"
    )
    assert modified.text == "2022-08-04T11:39:27Z"


def test_builds_are_reproducible(corpus_dir: Path, corpus_images: Path, tmp_path: Path) -> None:
    options = {"image_dir": str(corpus_images), "no_cache": True}
    first = tmp_path / "a" / "book.epub"
    second = tmp_path / "b" / "book.epub"
    first.parent.mkdir()
    second.parent.mkdir()
    zhconvert.build_book([corpus_dir / "zhihu", corpus_dir / "other"], first, jobs=1, **options)
    zhconvert.build_book([corpus_dir / "other", corpus_dir / "zhihu"], second, jobs=2, **options)
    assert first.read_bytes() == second.read_bytes()


def test_the_whole_archive_as_one_book(
    corpus_dir: Path, archive_posts: list[Path], tmp_path: Path, assert_epubcheck_clean: Any
) -> None:
    # Every feed of the archive, READMEs beside the posts, dates up to the year 2189.
    out = tmp_path / "archive.epub"
    report = zhconvert.build_book([corpus_dir], out, images="omit", jobs=2)
    assert_epubcheck_clean(out)
    assert (report.posts, report.duplicates, report.unreadable) == (len(archive_posts), 0, ())
    readmes = sorted(str(p) for p in corpus_dir.rglob("README.md"))
    assert sorted(report.not_posts) == readmes  # no front matter: not a post


def _copy_with(source: Path, target: Path, **changes: str) -> Path:
    text = source.read_text(encoding="utf-8")
    for key, value in changes.items():
        text, count = re.subn(rf"(?m)^{key}: .*$", f"{key}: {value}", text, count=1)
        assert count == 1
    target.write_text(text, encoding="utf-8")
    return target


def test_duplicates_keep_the_newest_copy(
    corpus_dir: Path, design_post: Path, tmp_path: Path, open_epub: Any
) -> None:
    folder = tmp_path / "posts"
    (folder / "old").mkdir(parents=True)
    (folder / "new").mkdir()
    _copy_with(design_post, folder / "old" / "a.md", date="Mon, 11 Jul 2022 08:00:00 GMT")
    newest = design_post.read_text(encoding="utf-8").replace(
        "朝鲜在外交政策上", "【新版】朝鲜在外交政策上"
    )
    (folder / "new" / "a.md").write_text(newest, encoding="utf-8")  # 13 Jul 2022
    _copy_with(
        design_post,
        folder / "renamed.md",
        title="'如何看待朝鲜承认顿涅茨克和卢甘斯克独立?'",
        date="Tue, 12 Jul 2022 08:00:00 GMT",
    )
    other = corpus_dir / "zhihu" / "CPU 为什么很少会坏？.md"
    out = tmp_path / "book.epub"
    report = zhconvert.build_book([folder, other], out, images="omit")
    assert (report.posts, report.duplicates) == (2, 2)
    assert "2 duplicates skipped" in report.summary()
    book = open_epub(out)
    texts = [book.text(name) for name in book.chapters()]
    assert sum("【新版】朝鲜在外交政策上" in text for text in texts) == 1
    assert not any("朝鲜在外交政策上一直" in text and "【新版】" not in text for text in texts)


def test_split_into_volumes(corpus_posts: list[Path], tmp_path: Path, open_epub: Any) -> None:
    posts = corpus_posts[:5]
    out = tmp_path / "BOOK.epub"
    whole = zhconvert.build_book(posts, tmp_path / "whole.epub", images="omit", group_by="none")
    order = [label for label, _ in open_epub(whole.volumes[0]).toc()]

    report = zhconvert.build_book(posts, out, images="omit", split=2, group_by="none", title="合集")
    names = [path.name for path in report.volumes]
    assert names == ["BOOK-1.epub", "BOOK-2.epub", "BOOK-3.epub"]
    assert not out.exists()
    seen = []
    for number, path in enumerate(report.volumes, start=1):
        book = open_epub(path)
        assert book.meta("title") == [f"合集 ({number}/3)"]
        labels = [label for label, _ in book.toc()]
        assert len(labels) == len(book.chapters()) == (2 if number < 3 else 1)
        seen += labels
    assert seen == order
    assert report.posts == 5 and "3 volumes" in report.summary()
    ids = {open_epub(p).meta("identifier")[0] for p in report.volumes}
    assert len(ids) == 3

    # as many volumes as needed, never an empty one; one volume keeps the plain name
    report = zhconvert.build_book(posts, tmp_path / "two.epub", images="omit", split=4)
    assert [p.name for p in report.volumes] == ["two-1.epub", "two-2.epub"]
    report = zhconvert.build_book(posts, tmp_path / "one.epub", images="omit", split=5)
    assert [p.name for p in report.volumes] == ["one.epub"]


def test_sort_and_group_options(corpus_dir: Path, tmp_path: Path, open_epub: Any) -> None:
    zhihu = corpus_dir / "zhihu"
    by_month = open_epub(
        zhconvert.build_book(
            [zhihu], tmp_path / "month.epub", images="omit", group_by="month"
        ).volumes[0]
    )
    toc = by_month.toc()
    assert [label for label, _ in toc] == ["2021年", "2022年"]
    months = [label for label, _ in toc[0][1]]
    assert months[0] == "2021年4月" and months == sorted(months, key=lambda s: int(s[5:-1]))

    by_title = open_epub(
        zhconvert.build_book(
            [zhihu], tmp_path / "title.epub", images="omit", group_by="none", sort="title"
        ).volumes[0]
    )
    labels = [label for label, children in by_title.toc()]
    assert all(not children for _, children in by_title.toc())
    assert labels == sorted(labels)

    by_path = open_epub(
        zhconvert.build_book(
            [zhihu], tmp_path / "path.epub", images="omit", group_by="none", sort="path"
        ).volumes[0]
    )
    first = by_path.xml(by_path.chapters()[0]).find(".//{http://www.w3.org/1999/xhtml}h1")
    assert "".join(first.itertext()).startswith("Apache 存在 Log4j")


def test_bad_inputs_and_options(tmp_path: Path, corpus_dir: Path) -> None:
    with pytest.raises(zhconvert.ZhconvertError, match="missing: no such file or folder"):
        zhconvert.build_book([tmp_path / "missing"], tmp_path / "x.epub")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(zhconvert.ZhconvertError, match="no posts found"):
        zhconvert.build_book([empty], tmp_path / "x.epub")
    with pytest.raises(zhconvert.OptionError, match="split must be"):
        zhconvert.build_book([corpus_dir], tmp_path / "x.epub", split=0)
    with pytest.raises(zhconvert.OptionError, match="group_by must be one of"):
        zhconvert.build_book([corpus_dir], tmp_path / "x.epub", group_by="author")
    with pytest.raises(zhconvert.OptionError, match="unexpected keyword argument 'colour'"):
        zhconvert.build_book([corpus_dir], tmp_path / "x.epub", colour="red")
    assert not (tmp_path / "x.epub").exists()


def test_progress_bar_when_asked(corpus_dir: Path, tmp_path: Path, capsys: Any) -> None:
    zhconvert.build_book([corpus_dir / "other"], tmp_path / "p.epub", images="link", progress=True)
    err = capsys.readouterr().err
    assert "posts read" in err and "3/3" in err
    zhconvert.build_book([corpus_dir / "other"], tmp_path / "q.epub", images="link", progress=False)
    assert capsys.readouterr().err == ""


# ---------------------------------------------------------------------------------------------
# The command line


def test_cli_book(corpus_dir: Path, tmp_path: Path, capsys: Any, open_epub: Any) -> None:
    out = tmp_path / "cli.epub"
    code = run(
        [
            "book",
            str(corpus_dir / "zhihu"),
            str(corpus_dir / "other"),
            "-o",
            str(out),
            "--images",
            "remote",
            "--title",
            "我的知乎",
            "--author",
            "我",
            "--language",
            "zh-Hans",
            "--group-by",
            "none",
            "--jobs",
            "2",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert re.fullmatch(
        rf"Wrote {re.escape(str(out))}: 37 posts \(0 duplicates skipped\), 0 images embedded, "
        r"0 failed, [0-9.]+ KB, 1 volume\.\n",
        captured.err,
    )
    book = open_epub(out)
    assert (book.meta("title"), book.meta("creator"), book.meta("language")) == (
        ["我的知乎"],
        ["我"],
        ["zh-Hans"],
    )


def test_cli_convert_to_epub(
    design_post: Path, tmp_path: Path, capsys: Any, open_epub: Any
) -> None:
    out = tmp_path / "one.epub"
    cover = tmp_path / "cover.png"
    from PIL import Image

    Image.new("RGB", (60, 90), "darkred").save(cover)
    code = run(
        [
            "convert",
            str(design_post),
            "-t",
            "epub",
            "-o",
            str(out),
            "--images",
            "omit",
            "--cover",
            str(cover),
            "--no-cache",
        ]
    )
    assert code == 0, capsys.readouterr().err
    book = open_epub(out)
    assert book.meta("title") == ["如何看待朝鲜承认顿涅茨克和卢甘斯克独立?"]
    assert book.spine()[0] == "text/cover.xhtml"


def test_cli_errors(corpus_dir: Path, tmp_path: Path, capsys: Any) -> None:
    assert run(["book", str(tmp_path / "nope"), "-o", str(tmp_path / "x.epub")]) == 1
    assert capsys.readouterr().err == f"Error: {tmp_path / 'nope'}: no such file or folder\n"
    assert run(["book", str(corpus_dir), "-o", str(tmp_path / "x.epub"), "--split", "0"]) == 2
    assert "--split: must be 1 or more" in capsys.readouterr().err
    bad_cover = tmp_path / "c.jpg"
    bad_cover.write_bytes(b"GIF89a broken")
    args = [
        "book",
        str(corpus_dir / "other"),
        "-o",
        str(tmp_path / "x.epub"),
        "--cover",
        str(bad_cover),
    ]
    assert run(args) == 1
    assert (
        capsys.readouterr().err
        == f"Error: {bad_cover}: the cover is not a JPEG, PNG, GIF, WebP or SVG image\n"
    )
    assert not (tmp_path / "x.epub").exists()


def test_cli_unreadable_post_is_named_and_skipped(
    corpus_dir: Path, tmp_path: Path, capsys: Any, open_epub: Any
) -> None:
    binary = tmp_path / "broken.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    out = tmp_path / "book.epub"
    code = run(["book", str(corpus_dir / "other"), str(binary), "-o", str(out), "--images", "omit"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith(f"Warning: skipped: {binary}: ")
    assert "3 posts (0 duplicates skipped, 1 unreadable skipped)" in err
    assert len(open_epub(out).chapters()) == 3


def test_public_api() -> None:
    from zhconvert.epub import BookReport, build_book

    assert zhconvert.build_book is build_book
    assert dataclasses.is_dataclass(BookReport)
    with pytest.raises(dataclasses.FrozenInstanceError):
        BookReport((), 0, 0, 0, 0, 0).posts = 1  # type: ignore[misc]


def test_chinese_options_apply_to_every_post(tmp_path: Path, open_epub: Any) -> None:
    examples = Path(__file__).resolve().parents[2] / "examples"
    out = tmp_path / "tw.epub"
    code = run(["book", str(examples), "-o", str(out), "--images", "omit", "--chinese", "t", "-q"])
    assert code == 0
    book = open_epub(out)
    text = "".join(book.read(name).decode("utf-8") for name in book.chapters())
    assert "咖啡機" in text and "咖啡机" not in text  # 某品牌发布新款咖啡机 in Traditional
    assert "豆子研究所" in text
