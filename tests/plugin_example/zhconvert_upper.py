"""An example zhconvert writer plugin: the ``upper`` format, plain text in capital letters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import zhconvert
from zhconvert import Document


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
