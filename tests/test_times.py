"""One rule for the time a post shows, in every writer, with its zone named (docs/formats.md):
the post's own offset when its source gave one other than UTC, else China time (UTC+08:00)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

import zhconvert


def post(date: str) -> str:
    return f"---\ntitle: 时间\nauthor: 张三\ndate: {date}\n---\n<p>正文。</p>"


CASES = [
    # RSS feeds (RSSHub) write every date in GMT, whatever the post's origin: China time
    ("Wed, 13 Jul 2022 15:40:55 GMT", "2022-07-13 23:40 UTC+08:00", "2022-07-13T23:40:55+08:00"),
    ("2022-07-13T15:40:55Z", "2022-07-13 23:40 UTC+08:00", "2022-07-13T23:40:55+08:00"),
    # no zone: the feeds' own, China time
    ("2022-07-13 23:40:55", "2022-07-13 23:40 UTC+08:00", "2022-07-13T23:40:55+08:00"),
    # a zone of its own: kept
    ("2022-07-13T08:40:55+09:00", "2022-07-13 08:40 UTC+09:00", "2022-07-13T08:40:55+09:00"),
    ("2022-07-13T02:10:00-05:30", "2022-07-13 02:10 UTC-05:30", "2022-07-13T02:10:00-05:30"),
]


@pytest.mark.parametrize(("date", "shown", "machine"), CASES)
def test_text_header_and_epub_byline_show_the_same_time_and_zone(
    date: str, shown: str, machine: str
) -> None:
    doc = zhconvert.loads(post(date))
    text = str(zhconvert.dumps(doc, "text"))
    assert text.splitlines()[1] == shown
    data = zhconvert.dumps(doc, "epub", images="omit")
    assert isinstance(data, bytes)
    chapter = zipfile.ZipFile(io.BytesIO(data)).read("EPUB/text/post-0001.xhtml").decode()
    found = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', chapter)
    assert found is not None
    assert found.groups() == (machine, shown)


def test_json_keeps_the_instant_with_its_offset() -> None:
    data = json.loads(str(zhconvert.dumps(zhconvert.loads(post(CASES[0][0])), "json")))
    assert data["meta"]["date"] == "2022-07-13T15:40:55+00:00"


def test_book_groups_by_the_month_its_chapters_show(tmp_path: object) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    # 16:30 GMT on the last day of 2021 is 00:30 on New Year's Day in China
    (folder / "a.md").write_text(post("Fri, 31 Dec 2021 16:30:00 GMT"), encoding="utf-8")
    from zhconvert._cli import run

    out = folder / "book.epub"
    assert (
        run(["book", str(folder), "-o", str(out), "--images", "omit", "--group-by", "month"]) == 0
    )
    names = zipfile.ZipFile(out).namelist()
    nav = next(n for n in names if n.endswith("nav.xhtml"))
    text = zipfile.ZipFile(out).read(nav).decode()
    assert "2022年1月" in text and "2021年12月" not in text
    title = zipfile.ZipFile(out).read(next(n for n in names if "title" in n)).decode()
    assert "2022-01-01" in title
