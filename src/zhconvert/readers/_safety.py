"""What the readers keep out of every document: markup whose content is not text, unsafe URLs.

The document model is zhconvert's allow-list: a reader can only build the kinds it defines, and
no kind holds raw markup, so a tag or attribute a reader does not turn into one is gone. What is
left to decide is which content to read as text (not a script's) and which addresses to keep
(not ``javascript:``); both readers ask here. The HTML reader also caps the attributes of each
element here before libxml2 sees them (``cap_attributes``): libxml2 takes quadratic time on
an element with very many.
"""

from __future__ import annotations

import html
import re
from typing import Final

__all__ = [
    "DROPPED_TAGS",
    "LINK_SCHEMES",
    "MAX_ATTRIBUTES",
    "MAX_DECODING_ROUNDS",
    "SCRIPT_SCHEMES",
    "AttributeCap",
    "cap_attributes",
    "cut_spans",
    "decoded_address",
    "has_safe_scheme",
    "lacks_controls",
    "resolve_control_references",
    "url_scheme",
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

#: Schemes that run code or open a document of their own in a browser: what a value that is
#: not plainly an address (text with spaces in front matter) still may not start with.
SCRIPT_SCHEMES: Final = frozenset({"javascript", "vbscript", "data", "livescript", "mocha"})

#: How many times an address is decoded at most. Renderers and browsers decode a reference two
#: or three times between them (Markdown, then HTML); no real address is encoded deeper.
MAX_DECODING_ROUNDS: Final = 8

_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
# Schemes ``url_scheme`` can return as written when they open an address: lower-case letters.
_PLAIN_SCHEMES: Final = frozenset({"http", "https", "mailto", "ftp"})


def decoded_address(url: str) -> str | None:
    """Return ``url`` with its character references decoded until none is left.

    A Markdown renderer decodes ``&#x6A;`` in a link, and Python-Markdown or Hexo's marked leave
    it for the browser, which decodes it again: the address that is finally followed is the
    fully decoded one. None when it is still encoded after ``MAX_DECODING_ROUNDS`` rounds.
    """
    for _ in range(MAX_DECODING_ROUNDS):
        decoded = html.unescape(url)
        if decoded == url:
            return url
        url = decoded
    return url if html.unescape(url) == url else None


def url_scheme(url: str) -> str | None:
    """Return the scheme a browser finally gives ``url`` (lower case, "" for none), or None.

    Browsers ignore blanks and control characters anywhere in a URL's scheme (``java\\tscript:``)
    and its case, and character references are decoded first (``&#x6A;avascript:``). None for
    an address still encoded after ``MAX_DECODING_ROUNDS`` rounds: nothing to trust.
    """
    # Nearly every address: without "&" there is no reference to decode, and removing blanks
    # and controls can neither add a ":" nor change a prefix made of letters alone.
    if "&" not in url:
        colon = url.find(":")
        if colon < 0:
            return ""
        if url[:colon] in _PLAIN_SCHEMES:
            return url[:colon]
    decoded = decoded_address(url)
    if decoded is None:
        return None
    match = _SCHEME.match(_NOISE.sub("", decoded).lower())
    return match.group(1) if match else ""


def has_safe_scheme(url: str, schemes: frozenset[str] = LINK_SCHEMES) -> bool:
    """Return whether ``url`` has no scheme or one of ``schemes``, once decoded as a browser would.

    Every writer and both readers judge addresses here, so that a link is kept or dropped the
    same way whatever the format.
    """
    scheme = url_scheme(url)
    return scheme is not None and (scheme == "" or scheme in schemes)


#: C0 controls other than tab, line feed, form feed and carriage return (HTML's whitespace), DEL
#: and C1 controls. ``read_post`` removes them from the file; these are what character references
#: (``&#27;``) can still bring back.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


_C1_BYTES = re.compile(b"\xc2[\x80-\x9f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])


def lacks_controls(text: str, c0: bytes) -> bool:
    """Tell whether ``text`` certainly holds none of the controls ``c0`` (bytes) nor a C1 control.

    Looked for in C, in the text's UTF-8 (a C1 control is 0xC2 0x80-0x9F there): a regular
    expression's scan of every character of a whole post cost several times more. False for a
    text holding surrogates, which has no UTF-8.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return len(data.translate(None, c0)) == len(data) and _C1_BYTES.search(data) is None


def without_controls(text: str) -> str:
    """Return ``text`` without control characters (in a terminal, some are commands)."""
    if lacks_controls(text, _CONTROL_BYTES):
        return text
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


#: Attributes one element keeps at most. libxml2 compares each attribute with every earlier one
#: of its element, so an element with 200,000 took 70 s; real markup has a dozen.
MAX_ATTRIBUTES: Final = 100

# How libxml2 (2.14, an HTML5 tokenizer) splits markup, as far as it matters here: where tags,
# comments and raw text begin and end, and what one attribute is. A quote, a comment or a
# script read differently would let a tag through uncounted, so each is read as libxml2 does.
_SPACE = "\t\n\f\r "
# A name (it may begin with "="), then maybe "=" and a value; a quote never closed runs to the
# end, as the tag then does.
_ATTRIBUTE = (
    f"[{_SPACE}/]*[^{_SPACE}/>][^{_SPACE}/>=]*"
    f"""(?:[{_SPACE}]*=[{_SPACE}]*(?:"[^"]*(?:"|\\Z)|'[^']*(?:'|\\Z)|[^{_SPACE}>]*))?"""
)
_MORE_ATTRIBUTES = re.compile(f"(?:{_ATTRIBUTE})*")
_COMMENT_END = re.compile(r"--!?>")
_TAG_TAIL = re.compile(f"[{_SPACE}/]*")
# Elements whose content is text up to their own end tag.
_RAW_TEXT = frozenset(["style", "xmp", "iframe", "noembed", "noframes", "textarea", "title"])
_raw_ends: dict[str, re.Pattern[str]] = {}


def _raw_end(name: str) -> re.Pattern[str]:
    pattern = _raw_ends.get(name)
    if pattern is None:
        pattern = re.compile(f"</{name}[{_SPACE}/>]", re.IGNORECASE)
        _raw_ends[name] = pattern
    return pattern


_SCRIPT_DATA = re.compile(f"<!--|</script[{_SPACE}/>]", re.IGNORECASE)
_SCRIPT_ESCAPED = re.compile(f"-->|</script[{_SPACE}/>]|<script[{_SPACE}/>]", re.IGNORECASE)
_SCRIPT_DOUBLE_ESCAPED = re.compile(f"-->|</script[{_SPACE}/>]", re.IGNORECASE)


def _script_end(html: str, position: int) -> int:
    """Return where a script's text that begins at ``position`` ends (its end tag, or the end).

    HTML's rules: ``<!--`` in a script "escapes" it, and an escaped ``<script>`` makes the next
    ``</script>`` part of the text (libxml2 follows them).
    """
    state = _SCRIPT_DATA
    while True:
        found = state.search(html, position)
        if found is None:
            return len(html)
        token = found.group(0).lower()
        if state is _SCRIPT_DATA:
            if token.startswith("</"):
                return found.start()
            state, position = _SCRIPT_ESCAPED, found.start() + 2  # "<!-->" ends it at once
        elif token == "-->":
            state, position = _SCRIPT_DATA, found.end()
        elif state is _SCRIPT_ESCAPED:
            if token.startswith("</"):
                return found.start()
            state, position = _SCRIPT_DOUBLE_ESCAPED, found.end() - 1
        else:  # double escaped: "</script>" goes back to escaped
            state, position = _SCRIPT_ESCAPED, found.end() - 1


# What a start tag with more than ``limit`` attributes must hold, as the pass below reads them:
# a blank, a "/" or a value's closing quote right before each attribute, and a character of its
# name (distinct characters). Unless a quoted value holds a ">", the tag has no ">" up to its
# last attribute: a "<", a letter and then 2 (limit + 1) characters without a ">", among them
# limit + 1 blanks, "/" or quotes. Looking for that costs a few fast scans; a document where
# neither that nor a quoted ">" is found (nearly every post) needs no pass.
_QUOTED_GT = re.compile(f"""=[{_SPACE}]*(?:"[^">]*>|'[^'>]*>)""")
# The witnesses are counted in a run's UTF-8, where every other character is bytes above 0x7F:
# one pass of a table in C, where counting each in the text took eight passes.
_WITNESS_BYTES = (_SPACE + "/\"'").encode("ascii")


class AttributeCap:
    """Cap the attributes of each element at ``limit``: a cheap test, then one forward pass."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        # The next markup at a "<": a start or end tag with its first ``limit`` attributes (and
        # in "more" the next one, if there is one), a comment, or a bogus comment ("<!x", "<?",
        # "</1"). Greedy, with nothing after the attributes that can fail: no backtracking. A
        # "<" that opens nothing, and a bare end tag ("</p>", half the tags), are passed over
        # by the search itself.
        self._markup = re.compile(
            f"<(?!/[A-Za-z][^{_SPACE}/<>]*>)(?:(?P<tag>/?[A-Za-z][^{_SPACE}/>]*)"
            f"(?:{_ATTRIBUTE}){{0,{limit}}}"
            f"(?:(?=(?P<more>{_ATTRIBUTE})))?(?P<tail>[{_SPACE}/]*)(?P<close>>?)"
            "|(?P<comment>!--)|(?P<nothing>/>)|(?P<bogus>[!?/]))"
        )
        self._long_tag = re.compile(f"<[A-Za-z][^>]{{{2 * (limit + 1)}}}")

    def may_exceed(self, html: str) -> bool:
        """Tell whether ``html`` may hold an element with more than ``limit`` attributes."""
        if _QUOTED_GT.search(html) is not None:
            return True
        size = len(html)
        position = 0
        search = self._long_tag.search
        while True:
            found = search(html, position)
            if found is None:
                return False
            # The rest of this run without ">": any crowded tag in it starts here or later.
            end = html.find(">", found.end())
            if end < 0:
                end = size
            run = html[found.start() : end].encode("utf-8", "surrogatepass")
            if len(run) - len(run.translate(None, _WITNESS_BYTES)) > self.limit:
                return True
            position = end

    def apply(self, html: str) -> str:
        """Return ``html`` with at most ``limit`` attributes per element (the first ones)."""
        return self.capped(html) if self.may_exceed(html) else html

    def capped(self, html: str) -> str:
        """Return ``html`` capped by one forward pass (what ``apply`` does when it must)."""
        drops: list[tuple[int, int]] = []
        size = len(html)
        position = 0
        search = self._markup.search
        # Each step moves forward past what it read: one pass, whatever is left open.
        while True:
            found = search(html, position)
            if found is None:
                break
            tag = found.group("tag")
            if tag is None:
                start = found.start()
                if found.group("comment"):
                    if html.startswith(">", start + 4):  # "<!-->": an empty comment
                        position = start + 5
                    elif html.startswith("->", start + 4):  # "<!--->"
                        position = start + 6
                    else:
                        end = _COMMENT_END.search(html, start + 4)
                        position = end.end() if end else size
                elif found.group("nothing"):  # "</>"
                    position = found.end()
                else:  # a doctype, CDATA, "<?", "</" and no name: a comment to the next ">"
                    end_at = html.find(">", found.end())
                    position = end_at + 1 if end_at >= 0 else size
                continue
            if found.group("more") is None:
                tail_start, tail_end = found.span("tail")
                closed = bool(found.group("close"))
            else:
                rest = _MORE_ATTRIBUTES.match(html, found.start("more"))
                assert rest is not None  # it matches the empty string
                if tag[0] != "/":  # an end tag's attributes are read, then forgotten
                    drops.append((found.start("more"), rest.end()))
                tail = _TAG_TAIL.match(html, rest.end())
                assert tail is not None
                tail_start, tail_end = tail.span()
                closed = html.startswith(">", tail_end)
            if not closed:
                break  # a tag cut short by the end: libxml2 drops it with the rest
            position = tail_end + 1
            # Only "/" right before ">" closes an element at once ("<script/>" holds no text).
            if tag[0] == "/" or (tail_end > tail_start and html[tail_end - 1] == "/"):
                continue
            name = tag.lower()
            if name == "script":
                position = _script_end(html, position)
            elif name in _RAW_TEXT:
                end = _raw_end(name).search(html, position)
                position = end.start() if end else size
            elif name == "plaintext":
                break  # the rest is text
        return cut_spans(html, drops)


_CAP = AttributeCap(MAX_ATTRIBUTES)


def cap_attributes(html: str) -> str:
    """Return ``html`` with at most ``MAX_ATTRIBUTES`` attributes per element (the first ones)."""
    return _CAP.apply(html)


def cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Return ``text`` without the ``(start, end)`` spans, given in order and not overlapping."""
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)
