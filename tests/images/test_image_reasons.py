"""Why an image could not be had: each failure path of the fetcher names its category.

Each case is a real failure on the loopback interface: a name that cannot resolve (``.invalid``
never does), a closed port, a port that accepts and never answers, and the image server's 404,
503, oversized and not-an-image answers.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from zhconvert.images import REASONS, ImageFetcher, ImageStats, summary_lines


def reason_for(url: str, **options: Any) -> tuple[str, ImageStats]:
    settings: dict[str, Any] = {"retries": 0, "timeout": 2.0, "cache_dir": None, **options}
    with ImageFetcher(**settings) as fetcher:
        assert fetcher.resolve((url,)) is None
    assert fetcher.stats.wanted == 1
    assert list(fetcher.stats.failed) == [url]
    return fetcher.stats.failed[url], fetcher.stats


def category(reason: str) -> str:
    return reason.split()[0].rstrip(":")


def test_the_reason_categories_are_the_contracts() -> None:
    assert REASONS == (
        "dns",
        "refused",
        "timeout",
        "too-large",
        "not-an-image",
        "http",
        "offline",
        "budget",
        "unsupported",
        "not-stored",
        "error",
    )


def test_a_name_that_does_not_resolve_is_dns() -> None:
    reason, stats = reason_for("http://nonexistent.invalid/a.png")
    assert category(reason) == "dns", reason
    assert "nonexistent.invalid" in reason
    assert stats.by_reason() == {"dns": 1}


def test_a_closed_port_is_refused(closed_port: int) -> None:
    reason, _ = reason_for(f"http://127.0.0.1:{closed_port}/a.png")
    assert category(reason) == "refused", reason


def test_a_host_that_never_answers_is_timeout(silent_port: int) -> None:
    started = time.monotonic()
    reason, _ = reason_for(f"http://127.0.0.1:{silent_port}/a.png", timeout=0.5)
    assert time.monotonic() - started < 5
    assert category(reason) == "timeout", reason


def test_an_image_over_the_size_cap_is_too_large(image_server: Any, make_image: Any) -> None:
    url = image_server.add("/big.png", make_image("PNG", (200, 200)))
    reason, _ = reason_for(url, max_bytes=100)
    assert category(reason) == "too-large", reason


def test_a_page_served_as_an_image_is_not_an_image(image_server: Any) -> None:
    url = image_server.add(
        "/page.jpg", b"<!doctype html><title>x</title>", content_type="image/jpeg"
    )
    reason, _ = reason_for(url)
    assert category(reason) == "not-an-image", reason


@pytest.mark.parametrize("status", [404, 410, 403])
def test_an_http_error_status_is_http_with_the_status(image_server: Any, status: int) -> None:
    url = image_server.add(f"/s{status}.png", b"", status=status)
    reason, _ = reason_for(url)
    assert reason.startswith(f"http {status}"), reason


def test_a_server_error_is_http_after_the_retries(image_server: Any, make_image: Any) -> None:
    url = image_server.add("/down.png", make_image(), fail_first=10)
    reason, _ = reason_for(url, retries=1, backoff=0.01)
    assert reason.startswith("http 503"), reason
    assert image_server.hits == ["/down.png", "/down.png"]


def test_offline_fails_at_once_without_asking(image_server: Any, make_image: Any) -> None:
    url = image_server.add("/a.png", make_image())
    reason, _ = reason_for(url, offline=True)
    assert category(reason) == "offline", reason
    assert image_server.hits == []


def test_the_runs_time_budget_spent_is_budget(silent_port: int) -> None:
    started = time.monotonic()
    reason, _ = reason_for(f"http://127.0.0.1:{silent_port}/a.png", timeout=10.0, budget=0.5)
    assert time.monotonic() - started < 5
    assert category(reason) == "budget", reason


def test_an_address_that_is_not_http_is_unsupported() -> None:
    reason, _ = reason_for("ftp://127.0.0.1/a.png")
    assert category(reason) == "unsupported", reason


def test_every_failure_of_a_run_is_counted_by_reason(
    tmp_path: Path, image_server: Any, make_image: Any, closed_port: int
) -> None:
    ok = image_server.add("/ok.png", make_image())
    fallback_ok = image_server.add("/small.png", make_image("PNG", (5, 5)))
    lists = [
        (ok,),
        (image_server.url("/missing_r.png"), fallback_ok),  # the fallback gives the image
        (image_server.url("/missing.png"),),
        (f"http://127.0.0.1:{closed_port}/a.png",),
        ("http://nonexistent.invalid/b.png",),
    ]
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "here.png").write_bytes(make_image())
    lists.append(("http://example.invalid/img/here.png",))  # found in the image folder
    with ImageFetcher(retries=0, timeout=2.0, image_dir=tmp_path / "folder") as fetcher:
        fetcher.resolve_all(lists)
    stats = fetcher.stats
    assert (stats.fetched, stats.cached, stats.local, len(stats.failed)) == (2, 0, 1, 3)
    assert stats.wanted == 6
    assert stats.by_reason() == {"dns": 1, "refused": 1, "http": 1}
    lines = summary_lines(stats)
    assert lines == [
        "images: 6 wanted: 2 downloaded, 0 from the cache, 1 from the image folder, "
        "3 failed (1 dns, 1 refused, 1 http)"
    ]
    verbose = summary_lines(stats, verbose=True)
    assert verbose[0] == lines[0]
    failed_lines = verbose[1:]
    assert len(failed_lines) == 3
    for url in (image_server.url("/missing.png"), f"http://127.0.0.1:{closed_port}/a.png"):
        assert any(line.startswith(f"image failed: {url}: ") for line in failed_lines)
