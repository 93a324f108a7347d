"""The shared image cache: content-addressed blobs, an index of addresses, remembered failures.

Every image comes from a real HTTP server on 127.0.0.1 (``image_server``); what the server was
asked is in ``image_server.hits``. The clock of remembered failures is injected
(``ImageFetcher(clock=...)``): an hour passes without sleeping.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from zhconvert.images import ImageFetcher

NOW = 1_800_000_000.0
HOUR = 3600
DAY = 24 * HOUR


def fetcher(cache: Path | None, *, at: float = NOW, **options: Any) -> ImageFetcher:
    return ImageFetcher(cache_dir=cache, retries=0, timeout=5.0, clock=lambda: at, **options)


def blobs(cache: Path) -> list[Path]:
    return sorted(path for path in (cache / "blobs").rglob("*") if path.is_file())


def test_a_second_run_reads_the_cache_and_asks_nothing(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    url = image_server.add("/a.png", make_image("PNG", (20, 20), "red"))
    with fetcher(tmp_path) as first:
        image = first.resolve((url,))
    assert image is not None
    assert (first.stats.fetched, first.stats.cached) == (1, 0)
    image_server.routes.clear()
    with fetcher(tmp_path) as second:
        again = second.resolve((url,))
    assert again == image
    assert (second.stats.fetched, second.stats.cached) == (0, 1)
    assert image_server.hits == ["/a.png"]


def test_the_same_bytes_from_two_addresses_are_stored_once(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    body = make_image("PNG", (20, 20), "blue")
    one = image_server.add("/one.png", body)
    two = image_server.add("/two.png", body)
    other = image_server.add("/other.png", make_image("PNG", (20, 20), "green"))
    with fetcher(tmp_path) as fetch:
        fetch.resolve_all([(one,), (two,), (other,)])
    stored = blobs(tmp_path)
    assert len(stored) == 2
    assert {path.name for path in stored} == {
        hashlib.sha256(body).hexdigest(),
        hashlib.sha256(image_server.routes["/other.png"].body).hexdigest(),
    }
    image_server.routes.clear()
    with fetcher(tmp_path) as fetch:
        results = fetch.resolve_all([(one,), (two,), (other,)])
    assert all(image is not None for image in results.values())
    assert fetch.stats.cached == 3


def test_a_blob_whose_bytes_changed_is_ignored_and_fetched_again(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    body = make_image("PNG", (20, 20), "purple")
    url = image_server.add("/p.png", body)
    with fetcher(tmp_path) as fetch:
        fetch.resolve((url,))
    (blob,) = blobs(tmp_path)
    # Still a valid image, but not the one the index names: only the hash can tell.
    blob.write_bytes(make_image("PNG", (20, 20), "orange"))
    with fetcher(tmp_path) as fetch:
        image = fetch.resolve((url,))
    assert image is not None and image.data == body
    assert fetch.stats.fetched == 1
    assert image_server.hits == ["/p.png", "/p.png"]
    assert blob.read_bytes() == body


def test_a_record_cannot_point_outside_the_cache(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    body = make_image("PNG", (20, 20), "teal")
    url = image_server.add("/t.png", body)
    cache = tmp_path / "cache"
    with fetcher(cache) as fetch:
        fetch.resolve((url,))
    (record,) = (cache / "urls").rglob("*.json")
    # An image outside the cache, named by a record edited to climb out of blobs/.
    outside = tmp_path / "secret.png"
    outside.write_bytes(make_image("PNG", (20, 20), "black"))
    entry = json.loads(record.read_text())
    entry["sha256"] = "../secret.png"  # blobs/../../secret.png
    record.write_text(json.dumps(entry))
    with fetcher(cache) as fetch:
        image = fetch.resolve((url,))
    assert image is not None and image.data == body  # fetched again, not read from outside
    assert fetch.stats.fetched == 1
    assert outside.exists()


def test_the_old_cache_layout_is_read_and_moved(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    body = make_image("PNG", (20, 20), "yellow")
    url = image_server.url("/old.png")  # the server does not have it: only the cache does
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()
    old = tmp_path / key[:2] / key  # how versions up to 0.x kept it
    old.parent.mkdir()
    old.write_bytes(body)
    with fetcher(tmp_path) as fetch:
        image = fetch.resolve((url,))
    assert image is not None and image.data == body
    assert fetch.stats.cached == 1
    assert image_server.hits == []
    assert not old.exists()
    assert [path.name for path in blobs(tmp_path)] == [hashlib.sha256(body).hexdigest()]
    with fetcher(tmp_path) as fetch:
        assert fetch.resolve((url,)) == image
    assert image_server.hits == []


def test_failures_are_remembered_then_asked_again_after_their_retry_time(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    gone = image_server.url("/gone.png")  # 404
    busy = image_server.add("/busy.png", make_image(), fail_first=1000)  # 503 for ever
    html = image_server.add("/page.png", b"<!doctype html><p>no</p>", content_type="image/png")
    urls = [(gone,), (busy,), (html,)]

    with fetcher(tmp_path) as first:
        first.resolve_all(urls)
    assert sorted(image_server.hits) == ["/busy.png", "/gone.png", "/page.png"]
    assert first.stats.by_reason() == {"http": 2, "not-an-image": 1}

    with fetcher(tmp_path, at=NOW + HOUR - 60) as second:  # within the hour: nothing is asked
        assert list(second.resolve_all(urls).values()) == [None, None, None]
    assert len(image_server.hits) == 3
    assert second.stats.remembered == 3
    assert second.stats.by_reason() == {"http": 2, "not-an-image": 1}
    assert second.stats.failed[gone].startswith("http 404")

    with fetcher(tmp_path, at=NOW + HOUR + 60) as third:  # a 503 may pass: asked again
        third.resolve_all(urls)
    assert sorted(image_server.hits[3:]) == ["/busy.png"]

    with fetcher(tmp_path, at=NOW + DAY + 60) as fourth:  # a 404 or a page: after a day
        fourth.resolve_all(urls)
    assert sorted(image_server.hits[4:]) == ["/busy.png", "/gone.png", "/page.png"]


def test_an_address_that_failed_and_then_works_is_cached(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    body = make_image()
    url = image_server.add("/later.png", body, fail_first=1)
    with fetcher(tmp_path) as first:
        assert first.resolve((url,)) is None
    with fetcher(tmp_path, at=NOW + HOUR + 1) as second:
        assert second.resolve((url,)) is not None
    with fetcher(tmp_path, at=NOW + HOUR + 2) as third:
        assert third.resolve((url,)) is not None
    assert third.stats.cached == 1
    assert image_server.hits == ["/later.png", "/later.png"]


def test_without_a_cache_every_run_asks_again(tmp_path: Path, image_server: Any) -> None:
    gone = image_server.url("/gone.png")
    for _ in range(2):
        with fetcher(None) as fetch:
            assert fetch.resolve((gone,)) is None
    assert image_server.hits == ["/gone.png", "/gone.png"]


def test_failures_are_not_remembered_when_there_was_no_network_at_all(
    tmp_path: Path, closed_port: int
) -> None:
    # Refused by every host and nothing ever arriving: the machine is offline, the images
    # are not to blame, and the next run (online) must ask for them.
    urls = [(f"http://127.0.0.{n}:{closed_port}/{n}.png",) for n in range(1, 4)]
    urls.append(("http://nonexistent.invalid/x.png",))
    with fetcher(tmp_path, concurrency=1) as fetch:
        fetch.resolve_all(urls)
    assert len(fetch.stats.failed) == 4
    assert not (tmp_path / "urls").exists()


def test_several_processes_fill_one_cache_at_once(
    tmp_path: Path, image_server: Any, make_image: Any
) -> None:
    urls = [image_server.add(f"/{n}.png", make_image("PNG", (10, 10 + n))) for n in range(12)]
    urls.append(image_server.url("/missing.png"))
    script = textwrap.dedent(
        """
        import json, sys
        from pathlib import Path
        from zhconvert.images import ImageFetcher
        urls = json.loads(sys.argv[2])
        with ImageFetcher(cache_dir=Path(sys.argv[1]), retries=0, concurrency=4) as fetch:
            results = fetch.resolve_all([(url,) for url in urls])
        print(sum(image is not None for image in results.values()))
        """
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(tmp_path), json.dumps(urls)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    started = time.monotonic()
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert out.strip() == "12"
        assert err == ""
    assert time.monotonic() - started < 120
    assert len(blobs(tmp_path)) == 12
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p.name.startswith(".")]
    assert leftovers == []
    image_server.routes.clear()
    with fetcher(tmp_path, at=time.time()) as fetch:  # the children's clock: the real one
        fetch.resolve_all([(url,) for url in urls])
    assert fetch.stats.cached == 12
    assert fetch.stats.remembered == 1  # the 404, remembered by whichever process wrote last
