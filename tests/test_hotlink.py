"""Images from hosts that refuse another site's Referer (issue #14, hotlink-safe ``remote``).

The host table and its matching (``zhconvert.images.hosts``), the Markdown writer's
``hotlink="html"`` form and the reader reading it back, the commands' ``--hotlink`` and their
one-line hint, and, at the end, the real thing: a page built by real Hexo from zhconvert's
Markdown, served over HTTP from one loopback origin, loaded in headless Chromium, with its image
on another loopback origin whose server refuses a foreign Referer.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

import zhconvert
from _hexo import PACKAGE as HEXO_PACKAGE
from _hexo import hexo_or_skip, node_binary
from _paths import in_ci
from zhconvert._cli import run
from zhconvert.images.hosts import (
    REFERER_CHECKING_HOSTS,
    checks_referer,
    hint_line,
    referer_images,
)
from zhconvert.model import Figure, InlineImage, Paragraph

# ---------------------------------------------------------------------------------------------
# The host table


@pytest.mark.parametrize("host", sorted(REFERER_CHECKING_HOSTS))
def test_each_listed_host_and_its_subdomains_match(host: str) -> None:
    assert REFERER_CHECKING_HOSTS[host].strip()  # each entry says why it is there
    assert checks_referer(f"https://{host}/a.jpg")
    assert checks_referer(f"http://img1.{host}/x/y.png?w=720")
    assert checks_referer(f"//{host.upper()}./a.jpg")  # scheme-relative, any case, final dot


@pytest.mark.parametrize("host", sorted(REFERER_CHECKING_HOSTS))
def test_lookalikes_of_each_listed_host_do_not_match(host: str) -> None:
    assert not checks_referer(f"https://not{host}/a.jpg")  # whole labels only
    assert not checks_referer(f"https://{host}.example.org/a.jpg")
    assert not checks_referer(f"https://example.org/{host}/a.jpg")
    assert not checks_referer(f"https://example.org/a.jpg?u=https://{host}/a.jpg")
    assert not checks_referer(f"https://{host}@example.org/a.jpg")  # user info, not the host


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://pic1.zhimg.com/v2-abc_720w.jpg", True),
        ("https://mmbiz.qpic.cn/mmbiz_jpg/x/640?wx_fmt=jpeg", True),
        ("https://wx1.sinaimg.cn/large/a.jpg", True),
        ("https://i0.hdslb.com/bfs/archive/a.jpg", True),
        ("https://cdn.sspai.com/2024/a.png", True),
        ("HTTPS://PIC1.ZHIMG.COM/a.jpg", True),
        ("https://pic1。zhimg。com/a.jpg", True),  # ideographic full stops, as IDNA reads them
        ("https://ｐｉｃ１．ｚｈｉｍｇ．ｃｏｍ/a.jpg", True),  # fullwidth: IDNA maps it to ASCII
        ("https://pic1.zhimg.com:443/a.jpg", True),
        ("https://example.org\\@pic1.zhimg.com/a.jpg", False),  # a browser's host: example.org
        ("https://sspai.com/post/1", False),  # the site, not its image CDN
        ("/images/a.png", False),
        ("a.png", False),
        ("data:image/png;base64,iVBORw0KGgo=", False),
        ("javascript:alert(1)//pic1.zhimg.com", False),
        ("ftp://pic1.zhimg.com/a.jpg", False),
        ("https://[::1]:8080/a.jpg", False),
        ("https://a.com:notaport/", False),
        ("", False),
    ],
)
def test_checks_referer(url: str, expected: bool) -> None:
    assert checks_referer(url) is expected


def test_users_add_hosts() -> None:
    assert not checks_referer("https://img.example.org/a.png")
    assert checks_referer("https://img.example.org/a.png", ["example.org"])
    assert checks_referer("https://img.example.org/a.png", ["IMG.Example.ORG."])
    assert checks_referer("https://img.example.org/a.png", ["*.example.org"])
    assert not checks_referer("https://img.example.org/a.png", ["ample.org"])
    # An internationalized name matches in either form.
    assert checks_referer("https://bilder.bücher.example/a.png", ["xn--bcher-kva.example"])
    assert checks_referer("https://bilder.xn--bcher-kva.example/a.png", ["bücher.example"])


# ---------------------------------------------------------------------------------------------
# The Markdown writer

POST = """\
---
title: 图
---
<div><p>前文 <img src="https://pic1.zhimg.com/v2-icon.png" alt="图标"> 后文</p>
<figure><img src="https://pic2.zhimg.com/v2-big_r.jpg" alt="大图" referrerpolicy="no-referrer">\
<figcaption>图 1：说明</figcaption></figure>
<figure><img src="https://wx1.sinaimg.cn/large/b.jpg"></figure>
<figure><img src="https://example.org/c.png" alt="别处"></figure></div>
"""


def test_default_writes_markdown_images() -> None:
    out = zhconvert.dumps(zhconvert.loads(POST), "markdown")
    assert "<img" not in out
    assert "前文 ![图标](https://pic1.zhimg.com/v2-icon.png) 后文" in out
    assert "![](https://pic2.zhimg.com/v2-big_r.jpg)\\\n*图 1：说明*" in out
    assert zhconvert.dumps(zhconvert.loads(POST), "markdown", hotlink="markdown") == out


def test_html_writes_referer_checking_images_as_img_without_referrer() -> None:
    out = zhconvert.dumps(zhconvert.loads(POST), "markdown", hotlink="html")
    policy = 'referrerpolicy="no-referrer">'
    assert f'前文 <img src="https://pic1.zhimg.com/v2-icon.png" alt="图标" {policy} 后文' in out
    # The caption stays as it is without the option: a line of italics under the image.
    assert f'<img src="https://pic2.zhimg.com/v2-big_r.jpg" alt="" {policy}\\\n*图 1：说明*' in out
    # An image alone is a paragraph of its own (see test_normalize_html_post_of_images_alone).
    assert f'\n<p><img src="https://wx1.sinaimg.cn/large/b.jpg" alt="" {policy}</p>\n' in out
    # Other hosts are Markdown as before.
    assert "![](https://example.org/c.png)" in out
    assert out.count("<img") == 3


def test_html_with_added_hosts_and_video_cover() -> None:
    doc = zhconvert.loads(
        "---\ntitle: t\n---\n<div><p>x</p><figure><img src='https://img.example.org/a.png'>"
        "</figure></div>\n"
    )
    assert "<img" not in zhconvert.dumps(doc, "markdown", hotlink="html")
    out = zhconvert.dumps(doc, "markdown", hotlink="html", referer_hosts=("example.org",))
    assert '<img src="https://img.example.org/a.png" alt="" referrerpolicy="no-referrer">' in out
    # A video card's cover (Bilibili's covers are on hdslb.com) inside its link.
    from zhconvert.model import Document, Metadata, VideoCard

    card = Document(
        meta=Metadata(),
        blocks=(
            VideoCard("https://www.bilibili.com/video/BV1", "片", "https://i0.hdslb.com/c.jpg"),
        ),
    )
    written = zhconvert.dumps(card, "markdown", hotlink="html")
    assert written.startswith(
        '[<img src="https://i0.hdslb.com/c.jpg" alt="" referrerpolicy="no-referrer">]'
        "(https://www.bilibili.com/video/BV1)\\\n"
    )


def test_bad_hotlink_option_is_refused() -> None:
    doc = zhconvert.loads(POST)
    with pytest.raises(zhconvert.ZhconvertError, match="hotlink must be 'markdown' or 'html'"):
        zhconvert.dumps(doc, "markdown", hotlink="img")
    with pytest.raises(zhconvert.ZhconvertError, match="referer_hosts"):
        zhconvert.dumps(doc, "markdown", referer_hosts="zhimg.com")


def test_html_form_reads_back_as_the_same_images() -> None:
    doc = zhconvert.loads(POST)
    markdown = zhconvert.dumps(doc, "markdown", hotlink="html")
    again = zhconvert.loads(markdown)
    assert again.source.body_format == "markdown"
    figures = [b for b in again.blocks if isinstance(b, Figure)]
    assert [(f.url, f.alt) for f in figures] == [
        ("https://pic2.zhimg.com/v2-big_r.jpg", ""),
        ("https://wx1.sinaimg.cn/large/b.jpg", ""),
        ("https://example.org/c.png", ""),
    ]
    assert "".join(getattr(n, "text", "") for n in figures[0].caption) == "图 1：说明"
    paragraph = again.blocks[0]
    assert isinstance(paragraph, Paragraph)
    assert InlineImage("https://pic1.zhimg.com/v2-icon.png", "图标") in paragraph.children
    # And it is written the same way again: the form is stable.
    assert zhconvert.dumps(again, "markdown", hotlink="html") == markdown


def test_reader_takes_only_the_writers_own_img_form() -> None:
    body = (
        '---\ntitle: t\n---\n\n段落 <img src="https://pic1.zhimg.com/a.jpg" alt="">\n\n'
        '<img src="javascript:alert(1)" alt="x" referrerpolicy="no-referrer">\n'
    )
    doc = zhconvert.loads(body)
    assert not [n for n in zhconvert.walk(doc) if isinstance(n, (InlineImage, Figure))]


def test_referer_images_counts_what_the_writer_would_write() -> None:
    doc = zhconvert.loads(POST)
    assert referer_images(doc) == 3
    assert referer_images(doc, ["example.org"]) == 4
    assert "1 image comes from" in hint_line(1)
    assert "3 images come from" in hint_line(3)
    for fix in ("--hotlink html", '<meta name="referrer" content="no-referrer">', "--images local"):
        assert fix in hint_line(3)


# ---------------------------------------------------------------------------------------------
# The commands


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = run(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def blog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the configuration search stops here
    (tmp_path / "post.md").write_text(POST, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_convert_prints_one_hint_for_referer_checking_images(
    blog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(capsys, "convert", "post.md")
    assert code == 0
    assert "![图标](https://pic1.zhimg.com/v2-icon.png)" in out
    assert err.splitlines() == [hint_line(3)]
    # Quiet: no hint; html: nothing to hint about; text and JSON show no images.
    assert _cli(capsys, "convert", "post.md", "-q")[2] == ""
    code, out, err = _cli(capsys, "convert", "post.md", "--hotlink", "html")
    assert (code, err) == (0, "")
    assert out.count('referrerpolicy="no-referrer"') == 3
    assert _cli(capsys, "convert", "post.md", "-t", "json")[2] == ""
    # Images left out are not on any host any more.
    code, out, err = _cli(capsys, "convert", "post.md", "--images", "omit")
    assert (code, err) == (0, "")
    assert "zhimg" not in out
    # The same through normalize, which counts what it wrote.
    code, _, err = _cli(capsys, "normalize", "--images", "omit", "post.md")
    assert (code, err) == (1, "fixed: post.md\n")


def test_convert_folder_counts_every_post_once(
    blog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (blog / "src").mkdir()
    for name in ("a.md", "b.md"):
        (blog / "src" / name).write_text(POST, encoding="utf-8")
    code, _, err = _cli(capsys, "convert", "src", "-o", "out", "-j", "1")
    assert code == 0
    assert [line for line in err.splitlines() if line.startswith("hint:")] == [hint_line(6)]


def test_hotlink_applies_to_markdown_only(blog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(capsys, "convert", "post.md", "-t", "txt", "--hotlink", "html")
    assert code == 2
    assert out == ""
    assert err.strip() == "Error: --hotlink applies to markdown, not to text"


def test_configuration_sets_hotlink_and_adds_hosts(
    blog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (blog / "zhconvert.toml").write_text(
        'hotlink = "html"\nreferer-hosts = ["example.org"]\n', encoding="utf-8"
    )
    code, out, err = _cli(capsys, "convert", "post.md")
    assert (code, err) == (0, "")
    assert out.count('referrerpolicy="no-referrer"') == 4
    # The command line wins over the file; the added host is counted for the hint.
    code, out, err = _cli(capsys, "convert", "post.md", "--hotlink", "markdown")
    assert "<img" not in out
    assert err.splitlines() == [hint_line(4)]
    code, out, _ = _cli(capsys, "config", "--json")
    settings = json.loads(out)["settings"]
    assert settings["hotlink"]["value"] == "html"
    assert settings["referer-hosts"]["value"] == ["example.org"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('hotlink = "img"\n', 'hotlink: must be "markdown" or "html", not "img"'),
        ("referer-hosts = [1]\n", "referer-hosts: must be a list of host names"),
        ('referer-hosts = [""]\n', "referer-hosts: must be a list of host names"),
    ],
)
def test_bad_configuration_is_one_error_line(
    blog: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    (blog / "zhconvert.toml").write_text(text, encoding="utf-8")
    code, out, err = _cli(capsys, "convert", "post.md")
    assert code == 2
    assert out == ""
    assert err == f"Error: {blog / 'zhconvert.toml'}: [tool.zhconvert] {message}\n"


def test_normalize_hints_once_and_html_is_idempotent(
    blog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copyfile(blog / "post.md", blog / "other.md")
    code, _, err = _cli(capsys, "normalize", "post.md", "other.md")
    assert code == 1
    assert err.splitlines() == ["fixed: post.md", "fixed: other.md", hint_line(6)]
    # Written already: nothing more to say.
    assert _cli(capsys, "normalize", "post.md") == (0, "", "")

    (blog / "html.md").write_text(POST, encoding="utf-8")
    code, _, err = _cli(capsys, "normalize", "--hotlink", "html", "html.md")
    assert (code, err) == (1, "fixed: html.md\n")
    written = (blog / "html.md").read_text(encoding="utf-8")
    assert written.count('referrerpolicy="no-referrer"') == 3
    assert _cli(capsys, "normalize", "--hotlink", "html", "--check", "html.md") == (0, "", "")
    assert _cli(capsys, "normalize", "html.md") == (0, "", "")  # a Markdown post now


def test_normalize_html_post_of_images_alone(
    blog: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Nothing but <img> lines would read as an HTML body again: each is a <p> of its own, so
    # that the next run reads the same figures and leaves the post as it is.
    (blog / "images.md").write_text(
        "---\ntitle: 图集\n---\n<div><p><img src='https://wx1.sinaimg.cn/large/a.jpg'></p>"
        "<p><img src='https://wx2.sinaimg.cn/large/b.jpg'></p></div>\n",
        encoding="utf-8",
    )
    code, _, err = _cli(capsys, "normalize", "--hotlink", "html", "images.md")
    assert (code, err) == (1, "fixed: images.md\n")
    text = (blog / "images.md").read_text(encoding="utf-8")
    assert text.count("<p><img ") == 2
    assert _cli(capsys, "normalize", "--hotlink", "html", "images.md") == (0, "", "")
    figures = [b for b in zhconvert.load(blog / "images.md").blocks if isinstance(b, Figure)]
    assert [f.url for f in figures] == [
        "https://wx1.sinaimg.cn/large/a.jpg",
        "https://wx2.sinaimg.cn/large/b.jpg",
    ]


# ---------------------------------------------------------------------------------------------
# A real browser, a real Hexo page, a server that refuses a foreign Referer

#: Seconds Chromium may take for one page (it waits for the page's load, images included).
BROWSER_TIMEOUT = 60
#: What the test theme's page writes into the DOM once loaded: each image's natural width.
THEME_LAYOUT = """\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ page.title }}</title></head>
<body><article>{{ page.content | safe }}</article>
<script>
window.addEventListener('load', function () {
  var widths = Array.prototype.map.call(document.images, function (img) {
    return img.naturalWidth;
  });
  document.body.setAttribute('data-image-widths', widths.join(','));
});
</script></body></html>
"""
#: docs/images.md's recipe, word for word: the file a blog adds as scripts/referrer.js.
INJECTOR_RECIPE = (
    "hexo.extend.injector.register('head_begin', "
    '\'<meta name="referrer" content="no-referrer">\');\n'
)
#: Generate a whole site (theme, injectors) with Hexo's own API, as `hexo generate` does.
GENERATE = """\
const Hexo = require(require.resolve('hexo', { paths: [process.cwd()] }));
(async () => {
  const hexo = new Hexo(process.cwd(), { silent: true });
  hexo.env.init = true;
  await hexo.init();
  await hexo.call('generate', {});
  await hexo.exit();
})().catch(err => { console.error(err); process.exit(1); });
"""


def _png(width: int, height: int) -> bytes:
    """Return a grey PNG of ``width`` × ``height`` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


