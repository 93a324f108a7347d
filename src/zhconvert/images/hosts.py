"""Image hosts that refuse a request carrying another site's ``Referer`` (hotlink protection).

A blog page that shows ``![](https://pic1.zhimg.com/…)`` makes the browser ask for the image with
the blog's address as ``Referer``; these hosts answer that with an error or a "not allowed"
placeholder, and the image is broken on the live blog. Without any ``Referer`` they serve it,
which is why the feeds carry ``referrerpolicy="no-referrer"`` on their ``<img>`` (RSSHub adds
it). The Markdown writer's ``hotlink="html"`` writes those images as HTML with that attribute;
``referer_images`` counts them for the hint the commands print (see docs/images.md).

A host is matched by suffix, on whole labels: ``zhimg.com`` matches ``pic1.zhimg.com`` and not
``notzhimg.com``. Users add their own suffixes with the ``referer_hosts`` setting.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ..model import Document

__all__ = [
    "REFERER_CHECKING_HOSTS",
    "checks_referer",
    "hint_line",
    "normalize_host",
    "referer_images",
]

#: Host suffix -> why it is here. Each was seen refusing (403, or a placeholder image) a
#: request whose Referer is another site while serving one without a Referer; the feeds in
#: zhconvert's corpus that carry these hosts mark their images ``referrerpolicy="no-referrer"``.
REFERER_CHECKING_HOSTS: Mapping[str, str] = MappingProxyType(
    {
        # Zhihu's image CDN (pic1…pic4, pica, picx.zhimg.com): 403 to a foreign Referer; every
        # Zhihu answer in the corpus comes from RSSHub with referrerpolicy="no-referrer".
        "zhimg.com": "Zhihu (知乎) images: 403 to another site's Referer",
        # Weibo's image CDN (wx1…wx4, tvax1….sinaimg.cn): 403 ("denied by Referer ACL");
        # readers such as Folo send Referer https://weibo.com for it (imageRefererMatches).
        "sinaimg.cn": "Weibo (微博) images: 403, denied by Referer ACL",
        # WeChat official accounts' images (mmbiz.qpic.cn) and other Tencent image hosts on
        # qpic.cn: a "此图片来自微信公众平台，未经允许不可引用" placeholder instead of the image.
        "qpic.cn": "WeChat (微信公众号) images: a 'not allowed' placeholder image",
        # 少数派's image CDNs: refused to other sites (Folo sends Referer https://sspai.com).
        "cdn.sspai.com": "少数派 (sspai) images: refused to another site's Referer",
        "cdnfile.sspai.com": "少数派 (sspai) files: refused to another site's Referer",
        # Bilibili's image CDN (i0…i2.hdslb.com: covers, article pictures): 403.
        "hdslb.com": "Bilibili images and video covers: 403 to another site's Referer",
        # Douban's image CDN (img1…img9.doubanio.com): 403 to another site's Referer.
        "doubanio.com": "Douban (豆瓣) images: 403 to another site's Referer",
        # Jianshu's uploads: 403 to another site's Referer.
        "upload-images.jianshu.io": "Jianshu (简书) images: 403 to another site's Referer",
        # CSDN's blog images: a 403 or a "blocked" image to another site's Referer.
        "img-blog.csdnimg.cn": "CSDN blog images: refused to another site's Referer",
    }
)

# WHATWG URL parsing, as a browser does it: "\" is "/" in http(s) addresses.
_BACKSLASH = re.compile(r"\\")


def normalize_host(host: str) -> str:
    """Return ``host`` lower-cased, without a final dot, in its ASCII (IDNA) form if it has one."""
    host = host.strip().lower()
    # The idna codec also splits labels on the ideographic and fullwidth dots ("。", "．"); a
    # name it cannot encode is compared as it is, and matches no suffix.
    with contextlib.suppress(UnicodeError, ValueError):
        host = host.encode("idna").decode("ascii")
    return host.rstrip(".").lower()


@functools.lru_cache(maxsize=16)
def _suffixes(extra: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            normalize_host(host.lstrip("*").lstrip("."))
            for host in (*REFERER_CHECKING_HOSTS, *extra)
            if host.strip()
        )
    )


def checks_referer(url: str, extra_hosts: Iterable[str] = ()) -> bool:
    """Tell whether ``url`` is an image on a host known to refuse another site's Referer.

    ``extra_hosts`` are more host suffixes (the ``referer_hosts`` setting). Only http, https and
    scheme-relative (``//host/…``) addresses have a host; relative ones never match.
    """
    host = _host(url)
    if not host:
        return False
    return any(
        host == suffix or host.endswith("." + suffix) for suffix in _suffixes(tuple(extra_hosts))
    )


def _host(url: str) -> str:
    text = _BACKSLASH.sub("/", url.strip())
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("", "http", "https") or not parts.netloc:
        return ""
    try:
        host = parts.hostname or ""
    except ValueError:
        return ""
    return normalize_host(host) if host else ""


def referer_images(doc: Document, extra_hosts: Iterable[str] = ()) -> int:
    """Count the images of ``doc`` (figures, inline images, video covers) on such hosts."""
    from ..model import Figure, InlineImage, VideoCard, walk

    hosts = tuple(extra_hosts)
    count = 0
    for node in walk(doc):
        if isinstance(node, (Figure, InlineImage)):
            url = node.url
        elif isinstance(node, VideoCard):
            url = node.poster
        else:
            continue
        if url and checks_referer(url, hosts):
            count += 1
    return count


def hint_line(count: int) -> str:
    """Return the one line a command prints when it left ``count`` such images in Markdown."""
    images = "image comes" if count == 1 else "images come"
    return (
        f"hint: {count} {images} from hosts that refuse other sites' Referer and will not show"
        ' on a blog as written: use --hotlink html, add <meta name="referrer"'
        ' content="no-referrer"> to the theme\'s <head> (docs/images.md), or use --images local'
    )
