"""Split a post into front matter and body, parse the YAML, and derive typed metadata."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import yaml

from ..errors import FrontMatterError
from ..model import FrontMatter

__all__ = [
    "CHINA_TZ",
    "FENCES",
    "front_matter_format",
    "parse_date",
    "parse_front_matter",
    "split_front_matter",
]

#: 知乎日报 writes naive times; the feed is in China Standard Time.
CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "UTC+08:00")

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The key is everything up to the first colon (callers strip it). Not ``[^:]*?\s*:``: that lazy
# form tries the spaces after every character again, quadratic on a long line of spaces.
_TOP_KEY = re.compile(r"^([^\s#:'\"-][^:]*):(?:\s|$)")


#: The opening fence of each front-matter format, and the lines that close it (the fences of
#: python-frontmatter's handlers and of Hugo: YAML, TOML, and a JSON object).
FENCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "---": ("yaml", ("---", "...")),
    "+++": ("toml", ("+++",)),
    "{": ("json", ("}",)),
}


def front_matter_format(fm_text: str) -> str:
    """Return the format (``yaml``, ``toml``, ``json``) of a front matter split off a post."""
    fence = fm_text.lstrip().split("\n", 1)[0].rstrip()
    return FENCES[fence][0] if fence in FENCES else "yaml"


def split_front_matter(text: str) -> tuple[str | None, str, str]:
    """Return ``(front_matter_text, inner_text, body)`` for ``text`` with ``\\n`` newlines.

    The front matter is YAML between ``---`` lines, TOML between ``+++`` lines, or a JSON object
    whose first and last lines are ``{`` and ``}``; ``inner_text`` is what is between the fences
    (for JSON, the object with its braces). Blank lines before the opening fence are allowed
    (every archived post starts with one) and belong to the front-matter text, so that it can
    be written back byte for byte. A post with no complete block gives ``(None, "", text)``.
    """
    pos = 0
    length = len(text)
    while pos < length:
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        if line.strip():
            break
        if end < 0:
            return None, "", text
        pos = end + 1
    open_end = text.find("\n", pos)
    if open_end < 0:
        return None, "", text
    fence = text[pos:open_end].rstrip()
    if fence not in FENCES:
        return None, "", text
    closers = FENCES[fence][1]
    inner_start = open_end + 1
    search = inner_start
    while True:
        end = text.find("\n", search)
        line = text[search:] if end < 0 else text[search:end]
        if line.rstrip() in closers:
            close_end = length if end < 0 else end + 1
            inner = text[inner_start:search]
            if fence == "{":
                inner = "{\n" + inner + "}"
            return text[:close_end], inner, text[close_end:]
        if end < 0:
            return None, "", text
        search = end + 1


#: Values (keys, items, scalars) a front matter may hold once its aliases are expanded.
MAX_YAML_NODES = 100_000
#: Collections a front matter may nest, one inside the other.
MAX_YAML_DEPTH = 50


class _TooLarge(Exception):
    pass


class _BadSyntax(Exception):
    """The front matter's text is not valid in its language; line and column where known."""

    def __init__(self, problem: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(problem)
        self.problem, self.line, self.column = problem, line, column


def _load_yaml(text: str) -> Any:
    # PyYAML builds nested collections recursively (in C: deep enough input crashes the
    # process), so the nesting is measured first, on the parser's flat event stream.
    try:
        try:
            too_deep = _nests_deeper(text, MAX_YAML_DEPTH)
        except yaml.YAMLError as exc:
            # PyYAML 6.0.4 and later stop very deep input themselves, with their own words.
            if "nesting depth" not in str(getattr(exc, "problem", "") or exc):
                raise
            too_deep = True
        if too_deep:
            raise _TooLarge(f"nests deeper than {MAX_YAML_DEPTH} levels")
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _BadSyntax(
            getattr(exc, "problem", None) or "invalid YAML",
            mark.line + 1 if mark is not None else None,
            mark.column + 1 if mark is not None else None,
        ) from None


def _too_deep_brackets(text: str, limit: int) -> bool:
    """Whether brackets and braces outside strings nest deeper than ``limit`` (TOML, JSON)."""
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    quote = ""
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


_AT_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _load_toml(text: str) -> Any:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

    # The parser recurses into nested arrays and inline tables, as PyYAML does.
    if _too_deep_brackets(text, MAX_YAML_DEPTH):
        raise _TooLarge(f"nests deeper than {MAX_YAML_DEPTH} levels")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = _AT_LINE.search(message)
        problem = _AT_LINE.sub("", message).strip() or "invalid TOML"
        if where is None:
            raise _BadSyntax(problem) from None
        raise _BadSyntax(problem, int(where.group(1)), int(where.group(2))) from None


def _load_json(text: str) -> Any:
    import json

    if _too_deep_brackets(text, MAX_YAML_DEPTH):
        raise _TooLarge(f"nests deeper than {MAX_YAML_DEPTH} levels")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _BadSyntax(exc.msg, exc.lineno, exc.colno) from None


def _nests_deeper(yaml_text: str, limit: int) -> bool:
    """Whether the YAML nests collections deeper than ``limit`` (stops reading once it does)."""
    # Every collection starts at an indicator ("-", ":", "?", "[" or "{"): text with few of
    # them cannot nest deeply, and most front matter needs no second parse to prove it.
    if sum(map(yaml_text.count, "-:?[{")) <= limit:
        return False
    depth = 0
    for event in yaml.parse(yaml_text, Loader=_Loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > limit:
                return True
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1
    return False


def _within(value: object, budget: int) -> bool:
    """Whether ``value``, with every alias expanded, holds at most ``budget`` values."""
    stack = [value]
    count = 0
    while stack:
        item = stack.pop()
        count += 1
        if count > budget:
            return False
        if isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(item)
    return True


def _recover(yaml_text: str) -> dict[str, Any]:
    """Read ``key: value`` lines the way a person would when the YAML is broken."""
    mapping: dict[str, Any] = {}
    last_key: str | None = None
    for line in yaml_text.split("\n"):
        item = re.match(r"^\s*-\s+(.*)$", line)
        if item and last_key is not None:
            current = mapping.get(last_key)
            if not isinstance(current, list):
                current = [] if current in (None, "") else [current]
            current.append(_unquote(item.group(1)))
            mapping[last_key] = current
            continue
        match = _TOP_KEY.match(line)
        if match:
            last_key = match.group(1).strip()
            mapping[last_key] = _unquote(line[match.end() :])
    return mapping


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')
    return value


def parse_front_matter(
    fm_text: str, yaml_text: str, *, strict: bool, line_offset: int
) -> tuple[FrontMatter, tuple[str, ...]]:
    """Parse the YAML, TOML or JSON of a front matter; return it with any warnings.

    ``yaml_text`` is the text between the fences (``split_front_matter``'s ``inner_text``);
    ``line_offset`` is the file line of its first line minus one, so that errors point at the
    line in the file.
    """
    fmt = front_matter_format(fm_text)
    if fmt == "json":
        line_offset -= 1  # the JSON text starts with the opening brace's own line
    warnings: list[str] = []
    language = fmt.upper()
    try:
        loaded: Any = {}
        if yaml_text.strip():
            loaded = {"yaml": _load_yaml, "toml": _load_toml, "json": _load_json}[fmt](yaml_text)
        # Aliases can make a few lines stand for billions of values ("billion laughs"), or for
        # a list that holds itself; nothing downstream could walk or print that.
        if not _within(loaded, MAX_YAML_NODES):
            raise _TooLarge(f"holds more than {MAX_YAML_NODES} values, aliases expanded")
    except _TooLarge as exc:
        problem = f"front matter {exc}"
        if strict:
            raise FrontMatterError(problem, line=line_offset + 1) from None
        warnings.append(f"{problem}; keys recovered line by line")
        loaded = _recover(yaml_text) if fmt == "yaml" else {}
    except _BadSyntax as exc:
        line = exc.line + line_offset if exc.line is not None else None
        if strict:
            raise FrontMatterError(
                f"front matter is not valid {language}: {exc.problem}", line=line, column=exc.column
            ) from None
        where = f" (at line {line}, column {exc.column})" if line is not None else ""
        recovered = "keys recovered line by line" if fmt == "yaml" else "ignored"
        warnings.append(f"front matter is not valid {language}: {exc.problem}{where}; {recovered}")
        loaded = _recover(yaml_text) if fmt == "yaml" else {}
    except (ValueError, TypeError, OverflowError) as exc:
        # PyYAML builds some values with Python's own constructors, which raise their own
        # errors: `date: 2022-02-30` is a YAML timestamp that datetime refuses.
        problem = f"front matter has a value that cannot be read: {exc}"
        if strict:
            raise FrontMatterError(problem) from None
        warnings.append(f"{problem}; keys recovered line by line")
        loaded = _recover(yaml_text) if fmt == "yaml" else {}
    if loaded is None:
        loaded = {}
    if not isinstance(loaded, Mapping):
        kind = type(loaded).__name__
        if strict:
            raise FrontMatterError(
                f"front matter is a {language} {kind}, not a mapping", line=line_offset
            )
        warnings.append(f"front matter is a {language} {kind}, not a mapping; ignored")
        loaded = {}
    if fmt == "yaml":  # TOML refuses a key given twice; JSON keeps the last, as YAML does
        seen: set[str] = set()
        for number, line_text in enumerate(yaml_text.split("\n"), start=line_offset + 1):
            match = _TOP_KEY.match(line_text)
            if match:
                key = match.group(1).strip()
                if key in seen:
                    warnings.append(
                        f"front matter key {key!r} appears twice (line {number}); the last wins"
                    )
                seen.add(key)
    mapping = {str(k): v for k, v in loaded.items()}
    return FrontMatter(text=fm_text, mapping=mapping, format=fmt), tuple(warnings)


def parse_date(value: object) -> dt.datetime | None:
    """Return a timezone-aware datetime for a front-matter date, or None.

    RFC 2822 strings (知乎热榜), ISO strings, and YAML timestamps; naive times are UTC+8.
    """
    result: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            result = parsedate_to_datetime(text)
            if result.tzinfo is None:  # RFC 2822's "-0000": UTC, local zone unknown
                result = result.replace(tzinfo=dt.timezone.utc)
        except (TypeError, ValueError, IndexError):
            iso = text.replace("Z", "+00:00").replace("z", "+00:00")
            try:
                result = dt.datetime.fromisoformat(iso)
            except ValueError:
                match = re.match(
                    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?",
                    text,
                )
                if match:
                    parts = [int(p) if p else 0 for p in match.groups()]
                    try:
                        year, month, day, hour, minute, second = parts
                        result = dt.datetime(year, month, day, hour, minute, second)
                    except ValueError:
                        result = None
    if result is None:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=CHINA_TZ)
    return result
