"""Split a post into front matter and body, parse the YAML, and derive typed metadata."""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections.abc import Mapping
from email.utils import parsedate_to_datetime
from pathlib import PurePath
from typing import Any

import yaml

from ..errors import FrontMatterError
from ..model import (
    Block,
    Byline,
    Emphasis,
    FrontMatter,
    Heading,
    Inline,
    InlineCode,
    LineBreak,
    Link,
    Mention,
    Metadata,
    Paragraph,
    Strikethrough,
    Strong,
    Subscript,
    Superscript,
    Text,
    Underline,
)
from ._safety import has_safe_scheme

__all__ = [
    "CHINA_TZ",
    "FENCES",
    "derive_metadata",
    "front_matter_format",
    "is_placeholder",
    "labels",
    "parse_date",
    "parse_front_matter",
    "plausible_date",
    "single_line",
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
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            simple = _simple_mapping(node, loader)
            return loader.construct_document(node) if simple is None else simple
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _BadSyntax(
            getattr(exc, "problem", None) or "invalid YAML",
            mark.line + 1 if mark is not None else None,
            mark.column + 1 if mark is not None else None,
        ) from None


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


def _simple_mapping(node: yaml.Node, loader: Any) -> dict[str, Any] | None:
    """Build what PyYAML would from a mapping of text keys to scalars and lists of scalars.

    Nearly every front matter is one. PyYAML's constructor spends most of ``loads``' time on
    YAML: here each text value is taken from its node directly, and only other scalars (dates,
    numbers) go through the constructor. None for anything else (merge keys, nested mappings,
    a list that appears twice through an alias), which PyYAML builds itself.
    """
    if not isinstance(node, yaml.MappingNode) or node.tag != _MAP_TAG:
        return None
    mapping: dict[str, Any] = {}
    lists: set[int] = set()
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
            return None
        value: Any
        if isinstance(value_node, yaml.ScalarNode):
            if value_node.tag == _STR_TAG:
                value = value_node.value
            else:
                value = loader.construct_object(value_node)
        elif isinstance(value_node, yaml.SequenceNode) and value_node.tag == _SEQ_TAG:
            if id(value_node) in lists:
                return None  # an alias: PyYAML gives the same list twice
            lists.add(id(value_node))
            items: list[Any] = []
            for item in value_node.value:
                if not isinstance(item, yaml.ScalarNode):
                    return None
                items.append(item.value if item.tag == _STR_TAG else loader.construct_object(item))
            value = items
        else:
            return None
        mapping[key_node.value] = value
    return mapping


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
        if type(item) is str:
            continue  # most values, and an ABC check is slow
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
    # A name of its own per handler: compiled with mypyc, a name holds one type in a function.
    except _TooLarge as too_large:
        problem = f"front matter {too_large}"
        if strict:
            raise FrontMatterError(problem, line=line_offset + 1) from None
        warnings.append(f"{problem}; keys recovered line by line")
        loaded = _recover(yaml_text) if fmt == "yaml" else {}
    except _BadSyntax as bad:
        line = bad.line + line_offset if bad.line is not None else None
        if strict:
            raise FrontMatterError(
                f"front matter is not valid {language}: {bad.problem}", line=line, column=bad.column
            ) from None
        where = f" (at line {line}, column {bad.column})" if line is not None else ""
        recovered = "keys recovered line by line" if fmt == "yaml" else "ignored"
        warnings.append(f"front matter is not valid {language}: {bad.problem}{where}; {recovered}")
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


# ---------------------------------------------------------------------------------------------
# Typed metadata

#: Dates before this year are warned about (no post of the web archives is older).
EARLIEST_PLAUSIBLE_YEAR = 1990
#: Dates more than this far after the time of reading are warned about.
LATEST_PLAUSIBLE_AHEAD = dt.timedelta(days=366)
#: Titles taken from the body are cut at this many characters.
TITLE_FROM_BODY_LENGTH = 50

_PLACEHOLDER_COVER = re.compile(r"picsum\.photos|zhihu\.com/equation", re.I)
_WEB_URL = re.compile(r"https?://[^\s]", re.I)
_WEB_SCHEMES = frozenset({"http", "https"})
#: Characters a title made only of is no title: punctuation, spaces, math and modifier symbols.
_NOT_TITLE_CATEGORIES = ("P", "Z", "Sm", "Sk", "C")
#: Open punctuation after which, and closing punctuation before which, a joined line needs no
#: space.
_OPENERS = "\"'“‘「『（(《【〈[{"
_CLOSERS = "\"'”’」』）)》】〉]}，。！？、：；,.!?:;"
#: A dash, en dash, em dash or bullet a category was meant to be a list item with.
_LIST_MARK = re.compile(r"^[-–—―‒•·]+\s+")
#: "作者：某某" (also 撰文, 文, 原作者) in the first lines of a body.
_BODY_AUTHOR = re.compile(
    r"(?:^|[\s，,。；;（(|｜])(?:原作者|作者|撰文|文)\s*[:：/／|｜]\s*"
    r"(?P<name>[^\s，,。；;：:|｜（）()\"“”@][^，,。；;|｜（）()\"“”\n]{0,29}?)"
    r"\s*(?=$|[，,。；;|｜（(\n])"
)
#: 知乎's answer header: "某某的回答" on a line of its own.
_ANSWER_BY = re.compile(r"^(?P<name>\S.{0,29}?)的回答$")
#: A title ending in a quoted part: `@name "what was posted"`.
_QUOTED_END = re.compile(r'(?s)(.*?)"([^"]*)"')
#: A social post's RSSHub title: ``@handle "what was posted"``.
_HANDLE_TITLE = re.compile(r'^@(?P<handle>[\w.-]+(?:@[\w.-]+)?)\s+"')


def _flatten(value: object) -> list[str]:
    """Return the strings a YAML value holds, nested lists and mappings flattened in order."""
    out: list[str] = []
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if item is None:
            continue
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, Mapping):
            pairs: list[object] = []
            for key, val in item.items():
                pairs.extend((key, val))
            stack.extend(reversed(pairs))
        elif isinstance(item, (list, tuple, set, frozenset)):
            stack.extend(reversed(list(item)))
        else:
            out.append(str(item))
    return out


