"""Links that go where they say: redirect pages unwrapped, tracking parameters dropped.

Feeds rarely link to a page directly. Zhihu, 掘金, 少数派 and others send every outbound link
through a redirect page that holds the real address in a query parameter
(``link.zhihu.com/?target=…``); shopping links go through affiliate trackers
(``c.duomai.com/track.php?…&t=…``); images come through CORS proxies
(``cors.zfour.workers.dev/?http://…``); and the addresses themselves carry campaign parameters
(``utm_source``, ``spm``, ``fbclid``). ``REDIRECTORS`` lists the redirect pages as data, one
entry each; ``clean_link`` and ``clean_image_url`` are what the readers call.

A redirector whose target cannot be read offline (a URL shortener, an encrypted tracker) is kept
as it is, unless the link's visible text is itself the address (then the text is followed).
``_safety.has_safe_scheme`` is always the last check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final
from urllib.parse import parse_qsl, unquote, urlsplit

from ._safety import has_safe_scheme

__all__ = [
    "REDIRECTORS",
    "TRACKING_PARAMETERS",
    "TRACKING_PREFIXES",
    "Redirector",
    "clean_image_url",
    "clean_link",
    "is_redirector",
    "strip_tracking",
    "unwrap_redirect",
]

#: The whole query is the target (``proxy/?http://…``), not one of its parameters.
WHOLE_QUERY: Final = "?"


@dataclass(frozen=True, slots=True)
class Redirector:
    """A redirect page: where it lives and which query parameter holds the real address."""

    #: Who runs it (for the docs and the test ids).
    name: str
    #: Its host; ``*.example.com`` stands for example.com and every subdomain of it.
    host: str
    #: The path the redirect page lives at (a prefix, any case); ``""`` is any path.
    path: str = ""
    #: The query parameters holding the target, first found wins; ``("?",)`` for the whole query;
    #: ``()`` when the target cannot be read offline (shorteners, encrypted trackers).
    params: tuple[str, ...] = ()


#: Every redirect page zhconvert knows. Entries with no ``params`` are still redirectors: their
#: links follow the visible text when it is an address.
REDIRECTORS: Final[tuple[Redirector, ...]] = (
    # Chinese sites' "you are leaving" pages.
    Redirector("Zhihu", "link.zhihu.com", "", ("target",)),
    Redirector("掘金", "link.juejin.cn", "", ("target",)),
    Redirector("少数派", "sspai.com", "/link", ("target",)),
    Redirector("CSDN", "link.csdn.net", "", ("target",)),
    Redirector("InfoQ", "www.infoq.cn", "/link", ("target",)),
    Redirector("Gitee", "gitee.com", "/link", ("target",)),
    Redirector("开源中国", "www.oschina.net", "/action/gotolink", ("url",)),
    Redirector("简书", "www.jianshu.com", "/go-wild", ("url",)),
    Redirector("简书 (old)", "link.jianshu.com", "", ("t",)),
    Redirector("豆瓣", "www.douban.com", "/link2/", ("url",)),
    Redirector("微博", "weibo.cn", "/sinaurl", ("u",)),
    Redirector("QQ middle page", "c.pc.qq.com", "/middle", ("pfurl", "url")),
    Redirector(
        "微信", "weixin110.qq.com", "/cgi-bin/mmspamsupport-bin/newredirectconfirmcgi", ("url",)
    ),
    Redirector("Evernote", "www.evernote.com", "/outboundredirect.action", ("dest",)),
    Redirector("印象笔记", "app.yinxiang.com", "/outboundredirect.action", ("dest",)),
    # International ones.
    Redirector("Google", "www.google.com", "/url", ("q", "url")),
    Redirector("Google", "google.com", "/url", ("q", "url")),
    Redirector("Google (HK)", "www.google.com.hk", "/url", ("q", "url")),
    Redirector("YouTube", "www.youtube.com", "/redirect", ("q",)),
    Redirector("Facebook", "l.facebook.com", "/l.php", ("u",)),
    Redirector("Facebook (mobile)", "lm.facebook.com", "/l.php", ("u",)),
    Redirector("Instagram", "l.instagram.com", "", ("u",)),
    Redirector("Steam", "steamcommunity.com", "/linkfilter", ("url", "u")),
    Redirector("VK", "vk.com", "/away.php", ("to",)),
    Redirector("LinkedIn", "www.linkedin.com", "/redir/redirect", ("url",)),
    Redirector("Reddit", "out.reddit.com", "", ("url",)),
    Redirector("Slack", "slack-redir.net", "/link", ("url",)),
    Redirector("Tumblr", "t.umblr.com", "/redirect", ("z",)),
    # Affiliate trackers (cnBeta's shopping links).
    Redirector("Impact (pvxt)", "*.pvxt.net", "", ("u",)),
    Redirector("多麦", "c.duomai.com", "/track.php", ("t",)),
    Redirector("淘宝联盟", "s.click.taobao.com"),
    Redirector("京东联盟", "union-click.jd.com"),
    Redirector("京东联盟", "u.jd.com"),
    # Image proxies.
    Redirector("CORS proxy (Cloudflare Workers)", "*.workers.dev", "", (WHOLE_QUERY,)),
    Redirector("weserv", "images.weserv.nl", "", ("url",)),
    Redirector("weserv", "wsrv.nl", "", ("url",)),
    # Shorteners: where they go is only known online.
    Redirector("新浪短链", "t.cn"),
    Redirector("Twitter", "t.co"),
    Redirector("Bitly", "bit.ly"),
    Redirector("百度短网址", "dwz.cn"),
    Redirector("腾讯短链", "url.cn"),
    Redirector("百度搜索", "www.baidu.com", "/link"),
    Redirector("SegmentFault", "link.segmentfault.com"),
)

#: Query parameters that only say where a reader came from (campaigns, ad clicks, share ids).
#: Compared in lower case. From the lists browsers and extensions keep (Firefox's query
#: stripping, ClearURLs' global rules), plus the Chinese platforms' own (Alibaba's ``spm``).
TRACKING_PARAMETERS: Final = frozenset(
    {
        # ad-click ids
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "ysclid", "twclid", "ttclid", "igshid", "igsh", "li_fat_id", "rb_clickid", "s_cid",
        # analytics and mailing tools
        "_ga", "_gl", "mc_cid", "mc_eid", "mkt_tok", "_hsenc", "_hsmi", "__hssc", "__hstc",
        "__hsfp", "hsctatracking", "wt.mc_id", "pk_campaign", "pk_kwd", "pk_source",
        "pk_medium", "pk_content", "oly_anon_id", "oly_enc_id", "vero_conv", "vero_id",
        "__twitter_impression",
        # Alibaba (Taobao, Tmall, Aliyun), Baidu statistics, bilibili and WeChat shares
        "spm", "scm", "hmsr", "hmpl", "hmcu", "hmkw", "hmci",
        "spm_id_from", "from_spmid", "vd_source", "share_source", "share_medium",
        "share_plat", "share_session_id", "share_tag", "share_from", "unique_k",
        "chksm", "isappinstalled", "sharer_sharetime", "sharer_shareid",
    }
)  # fmt: skip
#: Prefixes of tracking parameter names (``utm_source``, ``utm_medium``, ``mtm_campaign``...).
TRACKING_PREFIXES: Final = ("utm_", "mtm_", "itm_", "hsa_")

#: Redirects inside redirects are followed this many times at most.
MAX_HOPS: Final = 5
#: A target is percent-decoded at most this many times (it is encoded twice in the wild).
MAX_DECODES: Final = 3
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_ENCODED_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*%3a", re.I)
_WEB_URL = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#.]+(?:[/?#]\S*)?$", re.I)
_ELLIPSIS = ("…", "...", "⋯")
_WEB_SCHEMES: Final = frozenset({"http", "https"})

_BY_HOST: dict[str, list[Redirector]] = {}
_BY_SUFFIX: dict[str, list[Redirector]] = {}
for _entry in REDIRECTORS:
    if _entry.host.startswith("*."):
        _BY_SUFFIX.setdefault(_entry.host[2:], []).append(_entry)
    else:
        _BY_HOST.setdefault(_entry.host, []).append(_entry)


#: The host of an absolute or protocol-relative address, found without splitting all of it.
_HOST = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//(?:[^/?#@]*@)?([^/?#:]*)", re.I)


@lru_cache(maxsize=4096)
def _entries(host: str) -> tuple[Redirector, ...]:
    found = list(_BY_HOST.get(host, ()))
    # a.b.example.com is looked up as a.b.example.com, b.example.com and example.com
    parts = host.split(".")
    for start in range(len(parts) - 1):
        found.extend(_BY_SUFFIX.get(".".join(parts[start:]), ()))
    return tuple(found)


def _redirector(url: str, extra: Mapping[str, str]) -> tuple[Redirector | None, str, str]:
    """Return the redirector ``url`` is a page of (or None), with its query and fragment."""
    # Most links go nowhere near a redirector: a look at the host is enough for them.
    quick = _HOST.match(url)
    if quick is None:
        return None, "", ""
    quick_host = quick.group(1).lower()
    if not _entries(quick_host) and quick_host not in extra:
        return None, "", ""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:  # "http://[x" and other addresses Python cannot split
        return None, "", ""
    if not host:
        return None, "", ""
    path = parts.path.lower()
    for entry in _entries(host):
        if path.startswith(entry.path):
            return entry, parts.query, parts.fragment
    if host in extra:
        return Redirector(host, host, "", (extra[host],)), parts.query, parts.fragment
    return None, "", ""


def _target(entry: Redirector, query: str, fragment: str) -> str | None:
    """Return the address a redirect page sends to, or None when it cannot be read."""
    target = ""
    if entry.params == (WHOLE_QUERY,):
        target = query + ("#" + fragment if fragment else "")
    elif entry.params and query:
        values = dict(reversed(parse_qsl(query, keep_blank_values=True)))  # first one wins
        target = next((values[p] for p in entry.params if values.get(p, "").strip()), "")
    target = target.strip()
    for _ in range(MAX_DECODES):
        if not _ENCODED_SCHEME.match(target):
            break
        target = unquote(target)
    if target.startswith("//"):
        target = "https:" + target
    if not _SCHEME.match(target):
        return None  # not an address after all: the redirect is the best link there is
    return target


def unwrap_redirect(url: str, redirects: Mapping[str, str] | None = None) -> str:
    """Return where a redirect page sends ``url``; any other address comes back unchanged.

    ``redirects`` adds hosts (a site rule's) to ``REDIRECTORS``: host -> the query parameter
    holding the target. Redirects inside redirects are followed ``MAX_HOPS`` times at most.
    """
    extra = redirects or {}
    for _ in range(MAX_HOPS):
        entry, query, fragment = _redirector(url, extra)
        if entry is None:
            break
        target = _target(entry, query, fragment)
        if target is None or target == url:
            break
        url = target
    return url


def is_redirector(url: str, redirects: Mapping[str, str] | None = None) -> bool:
    """Return whether ``url`` is a page of a known redirector, tracker or shortener."""
    return _redirector(url, redirects or {})[0] is not None


def _is_tracking(name: str) -> bool:
    name = unquote(name).strip().lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """Return ``url`` without its tracking query parameters; other addresses are unchanged."""
    _, mark, rest = url.partition("?")
    if not mark:
        return url
    query = rest.partition("#")[0]
    names = {pair.partition("=")[0] for pair in query.split("&")}
    tracking = [name for name in names if name and _is_tracking(name)]
    if not tracking:
        return url  # left byte for byte: nothing to take out
    # w3lib keeps the order, spelling and encoding of the parameters that stay. Imported here:
    # it loads urllib.request (and ssl), a start-up cost most posts need not pay.
    from w3lib.url import url_query_cleaner

    return url_query_cleaner(url, tracking, remove=True, unique=False, keep_fragments=True)


def _text_address(text: str | None) -> str | None:
    """Return the link text when it is a whole web address, not cut short."""
    if not text:
        return None
    candidate = text.strip()
    if not _WEB_URL.match(candidate) or candidate.endswith(_ELLIPSIS):
        return None
    return candidate


def _extends(target: str, shown: str) -> bool:
    """Return whether ``target`` is ``shown`` or ``shown`` with more path, query or fragment."""
    base = shown.rstrip("/")
    return target.startswith(base) and target[len(base) : len(base) + 1] in ("", "/", "?", "#")


def _prepare(raw: str | None) -> str | None:
    if not raw:
        return None
    url = raw.strip()
    if not url:
        return None
    if url.startswith("//"):
        url = "https:" + url
    return url


def clean_link(
    href: str | None, text: str | None = None, *, redirects: Mapping[str, str] | None = None
) -> str | None:
    """Return where a link really goes, without tracking parameters; None if it is unsafe.

    ``text`` is the link's visible text: when it is a whole web address and ``href`` is a
    redirector or tracker, the text is where the link goes (it is what the reader saw).
    """
    url = _prepare(href)
    if url is None:
        return None
    target = unwrap_redirect(url, redirects)
    shown = _text_address(text)
    # The text wins unless the target only adds to it (a path or query the text left out).
    if (
        shown is not None
        and is_redirector(url, redirects)
        and (is_redirector(target, redirects) or not _extends(target, shown))
    ):
        target = unwrap_redirect(shown, redirects)
    url = strip_tracking(target)
    return url if url and has_safe_scheme(url) else None  # all tracking: no address left


def clean_image_url(src: str | None, *, redirects: Mapping[str, str] | None = None) -> str | None:
    """Return an image's own address (proxies unwrapped); None unless it is web or relative."""
    url = _prepare(src)
    if url is None:
        return None
    url = unwrap_redirect(url, redirects)
    return url if has_safe_scheme(url, _WEB_SCHEMES) else None
