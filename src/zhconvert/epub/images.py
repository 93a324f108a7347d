"""Getting the images of a book: a local folder first, then the disk cache, then the network.

Each distinct address is fetched at most once per build, several at a time, with timeouts, an
overall deadline, retries with backoff and a size cap; only ``http``/``https`` addresses are
fetched. What arrives is trusted only after its bytes say what it is (JPEG, PNG, GIF, WebP or SVG;
an SVG is cleaned of scripts, event handlers and outside references, or rejected) and a raster
image only within a pixel budget, read from its header before anything is decoded. A host that
refuses connections is given up after two failures, and a machine with no network at all is
recognised after a few, so a build offline stays quick: every image it cannot have is reported as
missing and the book links it.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .. import __version__
from .._atomic import atomic_write_bytes
from ..errors import ZhconvertError

if TYPE_CHECKING:
    from PIL.ImageFile import ImageFile

__all__ = [
    "DEFAULT_IMAGE_DEADLINE",
    "DEFAULT_MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "NOT_AN_IMAGE",
    "ImageFetcher",
    "ImageResource",
    "default_cache_dir",
    "examine_image",
    "image_from_bytes",
    "sanitize_svg",
    "sniff_image",
]

DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024

#: Seconds one image's download may take in all, retries included: a server that sends a byte
#: now and then never trips the per-read ``timeout``.
DEFAULT_IMAGE_DEADLINE = 60.0

#: Pixels (width × height) an embedded raster image may have at most. 64 megapixels (8,000 ×
#: 8,000, or a 1,440 × 44,000 screenshot) decode to 256 MB at 4 bytes a pixel; a PNG of 17 KB can
#: declare 144 megapixels, and Pillow itself only refuses above 179. Checked on the header, before
#: anything is decoded.
MAX_IMAGE_PIXELS = 64_000_000

#: Why bytes that are no image, a broken one or an SVG that cannot be made safe are refused.
NOT_AN_IMAGE = "not a JPEG, PNG, GIF, WebP or SVG image"

# The formats a book can carry, named one by one: a CDN that negotiates would send AVIF to a
# client that says "image/*".
_ACCEPT = "image/jpeg,image/png,image/gif,image/webp,image/svg+xml;q=0.9,*/*;q=0.1"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"


@dataclass(frozen=True, slots=True)
class ImageResource:
    """An image ready to go into a book; its file name is derived from its bytes."""

    data: bytes
    media_type: str
    extension: str
    digest: str

    @property
    def file_name(self) -> str:
        """Return the image's name inside the book (the same bytes always get the same name)."""
        return f"img-{self.digest[:20]}{self.extension}"


