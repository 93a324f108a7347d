"""Links that go where they say: every redirector unwrapped, tracking parameters dropped.

The table below is written by hand from the redirect pages as they appear in posts (one example
per entry of ``REDIRECTORS`` at least, which ``test_every_redirector_has_an_example`` checks),
not produced by the code under test.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import zhconvert
from zhconvert.model import Figure, Link, Paragraph, Text
from zhconvert.readers._links import (
    MAX_HOPS,
    REDIRECTORS,
    clean_image_url,
    clean_link,
    is_redirector,
    strip_tracking,
    unwrap_redirect,
)
from zhconvert.readers._safety import has_safe_scheme

#: (redirector name, link as found in a post, where it goes)
REDIRECTS = [
    # Zhihu: encoded once, or twice, or only the colon.
    (
        "Zhihu",
        "http://link.zhihu.com/?target=https%3A//github.com/owner/project",
        "https://github.com/owner/project",
    ),
    (
        "Zhihu",
        "https://link.zhihu.com/?target=https%253A%252F%252Fb.example%252Fy",
        "https://b.example/y",
    ),
    (
        "掘金",
        "https://link.juejin.cn/?target=https%3A%2F%2Fwww.example.com%2Fgo.html%23Functional-Options",
        "https://www.example.com/go.html#Functional-Options",
    ),
    (
        "少数派",
        "https://sspai.com/link?target=https%3A%2F%2Fapps.example%2Fa",
        "https://apps.example/a",
    ),
    (
        "CSDN",
        "https://link.csdn.net/?target=https%3A%2F%2Fdocs.example%2Fx",
        "https://docs.example/x",
    ),
    ("InfoQ", "https://www.infoq.cn/link?target=https%3A%2F%2Fq.example%2F", "https://q.example/"),
    (
        "Gitee",
        "https://gitee.com/link?target=https%3A%2F%2Fg.example%2Frepo",
        "https://g.example/repo",
    ),
    (
        "开源中国",
        "https://www.oschina.net/action/GoToLink?url=https%3A%2F%2Fo.example%2F",
        "https://o.example/",
    ),
    (
        "简书",
        "https://www.jianshu.com/go-wild?ac=2&url=https%3A%2F%2Fj.example%2Fp",
        "https://j.example/p",
    ),
    ("简书 (old)", "http://link.jianshu.com?t=https://j.example/old", "https://j.example/old"),
    ("豆瓣", "https://www.douban.com/link2/?url=https%3A%2F%2Fd.example%2F", "https://d.example/"),
    ("微博", "https://weibo.cn/sinaurl?u=https%3A%2F%2Fw.example%2Fpost", "https://w.example/post"),
    (
        "QQ middle page",
        "https://c.pc.qq.com/middlem.html?pfurl=https%3A%2F%2Fqq.example%2Fa&pfuin=1&pfto=qq.msg",
        "https://qq.example/a",
    ),
    (
        "微信",
        "https://weixin110.qq.com/cgi-bin/mmspamsupport-bin/newredirectconfirmcgi?main_type=2"
        "&url=https%3A%2F%2Fwx.example%2F",
        "https://wx.example/",
    ),
    (
        "Evernote",
        "https://www.evernote.com/OutboundRedirect.action?dest=https%3A%2F%2Fe.example%2Fnote",
        "https://e.example/note",
    ),
    (
        "印象笔记",
        "https://app.yinxiang.com/OutboundRedirect.action?dest=https%3A%2F%2Fy.example%2F",
        "https://y.example/",
    ),
    ("Google", "https://www.google.com/url?q=https://s.example/&sa=D&ust=1", "https://s.example/"),
    ("Google", "https://google.com/url?url=https%3A%2F%2Fs.example%2Fb", "https://s.example/b"),
    ("Google (HK)", "https://www.google.com.hk/url?q=https://hk.example/", "https://hk.example/"),
    (
        "YouTube",
        "https://www.youtube.com/redirect?event=video_description&q=https%3A%2F%2Fyt.example%2F",
        "https://yt.example/",
    ),
    (
        "Facebook",
        "https://l.facebook.com/l.php?u=https%3A%2F%2Ff.example%2F&h=AT0",
        "https://f.example/",
    ),
    (
        "Facebook (mobile)",
        "https://lm.facebook.com/l.php?u=https%3A%2F%2Ff.example%2Fm",
        "https://f.example/m",
    ),
    (
        "Instagram",
        "https://l.instagram.com/?u=https%3A%2F%2Fi.example%2F&e=x",
        "https://i.example/",
    ),
    (
        "Steam",
        "https://steamcommunity.com/linkfilter/?url=https://store.example/app",
        "https://store.example/app",
    ),
    (
        "Steam",
        "https://steamcommunity.com/linkfilter/?u=https%3A%2F%2Fst.example",
        "https://st.example",
    ),
    ("VK", "https://vk.com/away.php?to=https%3A%2F%2Fv.example%2F&cc_key=", "https://v.example/"),
    (
        "LinkedIn",
        "https://www.linkedin.com/redir/redirect?url=https%3A%2F%2Fl.example%2F&urlhash=x",
        "https://l.example/",
    ),
    (
        "Reddit",
        "https://out.reddit.com/t3_abc?url=https%3A%2F%2Fr.example%2F&token=x",
        "https://r.example/",
    ),
    ("Slack", "https://slack-redir.net/link?url=https%3A%2F%2Fsl.example", "https://sl.example"),
    (
        "Tumblr",
        "https://t.umblr.com/redirect?z=https%3A%2F%2Ft.example%2F&t=x",
        "https://t.example/",
    ),
    (
        "Impact (pvxt)",
        "https://apple.pvxt.net/c/1251234/435400/7639?u=https%3A%2F%2Fshop.example%2Fcn%2Fmac%2F",
        "https://shop.example/cn/mac/",
    ),
    (
        "多麦",
        "https://c.duomai.com/track.php?site_id=1&euid=&t=https://store.example/",
        "https://store.example/",
    ),
    (
        "多麦",
        "https://c.duomai.com/track.php?site_id=1&aid=450&euid=&t=http%3A%2F%2Fwww.mi.example%2F",
        "http://www.mi.example/",
    ),
    (
        "CORS proxy (Cloudflare Workers)",
        "https://cors.zfour.workers.dev/?http://img.example/pic/cover/l/1.jpg",
        "http://img.example/pic/cover/l/1.jpg",
    ),
    (
        "weserv",
        "https://images.weserv.nl/?url=https%3A%2F%2Fimg.example%2Fa.png&w=300",
        "https://img.example/a.png",
    ),
    ("weserv", "https://wsrv.nl/?url=//img.example/b.png", "https://img.example/b.png"),
]

#: Redirectors whose target is only known online: kept as they are.
OPAQUE = [
    ("淘宝联盟", "https://s.click.taobao.com/t?e=m%3D2%26s%3Dabc"),
    ("京东联盟", "https://union-click.jd.com/jdc?e=&p=abc"),
    ("京东联盟", "https://u.jd.com/AbCdEf"),
    ("Impact (pvxt)", "https://microsoft.pvxt.net/x9Vg1"),
    ("多麦", "https://c.duomai.com/track.php?k=yUSQzUycwRHdo1Ddm0D"),
    ("新浪短链", "http://t.cn/A6abcdEf"),
    ("Twitter", "https://t.co/AbCdEf123"),
    ("Bitly", "https://bit.ly/3abcdef"),
    ("百度短网址", "https://dwz.cn/AbCd"),
    ("腾讯短链", "http://url.cn/5AbCdEf"),
    ("百度搜索", "https://www.baidu.com/link?url=Xyz_encrypted&wd=&eqid=1"),
    ("SegmentFault", "https://link.segmentfault.com/?enc=Abc%3D%3D.def"),
]


@pytest.mark.parametrize(("name", "href", "target"), REDIRECTS, ids=[r[0] for r in REDIRECTS])
def test_each_redirector_is_unwrapped(name: str, href: str, target: str) -> None:
    assert unwrap_redirect(href) == target
    assert clean_link(href) == target


@pytest.mark.parametrize(("name", "href"), OPAQUE, ids=[o[0] for o in OPAQUE])
def test_redirectors_that_cannot_be_read_offline_are_kept(name: str, href: str) -> None:
    assert is_redirector(href)
    assert unwrap_redirect(href) == href
    assert clean_link(href) == href


def test_every_redirector_has_an_example() -> None:
    named = {name for name, *_ in REDIRECTS} | {name for name, _ in OPAQUE}
    assert {entry.name for entry in REDIRECTORS} <= named


@pytest.mark.parametrize(
    "href",
    [
        "https://example.com/link?target=https%3A%2F%2Fx.example",  # not a redirector's host
        "https://sspai.com/post/12345?target=https%3A%2F%2Fx.example",  # not its redirect path
        "https://www.google.com/search?q=https://x.example",
        "https://gitee.com/owner/repo?target=https://x.example",
        "https://notlink.zhihu.com.example/?target=https%3A//x.example",
    ],
)
def test_lookalikes_are_not_unwrapped(href: str) -> None:
    assert unwrap_redirect(href) == href
    assert not is_redirector(href)


@pytest.mark.parametrize(
    "href",
    [
        "http://link.zhihu.com/?target=",
        "http://link.zhihu.com/?target=%20",
        "http://link.zhihu.com/?target=hello%20world",  # not an address: the redirect stays
        "https://link.juejin.cn/?target=www.example.com",
        "https://c.duomai.com/track.php?site_id=1&t=",
        "https://cors.zfour.workers.dev/",
        "https://cors.zfour.workers.dev/?page=2",
        "http://link.zhihu.com/?target=%E4%B8%AD%ZZ",
    ],
)
def test_a_redirect_to_no_address_keeps_the_redirect(href: str) -> None:
    assert unwrap_redirect(href) == href


def test_nested_redirects_are_followed() -> None:
    href = (
        "http://link.zhihu.com/?target="
        "https%3A%2F%2Flink.juejin.cn%2F%3Ftarget%3Dhttps%253A%252F%252Fdeep.example%252Fa"
    )
    assert unwrap_redirect(href) == "https://deep.example/a"


def test_nested_redirects_stop_after_a_bounded_number_of_hops() -> None:
    from urllib.parse import quote

    inner = "https://end.example/"
    for _ in range(MAX_HOPS + 3):
        inner = "https://link.juejin.cn/?target=" + quote(inner, safe="")
    result = unwrap_redirect(inner)
    # Each hop peels one level: what is left is still a (shorter) redirect, never an error.
    assert result.startswith("https://link.juejin.cn/?target=")
    assert len(result) < len(inner)


def test_a_redirect_to_itself_ends() -> None:
    href = "https://cors.zfour.workers.dev/?https://cors.zfour.workers.dev/?https://x.example/"
    assert unwrap_redirect(href) == "https://x.example/"
    loop = "https://link.juejin.cn/?target=https%3A%2F%2Flink.juejin.cn%2F%3Ftarget%3D"
    assert unwrap_redirect(loop) == "https://link.juejin.cn/?target="


def test_huge_query_strings_are_handled_in_linear_time() -> None:
    noise = "&".join(f"p{i}=v{i}" for i in range(100_000))
    href = f"https://link.juejin.cn/?{noise}&target=https%3A%2F%2Fx.example%2F"
    assert unwrap_redirect(href) == "https://x.example/"
    huge = "https://e.example/?" + "utm_source=a&" * 50_000 + "id=1"
    assert strip_tracking(huge) == "https://e.example/?id=1"
    assert clean_link("http://link.zhihu.com/?target=" + "%25" * 50_000) is not None


@pytest.mark.parametrize(
    ("href", "clean"),
    [
        ("https://e.example/a?utm_source=rss&utm_medium=feed&id=3", "https://e.example/a?id=3"),
        ("https://e.example/a?id=3&UTM_Campaign=x#part", "https://e.example/a?id=3#part"),
        (
            "https://item.taobao.example/item.htm?spm=a1z10.1&id=42&scm=1007",
            "https://item.taobao.example/item.htm?id=42",
        ),
        ("https://e.example/?fbclid=IwAR0abc", "https://e.example/"),
        (
            "https://e.example/p?gclid=x&msclkid=y&yclid=z&q=%E4%B8%AD",
            "https://e.example/p?q=%E4%B8%AD",
        ),
        (
            "https://www.bilibili.example/video/BV1xx?spm_id_from=333.1&vd_source=abc&p=2",
            "https://www.bilibili.example/video/BV1xx?p=2",
        ),
        (
            "https://mp.weixin.example/s?__biz=MzA&mid=1&idx=1&sn=ab&chksm=cd#rd",
            "https://mp.weixin.example/s?__biz=MzA&mid=1&idx=1&sn=ab#rd",
        ),
        ("https://e.example/?mtm_campaign=x&pk_kwd=y&_hsenc=z", "https://e.example/"),
        # Parameters that look alike but mean something stay.
        (
            "https://github.example/o/r/blob/x?ref=main",
            "https://github.example/o/r/blob/x?ref=main",
        ),
        (
            "https://e.example/search?keyword=utm&source=web",
            "https://e.example/search?keyword=utm&source=web",
        ),
        (
            "https://e.example/space.php?uid=7&from=space",
            "https://e.example/space.php?uid=7&from=space",
        ),
        # Repeated parameters and their order are kept; so is odd encoding.
        ("https://e.example/?b=2&a=1&b=3&utm_term=t", "https://e.example/?b=2&a=1&b=3"),
        ("https://e.example/?q=a+b%20c&utm_id=1", "https://e.example/?q=a+b%20c"),
        ("https://e.example/path?", "https://e.example/path?"),
        ("relative/page?utm_source=x&n=1", "relative/page?n=1"),
    ],
)
def test_tracking_parameters_are_dropped(href: str, clean: str) -> None:
    assert strip_tracking(href) == clean
    assert clean_link(href) == clean


def test_tracking_parameters_are_dropped_from_the_unwrapped_target() -> None:
    href = "http://link.zhihu.com/?target=https%3A//e.example/a%3Fid%3D1%26utm_source%3Dzhihu"
    assert clean_link(href) == "https://e.example/a?id=1"


def test_a_link_without_trackers_is_left_byte_for_byte() -> None:
    for href in ("https://e.example/a?x=%2F&&y", "https://中文.example/路径?查询=值#片段"):
        assert strip_tracking(href) == href


@pytest.mark.parametrize(
    ("href", "text", "target"),
    [
        # Evernote: the text is the real address; the redirect says otherwise.
        (
            "https://www.evernote.com/OutboundRedirect.action?dest=https%3A%2F%2Fwww.evernote.com%2Fx",
            "https://real.example/article",
            "https://real.example/article",
        ),
        # A shortener or tracker that cannot be unwrapped: the text is all there is.
        ("https://t.co/AbCdEf123", "https://blog.example/post/1", "https://blog.example/post/1"),
        (
            "https://microsoft.pvxt.net/x9Vg1",
            " https://shop.example/windows ",
            "https://shop.example/windows",
        ),
        # The text's own trackers go too.
        ("https://t.co/x", "https://blog.example/p?utm_source=twitter", "https://blog.example/p"),
        # The target only adds to what the text shows (a shortened display): the target wins.
        (
            "http://link.zhihu.com/?target=https%3A//github.com/owner/project/blob/main/README.md",
            "https://github.com/owner/project",
            "https://github.com/owner/project/blob/main/README.md",
        ),
    ],
)
def test_a_redirect_follows_its_text_when_the_text_is_an_address(
    href: str, text: str, target: str
) -> None:
    assert clean_link(href, text) == target


def test_a_target_that_only_looks_like_it_extends_the_text_does_not_win() -> None:
    href = "http://link.zhihu.com/?target=https%3A//shop.example.evil.example/x"
    assert clean_link(href, "https://shop.example") == "https://shop.example"


@pytest.mark.parametrize(
    ("href", "text"),
    [
        # Not a redirector: an ordinary link keeps its href whatever its text says.
        ("https://a.example/page", "https://b.example/other"),
        # Text that is not a whole address: cut short, not a web address, or prose.
        ("https://t.co/AbCdEf123", "https://blog.example/very/long/pa…"),
        ("https://t.co/AbCdEf123", "https://blog.example/very/long/pa..."),
        ("https://t.co/AbCdEf123", "blog.example/post"),
        ("https://t.co/AbCdEf123", "javascript:alert(1)"),
        ("https://t.co/AbCdEf123", "see https://blog.example/"),
        ("https://t.co/AbCdEf123", "https://localhost"),
    ],
)
def test_the_text_is_followed_only_when_it_is_a_whole_address(href: str, text: str) -> None:
    assert clean_link(href, text) == href


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "http://link.zhihu.com/?target=javascript%3Aalert(1)",
        "https://link.juejin.cn/?target=JavaScript%253Aalert(1)",
        "https://cors.zfour.workers.dev/?data:text/html,<script>",
        "",
        "   ",
        None,
    ],
)
def test_unsafe_or_empty_links_are_none(href: str | None) -> None:
    assert clean_link(href) is None


def test_an_unsafe_text_address_is_never_followed() -> None:
    assert clean_link("https://t.co/x", "https://ok.example/") == "https://ok.example/"
    assert clean_link("javascript:alert(1)", "https://ok.example/") is None


@pytest.mark.parametrize(
    ("src", "url"),
    [
        (
            "https://cors.zfour.workers.dev/?http://img.example/images/obsidian-1.png",
            "http://img.example/images/obsidian-1.png",
        ),
        ("//img.example/a.jpg", "https://img.example/a.jpg"),
        # Image addresses keep their query: it selects the size or format.
        (
            "https://cdn.example/2022/a?imageView2/2/w/1120/q/40&utm_source=x",
            "https://cdn.example/2022/a?imageView2/2/w/1120/q/40&utm_source=x",
        ),
        ("/images/local.png", "/images/local.png"),
        ("data:image/png;base64,AAAA", None),
        ("javascript:alert(1)", None),
        ("https://cors.zfour.workers.dev/?javascript:alert(1)", None),
        (None, None),
    ],
)
def test_image_addresses(src: str | None, url: str | None) -> None:
    assert clean_image_url(src) == url


def test_a_site_rule_can_add_redirect_hosts() -> None:
    href = "https://go.site.example/jump?to=https%3A%2F%2Fdest.example%2F"
    assert clean_link(href) == href
    assert clean_link(href, redirects={"go.site.example": "to"}) == "https://dest.example/"


def test_hostile_addresses_never_raise() -> None:
    for href in (
        "http://[::1",
        "https://link.zhihu.com/?target=https%3A//%5B%3A%3A1",
        "http://link.zhihu.com/?target=%FF%FE%00",
        "https://*.workers.dev/?x",
        "https://." + "a." * 10_000 + "workers.dev/?http://x.example/",
        "?utm_source=1",
        "#?utm_source=1",
    ):
        clean_link(href, href)
        clean_image_url(href)


HEAD = "\n---\ntitle: 'T'\ncategories:\n - 编程\n - 掘金\n - 标签\nauthor: 掘金\n---\n\n"


def test_the_reader_unwraps_links_and_drops_trackers() -> None:
    doc = zhconvert.loads(
        HEAD + '<div><p><a href="https://link.juejin.cn/?target=https%3A%2F%2Fgo.example%2Fa'
        '%3Futm_source%3Djuejin">文章</a></p></div>'
    )
    assert doc.blocks == (Paragraph((Link("https://go.example/a", (Text("文章"),)),)),)


def test_the_reader_unwraps_image_proxies() -> None:
    doc = zhconvert.loads(
        HEAD + '<div><figure><img src="https://cors.zfour.workers.dev/?http://img.example/1.png">'
        "</figure></div>"
    )
    figures = [b for b in doc.blocks if isinstance(b, Figure)]
    assert figures
    assert figures[0].url == "http://img.example/1.png"


# ---------------------------------------------------------------------------------------------
# What must hold for any address

_PIECES = st.sampled_from(
    [
        "https://",
        "http://",
        "//",
        "javascript:",
        "link.zhihu.com/?target=",
        "link.juejin.cn/?target=",
        "cors.zfour.workers.dev/?",
        "c.duomai.com/track.php?t=",
        "e.example/",
        "%3A",
        "%25",
        "%2F",
        "?",
        "&",
        "#",
        "=",
        "utm_source=x",
        "spm=1",
        "id=2",
        "[",
        " ",
        "\t",
        "中",
    ]
)
_ADDRESSES = st.lists(_PIECES, max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(href=_ADDRESSES, text=st.one_of(st.none(), _ADDRESSES))
def test_any_address_gives_a_safe_link_or_none(href: str, text: str | None) -> None:
    url = clean_link(href, text)
    assert url is None or has_safe_scheme(url)
    image = clean_image_url(href)
    assert image is None or has_safe_scheme(image, frozenset({"http", "https"}))


@settings(max_examples=200, deadline=None)
@given(href=_ADDRESSES)
def test_dropping_trackers_twice_changes_nothing_more(href: str) -> None:
    once = strip_tracking(href)
    assert strip_tracking(once) == once


def test_an_address_that_is_all_tracking_leaves_the_text_alone() -> None:
    doc = zhconvert.loads("---\ntitle: t\n---\n\n<div><p><a href='?utm_source=x'>文字</a></p></div>\n")
    assert doc.blocks == (zhconvert.Paragraph((zhconvert.Text("文字"),)),)
