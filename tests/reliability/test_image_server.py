"""Images for EPUB books (``images="embed"``) from a server on 127.0.0.1 that misbehaves on purpose.

``tests/epub/test_epub_images.py`` already covers a 503 then success, a wrong Content-Type on a
real image (accepted: the bytes say what it is), HTML served as ``image/jpeg`` (refused), a
declared Content-Length over the cap, SVG scripts, ``file:``/``ftp:``/``data:`` addresses and a
host that refuses connections. Here is the rest: a body with no length that never ends, a gzip
bomb, redirect chains, loops and redirects to other schemes, files that are not images, a
decompression bomb, and servers that stall before, during and throughout the body.

Every book here is built through ``zhconvert.dumps(doc, "epub", ...)``; an image that cannot be
had becomes a link (its caption in ``<p class="image-link">``), the book is still written.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import http.server
import io
import math
import threading
import time
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

import zhconvert
from zhconvert import model as m


def png(size: tuple[int, int] = (8, 8), mode: str = "RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


@dataclass
class Misbehaving:
    """The server's state: what each path does, and what the test can observe."""

    base: str
    stop: threading.Event
    sent: dict[str, int] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return self.base + path


Handler = Callable[[http.server.BaseHTTPRequestHandler, Misbehaving], None]


def _headers(request: Any, status: int = 200, **headers: str) -> None:
    request.send_response(status)
    for name, value in headers.items():
        request.send_header(name.replace("_", "-"), value)
    request.end_headers()