def default_cache_dir() -> Path:
    """Return the per-user folder where downloaded images are kept between builds."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("zhconvert")) / "images"


# ---------------------------------------------------------------------------------------------
# What the bytes are


_RASTER_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)


def sniff_image(data: bytes) -> tuple[str, str] | None:
    """Return ``(media type, extension)`` of an image from its first bytes, or None."""
    for signature, media_type, extension in _RASTER_SIGNATURES:
        if data.startswith(signature):
            return media_type, extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp", ".webp"
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype svg")) and b"<svg" in head:
        return "image/svg+xml", ".svg"
    return None


_SVG_ALLOWED = frozenset(
    (
        "svg",
        "g",
        "defs",
        "desc",
        "title",
        "symbol",
        "use",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "filter",
        "feBlend",
        "feColorMatrix",
        "feComponentTransfer",
        "feComposite",
        "feFlood",
        "feGaussianBlur",
        "feMerge",
        "feMergeNode",
        "feMorphology",
        "feOffset",
        "feFuncA",
        "feFuncR",
        "feFuncG",
        "feFuncB",
        "switch",
    )
)


def sanitize_svg(data: bytes) -> bytes | None:
    """Return the SVG without scripts, handlers and outside references, or None if unusable."""
    # Only drawing elements are kept (no script, foreignObject, image, style, a, animation);
    # attributes in other namespaces, event handlers, style attributes and any reference that is
    # not a #fragment are removed.
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root.tag != f"{{{SVG_NS}}}svg":
        return None
    for element in list(root.iter()):
        if element is root:
            continue
        parent = element.getparent()
        if parent is None:
            continue
        tag = element.tag
        keep = isinstance(tag, str) and tag.startswith(f"{{{SVG_NS}}}")
        if keep and etree.QName(element).localname not in _SVG_ALLOWED:
            keep = False
        if not keep:
            tail = element.tail
            if tail:  # keep the text that followed the removed element
                previous = element.getprevious()
                if previous is not None:
                    previous.tail = (previous.tail or "") + tail
                else:
                    parent.text = (parent.text or "") + tail
            parent.remove(element)
    for element in root.iter():
        for name in list(element.attrib):
            value = str(element.attrib[name])
            qname = etree.QName(name)
            local = qname.localname.lower()
            squeezed = "".join(value.split()).lower()
            bad = (
                qname.namespace not in (None, XLINK_NS)
                or local.startswith("on")
                or local == "style"
                or (local == "href" and not squeezed.startswith("#"))
                or ("url(" in squeezed and squeezed.count("url(") != squeezed.count("url(#"))
            )
            if bad:
                del element.attrib[name]
    out: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def image_from_bytes(data: bytes) -> ImageResource | None:
    """Return ``data`` as an image for a book, or None when it is not an image it can carry."""
    image = examine_image(data)
    return image if isinstance(image, ImageResource) else None


def examine_image(data: bytes) -> ImageResource | str:
    """Return ``data`` as an image for a book, or why it cannot be one."""
    kind = sniff_image(data)
    if kind is None:
        return NOT_AN_IMAGE
    media_type, extension = kind
    if media_type == "image/svg+xml":
        cleaned = sanitize_svg(data)
        if cleaned is None:
            return NOT_AN_IMAGE
        data = cleaned
    else:
        try:
            with _open_raster(data, media_type) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return (
                        f"too large: {width} × {height} pixels "
                        f"(at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels)"
                    )
                image.verify()
        except Exception:  # Pillow raises many kinds of errors on broken files
            return NOT_AN_IMAGE
    return ImageResource(data, media_type, extension, hashlib.sha256(data).hexdigest())


def _open_raster(data: bytes, media_type: str) -> ImageFile:
    """Return Pillow's image for ``data`` with its header read and nothing decoded."""
    # The format's own class, not ``Image.open``: that applies Pillow's process-wide bomb limit
    # first, warning (a line on stderr) from 89 MP and raising from 179 MP, before the size can
    # be compared with MAX_IMAGE_PIXELS; silencing the warning would change global state from
    # several threads at once.
    from PIL import GifImagePlugin, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

    opener: dict[str, Callable[[io.BytesIO], ImageFile]] = {
        "image/jpeg": JpegImagePlugin.JpegImageFile,
        "image/png": PngImagePlugin.PngImageFile,
        "image/gif": GifImagePlugin.GifImageFile,
        "image/webp": WebPImagePlugin.WebPImageFile,
    }
    return opener[media_type](io.BytesIO(data))


# ---------------------------------------------------------------------------------------------
# Fetching


class _Permanent(Exception):
    """This address will not give an image: try the next one, do not retry."""


class _Transient(Exception):
    """This attempt failed in a way that may pass (timeout, 5xx): retry with backoff."""


class _Unreachable(_Transient):
    """The host could not be connected to (DNS failure, refused, connect timeout)."""


