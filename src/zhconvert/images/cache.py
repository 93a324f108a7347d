"""The image cache on disk, shared by every command and every process that fetches images.

Two parts under the cache folder:

- ``blobs/<h[:2]>/<h>``: the bytes of each download, named by their SHA-256 ``h``; the same
  bytes fetched from two addresses are stored once. A blob whose bytes no longer hash to its
  name is ignored (and removed), and its image fetched again.
- ``urls/<k[:2]>/<k>.json``, ``k`` the SHA-256 of the address: what that address gave last,
  ``{"url": ..., "sha256": ..., "at": ...}``, or why it gave nothing,
  ``{"url": ..., "failed": "<reason>", "at": ...}``. A remembered failure stands for
  ``retry_after(reason)`` seconds: an hour for what may pass, a day for what will not.

One small file per address, each written atomically (a temporary file renamed over it): several
processes building at once read and write the cache without a lock, and a reader sees a whole
entry or none. The cache of earlier versions (``<k[:2]>/<k>``, the bytes of one address) is still
read, and each entry moved to this layout the first time it is used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._atomic import atomic_write_bytes
from ..errors import ZhconvertError
from .report import reason_category

__all__ = [
    "PERMANENT_RETRY",
    "TRANSIENT_RETRY",
    "CacheEntry",
    "ImageCache",
    "retry_after",
]

#: Seconds a failure that may pass (DNS, refused, timeout, HTTP 5xx, anything else) is remembered.
TRANSIENT_RETRY = 60 * 60

#: Seconds a failure that will not pass (HTTP 404/410, not an image, too large, not http/https)
#: is remembered.
PERMANENT_RETRY = 24 * 60 * 60

_PERMANENT = frozenset(("too-large", "not-an-image", "unsupported"))
_HEX64 = re.compile(r"[0-9a-f]{64}")
_GONE = frozenset(("404", "410"))


def retry_after(reason: str) -> int:
    """Return how many seconds a failure with ``reason`` is remembered before it is tried again."""
    category = reason_category(reason)
    if category in _PERMANENT:
        return PERMANENT_RETRY
    if category == "http":
        words = reason.split(None, 2)
        if len(words) > 1 and words[1].rstrip(":") in _GONE:
            return PERMANENT_RETRY
    return TRANSIENT_RETRY


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """What the cache knows of an address: its bytes, or a failure still standing."""

    data: bytes | None = None
    #: Why the address gave nothing, when it was remembered as failed.
    failed: str = ""
    #: When (the cache's clock) the failure will be tried again.
    retry_at: float = 0.0
    #: Read from the layout of earlier versions: to be stored in this one once checked.
    legacy: bool = False


class ImageCache:
    """The cache folder: addresses to content hashes, and the content stored once per hash."""

    def __init__(self, root: Path, clock: Callable[[], float]) -> None:
        self.root = root
        self.clock = clock

    def lookup(self, url: str) -> CacheEntry | None:
        """Return what is known of ``url``: bytes, a failure not yet due for retry, or None."""
        record = self._read_record(url)
        if record is not None:
            failed = record.get("failed")
            if isinstance(failed, str) and failed:
                at = record.get("at")
                retry_at = (at if isinstance(at, (int, float)) else 0.0) + retry_after(failed)
                if self.clock() < retry_at:
                    return CacheEntry(failed=failed, retry_at=retry_at)
                return None
            digest = record.get("sha256")
            # Only a hash names a blob: an edited record cannot point outside the cache.
            if isinstance(digest, str) and _HEX64.fullmatch(digest):
                data = self._read_blob(digest)
                if data is not None:
                    return CacheEntry(data=data)
        data = self._read_legacy(url)
        if data is not None:
            return CacheEntry(data=data, legacy=True)
        return None

    def store(self, url: str, data: bytes) -> None:
        """Keep ``data`` as what ``url`` gives (its blob once, whatever address brought it)."""
        digest = hashlib.sha256(data).hexdigest()
        blob = self._blob_path(digest)
        with contextlib.suppress(OSError, ZhconvertError):
            if not self._blob_matches(blob, digest):
                self._write(blob, data)
            self._write_record(url, {"url": url, "sha256": digest, "at": self.clock()})
            # The old layout's copy is no longer read once the address is in the new one.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._legacy_path(url))

    def remember_failure(self, url: str, reason: str) -> None:
        """Remember that ``url`` gave no image and why, until ``retry_after(reason)`` passes."""
        with contextlib.suppress(OSError, ZhconvertError):
            self._write_record(url, {"url": url, "failed": reason, "at": self.clock()})

    # -- files -----------------------------------------------------------------------------------

    def _record_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / "urls" / key[:2] / f"{key}.json"

    def _blob_path(self, digest: str) -> Path:
        return self.root / "blobs" / digest[:2] / digest

    def _legacy_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.root / key[:2] / key

    def _read_record(self, url: str) -> dict[str, object] | None:
        try:
            record = json.loads(self._record_path(url).read_bytes())
        except (OSError, ValueError):
            return None  # absent, unreadable or damaged: as if never fetched
        if not isinstance(record, dict) or record.get("url") != url:
            return None
        return record

    def _read_blob(self, digest: str) -> bytes | None:
        path = self._blob_path(digest)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != digest:
            with contextlib.suppress(OSError):
                path.unlink()  # damaged: the next download writes it again
            return None
        return data

    def _blob_matches(self, path: Path, digest: str) -> bool:
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest() == digest
        except OSError:
            return False

    def _read_legacy(self, url: str) -> bytes | None:
        path = self._legacy_path(url)
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def _write_record(self, url: str, record: dict[str, object]) -> None:
        self._write(self._record_path(url), json.dumps(record, ensure_ascii=False).encode("utf-8"))

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Not flushed to the disk: a cache entry lost in a power cut costs one download.
        atomic_write_bytes(path, data, durable=False)
