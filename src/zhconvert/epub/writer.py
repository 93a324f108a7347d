"""The ``epub`` writer: one post as a complete EPUB 3 book (``zhconvert.dumps(doc, "epub")``)."""

from __future__ import annotations

from typing import ClassVar

from ..model import Document
from .options import EpubOptions

__all__ = ["EpubWriter"]


class EpubWriter:
    """Writes a Document as an EPUB 3 book with an EPUB 2 NCX; returns the file's bytes."""

    name: ClassVar[str] = "epub"
    aliases: ClassVar[tuple[str, ...]] = ()
    extension: ClassVar[str] = ".epub"
    binary: ClassVar[bool] = True
    Options: ClassVar[type[EpubOptions]] = EpubOptions

    def write(self, doc: Document, options: EpubOptions) -> bytes:
        """Return ``doc`` as an EPUB file."""
        from .book import write_single

        return write_single(doc, options)
