"""Text from posts and file names made safe to print on a terminal.

File names and titles come from whoever wrote the posts. Printed as they are, an ESC starts a
command to the terminal (``ESC [ 2 J`` clears it, ``ESC ] 52`` writes the clipboard), a bell
rings, a carriage return overwrites what was printed, and a newline forges a line of its own
(``Error: …`` that zhconvert never wrote). Every line the command line prints with such text in
it goes through ``printable``.
"""

from __future__ import annotations

import re

__all__ = ["printable"]

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# C0 controls, DEL, C1 controls (U+009B is a one-character CSI to some terminals), the bidi
# overrides and isolates that reorder what is shown (a name could read backwards), the line and
# paragraph separators, and lone surrogates (undecodable bytes of a file name, os.fsdecode).
_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """Return ``str(text)`` with every control character written as an escape (``\\x1b``, ``\\n``).

    What is left cannot move the cursor, change colours, ring a bell or start a new line;
    everything else, CJK text included, is printed as it is.
    """
    text = str(text)
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text
