"""Dates far in the future or the past never crash a writer or a book.

Feeds carry such dates (the corpus has a post dated 2189). A zip entry records only 1980 to 2107
(``struct.error: ushort format requires 0 <= number <= 65535`` in zipfile), and moving a time at
year 1 or 9999 to another zone leaves Python's range (``OverflowError``).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest

import zhconvert
from zhconvert._cli import run
from zhconvert.model import Byline, Document, Metadata, Paragraph, Text

UTC = dt.timezone.utc


def zone(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


#: (date, the day the text and EPUB writers show for it)
DATES = [
    (dt.datetime(2108, 1, 1, 0, 0, tzinfo=zone(8)), "2108-01-01"),
    (dt.datetime(2108, 6, 1, 12, 0, tzinfo=UTC), "2108-06-01"),
    (dt.datetime(2189, 5, 1, 10, 0, tzinfo=zone(8)), "2189-05-01"),
    (dt.datetime(9999, 12, 31, 23, 30, tzinfo=zone(8)), "9999-12-31"),
    (dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=zone(-12)), "9999-12-31"),
    (dt.datetime(1, 1, 1, 0, 30, tzinfo=zone(14)), "0001-01-01"),
    (dt.datetime(1, 1, 1, 0, 30, tzinfo=zone(-5)), "0001-01-01"),
    (dt.datetime(1900, 1, 1, tzinfo=zone(8)), "1900-01-01"),
    (dt.datetime(1979, 12, 31, 23, 0, tzinfo=UTC), "1980-01-01"),  # 07:00 the next day in China
]
IDS = [value.isoformat() for value, _ in DATES]


def document(date: dt.datetime) -> Document:
    return Document(
        meta=Metadata(title="标题", author="作者", date=date, url="https://example.com/a"),
        blocks=(Byline("作者", "", "https://example.com/a"), Paragraph((Text("正文"),))),
    )


@pytest.mark.parametrize(("date", "day"), DATES, ids=IDS)
def test_every_text_writer_writes_any_date(date: dt.datetime, day: str) -> None:
    doc = document(date)
    for front_matter in ("keep", "normalize", "none"):
        assert "正文" in str(zhconvert.dumps(doc, "markdown", front_matter=front_matter))
    text = str(zhconvert.dumps(doc, "text"))
    assert re.search(rf"^{day} \d\d:\d\d", text, re.M), text
    assert date.isoformat() in str(zhconvert.dumps(doc, "json"))


@pytest.mark.parametrize(("date", "day"), DATES, ids=IDS)
def test_the_epub_writer_writes_any_date(date: dt.datetime, day: str) -> None:
    data = zhconvert.dumps(document(date), "epub", images="omit")
    assert isinstance(data, bytes)
    book = zipfile.ZipFile(io.BytesIO(data))
    assert book.testzip() is None
    for info in book.infolist():
        assert (1980, 1, 1) <= info.date_time[:3] <= (2107, 12, 31), info
    chapters = [n for n in book.namelist() if "/text/" in n]
    shown = "".join(book.read(n).decode("utf-8") for n in chapters)
    # The zone every writer shows (docs/formats.md): a UTC time in China time, any other as is.
    machine = date.astimezone(zone(8)).isoformat() if date.utcoffset() == dt.timedelta(0) else None
    assert f'<time datetime="{machine or date.isoformat()}">{day} ' in shown, shown
    opf = next(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".opf"))
    assert re.search(r"<dc:date>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ</dc:date>", opf), opf
    assert re.search(r"dcterms:modified\">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<", opf), opf


@pytest.mark.parametrize(
    "date",
    ["2189-05-01 10:00:00", "9999-12-31T23:30:00-05:00", "0001-01-01T00:30:00+08:00"],
)
def test_a_post_with_a_far_date_converts_and_makes_a_book(tmp_path: Path, date: str) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (posts / "far.md").write_text(
        f"---\ntitle: 远的日子\ndate: '{date}'\n---\n\n一段正文。\n", encoding="utf-8"
    )
    (posts / "near.md").write_text(
        "---\ntitle: 近的日子\ndate: 2022-07-13 15:40:55\n---\n\n另一段。\n", encoding="utf-8"
    )
    for to in ("md", "txt", "json", "epub"):
        argv = ["convert", str(posts), "-t", to, "-o", str(tmp_path / f"out-{to}"), "-q"]
        assert run(argv + (["--images", "omit"] if to == "epub" else [])) == 0, to
    book = tmp_path / "book.epub"
    for group_by in ("month", "source"):
        argv = ["book", str(posts), "-o", str(book), "-q", "--images", "omit"]
        assert run([*argv, "--group-by", group_by]) == 0
        names = zipfile.ZipFile(book).namelist()
        assert sum(1 for n in names if re.search(r"text/.*\d+\.xhtml$", n)) >= 2, names


def test_the_corpus_post_dated_2189_makes_a_book(corpus_dir: Path, tmp_path: Path) -> None:
    """The real post dated Sun, 03 May 2189 (知識分子), which stopped ``book`` on the whole corpus."""
    folder = corpus_dir / "feeds" / "知識分子-深度"
    posts = sorted(folder.glob("*.md"))
    assert any("2189" in p.read_text(encoding="utf-8").split("---")[1] for p in posts)
    out = tmp_path / "far.epub"
    report = zhconvert.build_book([folder], out, images="omit", jobs=1, group_by="month")
    assert (report.posts, report.unreadable) == (len(posts), ())
    book = zipfile.ZipFile(out)
    assert book.testzip() is None
    assert {info.date_time for info in book.infolist()} == {(2107, 12, 31, 23, 59, 58)}
    opf = next(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".opf"))
    assert "<dc:date>2189-05-03T00:00:00Z</dc:date>" in opf
    assert "2189年" in "".join(book.read(n).decode("utf-8") for n in book.namelist() if "nav" in n)
