"""An example zhconvert plugin package.

It holds a writer, the ``upper`` format (plain text in capital letters), and a site rule,
``shouting``, which drops the share box of an imaginary site.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import zhconvert
from zhconvert import Document
from zhconvert.readers.sites import SiteRule


@dataclass(frozen=True)
class UpperOptions:
    """The writer's options, each with a default: ``dumps(doc, "upper", wrap=72)``."""

    wrap: int | None = None


class UpperWriter:
    """Write a document as plain text in capitals, reusing the built-in text writer."""

    name: ClassVar[str] = "upper"
    aliases: ClassVar[tuple[str, ...]] = ("shout",)
    extension: ClassVar[str] = ".txt"
    binary: ClassVar[bool] = False
    Options: ClassVar[type[UpperOptions]] = UpperOptions

    def write(self, doc: Document, options: UpperOptions) -> str:
        text = zhconvert.dumps(doc, "text", wrap=options.wrap)
        assert isinstance(text, str)
        return text.upper()


class ShoutingSite(SiteRule):
    """The rules of an imaginary site whose posts end with a share box."""

    name = "shouting"
    markers = ("shout-box",)
    drop = (".shout-box",)
