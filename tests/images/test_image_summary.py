"""``summary_lines``: what a command prints at the end of a run that wanted images."""

from __future__ import annotations

from zhconvert.images import ImageStats, summary_lines

HINT = "most images could not be fetched: try --images remote (keep the addresses) or --images omit"


def test_nothing_wanted_prints_nothing() -> None:
    assert summary_lines(ImageStats()) == []
    assert summary_lines(ImageStats(), verbose=True) == []


def test_the_counts_and_the_failures_grouped_by_reason_most_first() -> None:
    stats = ImageStats(
        fetched=12,
        cached=25,
        failed={
            "https://a.example/1.jpg": "timeout: timed out, no answer for 20 s",
            "https://a.example/2.jpg": "timeout: a.example given up (timed out)",
            "https://b.example/3.png": "not-an-image: not a JPEG, PNG, GIF, WebP or SVG image",
        },
    )
    assert stats.wanted == 40
    assert stats.by_reason() == {"timeout": 2, "not-an-image": 1}
    assert summary_lines(stats) == [
        "images: 40 wanted: 12 downloaded, 25 from the cache, 3 failed (2 timeout, 1 not-an-image)"
    ]


def test_verbose_names_each_failed_address_with_its_reason() -> None:
    stats = ImageStats(
        fetched=3,
        failed={"https://b.example/z.png": "http 404", "https://a.example/y.png": "dns: no"},
    )
    assert summary_lines(stats, verbose=True) == [
        "images: 5 wanted: 3 downloaded, 0 from the cache, 2 failed (1 dns, 1 http)",
        "image failed: https://a.example/y.png: dns: no",
        "image failed: https://b.example/z.png: http 404",
    ]


def test_more_than_half_failed_suggests_remote_or_omit() -> None:
    failed = {f"https://x.example/{n}.png": "refused: x.example refused" for n in range(3)}
    assert summary_lines(ImageStats(cached=2, failed=failed))[-1] == HINT
    half = {f"https://x.example/{n}.png": "refused: x.example refused" for n in range(2)}
    assert HINT not in summary_lines(ImageStats(cached=2, failed=half))


def test_remembered_failures_are_said_to_be_remembered() -> None:
    stats = ImageStats(fetched=5, failed={"https://x.example/a.png": "http 404"}, remembered=1)
    lines = summary_lines(stats)
    assert lines[0] == "images: 6 wanted: 5 downloaded, 0 from the cache, 1 failed (1 http)"
    assert "1 of the failures remembered from an earlier run" in lines[1]


def test_an_unknown_first_word_counts_as_error() -> None:
    stats = ImageStats(failed={"https://x.example/a.png": "something odd happened"})
    assert stats.by_reason() == {"error": 1}
