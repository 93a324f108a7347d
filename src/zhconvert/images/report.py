"""What happened to a run's images: the counts, the reasons, and the lines a command prints."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

__all__ = [
    "REASONS",
    "ImageStats",
    "reason_category",
    "start_collecting",
    "stop_collecting",
    "summary_lines",
]

#: The categories of failure, in the order a summary lists them when their counts tie; each
#: reason string starts with one of them (``"timeout: no answer for 20 s"``, ``"http 404"``).
REASONS = (
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

#: The hint printed when more than half of the images could not be had.
MOSTLY_FAILED_HINT = (
    "most images could not be fetched: try --images remote (keep the addresses) or --images omit"
)


def reason_category(reason: str) -> str:
    """Return the category of a failure reason: its first word (``"http 404"`` -> ``"http"``)."""
    words = reason.split(None, 2)
    return words[0].rstrip(":") if words else "error"


@dataclass(slots=True)
class ImageStats:
    """What became of each image a run wanted (one image: one list of candidate addresses).

    ``fetched``: downloaded now; ``cached``: read from the disk cache; ``local``: found in the
    image folder; ``failed``: the image's first address -> why it gave nothing (a reason starting
    with one of ``REASONS``); ``remembered``: how many of those failures the cache answered, the
    server not asked again.
    """

    fetched: int = 0
    cached: int = 0
    local: int = 0
    failed: dict[str, str] = field(default_factory=dict)
    remembered: int = 0

    @property
    def wanted(self) -> int:
        """Return how many images were wanted in all."""
        return self.fetched + self.cached + self.local + len(self.failed)

    def add(self, other: ImageStats) -> None:
        """Add the counts and failures of ``other`` (another fetcher of the same run)."""
        self.fetched += other.fetched
        self.cached += other.cached
        self.local += other.local
        self.remembered += other.remembered
        for url, reason in other.failed.items():
            self.failed.setdefault(url, reason)

    def by_reason(self) -> dict[str, int]:
        """Return how many images failed for each reason category, the most frequent first."""
        counts = Counter(_category(reason) for reason in self.failed.values())
        return dict(sorted(counts.items(), key=lambda item: (-item[1], REASONS.index(item[0]))))


_collecting_lock = threading.Lock()
#: The collections in progress, innermost last: a fetcher's totals go to the innermost one.
_collecting: list[ImageStats] = []


def start_collecting() -> ImageStats:
    """Return the stats every fetcher closed in this process adds to, until ``stop_collecting``.

    For a command whose images are fetched deep inside a writer (``convert -t epub``): the
    writer's fetchers are not the command's to see, their totals are. Collections nest: one
    started inside another (a post's, inside its run's) gets the totals until it stops.
    """
    stats = ImageStats()
    with _collecting_lock:
        _collecting.append(stats)
    return stats


def stop_collecting() -> ImageStats:
    """Stop the innermost collection; return what it collected (empty if nothing was)."""
    with _collecting_lock:
        return _collecting.pop() if _collecting else ImageStats()


def collect(stats: ImageStats) -> None:
    """Add one closed fetcher's ``stats`` to the innermost collection, if one is in progress."""
    with _collecting_lock:
        if _collecting:
            _collecting[-1].add(stats)


def _category(reason: str) -> str:
    category = reason_category(reason)
    return category if category in REASONS else "error"


def summary_lines(stats: ImageStats, *, verbose: bool = False) -> list[str]:
    """Return the lines that tell what became of a run's images ([] when none was wanted)."""
    wanted = stats.wanted
    if not wanted:
        return []
    parts = [f"{stats.fetched} downloaded", f"{stats.cached} from the cache"]
    if stats.local:
        parts.append(f"{stats.local} from the image folder")
    failed = f"{len(stats.failed)} failed"
    if stats.failed:
        failed += " (" + ", ".join(f"{n} {name}" for name, n in stats.by_reason().items()) + ")"
    parts.append(failed)
    lines = [f"images: {wanted} wanted: {', '.join(parts)}"]
    if stats.remembered:
        lines.append(
            f"images: {stats.remembered} of the failures remembered from an earlier run, "
            "not asked again yet (--no-cache asks again)"
        )
    if verbose:
        lines.extend(
            f"image failed: {url}: {reason}" for url, reason in sorted(stats.failed.items())
        )
    if len(stats.failed) * 2 > wanted:
        lines.append(MOSTLY_FAILED_HINT)
    return lines
