"""The writer registry: format name -> writer.

Writers are discovered from the ``zhconvert.writers`` entry-point group; zhconvert's own writers are
declared there too (see ``pyproject.toml``) and are also listed in ``BUILTIN_WRITERS`` so that a
source checkout that was never installed still works. A writer is a class with:

- ``name``: the format name (``"markdown"``), ``aliases``: other names (``("md",)``);
- ``extension``: the file extension for outputs, with its dot (``".md"``);
- ``binary``: ``True`` when ``write`` returns ``bytes`` (EPUB), else it returns ``str``;
- ``Options``: a dataclass of the options it takes, all with defaults;
- ``write(self, doc, options) -> str | bytes``.

Looking up a built-in name never scans installed distributions, so start-up stays fast.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from importlib import import_module
from typing import Any, ClassVar, Protocol, runtime_checkable

from ..errors import OptionError, UnknownFormatError
from ..model import Document

__all__ = [
    "BUILTIN_WRITERS",
    "Writer",
    "available_formats",
    "get_writer",
    "installed_plugins",
    "make_options",
]

ENTRY_POINT_GROUP = "zhconvert.writers"

#: name -> "module:Class" for the writers shipped with zhconvert.
BUILTIN_WRITERS: dict[str, str] = {
    "markdown": "zhconvert.writers.markdown:MarkdownWriter",
    "text": "zhconvert.writers.text:PlainTextWriter",
    "json": "zhconvert.writers.json:JsonWriter",
    "epub": "zhconvert.epub.writer:EpubWriter",
}

#: alias -> canonical name, for the built-in writers.
BUILTIN_ALIASES: dict[str, str] = {"md": "markdown", "txt": "text", "plain": "text"}


@runtime_checkable
class Writer(Protocol):
    """What a writer plugin provides (see the module docstring)."""

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]]
    extension: ClassVar[str]
    binary: ClassVar[bool]
    Options: ClassVar[type[Any]]

    def write(self, doc: Document, options: Any) -> str | bytes: ...


_cache: dict[str, Writer] = {}
_plugins: dict[str, tuple[str, str, str]] | None = None  # name -> (target, dist, version)


def _load(target: str) -> Writer:
    module_name, _, attr = target.partition(":")
    cls = getattr(import_module(module_name), attr)
    writer: Writer = cls()
    return writer


def _discover() -> dict[str, tuple[str, str, str]]:
    global _plugins
    if _plugins is None:
        from importlib.metadata import entry_points

        found: dict[str, tuple[str, str, str]] = {}
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist is not None else "?"
            version = ep.dist.version if ep.dist is not None else "?"
            found[ep.name] = (ep.value, dist, version)
        _plugins = found
    return _plugins


def get_writer(name: str) -> Writer:
    """Return the writer registered as ``name`` (or one of its aliases)."""
    key = name.strip().lower()
    key = BUILTIN_ALIASES.get(key, key)
    if key in _cache:
        return _cache[key]
    if key in BUILTIN_WRITERS:
        writer = _load(BUILTIN_WRITERS[key])
    else:
        plugins = _discover()
        target = plugins.get(key, (None,))[0]
        if target is None:
            for plugin_name, (plugin_target, _, _) in plugins.items():
                try:
                    aliases = getattr(_load(plugin_target), "aliases", ())
                except Exception:  # a broken plugin is reported when asked for by name
                    continue
                if key in aliases:
                    target = plugin_target
                    key = plugin_name
                    break
        if target is None:
            known = ", ".join(available_formats())
            raise UnknownFormatError(f"unknown format {name!r} (known formats: {known})")
        try:
            writer = _load(target)
        except Exception as exc:  # a broken plugin must not look like a zhconvert crash
            raise UnknownFormatError(
                f"the writer plugin for {key!r} failed to load: {exc}"
            ) from exc
    _cache[key] = writer
    return writer


def available_formats() -> list[str]:
    """Return the canonical names of every writer, built-in and installed."""
    return sorted(set(BUILTIN_WRITERS) | set(_discover()))


def installed_plugins() -> list[tuple[str, str, str]]:
    """Return ``(format, distribution, version)`` for writers not shipped with zhconvert."""
    return sorted(
        (name, dist, version)
        for name, (_, dist, version) in _discover().items()
        if dist != "zhconvert"
    )


def make_options(writer: Writer, options: Mapping[str, Any]) -> Any:
    """Build the writer's options record, naming any option it does not take."""
    fields = {f.name for f in dataclasses.fields(writer.Options)}
    unknown = sorted(set(options) - fields)
    if unknown:
        raise OptionError(
            f"the {writer.name} writer does not take option(s) {', '.join(unknown)}"
            f" (it takes: {', '.join(sorted(fields)) or 'none'})"
        )
    try:
        return writer.Options(**options)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"bad option for the {writer.name} writer: {exc}") from exc
