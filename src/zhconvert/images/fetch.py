"""Getting a run's images: a local folder first, then the disk cache, then the network.

The cache (``cache.py``) keeps each download once by its content hash and remembers failures
with their reason, asked again only after a while; offline, the network is never asked. Every
failure has a reason that starts with its category (``report.REASONS``), and ``stats`` counts
what became of each image, as ``report.summary_lines`` tells it.

Each distinct address is fetched at most once per build, several at a time, with timeouts, a
deadline per image, one time budget for the whole build, retries with backoff and a size cap
counted on the decoded bytes as they stream in; only ``http``/``https`` addresses are fetched.
What arrives is trusted only after its bytes say what it is (JPEG, PNG, GIF, WebP or SVG; an SVG
is cleaned of scripts, event handlers, outside references and ``<use>`` bombs, or rejected) and a
raster image only within a pixel budget, read from its header before anything is decoded. A host
that times out once is given up for the build, one that refuses connections after two failures,
and a machine with no network at all is recognised after a few, so a build offline or against a
hostile host stays quick: every image it cannot have is reported as missing and the book links it.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import socket
import stat
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .. import __version__
from ..errors import ZhconvertError
from .cache import ImageCache
from .report import ImageStats, collect, reason_category

if TYPE_CHECKING:
    from PIL.ImageFile import ImageFile

__all__ = [
    "DEFAULT_IMAGE_BUDGET",
    "DEFAULT_IMAGE_DEADLINE",
    "DEFAULT_MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "NOT_AN_IMAGE",
    "OFFLINE_VARIABLE",
    "ImageFetcher",
    "ImageResource",
    "default_cache_dir",
    "examine_image",
    "image_from_bytes",
    "offline_from_environment",
    "read_image_file",
    "sanitize_svg",
    "sniff_image",
]

DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024

#: Seconds one image's download may take in all, retries included: a server that sends a byte
#: now and then never trips the per-read ``timeout``.
DEFAULT_IMAGE_DEADLINE = 60.0

#: Seconds all the downloads of one build may take together: a build of a large archive with a
#: cold cache fetches thousands of images in a few minutes; a build whose hosts misbehave ends
#: within this, its missing images linked (the next build, with the cache, starts where it ended).
DEFAULT_IMAGE_BUDGET = 600.0

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


#: CSS functions an SVG attribute may call (colours, transforms, arithmetic); ``url()`` only
#: with a ``#fragment``. Anything else (``image-set()``, ``image()``, ``cross-fade()``,
#: ``element()``, ``src()``...) can fetch or show something from outside.
_SAFE_CSS_FUNCTIONS = frozenset(
    (
        "rgb",
        "rgba",
        "hsl",
        "hsla",
        "hwb",
        "lab",
        "lch",
        "oklab",
        "oklch",
        "matrix",
        "translate",
        "translatex",
        "translatey",
        "rotate",
        "scale",
        "scalex",
        "scaley",
        "skewx",
        "skewy",
        "calc",
        "min",
        "max",
        "clamp",
    )
)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.DOTALL)
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_FUNCTION = re.compile(r"([\w-]*)\(")
_FRAGMENT_URL = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)", re.IGNORECASE)

#: Elements an SVG may draw once every ``<use>`` and reference is expanded, beyond its own: a
#: few nested ``<use>`` of ten copies each (an SVG "billion laughs") reach billions.
MAX_SVG_EXPANSION = 100_000


def _css_unescaped(value: str) -> str:
    """Return ``value`` with CSS escapes (``u\\72l``) resolved and comments removed."""

    def resolve(match: re.Match[str]) -> str:
        if match.group(2) is not None:
            return match.group(2)
        code = int(match.group(1), 16)
        return chr(code) if 0 < code < 0x110000 and not 0xD800 <= code <= 0xDFFF else "\ufffd"

    return _CSS_COMMENT.sub("", _CSS_ESCAPE.sub(resolve, value))


def _calls_outside(value: str) -> bool:
    """Return whether an attribute value calls a CSS function that could reach outside."""
    plain = "".join(_css_unescaped(value).split()).lower()
    for match in _CSS_FUNCTION.finditer(plain):
        name = match.group(1)
        if name == "url":
            if not plain[match.end() :].lstrip("'\"").startswith("#"):
                return True
        elif name not in _SAFE_CSS_FUNCTIONS:
            return True
    return False


def sanitize_svg(data: bytes) -> bytes | None:
    """Return the SVG without scripts, handlers and outside references, or None if unusable."""
    # Only drawing elements are kept (no script, foreignObject, image, style, a, animation);
    # attributes in other namespaces, event handlers, style attributes, any reference that is
    # not a #fragment and any CSS function that could fetch are removed, in any spelling
    # (character references are resolved by the parser, CSS escapes here).
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
                or _calls_outside(value)
            )
            if bad:
                del element.attrib[name]
    if _expansion(root) > MAX_SVG_EXPANSION + sum(1 for _ in root.iter()):
        _drop_references(root)
    out: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return out


def _references(element: Any, by_id: dict[str, Any]) -> list[Any]:
    """Return the elements ``element`` draws again: its ``href`` and ``url(#…)`` targets."""
    found = []
    for name, value in element.attrib.items():
        if name.rsplit("}", 1)[-1] == "href":
            target = by_id.get(value.strip()[1:])
            if target is not None:
                found.append(target)
        for match in _FRAGMENT_URL.finditer(_css_unescaped(value)):
            target = by_id.get(match.group(1))
            if target is not None:
                found.append(target)
    return found


def _expansion(root: Any) -> int:
    """Return how many elements the SVG draws with every reference expanded (capped)."""
    # Iterative (a chain of references may be long) and memoised (each element's size once);
    # a reference cycle counts as too many.
    too_many = MAX_SVG_EXPANSION + sum(1 for _ in root.iter()) + 1
    by_id: dict[str, Any] = {}
    for element in root.iter():
        name = element.get("id")
        if name is not None:
            by_id.setdefault(name, element)
    size: dict[Any, int] = {}
    on_path: set[Any] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        element, finished = stack.pop()
        parts = [*element, *_references(element, by_id)]
        if finished:
            on_path.discard(element)
            size[element] = min(too_many, 1 + sum(size[part] for part in parts))
            continue
        if element in size:
            continue
        if element in on_path:
            return too_many
        on_path.add(element)
        stack.append((element, True))
        for part in parts:
            if part in on_path:
                return too_many
            if part not in size:
                stack.append((part, False))
    return size[root]


def _drop_references(root: Any) -> None:
    """Remove every ``<use>`` and every reference from a tree that expands too far."""
    for element in list(root.iter(f"{{{SVG_NS}}}use")):
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
    for element in root.iter():
        for name, value in list(element.attrib.items()):
            if name.rsplit("}", 1)[-1] == "href" or _FRAGMENT_URL.search(_css_unescaped(value)):
                del element.attrib[name]


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


def read_image_file(path: str, max_bytes: int) -> bytes:
    """Return the bytes of the image file ``path``, read no further than ``max_bytes``.

    Raises OSError when it cannot be read, ValueError when it is not a regular file (a FIFO would
    wait for a writer for ever, ``/dev/zero`` never ends) or is larger than ``max_bytes``.
    """
    # Opened without waiting (a FIFO with no writer would block the open itself), then judged
    # on what was opened, not on a name that could change in between.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags)
    try:
        regular = stat.S_ISREG(os.fstat(descriptor).st_mode)
    except OSError:
        os.close(descriptor)
        raise
    if not regular:
        os.close(descriptor)
        raise ValueError("not a regular file")
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"too large: more than {max_bytes} bytes")
    return data


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
    """This attempt failed in a way that may pass (5xx, a dropped connection): retry."""