def endless(request: Any, server: Misbehaving) -> None:
    """An image whose body never ends, with no Content-Length."""
    _headers(request, Content_Type="image/png", Connection="close")
    chunk = png() + bytes(64 * 1024)
    sent = 0
    try:
        while sent < 500_000_000 and not server.stop.is_set():
            request.wfile.write(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the client hung up: what the test wants
    with server.lock:
        server.sent[request.path] = sent


@functools.cache
def _gzip_bomb() -> bytes:
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
        packed.write(png())
        zeros = bytes(1 << 20)
        for _ in range(200):
            packed.write(zeros)
    return out.getvalue()


def gzip_bomb(request: Any, server: Misbehaving) -> None:
    """200 KB on the wire, 200 MB once decompressed."""
    body = _gzip_bomb()
    _headers(
        request,
        Content_Type="image/png",
        Content_Encoding="gzip",
        Content_Length=str(len(body)),
    )
    request.wfile.write(body)


def stall_before_headers(request: Any, server: Misbehaving) -> None:
    server.stop.wait(30)


def stall_in_body(request: Any, server: Misbehaving) -> None:
    body = png()
    _headers(request, Content_Type="image/png", Content_Length=str(len(body) + 1000))
    request.wfile.write(body[:20])
    request.wfile.flush()
    server.stop.wait(30)


def drip(request: Any, server: Misbehaving) -> None:
    """One byte every 0.2 s: never idle long enough for a read timeout, for up to 8 s."""
    body = png() + bytes(10_000)
    _headers(request, Content_Type="image/png", Content_Length=str(len(body)))
    started = time.monotonic()
    for byte in body:
        if server.stop.is_set() or time.monotonic() - started > 8:
            break
        try:
            request.wfile.write(bytes([byte]))
            request.wfile.flush()
        except OSError:
            break
        time.sleep(0.2)


def drip_headers(request: Any, server: Misbehaving) -> None:
    """The status line, then one byte of an endless header every 0.2 s, for up to 8 s."""
    request.wfile.write(b"HTTP/1.1 200 OK\r\nX-Padding: ")
    request.wfile.flush()
    started = time.monotonic()
    while not server.stop.is_set() and time.monotonic() - started < 8:
        try:
            request.wfile.write(b"a")
            request.wfile.flush()
        except OSError:
            break
        time.sleep(0.2)


def redirect_to(location: str) -> Handler:
    def handler(request: Any, server: Misbehaving) -> None:
        _headers(request, 302, Location=location, Content_Length="0")

    return handler


def chain(request: Any, server: Misbehaving) -> None:
    """``/chain/N`` redirects to ``/chain/N-1``; ``/chain/0`` is an image."""
    left = int(request.path.rsplit("/", 1)[1])
    if left == 0:
        body = png((4, 4))
        _headers(request, Content_Type="image/png", Content_Length=str(len(body)))
        request.wfile.write(body)
    else:
        _headers(request, 302, Location=f"/chain/{left - 1}", Content_Length="0")


def serve(body: bytes, content_type: str = "image/png") -> Handler:
    def handler(request: Any, server: Misbehaving) -> None:
        _headers(request, Content_Type=content_type, Content_Length=str(len(body)))
        request.wfile.write(body)

    return handler


def _png_bomb() -> bytes:
    # 12,000 x 12,000 pixels (144 megapixels, about 0.5 GB to decode) in 17 KB.
    return png((12_000, 12_000), mode="1")


ROUTES: dict[str, Handler] = {
    "/endless.png": endless,
    "/gzip-bomb.png": gzip_bomb,
    "/stall-before-headers.png": stall_before_headers,
    "/stall-in-body.png": stall_in_body,
    "/drip.png": drip,
    "/drip-headers.png": drip_headers,
    "/loop.png": redirect_to("/loop.png"),
    "/to-file.png": redirect_to("file:///etc/passwd"),
    "/to-ftp.png": redirect_to("ftp://127.0.0.1/a.png"),
    "/to-data.png": redirect_to("data:image/png;base64,iVBORw0KGgo="),
    "/to-javascript.png": redirect_to("javascript:alert(1)"),
    "/html.png": serve(b"<!doctype html><script>alert(1)</script>", "text/html"),
    "/pdf.png": serve(b"%PDF-1.4\n" + bytes(500), "image/png"),
    "/zip.jpg": serve(b"PK\x03\x04" + bytes(500), "image/jpeg"),
    "/truncated.png": serve(png((64, 64))[:60], "image/png"),
    "/empty.png": serve(b"", "image/png"),
    "/ok.png": serve(png((6, 6)), "image/png"),
}


@pytest.fixture
def misbehaving() -> Iterator[Misbehaving]:
    """A server on an ephemeral port of 127.0.0.1 that does what ``ROUTES`` says."""
    stop = threading.Event()

    class RequestHandler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with state.lock:
                state.hits.append(self.path)
            route = ROUTES.get(self.path.split("?", 1)[0])  # ?n=1: the same, fetched again
            if route is None and self.path.startswith("/chain/"):
                route = chain
            if route is None:
                self.send_error(404)
                return
            route(self, state)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    httpd.daemon_threads = True
    state = Misbehaving(base=f"http://127.0.0.1:{httpd.server_address[1]}", stop=stop)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def book_with(*urls: str, **options: Any) -> tuple[dict[str, bytes], float]:
    """Build a book with one figure per address; return its images and the time it took."""
    figures = [m.Figure(url, caption=(m.Text(f"图{n}"),)) for n, url in enumerate(urls)]
    doc = m.Document(
        meta=m.Metadata(title="图片", date=dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc)),
        blocks=(m.Paragraph((m.Text("前文"),)), *figures),
    )
    options = {"no_cache": True, "retries": 0, "timeout": 1.0, **options}
    started = time.monotonic()
    data = zhconvert.dumps(doc, "epub", **options)
    elapsed = time.monotonic() - started
    assert isinstance(data, bytes)
    book = zipfile.ZipFile(io.BytesIO(data))
    images = {n: book.read(n) for n in book.namelist() if n.startswith("EPUB/images/")}
    chapter = book.read("EPUB/text/post-0001.xhtml").decode("utf-8")
    for n in range(len(urls)):
        assert f"图{n}" in chapter  # embedded with its caption, or a link with it
    return images, elapsed


def test_a_body_that_never_ends_is_cut_at_the_size_cap(misbehaving: Misbehaving) -> None:
    images, elapsed = book_with(misbehaving.url("/endless.png"), max_image_bytes=1_000_000)
    assert images == {}
    assert elapsed < 10
    deadline = time.monotonic() + 5
    while "/endless.png" not in misbehaving.sent and time.monotonic() < deadline:
        time.sleep(0.05)
    # The client hung up soon after the cap (socket buffers hold a few MB at most).
    assert misbehaving.sent["/endless.png"] < 20_000_000


