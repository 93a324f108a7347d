"""XML text and attribute escaping, and the URLs an EPUB may point to.

Everything that goes into a content document passes through here: characters XML 1.0 forbids are
dropped, and links are reduced to absolute ``http``/``https``/``mailto`` addresses that EPUBCheck
accepts as valid URLs.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit, urlunsplit

__all__ = ["attr", "clean", "fetchable_url", "safe_href", "text"]

# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
# C1 controls (U+0080-U+009F) are allowed by XML but the HTML syntax rejects them, so they go too.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\t": "&#9;"}
)

#: Characters kept as they are when a URL's path, query or fragment is percent-encoded: RFC 3986's
#: reserved and unreserved characters, except the brackets that only an IPv6 host may use.
_URL_SAFE = ":/?#@!$&'()*+,;=-._~%"
_PERCENT_OK = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST_OK = re.compile(r"^[A-Za-z0-9.\-]+$")
_IPV6_OK = re.compile(r"^[0-9A-Fa-f:.]+$")


def clean(value: str) -> str:
    """Return ``value`` without the characters an XML document cannot hold."""
    return _NOT_XML.sub("", value)


def text(value: str) -> str:
    """Return ``value`` escaped as XML character data."""
    return _NOT_XML.sub("", value).translate(_TEXT_ESCAPES)


def attr(value: str) -> str:
    """Return ``value`` escaped for a double-quoted XML attribute."""
    return _NOT_XML.sub("", value).translate(_ATTR_ESCAPES)


def _normalize(url: str, schemes: frozenset[str]) -> str | None:
    url = _NOT_XML.sub("", url).strip()
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a port that is not a number
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        return None
    if scheme == "mailto":
        return "mailto:" + quote(parts.path, safe="@!$&'()*+,;=-._~%")
    host = parts.hostname or ""
    if not host:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    if ":" in host:  # urlsplit gives an IPv6 address without its brackets
        if not _IPV6_OK.match(host):
            return None
        host = f"[{host}]"
    elif not _HOST_OK.match(host):
        return None
    netloc = host if port is None else f"{host}:{port}"
    if parts.username is not None:
        return None  # credentials in a link are never something to keep in a book
    path = _PERCENT_OK.sub("%25", quote(parts.path, safe=_URL_SAFE))
    query = _PERCENT_OK.sub("%25", quote(parts.query, safe=_URL_SAFE))
    fragment = _PERCENT_OK.sub("%25", quote(parts.fragment, safe=_URL_SAFE))
    return urlunsplit((scheme, netloc, path or "/", query, fragment))


_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_FETCH_SCHEMES = frozenset({"http", "https"})


def safe_href(url: str) -> str | None:
    """Return ``url`` as an absolute link EPUBCheck accepts, or None when it cannot be one."""
    return _normalize(url, _LINK_SCHEMES)


def fetchable_url(url: str) -> str | None:
    """Return ``url`` normalized when it is an ``http``/``https`` address, else None."""
    return _normalize(url, _FETCH_SCHEMES)
