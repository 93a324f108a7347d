"""Exclude globs matched in time linear in the name: no regular expression that can backtrack.

A glob used to be translated to a regular expression (``*`` to ``[^/]*``); fifteen stars against
a 70-character name that almost matches made ``re`` try every way of splitting the name, for
minutes. Here a glob is a short list of steps, and a name is matched by carrying the set of
steps reached from one character to the next (a Thompson NFA): at most len(glob) × len(name)
steps, whatever the glob.

The syntax and its meaning are those of the translation it replaces:

- ``**/``: any number of leading folders (none included); ``**``: anything, ``/`` included;
- ``*``: any run of characters but ``/``; ``?``: one character but ``/``;
- ``[abc]``, ``[a-z]``, ``[!abc]``: one character of (or not of) a set, as a regular
  expression's class reads it; a ``[`` without a ``]`` two or more characters on is itself;
- anything else is itself. The whole name must match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

__all__ = ["Glob"]

# The kinds of step: each consumes one character, or (the stars) any number.
_CHAR: Final = 0  # this one character
_ONE: Final = 1  # one character but "/"
_SET: Final = 2  # one character of a set
_STAR: Final = 3  # any characters but "/"
_ANY: Final = 4  # any characters but a line feed ("**", as ".*" read it)
_FOLDERS: Final = 5  # "**/": no character; on to the two steps after it (".*/"), or past them


@dataclass(frozen=True, slots=True)
class _Step:
    kind: int
    char: str = ""
    char_set: re.Pattern[str] | None = None


class Glob:
    """One exclude glob, compiled; ``match`` says whether a whole name matches it."""

    __slots__ = ("_steps", "pattern")

    def __init__(self, pattern: str) -> None:
        """Compile ``pattern``; a bad character set raises ``re.error``."""
        self.pattern = pattern
        self._steps = tuple(_steps(pattern))

    def __repr__(self) -> str:
        return f"Glob({self.pattern!r})"

    def match(self, name: str) -> bool:
        """Return whether the whole of ``name`` matches the glob."""
        steps = self._steps
        end = len(steps)
        reached = self._closure({0})
        for char in name:
            following: set[int] = set()
            for index in reached:
                if index == end:
                    continue
                step = steps[index]
                if step.kind in (_STAR, _ANY):
                    if char != ("/" if step.kind == _STAR else "\n"):
                        following.add(index)
                elif step.kind != _FOLDERS and _takes(step, char):  # "**/" consumes nothing
                    following.add(index + 1)
            if not following:
                return False
            reached = self._closure(following)
        return end in reached

    def _closure(self, reached: set[int]) -> set[int]:
        """Add the steps reached without a character: past stars, and either way at a "**/"."""
        steps = self._steps
        pending = list(reached)
        while pending:
            index = pending.pop()
            kind = steps[index].kind if index < len(steps) else -1
            if kind in (_STAR, _ANY):
                targets: tuple[int, ...] = (index + 1,)
            elif kind == _FOLDERS:
                targets = (index + 1, index + 3)  # into "**" and "/", or past them
            else:
                continue
            for target in targets:
                if target not in reached:
                    reached.add(target)
                    pending.append(target)
        return reached


def _takes(step: _Step, char: str) -> bool:
    """Return whether a step of one character takes ``char``."""
    if step.kind == _CHAR:
        return char == step.char
    if step.kind == _ONE:
        return char != "/"
    assert step.char_set is not None
    return step.char_set.match(char) is not None


def _steps(glob: str) -> list[_Step]:
    steps: list[_Step] = []
    i = 0
    while i < len(glob):
        char = glob[i]
        if glob.startswith("**/", i):
            steps.extend((_Step(_FOLDERS), _Step(_ANY), _Step(_CHAR, "/")))
            i += 3
            continue
        if glob.startswith("**", i):
            steps.append(_Step(_ANY))
            i += 2
            continue
        if char == "*":
            steps.append(_Step(_STAR))
        elif char == "?":
            steps.append(_Step(_ONE))
        elif char == "[":
            end = glob.find("]", i + 2)
            if end == -1:
                steps.append(_Step(_CHAR, char))
            else:
                body = glob[i + 1 : end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                # One character against one class: no repetition, nothing to backtrack.
                steps.append(_Step(_SET, char_set=re.compile(f"[{body}]")))
                i = end
        else:
            steps.append(_Step(_CHAR, char))
        i += 1
    return steps