def labels(value: object) -> tuple[str, ...]:
    """Return categories or tags as plain strings, nesting flattened, each once.

    `` -  - news`` (a list in a list) and ``— news`` (a dash YAML does not take for one) are
    both the label ``news``.
    """
    # a dict keeps the order and finds repeats in constant time (a front matter may hold 100,000)
    seen: dict[str, None] = {}
    for raw in _flatten(value):
        text = _LIST_MARK.sub("", " ".join(raw.split()))
        if text:
            seen.setdefault(text, None)
    return tuple(seen)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F", "H") and not (
        "\uac00" <= char <= "\ud7a3" or "\u1100" <= char <= "\u11ff"  # Hangul has spaces
    )


def _join_lines(lines: list[str]) -> str:
    """Join a title's lines the way CSS joins lines of text.

    No space between two wide characters (Chinese, Japanese) nor inside quotes and brackets;
    one space otherwise.
    """
    pieces: list[str] = []
    previous = ""  # the text so far ends with this line
    for line in lines:
        if pieces:
            left, right = previous[-1], line[0]
            before = previous[-2] if len(previous) > 1 else (" " if len(pieces) == 1 else "x")
            opening = left in _OPENERS and (before.isspace() or left not in "\"'")
            if not (opening or right in _CLOSERS or (_is_wide(left) and _is_wide(right))):
                pieces.append(" ")
        pieces.append(line)
        previous = line
    return "".join(pieces)


def single_line(text: str) -> str:
    """Return ``text`` on one line, its whitespace runs made single spaces."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return _join_lines([line for line in lines if line])


def is_placeholder(title: str) -> bool:
    """Return whether a title holds nothing but punctuation, spaces and symbols like ``-``."""
    return not any(
        not unicodedata.category(char).startswith(_NOT_TITLE_CATEGORIES) for char in title
    )


def _unescape_hexo(text: str) -> str:
    return text.replace("&#123;", "{").replace("&#125;", "}")


def _title(value: object) -> str:
    if value is None or isinstance(value, (Mapping, list, tuple, set, frozenset)):
        return ""
    title = single_line(_unescape_hexo(str(value)))
    # The feed generator wrote an ASCII "?" as "_"; only a trailing one is certainly that.
    if title.endswith("_") and not title.endswith("__"):
        title = title[:-1] + "?"
    quoted = _QUOTED_END.fullmatch(title)
    if quoted and quoted.group(2).strip() and quoted.group(2) != quoted.group(2).strip():
        # `@name "\nwhat was posted\n"`: the quotes held the post's own line breaks
        title = f'{quoted.group(1)}"{quoted.group(2).strip()}"'
    return title


def _inline_lines(inlines: tuple[Inline, ...], limit: int) -> list[str]:
    """Return the first ``limit`` lines of inline text (a paragraph may hold thousands)."""
    lines: list[list[str]] = [[]]
    stack = [iter(inlines)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
        elif isinstance(node, (Text, InlineCode)):
            lines[-1].append(node.text)
        elif isinstance(node, Mention):
            lines[-1].append("@" + node.name)
        elif isinstance(node, LineBreak):
            if len(lines) == limit:
                break
            lines.append([])
        elif isinstance(
            node, (Strong, Emphasis, Underline, Strikethrough, Superscript, Subscript, Link)
        ):
            stack.append(iter(node.children))
    return ["".join(parts) for parts in lines]


def _body_lines(blocks: tuple[Block, ...], limit: int) -> list[str]:
    """Return the first ``limit`` lines of text of the body's headings and paragraphs."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            lines.append(single_line("\n".join(_inline_lines(block.children, limit))))
        elif isinstance(block, Paragraph):
            text = _inline_lines(block.children, limit - len(lines))
            lines.extend(" ".join(line.split()) for line in text)
        if len(lines) >= limit:
            break
    return [line for line in lines[:limit] if line]