class _Unreachable(_Transient):
    """The host could not be connected to (DNS failure, refused)."""


class _Stalled(Exception):
    """The host took longer than the timeout to connect or answer: give it up for the build."""


class _OutOfTime(Exception):
    """The build's time for images ran out: try nothing more."""


#: Decoded bytes one layer of a Content-Encoding may produce at a time: what a bomb can cost.
_INFLATE_SLICE = 64 * 1024

#: Content-Encoding layers a response may have; servers use one, a proxy may add a second.
_MAX_ENCODINGS = 2

#: Redirects one image may follow.
_MAX_REDIRECTS = 5


class _Inflater:
    """One Content-Encoding layer (gzip or deflate), undone a slice at a time."""

    def __init__(self, name: str) -> None:
        import zlib

        if name in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif name == "deflate":
            self._wbits = zlib.MAX_WBITS
        else:
            raise _Permanent(f"error: unsupported Content-Encoding {name!r}")
        self._name = name
        self._inflate = zlib.decompressobj(self._wbits)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield what ``data`` decodes to, never more than a slice at once."""
        import zlib

        while True:
            try:
                out = self._inflate.decompress(data, _INFLATE_SLICE)
            except zlib.error as exc:
                if self._name == "deflate" and not self._started:
                    # "deflate" is zlib-wrapped by the standard and raw by many servers.
                    self._started = True
                    self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise _Permanent(f"error: broken {self._name} Content-Encoding") from exc
            self._started = True
            if out:
                yield out
            data = self._inflate.unconsumed_tail
            # A full slice may leave output pending inside zlib even with no input left.
            if not data and len(out) < _INFLATE_SLICE:
                return


class _Decoder:
    """Undoes a response's Content-Encoding layers as its body streams in.

    httpx inflates each network chunk whole, so ``gzip, gzip`` of a few KB became gigabytes in
    one call, before any size cap could look; here each layer hands on at most a slice at a
    time, and the caller counts what comes out.
    """

    def __init__(self, encodings: Iterable[str]) -> None:
        names = [name.strip().lower() for name in encodings]
        names = [name for name in names if name and name != "identity"]
        if len(names) > _MAX_ENCODINGS:
            raise _Permanent(
                f"error: {len(names)} Content-Encoding layers (at most {_MAX_ENCODINGS})"
            )
        # Listed in the order they were applied: the last one is undone first.
        self._layers = [_Inflater(name) for name in reversed(names)]

    def decode(self, data: bytes) -> Iterator[bytes]:
        """Yield the decoded bytes of the next raw chunk, a slice at a time."""
        return self._through(0, data)

    def _through(self, level: int, data: bytes) -> Iterator[bytes]:
        if level == len(self._layers):
            if data:
                yield data
            return
        for piece in self._layers[level].decode(data):
            yield from self._through(level + 1, piece)


class ImageFetcher:
    """Resolves lists of candidate addresses (best first) to images, each address at most once.

    ``cache_dir`` None disables the disk cache (downloads and remembered failures); ``image_dir``
    is searched by file name first. ``offline`` (or ``ZHCONVERT_OFFLINE=1`` in the environment)
    asks nothing of the network: the image folder and the cache answer, every other image fails
    at once. ``timeout`` bounds each wait for the network (connecting, each read); ``deadline``
    bounds one address's whole download, retries included: at the deadline the fetching thread's
    connection is closed under the request (headers included), which then ends at its next read.
    ``budget`` bounds all the downloads of the fetcher's life (one build) together, counted from
    its first download: then downloads in progress are cut the same way and no other is started.
    A host that times out once (connecting, answering, or past an image's deadline) is not asked
    again. ``failures`` says why each address that gave no image did not; ``stats`` counts what
    became of each image. ``clock`` (seconds since the epoch) dates the cache's remembered
    failures.
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
        budget: float = DEFAULT_IMAGE_BUDGET,
        offline: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.cache_dir = cache_dir
        self.timeout = timeout
        self.deadline = deadline
        self.budget = budget
        self.retries = max(0, retries)
        self.max_bytes = max_bytes
        self.concurrency = max(1, concurrency)
        self.backoff = backoff
        self.offline = offline or offline_from_environment()
        self.failures: dict[str, str] = {}
        self.stats = ImageStats()
        self._cache = ImageCache(cache_dir, clock) if cache_dir is not None else None
        self._local = _index_folder(image_dir) if image_dir is not None else {}
        self._lock = threading.Lock()
        self._by_url: dict[str, Future[_Outcome]] = {}
        self._counted: dict[tuple[str, ...], str] = {}  # candidates -> where the image came from
        self._remembered_urls: set[str] = set()
        # Failures to remember in the cache, written once the run knows the network was there.
        self._unsaved_failures: dict[str, str] = {}
        # One HTTP client per fetching thread: a download past its deadline is ended by closing
        # its thread's client, which must not break the downloads of the other threads.
        self._per_thread = threading.local()
        self._clients: list[Any] = []
        self._host_failures: dict[str, int] = {}
        self._dead_hosts: dict[str, str] = {}
        self._successes = 0
        self._no_network = ""
        self._budget_ends: float | None = None
        self._closed = False

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
        try:
            with ThreadPoolExecutor(max_workers=min(self.concurrency, len(wanted))) as pool:
                futures = {
                    pool.submit(self.resolve, candidates): candidates for candidates in wanted
                }
                for done, future in enumerate(as_completed(futures), start=1):
                    results[futures[future]] = future.result()
                    if progress is not None:
                        progress(done, len(wanted))
        finally:
            self._save_failures()
        return results

    def resolve(self, candidates: tuple[str, ...]) -> ImageResource | None:
        """Return the image at the first of ``candidates`` that gives one, or None."""
        for url in candidates:
            image, source = self._get(url)
            if image is not None:
                self._count(candidates, source)
                return image
        self._count(candidates, "")
        return None

    def close(self) -> None:
        """Close the network connections, if any were opened, and write what the cache lacks."""
        self._save_failures()
        with self._lock:
            first_close, self._closed = not self._closed, True
        if first_close:
            collect(self.stats)
        with self._lock:
            clients, self._clients = self._clients, []
        for client in clients:
            client.close()

    def __enter__(self) -> ImageFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- counting --------------------------------------------------------------------------------

    def _count(self, candidates: tuple[str, ...], source: str) -> None:
        """Count one image (once per list of candidates) by where it came from, or as failed."""
        with self._lock:
            if candidates in self._counted:
                return
            self._counted[candidates] = source
            stats = self.stats
            if source == "local":
                stats.local += 1
            elif source == "cache":
                stats.cached += 1
            elif source == "network":
                stats.fetched += 1
            elif candidates:
                first = candidates[0]
                reason = self.failures.get(first, "error: no image")
                stats.failed.setdefault(first, reason)
                if first in self._remembered_urls:
                    stats.remembered += 1

    def count_as_failed(self, candidates: tuple[str, ...], reason: str) -> None:
        """Count an image this fetcher gave as failed after all: its bytes could not be used.

        For a caller that stores the images it is given (``--images local``) and could not store
        one: the summary must not say it was downloaded. ``reason`` starts with ``not-stored``.
        """
        with self._lock:
            source = self._counted.get(candidates)
            if not candidates or source not in ("local", "cache", "network"):
                return  # not given by this fetcher, or counted as failed already
            self._counted[candidates] = ""
            stats = self.stats
            if source == "local":
                stats.local -= 1
            elif source == "cache":
                stats.cached -= 1
            else:
                stats.fetched -= 1
            stats.failed.setdefault(candidates[0], reason)

    # -- one address -----------------------------------------------------------------------------

    def _get(self, url: str) -> _Outcome:
        with self._lock:
            future = self._by_url.get(url)
            owner = future is None
            if future is None:
                future = Future()
                self._by_url[url] = future
        if not owner:
            return future.result()
        try:
            outcome = self._obtain(url)
        except Exception as exc:  # whatever goes wrong with one image must not break the book
            self._fail(url, f"error: {exc}")
            outcome = (None, "")
        except BaseException as exc:  # an interrupt: let the threads waiting for it stop too
            future.set_exception(exc)
            raise
        future.set_result(outcome)
        return outcome

    def _fail(self, url: str, reason: str, *, remember: bool = True) -> None:
        category = reason_category(reason)
        with self._lock:
            if url in self.failures:
                return
            self.failures[url] = reason
            if remember and category not in _NOT_REMEMBERED:
                self._unsaved_failures[url] = reason

    def _save_failures(self) -> None:
        """Write the run's failures into the cache, unless the machine had no network at all."""
        with self._lock:
            unsaved, self._unsaved_failures = self._unsaved_failures, {}
            no_network = bool(self._no_network)
        if self._cache is None or no_network:
            return  # with no network, nothing was learnt about the images themselves
        for url, reason in unsaved.items():
            self._cache.remember_failure(url, reason)

    def _obtain(self, url: str) -> _Outcome:
        name = _file_name(url)
        local = self._local.get(name) if name else None
        if local is not None:
            try:  # a FIFO or a device in the folder must not hang or fill the build
                image = image_from_bytes(read_image_file(str(local), self.max_bytes))
            except (OSError, ValueError):
                image = None
            if image is not None:
                return image, "local"
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            self._fail(url, "unsupported: only http and https addresses are fetched")
            return None, ""
        entry = self._cache.lookup(url) if self._cache is not None else None
        if entry is not None and entry.failed:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.retry_at))
            with self._lock:
                self._remembered_urls.add(url)
            self._fail(
                url, f"{entry.failed} (remembered; asked again after {when})", remember=False
            )
            return None, ""
        if entry is not None and entry.data is not None:
            cached = examine_image(entry.data)
            if isinstance(cached, ImageResource):
                if entry.legacy and self._cache is not None:
                    self._cache.store(url, entry.data)
                return cached, "cache"
        if self.offline:
            self._fail(url, "offline: not in the cache, and the network is not asked (offline)")
            return None, ""
        data = self._download(url)
        if data is None:
            return None, ""
        examined = examine_image(data)
        if isinstance(examined, str):
            self._fail(url, _examined_reason(examined))
            return None, ""
        if self._cache is not None:
            self._cache.store(url, data)
        return examined, "network"

    # -- the network -----------------------------------------------------------------------------

    def _download(self, url: str) -> bytes | None:
        host = _host(url)
        budget_ends = self._start_budget()
        ends = min(time.monotonic() + self.deadline, budget_ends)
        reason = "error: no attempt"
        for attempt in range(self.retries + 1):
            given_up = self._given_up(host)
            if given_up:
                # An address tried before its host was given up failed for its own reason.
                self._fail(url, reason if attempt else given_up)
                return None
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= ends:
                    break  # no time left for another try
                time.sleep(pause)
                given_up = self._given_up(host)
                if given_up:
                    self._fail(url, reason)
                    return None
            try:
                data = self._attempt(url, ends)
            except _Permanent as exc:
                self._fail(url, str(exc))
                return None
            except _OutOfTime:
                self._fail(url, self._budget_reason())
                return None
            except _Stalled as exc:
                self._note_stalled(host, str(exc))
                self._fail(url, str(exc))
                return None
            except _Unreachable as exc:
                reason = str(exc) or "error: cannot connect"
                self._note_unreachable(host, reason)
                continue
            except _Transient as exc:
                reason = str(exc)
                continue
            with self._lock:
                self._successes += 1
                self._host_failures.pop(host, None)
            return data
        self._fail(url, reason)
        return None

    def _start_budget(self) -> float:
        with self._lock:
            if self._budget_ends is None:
                self._budget_ends = time.monotonic() + self.budget
            return self._budget_ends

    def _budget_reason(self) -> str:
        return f"budget: the run's {self.budget:g} s for downloading images ran out"

    def _given_up(self, host: str) -> str:
        """Return why nothing more is asked of ``host`` ('' when it may be asked)."""
        with self._lock:
            if self._budget_ends is not None and time.monotonic() >= self._budget_ends:
                return self._budget_reason()
            if self._no_network:
                category = reason_category(self._no_network)
                return f"{category}: no network (nothing could be reached)"
            if host in self._dead_hosts:
                category, _, detail = self._dead_hosts[host].partition(": ")
                return f"{category}: {host} given up ({detail})"
            return ""

    def _note_stalled(self, host: str, reason: str) -> None:
        with self._lock:
            self._dead_hosts.setdefault(host, reason)

    def _note_unreachable(self, host: str, reason: str) -> None:
        with self._lock:
            self._host_failures[host] = self._host_failures.get(host, 0) + 1
            if self._host_failures[host] >= 2:
                self._dead_hosts.setdefault(host, reason)
            # Several hosts failing and nothing ever arriving: there is no network at all.
            failures = sum(self._host_failures.values())
            if self._successes == 0 and failures >= 4 and len(self._host_failures) >= 2:
                self._no_network = self._no_network or reason

    def _http(self) -> Any:
        """Return this thread's HTTP client (a new one after the last was closed)."""
        client = getattr(self._per_thread, "client", None)
        if client is None or client.is_closed:
            import httpx

            client = httpx.Client(
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 10.0)),
                # Redirects are followed by ``_receive``: httpx reads (and inflates) the whole
                # body of each redirect response before following it.
                follow_redirects=False,
                headers={
                    "User-Agent": f"zhconvert/{__version__}",
                    "Accept": _ACCEPT,
                    "Accept-Encoding": "gzip, deflate",
                },
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
            raise self._time_up()
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
                raise self._time_up() from exc
            raise
        finally:
            timer.cancel()

    def _time_up(self) -> Exception:
        """Return what to raise when a download's time ran out: the build's, or the host's fault."""
        with self._lock:
            budget_over = self._budget_ends is not None and time.monotonic() >= self._budget_ends
        if budget_over:
            return _OutOfTime()
        # Bytes kept coming, too slowly: another try, or another image of it, would be as slow.
        return _Stalled(f"timeout: {self.deadline:g} s were not enough for one image (too slow)")

    def _receive(self, client: Any, url: str, timeout: Any, ends: float) -> bytes:
        import httpx

        try:
            request = client.build_request("GET", url, timeout=timeout)
            for _ in range(_MAX_REDIRECTS + 1):
                response = client.send(request, stream=True)
                try:
                    if not response.has_redirect_location:
                        return self._body(response, ends)
                    request = response.next_request
                finally:
                    response.close()  # a redirect's body is never read
                if request is None or request.url.scheme not in ("http", "https"):
                    raise _Permanent(
                        "unsupported: redirected to an address that is not http or https"
                    )
            raise _Permanent(f"http: more than {_MAX_REDIRECTS} redirects")
        except httpx.ConnectTimeout as exc:
            if time.monotonic() >= ends:
                raise self._time_up() from exc
            raise _Stalled(f"timeout: timed out connecting after {self.timeout:g} s") from exc
        except httpx.TimeoutException as exc:
            if time.monotonic() >= ends:
                raise self._time_up() from exc
            raise _Stalled(f"timeout: timed out, no answer for {self.timeout:g} s") from exc
        except httpx.ConnectError as exc:
            if time.monotonic() >= ends:  # cut short by the deadline: the host is not to blame
                raise self._time_up() from exc
            raise _Unreachable(_connect_reason(exc, url)) from exc
        except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise _Transient(f"error: {exc}") from exc
        except httpx.UnsupportedProtocol as exc:
            raise _Permanent(f"unsupported: {exc}") from exc
        except httpx.HTTPError as exc:  # a bad address
            raise _Permanent(f"error: {exc}") from exc

    def _body(self, response: Any, ends: float) -> bytes:
        """Return the decoded body of ``response``, never holding more than the size cap."""
        status = response.status_code
        if status == 429 or status >= 500:
            raise _Transient(f"http {status}")
        if status != 200:
            raise _Permanent(f"http {status}")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise _Permanent(f"too-large: more than {self.max_bytes} bytes")
        decoder = _Decoder(response.headers.get_list("content-encoding", split_commas=True))
        received = 0
        buffer = bytearray()
        for chunk in response.iter_raw():
            # Both counted: what arrives (a stream of empty deflate blocks decodes to nothing)
            # and what it decodes to (a bomb), each against the cap.
            received += len(chunk)
            for piece in decoder.decode(chunk):
                buffer += piece
                if len(buffer) > self.max_bytes:
                    raise _Permanent(f"too-large: more than {self.max_bytes} bytes decoded")
            if received > self.max_bytes:
                raise _Permanent(f"too-large: more than {self.max_bytes} bytes")
            if time.monotonic() > ends:
                raise self._time_up()
        return bytes(buffer)


