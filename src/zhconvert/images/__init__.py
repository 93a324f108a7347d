"""Images for every command: fetching, caching and checking what a post's images really are.

The names load their module when first used: a command that only reports on images
(``zhconvert.images.report``) or checks hosts (``zhconvert.images.hosts``) does not pay for the
fetcher's imports (httpx, Pillow), which would add some 50 ms to every ``convert``'s start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fetch import (
        DEFAULT_IMAGE_BUDGET,
        DEFAULT_IMAGE_DEADLINE,
        DEFAULT_MAX_IMAGE_BYTES,
        MAX_IMAGE_PIXELS,
        NOT_AN_IMAGE,
        OFFLINE_VARIABLE,
        ImageFetcher,
        ImageResource,
        default_cache_dir,
        examine_image,
        image_from_bytes,
        offline_from_environment,
        read_image_file,
        sanitize_svg,
        sniff_image,
    )
    from .report import REASONS, ImageStats, start_collecting, stop_collecting, summary_lines

__all__ = [
    "DEFAULT_IMAGE_BUDGET",
    "DEFAULT_IMAGE_DEADLINE",
    "DEFAULT_MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "NOT_AN_IMAGE",
    "OFFLINE_VARIABLE",
    "REASONS",
    "ImageFetcher",
    "ImageResource",
    "ImageStats",
    "default_cache_dir",
    "examine_image",
    "image_from_bytes",
    "offline_from_environment",
    "read_image_file",
    "sanitize_svg",
    "sniff_image",
    "start_collecting",
    "stop_collecting",
    "summary_lines",
]

_REPORT = frozenset(
    ("REASONS", "ImageStats", "start_collecting", "stop_collecting", "summary_lines")
)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'zhconvert.images' has no attribute {name!r}")
    from importlib import import_module

    module = import_module(f".{'report' if name in _REPORT else 'fetch'}", __name__)
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