def _cut(text: str, length: int = TITLE_FROM_BODY_LENGTH) -> str:
    return text if len(text) <= length else text[:length].rstrip() + "…"


def _fallback_title(
    blocks: tuple[Block, ...], path: str | None, feed: str, date: dt.datetime | None
) -> str:
    """Return a title for a post whose own is blank or a placeholder.

    The first heading or line of the body, else the file's name, else the feed and the day: the
    first of them that is not a placeholder itself.
    """
    for line in _body_lines(blocks, 20):
        if not is_placeholder(line):
            return _cut(line)
    if path:
        stem = PurePath(path).stem
        if stem and not is_placeholder(stem):
            return single_line(stem)
    return " ".join(part for part in (feed, date.date().isoformat() if date else "") if part)


def _body_author(blocks: tuple[Block, ...]) -> str:
    for line in _body_lines(blocks, 6):
        match = _BODY_AUTHOR.search(line) or _ANSWER_BY.match(line)
        if match and not _WEB_URL.match(match.group("name")):
            return match.group("name").strip()
    return ""


def _feed(categories: tuple[str, ...], site: str) -> str:
    if len(categories) >= 2:
        last, parent = categories[-1], categories[-2]
        return last if parent in last else f"{parent} {last}"
    if categories:
        return categories[0]
    return site


def plausible_date(date: dt.datetime, now: dt.datetime | None = None) -> bool:
    """Return whether ``date`` is after 1989 and at most about a year after ``now``."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return date.year >= EARLIEST_PLAUSIBLE_YEAR and date <= now + LATEST_PLAUSIBLE_AHEAD


def derive_metadata(
    mapping: Mapping[str, Any],
    blocks: tuple[Block, ...],
    page_url: str = "",
    path: str | None = None,
) -> tuple[Metadata, tuple[str, ...]]:
    """Return the typed metadata of a post, with warnings about values kept though odd."""
    warnings: list[str] = []
    categories = labels(mapping.get("categories"))
    tags = labels(mapping.get("tags"))
    authors: list[str] = []
    answer_url = ""
    for block in blocks:
        # A byline is the reader's (or a site rule's) word on who wrote what follows.
        if isinstance(block, Byline):
            if block.author and block.author not in authors:
                authors.append(block.author)
            answer_url = answer_url or block.url
    # A feed writes the site as the post's ``author`` (then it is one of the categories, or the
    # body names the person); zhconvert's normalized front matter writes ``site`` and
    # ``author`` apart. Any other ``author`` names the person.
    named = "、".join(labels(mapping.get("author")))  # a list of authors is read too
    site = "、".join(labels(mapping.get("site")))
    if not site and named and (named in categories or authors):
        site, named = named, ""
    if not authors and named:
        authors.append(named)
    title = _title(mapping.get("title"))
    if not authors:
        handle = _HANDLE_TITLE.match(title)
        body_author = _body_author(blocks)
        if body_author:
            authors.append(body_author)
        elif handle:
            authors.append("@" + handle.group("handle"))
    date = parse_date(mapping.get("date"))
    feed = _feed(categories, site)
    if mapping and (not title or is_placeholder(title)):
        # Only a post with front matter: a bare document's title is in its body already.
        title = _fallback_title(blocks, path, feed, date) or title
    if date is not None and not plausible_date(date):
        warnings.append(
            f"the date {date.date().isoformat()} is implausible (before {EARLIEST_PLAUSIBLE_YEAR} "
            "or more than a year from now); kept as it is"
        )
    cover = ""
    for key in ("headimg", "thumbnail", "cover"):
        candidate = mapping.get(key)
        if (
            isinstance(candidate, str)
            and candidate.strip()
            # A cover is an image source to whoever reads the metadata: a web address or a
            # path, never javascript: or data:.
            and has_safe_scheme(candidate, _WEB_SCHEMES)
            and not _PLACEHOLDER_COVER.search(candidate)
        ):
            cover = candidate.strip()
            break
    url = page_url or answer_url
    for key in ("url", "link", "permalink"):
        candidate = mapping.get(key)
        if not url and isinstance(candidate, str) and _WEB_URL.match(candidate.strip()):
            url = candidate.strip()
    meta = Metadata(
        title=title,
        author="、".join(authors),
        site=site,
        date=date,
        categories=categories,
        tags=tags,
        cover=cover,
        feed=feed,
        url=url,
    )
    return meta, tuple(warnings)
