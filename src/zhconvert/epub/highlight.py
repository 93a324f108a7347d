"""Code blocks as XHTML: a span per line, tokens highlighted by Pygments from the block's language.

The markup is classes only (Pygments' short token names: ``k`` keyword, ``c`` comment, ``s``
string...), coarsened to the few kinds the stylesheet styles, so a reader's own theme or a night
mode can override them. The stylesheet never carries meaning by colour alone: keywords are bold and
comments italic, so an e-ink screen shows the same structure. An unknown language, a language that
only names plain text, or a block too large to lex quickly is written plain; the text of every line
is kept exactly, whatever happens.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from . import markup

__all__ = ["MAX_HIGHLIGHT_CHARS", "MAX_HIGHLIGHT_LINES", "code_lines"]

#: Blocks larger than this are written plain: lexing cost grows with size, and a listing this long
#: is data, not something to read closely.
MAX_HIGHLIGHT_CHARS = 40_000
MAX_HIGHLIGHT_LINES = 1_000
#: The deepest indentation (in columns) the stylesheet has a hanging indent for.
MAX_INDENT_CLASS = 16

#: Languages that name no syntax (highlight.js's own class among them).
_PLAIN = frozenset({"", "text", "plain", "plaintext", "txt", "none", "nohighlight", "hljs"})

#: The token kinds the stylesheet styles, most specific first, each with its class.
_KINDS: tuple[tuple[str, str], ...] = (
    ("Comment.Preproc", "cp"),
    ("Comment.PreprocFile", "cp"),
    ("Comment", "c"),
    ("Keyword.Type", "kt"),
    ("Keyword", "k"),
    ("Operator.Word", "k"),
    ("Literal.String", "s"),
    ("Literal.Number", "m"),
    ("Name.Builtin", "nb"),
    ("Name.Function", "nf"),
    ("Name.Class", "nc"),
    ("Name.Decorator", "nd"),
    ("Name.Tag", "nt"),
    ("Name.Attribute", "na"),
    ("Generic.Deleted", "gd"),
    ("Generic.Inserted", "gi"),
    ("Generic.Heading", "gh"),
    ("Generic.Subheading", "gh"),
)


def code_lines(text: str, language: str) -> str:
    """Return the XHTML inside ``<code>`` for ``text``: a span per line, highlighted if known."""
    tokens = _tokens(text, language)
    indents = [_indent(line) for line in text.split("\n")]
    out: list[str] = []
    line: list[str] = []
    for css, value in tokens:
        # A token may span lines (a docstring): it is cut at each line end so spans never cross
        # a line's own span.
        pieces = value.split("\n")
        for number, piece in enumerate(pieces):
            if piece:
                escaped = markup.text(piece)
                line.append(f'<span class="{css}">{escaped}</span>' if css else escaped)
            if number < len(pieces) - 1:
                out.append(_line(line, indents[len(out)], "\n"))
                line = []
    if line:
        out.append(_line(line, indents[len(out)], ""))
    return "".join(out)


def _indent(line: str) -> int:
    """Return the columns of ``line``'s leading white space (a tab is four), at most 16."""
    columns = 0
    for char in line:
        if char == " ":
            columns += 1
        elif char == "\t":
            columns += 4 - columns % 4
        else:
            break
    return min(columns, MAX_INDENT_CLASS)


def _line(content: list[str], indent: int, end: str) -> str:
    # The class names the line's indentation, so that a wrapped line hangs deeper than its start.
    css = f"line i{indent}" if indent else "line"
    return f'<span class="{css}">' + "".join(content) + end + "</span>"


def _tokens(text: str, language: str) -> list[tuple[str, str]]:
    plain = [("", text)]
    lexer = _lexer(language.strip().lower())
    if lexer is None or len(text) > MAX_HIGHLIGHT_CHARS or text.count("\n") > MAX_HIGHLIGHT_LINES:
        return plain
    try:
        tokens = [(_css(kind), value) for kind, value in lexer.get_tokens(text)]
    except Exception:  # a lexer bug costs the colours, never the code
        return plain
    if "".join(value for _, value in tokens) != text:
        return plain  # a lexer that changed the text (tabs, line ends) is not trusted with it
    return list(_merge(tokens))


def _merge(tokens: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """Join neighbouring tokens of one class, so that the markup stays small."""
    css, value = "", ""
    for kind, piece in tokens:
        if kind == css:
            value += piece
            continue
        if value:
            yield css, value
        css, value = kind, piece
    if value:
        yield css, value


@functools.lru_cache(maxsize=128)
def _lexer(language: str) -> Any:
    if language in _PLAIN:
        return None
    from pygments.lexers import get_lexer_by_name  # type: ignore[import-untyped, unused-ignore]
    from pygments.util import ClassNotFound  # type: ignore[import-untyped, unused-ignore]

    try:
        # Pygments' defaults strip and add newlines; the book keeps the text as it came.
        lexer = get_lexer_by_name(language, stripnl=False, ensurenl=False, tabsize=0)
    except (ClassNotFound, ValueError):
        return None
    if lexer.name in ("Text only", "Text output"):
        return None
    return lexer


@functools.lru_cache(maxsize=1024)
def _css(kind: Any) -> str:
    name = str(kind).removeprefix("Token.")
    for prefix, css in _KINDS:
        if name == prefix or name.startswith(prefix + "."):
            return css
    return ""