IMAGE = _png(7, 5)


class _ImageHost(BaseHTTPRequestHandler):
    """Serve ``IMAGE`` only to a request without a Referer or with this server's own (403)."""

    log: list[tuple[str, str | None, int]]  # (path, Referer, status) of each request

    def do_GET(self) -> None:
        referer = self.headers.get("Referer")
        own = f"http://{self.headers.get('Host', '')}/"
        status = 200 if referer is None or referer.startswith(own) else 403
        self.log.append((self.path, referer, status))
        body = IMAGE if status == 200 else b"hotlinking is not allowed"
        self.send_response(status)
        self.send_header("Content-Type", "image/png" if status == 200 else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def _serve(server: ThreadingHTTPServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    why = "no chromium: Debian's chromium package (scripts/test.sh installs it)"
    if in_ci():
        pytest.fail(why)  # CI installs it: a missing browser there is a broken setup
    pytest.skip(why)


def _image_widths(chromium: str, url: str) -> list[int]:
    """Load ``url`` in headless Chromium; return the natural width of each image once loaded."""
    with tempfile.TemporaryDirectory(prefix="zhconvert-chromium-") as profile:
        done = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-proxy-server",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=BROWSER_TIMEOUT,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    body = BeautifulSoup(done.stdout, "html.parser").find("body")
    assert body is not None, done.stdout[-2000:]
    widths = body.get("data-image-widths")
    assert isinstance(widths, str), f"the page's script did not run: {done.stdout[-2000:]}"
    return [int(w) for w in widths.split(",") if w]


def _generate(site: Path, posts: dict[str, str], *, injector: bool) -> Path:
    """Build ``posts`` (name -> Markdown) into a whole Hexo site; return its ``public`` folder."""
    modules = hexo_or_skip() / "node_modules"
    site.mkdir()
    (site / "node_modules").symlink_to(modules, target_is_directory=True)
    shutil.copyfile(HEXO_PACKAGE / "package.json", site / "package.json")  # its plugins
    (site / "_config.yml").write_text(
        "title: blog\nlanguage: zh-CN\ntimezone: UTC\ntheme: plain\npermalink: :title/\n",
        encoding="utf-8",
    )
    layout = site / "themes" / "plain" / "layout"
    layout.mkdir(parents=True)
    for name in ("post.njk", "page.njk", "index.njk"):
        (layout / name).write_text(THEME_LAYOUT, encoding="utf-8")
    if injector:
        (site / "scripts").mkdir()
        (site / "scripts" / "referrer.js").write_text(INJECTOR_RECIPE, encoding="utf-8")
    (site / "source" / "_posts").mkdir(parents=True)
    for name, text in posts.items():
        (site / "source" / "_posts" / f"{name}.md").write_text(text, encoding="utf-8")
    done = subprocess.run(
        [node_binary(), "-e", GENERATE],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return site / "public"


def _feed_post(image: str) -> str:
    # As the feeds have it (RSSHub marks such images), an HTML body for normalize to rewrite.
    return (
        "---\ntitle: 图\ndate: 2024-01-02 03:04:05\n---\n"
        f'<div><p>正文</p><figure><img src="{image}" referrerpolicy="no-referrer">'
        "<figcaption>说明</figcaption></figure></div>\n"
    )


@pytest.mark.slow
def test_real_browser_shows_the_image_only_with_a_fix(tmp_path: Path) -> None:
    chromium = _chromium()
    hexo_or_skip()
    log: list[tuple[str, str | None, int]] = []
    handler = type("Host", (_ImageHost,), {"log": log})
    images = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with _serve(images) as image_origin:
        # The blog's posts, made by zhconvert's hook; the loopback image host is added to the
        # hosts known to check the Referer through the configuration, as a user would.
        repo = tmp_path / "repo"
        (repo / ".git").mkdir(parents=True)
        config = repo / "zhconvert.toml"
        config.write_text('referer-hosts = ["127.0.0.1"]\n', encoding="utf-8")
        written: dict[str, str] = {}
        hints: dict[str, str] = {}
        for case, hotlink in (("plain", "markdown"), ("html", "html"), ("meta", "markdown")):
            post = repo / f"{case}.md"
            post.write_text(_feed_post(f"{image_origin}/{case}.png"), encoding="utf-8")
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "zhconvert",
                    "normalize",
                    "--config",
                    str(config),
                    "--hotlink",
                    hotlink,
                    str(post),
                ],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert done.returncode == 1, done.stderr  # 1: a file was rewritten
            written[case] = post.read_text(encoding="utf-8")
            hints[case] = done.stderr
        assert f"![]({image_origin}/plain.png)" in written["plain"]
        assert f'<img src="{image_origin}/html.png" alt="" referrerpolicy' in written["html"]
        assert hint_line(1) in hints["plain"]
        assert "hint:" not in hints["html"]

        public = _generate(
            tmp_path / "site", {"plain": written["plain"], "html": written["html"]}, injector=False
        )
        public_meta = _generate(tmp_path / "site-meta", {"meta": written["meta"]}, injector=True)
        assert '<meta name="referrer" content="no-referrer">' in (
            public_meta / "meta" / "index.html"
        ).read_text(encoding="utf-8")

        blog = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(public))
        )
        blog_meta = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(public_meta))
        )
        with _serve(blog) as blog_origin, _serve(blog_meta) as meta_origin:
            assert blog_origin != image_origin  # another port: another origin
            widths = {
                "plain": _image_widths(chromium, f"{blog_origin}/plain/"),
                "html": _image_widths(chromium, f"{blog_origin}/html/"),
                "meta": _image_widths(chromium, f"{meta_origin}/meta/"),
            }

    requests = {case: [(r, s) for p, r, s in log if p == f"/{case}.png"] for case in widths}
    # Markdown and no theme setting: the browser sent the blog's address and was refused.
    assert requests["plain"], log
    assert all(
        referer is not None and referer.startswith(blog_origin) and status == 403
        for referer, status in requests["plain"]
    ), requests["plain"]
    assert widths["plain"] == [0]  # a broken image
    # <img referrerpolicy="no-referrer">, and the theme's <meta name="referrer">: no Referer
    # was sent, the image was served and shown at its size.
    for case in ("html", "meta"):
        assert requests[case] and all(r == (None, 200) for r in requests[case]), requests[case]
        assert widths[case] == [7], case
    assert re.search(r"<img[^>]*referrerpolicy", written["html"])
