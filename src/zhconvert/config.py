"""Project configuration: the ``[tool.zhconvert]`` table, shared by every command.

The table is read from the first ``zhconvert.toml`` or ``pyproject.toml`` (one that has a
``[tool.zhconvert]`` table) found in the start folder or above it; the search stops at the root of
the git repository (the folder holding ``.git``), so a stray file in a home folder does not leak in.
In ``zhconvert.toml`` the keys may stand at the top level or in ``[tool.zhconvert]``; when both
files are in one folder, ``zhconvert.toml`` wins.

Keys (see ``docs/configuration.md``; ``KEYS`` says which commands use each)::

    [tool.zhconvert]
    front-matter = "keep"     # or "normalize"
    images = "remote"         # or "local", "embed", "omit"
    image-source = "best"     # or "src"
    image-folder = "source/images"
    encoding = "utf-8"        # or "keep"
    exclude = ["drafts/**", "*.raw.md"]
    chinese = "none"          # or "s", "t", "tw", "hk"
    cjk-spacing = false       # or true
    hotlink = "markdown"      # or "html"
    referer-hosts = ["img.example.com"]

Every value is a `Setting` that remembers where it came from (``"default"``, a file, or
``"command line"``), so that ``zhconvert config`` can explain it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, Generic, TypeVar

from ._glob import Glob
from .errors import ZhconvertError

__all__ = [
    "CHINESE_CHOICES",
    "CONFIG_FILES",
    "ENCODING_CHOICES",
    "FRONT_MATTER_MODES",
    "HOTLINK_CHOICES",
    "IMAGE_CHOICES",
    "IMAGE_SOURCE_CHOICES",
    "KEYS",
    "Config",
    "ConfigError",
    "Key",
    "Setting",
    "find_config",
    "load_config",
]

#: File names searched in each folder, in order of precedence.
CONFIG_FILES = ("zhconvert.toml", "pyproject.toml")

FRONT_MATTER_MODES = ("keep", "normalize")
#: What becomes of images (``--images``): keep their addresses, store them with the output and
#: link them, put them in the book, or leave them out (their captions stay).
IMAGE_CHOICES = ("remote", "local", "embed", "omit")
#: Which address of an image to write (normalize's ``--image-source``): the full-size one, or
#: the one the page showed.
IMAGE_SOURCE_CHOICES = ("best", "src")
#: The old spellings of ``--images``, accepted for this release with a warning.
IMAGE_ALIASES = {"link": "remote"}
ENCODING_CHOICES = ("utf-8", "keep")
#: ``none`` leaves the text as it is; the others are ``zhconvert.chinese.CHINESE_TARGETS``.
CHINESE_CHOICES = ("none", "s", "t", "tw", "hk")
#: How the Markdown writer gives an image from a host that refuses other sites' Referer
#: (``zhconvert.images.hosts``): Markdown, or HTML with ``referrerpolicy="no-referrer"``.
HOTLINK_CHOICES = ("markdown", "html")

DEFAULT_ORIGIN = "default"
COMMAND_LINE = "command line"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Key:
    """One configuration key: its name in the file, the flag that overrides it, who uses it."""

    name: str
    flag: str
    commands: tuple[str, ...]
    help: str


#: Every key, in the order ``zhconvert config`` shows them.
KEYS: tuple[Key, ...] = (
    Key(
        "front-matter",
        "--front-matter",
        ("normalize", "convert"),
        'keep the front matter as in the file ("keep") or write the typed metadata ("normalize")',
    ),
    Key(
        "images",
        "--images",
        ("convert", "normalize", "book"),
        'keep the image addresses ("remote"), store the images with the posts and link them '
        '("local"), put them in the book ("embed", the EPUB default) or leave them out '
        '("omit"); a value a command cannot use leaves that command its default',
    ),
    Key(
        "image-source",
        "--image-source",
        ("normalize",),
        'figures point at the full-size image ("best") or the one the page showed ("src")',
    ),
    Key(
        "image-folder",
        "--image-folder",
        ("convert", "normalize"),
        'where --images local stores images (relative to the file that sets it); "" follows '
        "Hexo's conventions, else an images folder beside the output",
    ),
    Key(
        "encoding",
        "--encoding",
        ("normalize",),
        'write a rewritten GB18030 or UTF-16 post as UTF-8, which Hexo reads ("utf-8"), or in '
        'its own encoding ("keep")',
    ),
    Key(
        "exclude",
        "--exclude",
        ("normalize", "convert"),
        "globs of files never touched (convert: files found in folders)",
    ),
    Key(
        "chinese",
        "--chinese",
        ("convert", "normalize", "book"),
        'convert Chinese: "s" Simplified, "t" Traditional, "tw" Taiwan, "hk" Hong Kong, '
        '"none" as it is',
    ),
    Key(
        "cjk-spacing",
        "--cjk-spacing",
        ("convert", "normalize", "book"),
        "insert spaces between CJK and Latin text (never in code or URLs)",
    ),
    Key(
        "hotlink",
        "--hotlink",
        ("convert", "normalize"),
        'images from hosts that refuse other sites\' Referer: Markdown ("markdown") or HTML '
        'with referrerpolicy="no-referrer" ("html")',
    ),
    Key(
        "referer-hosts",
        "(none)",
        ("convert", "normalize"),
        "more image host suffixes that refuse other sites' Referer (added to zhconvert's list)",
    ),
)


class ConfigError(ZhconvertError):
    """The configuration file does not parse, or holds a bad value."""


@dataclass(frozen=True, slots=True)
class Setting(Generic[T]):
    """One configuration value and where it came from.

    ``origin`` is ``"default"``, ``"command line"`` or ``"<file> [tool.zhconvert]"``.
    """

    value: T
    origin: str = DEFAULT_ORIGIN


@dataclass(frozen=True, slots=True)
class Config:
    """The settings in force; ``path`` is the file they were read from (``None``: defaults only).

    ``root`` is the folder that relative ``exclude`` globs are matched from: the folder of the
    configuration file, else the folder the search started in.
    """

    front_matter: Setting[str] = Setting("keep")
    images: Setting[str] = Setting("remote")
    image_source: Setting[str] = Setting("best")
    image_folder: Setting[str] = Setting("")
    encoding: Setting[str] = Setting("utf-8")
    exclude: Setting[tuple[str, ...]] = Setting(())
    chinese: Setting[str] = Setting("none")
    cjk_spacing: Setting[bool] = Setting(False)
    hotlink: Setting[str] = Setting("markdown")
    referer_hosts: Setting[tuple[str, ...]] = Setting(())
    path: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    warnings: tuple[str, ...] = ()

    def override(
        self,
        *,
        front_matter: str | None = None,
        images: str | None = None,
        exclude: Iterable[str] = (),
        chinese: str | None = None,
        cjk_spacing: bool | None = None,
        encoding: str | None = None,
        hotlink: str | None = None,
        image_source: str | None = None,
        image_folder: str | None = None,
    ) -> Config:
        """Return this configuration with the command line's values on top.

        ``None`` means "not given". Globs in ``exclude`` are added to the configured ones. The
        old spellings of ``images`` (``link``; ``best`` and ``src``, now ``image_source``) are
        taken with a warning.
        """
        config = self
        if images in IMAGE_ALIASES:
            new = IMAGE_ALIASES[images]
            config = config._warned(f"--images {images} is deprecated; use --images {new}")
            images = new
        elif images in IMAGE_SOURCE_CHOICES:
            config = config._warned(f"--images {images} is deprecated; use --image-source {images}")
            image_source = image_source or images
            images = None
        if image_source is not None:
            _check_choice("image-source", image_source, IMAGE_SOURCE_CHOICES, COMMAND_LINE)
            config = replace(config, image_source=Setting(image_source, COMMAND_LINE))
        if image_folder is not None:
            config = replace(config, image_folder=Setting(image_folder, COMMAND_LINE))
        if front_matter is not None:
            _check_choice("front-matter", front_matter, FRONT_MATTER_MODES, COMMAND_LINE)
            config = replace(config, front_matter=Setting(front_matter, COMMAND_LINE))
        if images is not None:
            _check_choice("images", images, IMAGE_CHOICES, COMMAND_LINE)
            config = replace(config, images=Setting(images, COMMAND_LINE))
        if encoding is not None:
            _check_choice("encoding", encoding, ENCODING_CHOICES, COMMAND_LINE)
            config = replace(config, encoding=Setting(encoding, COMMAND_LINE))
        if chinese is not None:
            _check_choice("chinese", chinese, CHINESE_CHOICES, COMMAND_LINE)
            config = replace(config, chinese=Setting(chinese, COMMAND_LINE))
        if cjk_spacing is not None:
            config = replace(config, cjk_spacing=Setting(bool(cjk_spacing), COMMAND_LINE))
        if hotlink is not None:
            _check_choice("hotlink", hotlink, HOTLINK_CHOICES, COMMAND_LINE)
            config = replace(config, hotlink=Setting(hotlink, COMMAND_LINE))
        extra = tuple(exclude)
        if extra:
            origin = COMMAND_LINE
            if config.exclude.value:
                origin = f"{config.exclude.origin} + {COMMAND_LINE}"
            config = replace(config, exclude=Setting(config.exclude.value + extra, origin))
        return config

    def _warned(self, message: str) -> Config:
        return replace(self, warnings=(*self.warnings, message))

    def image_folder_path(self) -> Path | None:
        """Return the folder ``--images local`` stores images in, or None: the default places.

        A relative folder from a configuration file is taken from that file's folder; from the
        command line, from the working directory.
        """
        value = self.image_folder.value
        if not value:
            return None
        folder = Path(os.path.expanduser(value))
        if self.image_folder.origin != COMMAND_LINE and self.path is not None:
            folder = self.path.parent / folder
        return Path(os.path.abspath(folder))

    def is_excluded(self, path: Path) -> bool:
        """Return whether ``path`` matches one of the ``exclude`` globs."""
        return _matches_any(self._exclude_patterns(), self.root, path)

    def _exclude_patterns(self) -> tuple[tuple[Glob, bool], ...]:
        return _compile_globs(self.exclude.value)

    def items(self) -> list[tuple[str, Setting[Any]]]:
        """Return ``(key, setting)`` pairs with the keys as written in the file."""
        return [
            ("front-matter", self.front_matter),
            ("images", self.images),
            ("image-source", self.image_source),
            ("image-folder", self.image_folder),
            ("encoding", self.encoding),
            ("exclude", self.exclude),
            ("chinese", self.chinese),
            ("cjk-spacing", self.cjk_spacing),
            ("hotlink", self.hotlink),
            ("referer-hosts", self.referer_hosts),
        ]

    @property
    def text_options(self) -> dict[str, Any]:
        """Return the Chinese-text options for ``zhconvert.dumps``: ``chinese``, ``cjk_spacing``."""
        chinese = None if self.chinese.value == "none" else self.chinese.value
        return {"chinese": chinese, "cjk_spacing": self.cjk_spacing.value}


def find_config(start: Path | None = None) -> Config:
    """Return the configuration in force for ``start`` (default: the working directory)."""
    folder = Path(os.path.abspath(start if start is not None else Path.cwd()))
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        for name in CONFIG_FILES:
            path = candidate / name
            if not path.is_file():
                continue
            table = _read_table(path)
            if table is not None:
                return _build(table, path)
        # The repository root is as far as a repository's configuration goes.
        if (candidate / ".git").exists():
            break
    return Config(root=folder)


def load_config(path: Path) -> Config:
    """Return the configuration in ``path`` (a ``zhconvert.toml`` or a ``pyproject.toml``)."""
    table = _read_table(path)
    if table is None:
        table = {}
    return _build(table, Path(os.path.abspath(path)))


# ---------------------------------------------------------------------------------------------
# Reading and checking the table


#: A configuration file is a few lines; a bigger one is a mistake (or /dev/zero), not settings.
_MAX_CONFIG_BYTES = 1024**2


def _read_table(path: Path) -> Mapping[str, Any] | None:
    """Return the ``[tool.zhconvert]`` table of ``path``; ``None`` if a pyproject has none."""
    # Imported here: most runs find no configuration file, and start-up time counts (the hook).
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 only
        # tomli is a dependency for python_version < "3.11" only.
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    import stat

    try:
        # Opened without blocking and checked: a FIFO or a device is refused, not waited on.
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ConfigError("not a regular file", path=str(path))
            with os.fdopen(os.dup(fd), "rb") as handle:
                raw = handle.read(_MAX_CONFIG_BYTES + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    if len(raw) > _MAX_CONFIG_BYTES:
        raise ConfigError(f"larger than {_MAX_CONFIG_BYTES // 1024**2} MB", path=str(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x})",
            path=str(path),
            line=line,
            column=column,
        ) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already ends with "(at line L, column C)".
        raise ConfigError(f"invalid TOML: {exc}", path=str(path)) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively.
        raise ConfigError("invalid TOML: nested too deeply", path=str(path)) from None
    tool = document.get("tool")
    table = tool.get("zhconvert") if isinstance(tool, dict) else None
    if path.name == "pyproject.toml":
        if table is None:
            return None
    elif table is None:
        table = {key: value for key, value in document.items() if key != "tool"}
    if not isinstance(table, dict):
        raise ConfigError("[tool.zhconvert] must be a table", path=str(path))
    return table


def _build(table: Mapping[str, Any], path: Path) -> Config:
    origin = f"{path} [tool.zhconvert]"
    config = Config(path=path, root=path.parent)
    warnings: list[str] = []
    for key, value in table.items():
        # Accept snake_case too: TOML users write both, and a silent ignore would hide a typo.
        name = key.replace("_", "-")
        if name == "front-matter":
            _check_choice(key, value, FRONT_MATTER_MODES, str(path))
            config = replace(config, front_matter=Setting(value, origin))
        elif name == "images":
            if value in IMAGE_SOURCE_CHOICES:
                # The old key, normalize's choice of address: kept for this release.
                warnings.append(
                    f'{path}: [tool.zhconvert] {key} = "{value}" is deprecated; use '
                    f'image-source = "{value}"'
                )
                config = replace(config, image_source=Setting(value, origin))
                continue
            if value in IMAGE_ALIASES:
                new = IMAGE_ALIASES[value]
                warnings.append(
                    f'{path}: [tool.zhconvert] {key} = "{value}" is deprecated; use {key} = "{new}"'
                )
                value = new
            _check_choice(key, value, IMAGE_CHOICES, str(path))
            config = replace(config, images=Setting(value, origin))
        elif name == "image-source":
            _check_choice(key, value, IMAGE_SOURCE_CHOICES, str(path))
            config = replace(config, image_source=Setting(value, origin))
        elif name == "image-folder":
            if not isinstance(value, str):
                raise ConfigError(
                    f"[tool.zhconvert] {key}: must be a folder name (a string)", path=str(path)
                )
            config = replace(config, image_folder=Setting(value, origin))
        elif name == "encoding":
            _check_choice(key, value, ENCODING_CHOICES, str(path))
            config = replace(config, encoding=Setting(value, origin))
        elif name == "exclude":
            globs = _strings(key, value, str(path), "glob strings")
            _compile_globs(globs)  # reject a bad glob now, not on the first file
            config = replace(config, exclude=Setting(globs, origin))
        elif name == "chinese":
            _check_choice(key, value, CHINESE_CHOICES, str(path))
            config = replace(config, chinese=Setting(value, origin))
        elif name == "cjk-spacing":
            if not isinstance(value, bool):
                shown = f'"{value}"' if isinstance(value, str) else repr(value)
                raise ConfigError(
                    f"[tool.zhconvert] {key}: must be true or false, not {shown}", path=str(path)
                )
            config = replace(config, cjk_spacing=Setting(value, origin))
        elif name == "hotlink":
            _check_choice(key, value, HOTLINK_CHOICES, str(path))
            config = replace(config, hotlink=Setting(value, origin))
        elif name == "referer-hosts":
            hosts = _strings(key, value, str(path), "host names", blank=False)
            config = replace(config, referer_hosts=Setting(hosts, origin))
        else:
            # Another command (or a newer zhconvert) may own the key: warn, do not fail.
            warnings.append(f"{path}: [tool.zhconvert] unknown key {key!r} ignored")
    return replace(config, warnings=tuple(warnings))


def _strings(
    key: str, value: object, where: str, what: str, *, blank: bool = True
) -> tuple[str, ...]:
    """Return ``value``, a string or a list of strings, as a tuple; else a ConfigError."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(
        isinstance(item, str) and (blank or item.strip()) for item in items
    ):
        raise ConfigError(f"[tool.zhconvert] {key}: must be a list of {what}", path=where)
    return tuple(items)