class ImageFetcher:
    """Resolves lists of candidate addresses (best first) to images, each address at most once.

    ``cache_dir`` None disables the disk cache; ``image_dir`` is searched by file name first.
    ``timeout`` bounds each wait for the network (connecting, each read); ``deadline`` bounds
    one address's whole download, retries included: at the deadline the fetching thread's
    connection is closed under the request (headers included), which then ends at its next read.
    """

    def __init__(
        self,
        *,
        cache_dir: Path | None = None,
        image_dir: Path | None = None,
        timeout: float = 20.0,
        retries: int = 2,
        max_bytes: int = DEFAULT_MAX_IMAGE_BYTES,
        concurrency: int = 8,
        backoff: float = 0.5,
        deadline: float = DEFAULT_IMAGE_DEADLINE,
    ) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.deadline = deadline
        self.retries = max(0, retries)
        self.max_bytes = max_bytes
        self.concurrency = max(1, concurrency)
        self.backoff = backoff
        self._local = _index_folder(image_dir) if image_dir is not None else {}
        self._lock = threading.Lock()
        self._by_url: dict[str, Future[ImageResource | None]] = {}
        # One HTTP client per fetching thread: a download past its deadline is ended by closing
        # its thread's client, which must not break the downloads of the other threads.
        self._per_thread = threading.local()
        self._clients: list[Any] = []
        self._host_failures: dict[str, int] = {}
        self._dead_hosts: set[str] = set()
        self._successes = 0
        self._offline = False

    # -- public ----------------------------------------------------------------------------------

    def resolve_all(
        self,
        candidate_lists: Iterable[tuple[str, ...]],
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[tuple[str, ...], ImageResource | None]:
        """Return the first image each list of candidates gives (None when none does)."""
        wanted = list(dict.fromkeys(candidate_lists))
        results: dict[tuple[str, ...], ImageResource | None] = {}
        if not wanted:
            return results
        if progress is not None:
            progress(0, len(wanted))
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(wanted))) as pool:
            futures = {pool.submit(self.resolve, candidates): candidates for candidates in wanted}
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, len(wanted))
        return results

    def resolve(self, candidates: tuple[str, ...]) -> ImageResource | None:
        """Return the image at the first of ``candidates`` that gives one, or None."""
        for url in candidates:
            image = self._get(url)
            if image is not None:
                return image
        return None

    def close(self) -> None:
        """Close the network connections, if any were opened."""
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def __enter__(self) -> ImageFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one address -----------------------------------------------------------------------------

    def _get(self, url: str) -> ImageResource | None:
        with self._lock:
            future = self._by_url.get(url)
            owner = future is None
            if future is None:
                future = Future()
                self._by_url[url] = future
        if not owner:
            return future.result()
        try:
            image = self._obtain(url)
        except Exception:  # whatever goes wrong with one image must not break the book
            image = None
        except BaseException as exc:  # an interrupt: let the threads waiting for it stop too
            future.set_exception(exc)
            raise
        future.set_result(image)
        return image

    def _obtain(self, url: str) -> ImageResource | None:
        name = _file_name(url)
        local = self._local.get(name) if name else None
        if local is not None:
            try:
                image = image_from_bytes(local.read_bytes())
            except OSError:
                image = None
            if image is not None:
                return image
        cache_file = self._cache_file(url)
        if cache_file is not None and cache_file.is_file():
            try:
                image = image_from_bytes(cache_file.read_bytes())
            except OSError:
                image = None
            if image is not None:
                return image
        data = self._download(url)
        if data is None:
            return None
        image = image_from_bytes(data)
        if image is not None and cache_file is not None:
            try:
                cache_file.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(cache_file, data)
            except (OSError, ZhconvertError):
                pass  # a cache that cannot be written only costs a download next time
        return image

    def _cache_file(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.cache_dir / key[:2] / key

    # -- the network -----------------------------------------------------------------------------

    def _download(self, url: str) -> bytes | None:
        host = (urlsplit(url).hostname or "").lower()
        ends = time.monotonic() + self.deadline
        for attempt in range(self.retries + 1):
            if self._gave_up(host):
                return None
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= ends:
                    return None  # no time left for another try
                time.sleep(pause)
                if self._gave_up(host):
                    return None
            try:
                data = self._attempt(url, ends)
            except _Permanent:
                return None
            except _Unreachable:
                self._note_unreachable(host)
                continue
            except _Transient:
                continue
            with self._lock:
                self._successes += 1
                self._host_failures.pop(host, None)
            return data
        return None

    def _gave_up(self, host: str) -> bool:
        with self._lock:
            return self._offline or host in self._dead_hosts

    def _note_unreachable(self, host: str) -> None:
        with self._lock:
            self._host_failures[host] = self._host_failures.get(host, 0) + 1
            if self._host_failures[host] >= 2:
                self._dead_hosts.add(host)
            # Several hosts failing and nothing ever arriving: there is no network at all.
            failures = sum(self._host_failures.values())
            if self._successes == 0 and failures >= 4 and len(self._host_failures) >= 2:
                self._offline = True

    def _http(self) -> Any:
        """Return this thread's HTTP client (a new one after the last was closed)."""
        client = getattr(self._per_thread, "client", None)
        if client is None or client.is_closed:
            import httpx

            client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                follow_redirects=True,
                max_redirects=5,
                headers={"User-Agent": f"zhconvert/{__version__}", "Accept": _ACCEPT},
                limits=httpx.Limits(max_connections=4),
            )
            self._per_thread.client = client
            with self._lock:
                self._clients = [c for c in self._clients if not c.is_closed]
                self._clients.append(client)
        return client

    def _attempt(self, url: str, ends: float) -> bytes:
        """Return the body at ``url``, given up at the monotonic time ``ends``."""
        import httpx

        client = self._http()
        left = ends - time.monotonic()
        if left <= 0:
            raise _Permanent("out of time")
        # No single wait may outlast the deadline either.
        timeout = httpx.Timeout(min(self.timeout, left), connect=min(self.timeout, 10.0, left))
        # Nor may all of them together: a server that sends its headers a byte at a time never
        # lets a read time out, so at the deadline the connection is closed under the request.
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            client.close()

        timer = threading.Timer(left, expire)
        timer.daemon = True
        timer.start()
        try:
            return self._receive(client, url, timeout, ends)
        except Exception as exc:
            if expired.is_set():  # whatever the closed connection made the request raise
                raise _Permanent("out of time") from exc
            raise
        finally:
            timer.cancel()

    def _receive(self, client: Any, url: str, timeout: Any, ends: float) -> bytes:
        import httpx

        try:
            with client.stream("GET", url, timeout=timeout) as response:
                status = response.status_code
                if status == 429 or status >= 500:
                    raise _Transient(f"HTTP {status}")
                if status != 200:
                    raise _Permanent(f"HTTP {status}")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.max_bytes:
                    raise _Permanent("too large")
                buffer = bytearray()
                for chunk in response.iter_bytes():
                    buffer += chunk
                    if len(buffer) > self.max_bytes:
                        raise _Permanent("too large")
                    if time.monotonic() > ends:
                        # Bytes keep coming, too slowly: another try would be as slow.
                        raise _Permanent("out of time")
                return bytes(buffer)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            if time.monotonic() >= ends:  # cut short by the deadline: the host is not to blame
                raise _Permanent("out of time") from exc
            raise _Unreachable(str(exc)) from exc
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Transient(str(exc)) from exc
        except httpx.HTTPError as exc:  # bad address, unsupported redirect, too many redirects
            raise _Permanent(str(exc)) from exc


def _file_name(url: str) -> str:
    """Return the last segment of the address's path, as a file name ('' when there is none)."""
    name = unquote(urlsplit(url).path).rsplit("/", 1)[-1]
    return "" if name.startswith(".") or "\\" in name or "\x00" in name else name


def _index_folder(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise ZhconvertError("the image folder does not exist", path=str(folder))
    found: dict[str, Path] = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            found.setdefault(name, Path(root, name))
    return found
