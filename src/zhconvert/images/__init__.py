"""Images for every command: fetching, caching and checking what a post's images really are."""

from __future__ import annotations

from .fetch import (
    DEFAULT_IMAGE_BUDGET,
    DEFAULT_IMAGE_DEADLINE,
    DEFAULT_MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    NOT_AN_IMAGE,
    ImageFetcher,
    ImageResource,
    default_cache_dir,
    examine_image,
    image_from_bytes,
    read_image_file,
    sanitize_svg,
    sniff_image,
)

__all__ = [
    "DEFAULT_IMAGE_BUDGET",
    "DEFAULT_IMAGE_DEADLINE",
    "DEFAULT_MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "NOT_AN_IMAGE",
    "ImageFetcher",
    "ImageResource",
    "default_cache_dir",
    "examine_image",
    "image_from_bytes",
    "read_image_file",
    "sanitize_svg",
    "sniff_image",
]
