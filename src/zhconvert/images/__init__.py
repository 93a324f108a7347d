"""Images for every command: fetching, caching and checking what a post's images really are."""

from __future__ import annotations

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
