"""EPUB output: one post as a book (the ``epub`` writer) or many as a collection (``build_book``).

ebooklib writes the package; this package renders the chapters from the document model, fetches
and checks the images, and makes the file reproducible. Heavy modules (ebooklib, httpx, Pillow)
are imported only when a book is built.
"""

from __future__ import annotations

from .book import BookReport, build_book
from .options import BookOptions, EpubOptions
from .writer import EpubWriter

__all__ = ["BookOptions", "BookReport", "EpubOptions", "EpubWriter", "build_book"]
