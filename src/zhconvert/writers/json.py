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
from ..readers._safety import has_safe_scheme
from ._depth import limit_depth

__all__ = ["JSON_FORMAT_VERSION", "JsonOptions", "JsonWriter", "document_to_dict"]

JSON_FORMAT_VERSION = 1
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")
_TYPE_NAMES: dict[type, str] = {}
#: The fields of the model that hold an address (``fallbacks``: a list of them).
_ADDRESS_FIELDS = frozenset({"url", "cover", "image", "poster", "fallbacks"})


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
                field_value = getattr(item, field.name)
                if field.name in _ADDRESS_FIELDS:
                    field_value = _address(field.name, field_value)
                stack.append((field_value, out, field.name))
        elif isinstance(item, (tuple, list)):
            items: list[Any] = [None] * len(item)
            container[key] = items
            stack.extend((child, items, index) for index, child in enumerate(item))
        elif isinstance(item, dt.datetime):
            container[key] = item.isoformat()
        else:
            container[key] = item
    return root[0]


def _address(name: str, value: Any) -> Any:
    """Return a field's value with any address a browser would run (``javascript:``) blanked.

    The readers never keep one; a document built by hand can hold one, and JSON consumers put
    ``url`` into ``href`` as it is.
    """
    if isinstance(value, str):
        return value if not value or has_safe_scheme(value) else ""
    if name == "fallbacks" and isinstance(value, tuple):
        return tuple(url for url in value if not isinstance(url, str) or has_safe_scheme(url))
    return value


def _meta_and_footnotes(doc: Document) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Return the JSON data of the metadata and of the footnotes (objects without a type)."""
    meta: dict[str, Any] = {}
    for key, value in _value(doc.meta).items():
        if key != "type":
            meta[key] = value
        if key == "feed":
            meta["source"] = value  # the key's name before 0.2, kept in format version 1
    footnotes = _value(doc.footnotes)
    for note in footnotes:
        note.pop("type", None)
    return meta, footnotes


def document_to_dict(doc: Document) -> dict[str, Any]:
    """Return the JSON data of ``doc``."""
    meta, footnotes = _meta_and_footnotes(doc)
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
        # json.dumps recurses once per level, so the document's depth is bounded first.
        return _dumps(limit_depth(doc), options.indent)


def _dumps(doc: Document, indent: int | None) -> str:
    """Return ``json.dumps(document_to_dict(doc), indent=indent)`` and a newline, block by block.

    The same text, but only one block's JSON data is in memory at a time, not the whole tree
    (for a 20 MB post: a peak of about 0.5 GB instead of 1 GB).
    """

    def encode(value: Any, level: int) -> str:
        text = json.dumps(value, ensure_ascii=False, indent=indent)
        if indent is None or level == 0:
            return text
        return text.replace("\n", "\n" + " " * (indent * level))

    meta, footnotes = _meta_and_footnotes(doc)
    if indent is None:
        item, open_, close = ", ", "", ""
        block_item, block_open, block_close = ", ", "", ""
    else:
        item, open_, close = ",\n" + " " * indent, "\n" + " " * indent, "\n"
        block_item = ",\n" + " " * (2 * indent)
        block_open, block_close = "\n" + " " * (2 * indent), "\n" + " " * indent
    # One list of pieces joined once: the text is built a single time, never copied again.
    parts = ["{", open_, f'"version": {JSON_FORMAT_VERSION}', item, '"meta": ', encode(meta, 1)]
    parts += [item, '"blocks": ']
    if doc.blocks:
        parts += ["[", block_open]
        for index, block in enumerate(doc.blocks):
            if index:
                parts.append(block_item)
            parts.append(encode(_value(block), 2))
        parts += [block_close, "]"]
    else:
        parts.append("[]")
    parts += [item, '"footnotes": ', encode(footnotes, 1), close, "}\n"]
    return "".join(parts)