def test_a_gzip_bomb_is_cut_at_the_size_cap(misbehaving: Misbehaving) -> None:
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    images, elapsed = book_with(misbehaving.url("/gzip-bomb.png"), max_image_bytes=2_000_000)
    assert images == {}
    assert elapsed < 10
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown * 1024 < 150_000_000  # never the 200 MB it inflates to


def test_redirects_are_followed_a_few_times_and_only_to_the_web(misbehaving: Misbehaving) -> None:
    images, _ = book_with(misbehaving.url("/chain/3"))
    assert len(images) == 1  # three redirects: fine
    for path in ("/chain/12", "/loop.png", "/to-file.png", "/to-ftp.png", "/to-data.png",
                 "/to-javascript.png"):  # fmt: skip
        images, elapsed = book_with(misbehaving.url(path))
        assert images == {}, path
        assert elapsed < 10, path
    assert misbehaving.hits.count("/loop.png") <= 6  # the first request and at most 5 redirects


def test_what_is_not_an_image_is_refused(misbehaving: Misbehaving) -> None:
    paths = ["/html.png", "/pdf.png", "/zip.jpg", "/truncated.png", "/empty.png"]
    images, _ = book_with(*map(misbehaving.url, paths), misbehaving.url("/ok.png"))
    assert len(images) == 1  # /ok.png alone


def test_a_decompression_bomb_is_refused(misbehaving: Misbehaving) -> None:
    from zhconvert.images import MAX_IMAGE_PIXELS, image_from_bytes

    ROUTES["/bomb.png"] = serve(_png_bomb())
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            images, _ = book_with(misbehaving.url("/bomb.png"))
            # beyond what Pillow itself refuses (179 MP): refused too, with no error leaking
            assert image_from_bytes(png((14_000, 14_000), mode="1")) is None
    finally:
        del ROUTES["/bomb.png"]
    assert images == {}  # a link with its caption, as any image that cannot be had
    assert [w.message for w in caught if "pixels" in str(w.message)] == []
    side = math.isqrt(MAX_IMAGE_PIXELS)
    assert image_from_bytes(png((side, side), mode="1")) is not None  # the budget itself is fine
    assert image_from_bytes(png((side + 1, side + 1), mode="1")) is None


@pytest.mark.slow
def test_stalling_servers_are_cut_by_the_timeout(misbehaving: Misbehaving) -> None:
    urls = [misbehaving.url("/stall-before-headers.png"), misbehaving.url("/stall-in-body.png")]
    images, elapsed = book_with(*urls, timeout=1.0)
    assert images == {}
    assert elapsed < 6
    # many of them: they are fetched several at a time, each cut after the timeout
    many = [misbehaving.url("/stall-before-headers.png") + f"?n={n}" for n in range(24)]
    images, elapsed = book_with(*many, timeout=1.0, image_concurrency=8)
    assert images == {}
    assert elapsed < 12


@pytest.mark.slow
def test_a_server_that_drips_is_cut_by_an_overall_deadline(misbehaving: Misbehaving) -> None:
    # One byte every 0.2 s never trips the 1 s read timeout; the 2 s deadline ends it.
    images, elapsed = book_with(misbehaving.url("/drip.png"), timeout=1.0, image_deadline=2.0)
    assert images == {}
    assert elapsed < 5
    # retries do not start the clock again: the deadline is the download's, all tries together
    images, elapsed = book_with(
        misbehaving.url("/drip.png") + "?again", timeout=1.0, image_deadline=2.0, retries=2
    )
    assert images == {}
    assert elapsed < 5


@pytest.mark.slow
def test_a_server_that_drips_its_headers_is_cut_by_the_deadline(misbehaving: Misbehaving) -> None:
    # The headers never end: no response to read a body from, and no read ever times out.
    images, elapsed = book_with(
        misbehaving.url("/drip-headers.png"), timeout=1.0, image_deadline=2.0
    )
    assert images == {}
    assert elapsed < 5
