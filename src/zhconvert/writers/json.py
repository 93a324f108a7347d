"""The JSON writer: the document model as plain JSON, stable enough to diff.

Shape (documented in ``docs/json.md``)::

    {"version": 1,
     "meta": {"title": ..., "author": ..., "date": "2022-07-13T15:40:55+00:00", ...},
     "blocks": [{"type": "paragraph", "children": [{"type": "text", "text": "..."}]}, ...],
     "footnotes": [{"number": 1, "text": "...", "url": "..."}]}

Every block and inline is an object whose ``type`` is the snake_case name of its kind and whose
other keys are the kind's fields, in the model's order.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

from ..model import Document

__all__ = ["JSON_FORMAT_VERSION", "JsonOptions", "JsonWriter", "document_to_dict"]

JSON_FORMAT_VERSION = 1
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
_TYPE_NAMES: dict[type, str] = {}


def _type_name(cls: type) -> str:
    name = _TYPE_NAMES.get(cls)
    if name is None:
        name = _TYPE_NAMES[cls] = _SNAKE.sub("_", cls.__name__).lower()
    return name


def _value(value: Any) -> Any:
    """Convert a model value to JSON data, without recursion (documents can nest deeply)."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        item, container, key = stack.pop()
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            out: dict[str, Any] = {"type": _type_name(type(item))}
            container[key] = out
            for field in dataclasses.fields(item):
                out[field.name] = None  # keeps the model's field order
                stack.append((getattr(item, field.name), out, field.name))
        elif isinstance(item, (tuple, list)):
            items: list[Any] = [None] * len(item)
            container[key] = items
            stack.extend((child, items, index) for index, child in enumerate(item))
        elif isinstance(item, dt.datetime):
            container[key] = item.isoformat()
        else:
            container[key] = item
    return root[0]


def document_to_dict(doc: Document) -> dict[str, Any]:
    """Return the JSON data of ``doc``."""
    meta = _value(doc.meta)
    meta.pop("type", None)
    footnotes = _value(doc.footnotes)
    for note in footnotes:
        note.pop("type", None)
    return {
        "version": JSON_FORMAT_VERSION,
        "meta": meta,
        "blocks": _value(doc.blocks),
        "footnotes": footnotes,
    }


@dataclass(frozen=True, slots=True)
class JsonOptions:
    """Options of the JSON writer: ``indent`` (``None`` for one line)."""

    indent: int | None = 2

    def __post_init__(self) -> None:
        if self.indent is not None and (
            not isinstance(self.indent, int) or isinstance(self.indent, bool) or self.indent < 0
        ):
            raise ValueError(f"indent must be a number of spaces or None, not {self.indent!r}")


class JsonWriter:
    """Write a Document as JSON."""

    name: ClassVar[str] = "json"
    aliases: ClassVar[tuple[str, ...]] = ()
    extension: ClassVar[str] = ".json"
    binary: ClassVar[bool] = False
    Options: ClassVar[type[JsonOptions]] = JsonOptions

    def write(self, doc: Document, options: JsonOptions) -> str:
        """Render ``doc`` as JSON text ending with one newline."""
        return json.dumps(document_to_dict(doc), ensure_ascii=False, indent=options.indent) + "\n"
