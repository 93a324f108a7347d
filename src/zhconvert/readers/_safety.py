"""What the readers keep out of every document: markup whose content is not text, unsafe URLs.

The document model is zhconvert's allow-list: a reader can only build the kinds it defines, and
no kind holds raw markup, so a tag or attribute a reader does not turn into one is gone. What is
left to decide is which content to read as text (not a script's) and which addresses to keep
(not ``javascript:``); both readers ask here.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "DROPPED_TAGS",
    "LINK_SCHEMES",
    "has_safe_scheme",
    "resolve_control_references",
    "without_controls",
]

#: Elements dropped with everything inside them: scripts, styles, forms, embedded objects and
#: documents, media, and the page head. Browsers do not show their content as text either.
DROPPED_TAGS: Final = frozenset(
    [
        "script",
        "style",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "form",
        "input",
        "button",
        "select",
        "option",
        "optgroup",
        "textarea",
        "template",
        "svg",
        "math",
        "canvas",
        "audio",
        "video",
        "source",
        "track",
        "head",
        "title",
        "meta",
        "link",
        "base",
        "param",
        "map",
        "area",
        "dialog",
        "noembed",
        "noframes",
    ]
)

#: The schemes a link may have; any other (``javascript:``, ``vbscript:``, ``data:``, ``file:``)
#: makes a link its text alone. Addresses without a scheme (relative ones) are kept.
LINK_SCHEMES: Final = frozenset({"http", "https", "mailto", "ftp"})

_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")


def has_safe_scheme(url: str, schemes: frozenset[str] = LINK_SCHEMES) -> bool:
    """Return whether ``url`` has no scheme or one of ``schemes``.

    Browsers ignore blanks and control characters anywhere in a URL's scheme (``java\\tscript:``)
    and its case, so the check does too.
    """
    match = _SCHEME.match(_NOISE.sub("", url).lower())
    return match is None or match.group(1) in schemes


#: C0 controls other than tab, line feed, form feed and carriage return (HTML's whitespace), DEL
#: and C1 controls. ``read_post`` removes them from the file; these are what character references
#: (``&#27;``) can still bring back.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def without_controls(text: str) -> str:
    """Return ``text`` without control characters (in a terminal, some are commands)."""
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


def _reference(match: re.Match[str]) -> str:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    if 0x80 <= code <= 0x9F:
        # HTML reads these as windows-1252 (&#150; is an en dash); the five it leaves undefined
        # are controls.
        try:
            return bytes([code]).decode("cp1252")
        except UnicodeDecodeError:
            return ""
    if code == 0 or 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    if code < 0x110000 and _CONTROLS.match(chr(code)):
        return ""
    return match.group(0)


def resolve_control_references(html: str) -> str:
    """Resolve the numeric character references that stand for controls, as HTML does.

    C1 references become the windows-1252 characters browsers show, NUL and surrogates U+FFFD,
    other controls nothing; every other reference is left for the parser.
    """
    return _NUMERIC_REFERENCE.sub(_reference, html) if "&#" in html else html