def _check_choice(key: str, value: object, choices: tuple[str, ...], where: str) -> None:
    if value not in choices:
        quoted = [f'"{c}"' for c in choices]
        allowed = quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        place = "" if where == COMMAND_LINE else "[tool.zhconvert] "
        path = None if where == COMMAND_LINE else where
        raise ConfigError(f"{place}{key}: must be {allowed}, not {shown}", path=path)


# ---------------------------------------------------------------------------------------------
# Globs
#
# Globs follow .gitignore's shape, which blog owners already know: a glob without "/" matches a
# file or folder name at any depth ("*.raw.md", "drafts"); a glob with "/" is matched from the
# configuration's folder ("source/_drafts/**"); "**" spans folders; a match on a folder excludes
# everything below it.

_glob_cache: dict[tuple[str, ...], tuple[tuple[Glob, bool], ...]] = {}


def _compile_globs(globs: tuple[str, ...]) -> tuple[tuple[Glob, bool], ...]:
    cached = _glob_cache.get(globs)
    if cached is None:
        compiled = []
        for glob in globs:
            text = glob.strip().replace("\\", "/")
            anchored = "/" in text.rstrip("/")
            text = text.strip("/")
            if not text:
                raise ConfigError(f"empty exclude glob {glob!r}")
            try:
                compiled.append((Glob(text), anchored))
            except re.error as exc:
                raise ConfigError(f"bad exclude glob {glob!r}: {exc}") from None
        cached = tuple(compiled)
        _glob_cache[globs] = cached
    return cached


def _matches_any(patterns: tuple[tuple[Glob, bool], ...], root: Path, path: Path) -> bool:
    if not patterns:
        return False
    absolute = Path(os.path.abspath(path))
    try:
        parts = absolute.relative_to(root).parts
        inside = True
    except ValueError:
        parts = absolute.parts[1:]
        inside = False
    # Every leading part of the path is tried, so that a glob naming a folder covers its files.
    prefixes = [str(PurePosixPath(*parts[: n + 1])) for n in range(len(parts))]
    for pattern, anchored in patterns:
        if anchored:
            if inside and any(pattern.match(prefix) for prefix in prefixes):
                return True
        elif any(pattern.match(part) for part in parts):
            return True
    return False