#: What becomes of one address: its image (or None) and where it came from ("local", "cache",
#: "network"; "" when it gave none).
_Outcome = tuple[ImageResource | None, str]

#: Failures that say nothing about the image itself, never remembered in the cache.
_NOT_REMEMBERED = frozenset(("offline", "budget"))

#: The environment variable that turns every command's image fetching offline.
OFFLINE_VARIABLE = "ZHCONVERT_OFFLINE"


def offline_from_environment() -> bool:
    """Return whether ``ZHCONVERT_OFFLINE`` asks for no network (set, and not 0/false/no)."""
    value = os.environ.get(OFFLINE_VARIABLE, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def _examined_reason(examined: str) -> str:
    """Return ``examine_image``'s refusal as a reason with its category."""
    if examined.startswith("too large: "):
        return "too-large: " + examined.removeprefix("too large: ")
    return f"not-an-image: {examined}"


def _connect_reason(exc: BaseException, url: str) -> str:
    """Return why a connection could not be made: the host's name, a refusal, or else."""
    host = urlsplit(url).hostname or url
    cause: BaseException | None = exc
    seen = 0
    while cause is not None and seen < 10:
        if isinstance(cause, socket.gaierror):
            return f"dns: cannot find the host {host} ({cause.strerror or cause})"
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return f"refused: {host} refused the connection"
        cause = cause.__cause__ or cause.__context__
        seen += 1
    return f"error: cannot connect to {host} ({exc})"


def _host(url: str) -> str:
    """Return the host (and port, when given) ``url`` is fetched from: what is given up on."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # a bad port: the request fails on its own
        port = None
    return f"{host}:{port}" if port is not None else host


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
