"""Render pages of an EPUB book to PNG with headless Chromium, as a reader's screen shows them.

    python scripts/render_epub.py                       # the sample chapter -> docs/epub-page.png
    python scripts/render_epub.py BOOK.epub --page 1 --page titlepage --out shots/
    python scripts/render_epub.py --sample-book sample.epub   # keep the sample book too
    python scripts/render_epub.py --calibre shots/      # also AZW3 and PDF pages with calibre

Without a book, a sample chapter is built from the code (title, byline, figure with caption,
formula, highlighted code, a long address, a table, a missing image and a footnote), so the
screenshot in the docs always shows what the current code writes. Each page is one XHTML file of
the book (``--page 3`` is the third post, ``--page titlepage``/``nav``/``text/post-0002.xhtml``
name a file), shot at a phone-like width. Chromium is the Debian package ``chromium``; it is
installed with apt-get when missing and the script runs as root. Nothing is fetched from the
network: the sample's figure is drawn here and found through ``--image-dir``.

With ``--calibre DIR``, calibre's ``ebook-convert`` (Debian's ``calibre``, when installed) also
converts the book to AZW3, as a Kindle gets it, and to PDF, and poppler's ``pdftoppm`` renders
the PDF's first pages to PNG in DIR: what calibre's renderer makes of the same book.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhconvert.model import Document

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "epub-page.png"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
SAMPLE_FIGURE = "https://pic1.zhimg.com/v2-zhconvert-sample-figure_r.png"


def find_chromium(install: bool) -> str:
    """Return the Chromium executable, installing the Debian package when allowed."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if install and shutil.which("apt-get") and os.geteuid() == 0:
        print("Installing chromium with apt-get ...", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
        subprocess.run(
            [
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "chromium",
                "fonts-noto-cjk",
            ],
            check=True,
            env=env,
        )
        found = shutil.which("chromium")
        if found:
            return found
    raise SystemExit("Error: chromium: not found (apt-get install chromium fonts-noto-cjk)")


def sample_document() -> Document:
    """Return the sample chapter: every kind of block a reader meets, in a few screens."""
    from zhconvert import model as m

    code = (
        "def archive(posts, out):\n"
        "    # 每篇文章一章，图片只下载一次\n"
        '    book = build_book(posts, out, group_by="month", split=500, images="embed")\n'
        "    return book.summary()\n"
    )
    long_url = "https://github.com/zhconvert/zhconvert/blob/main/src/zhconvert/epub/highlight.py"
    return m.Document(
        meta=m.Metadata(
            title="为什么要把网页存档做成电子书？",
            author="示例作者",
            site="知乎",
            feed="知乎热榜",
            date=dt.datetime(2024, 3, 8, 21, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))),
            url="https://www.zhihu.com/question/1/answer/2",
        ),
        blocks=(
            m.Paragraph(
                (
                    m.Text(
                        "网页会消失，链接会失效，而电子书可以一直留在阅读器里。把存档的文章转换成 "
                    ),
                    m.Text("EPUB 之后，"),
                    m.Strong((m.Text("字体、字号和行距"),)),
                    m.Text("都由阅读器决定，夜间模式也能正常工作"),
                    m.FootnoteRef(1),
                    m.Text("。"),
                )
            ),
            m.Heading(3, (m.Text("图片和公式"),)),
            m.Figure(SAMPLE_FIGURE, caption=(m.Text("图 1：每个月存档的文章数（示意）"),)),
            m.Paragraph(
                (
                    m.Text("公式会转换成 MathML，例如平均阅读时间 "),
                    m.InlineMath(r"\bar{t} = \frac{1}{n}\sum_{i=1}^{n} t_i"),
                    m.Text("，转换失败时保留原始 TeX。"),
                )
            ),
            m.Heading(3, (m.Text("代码"),)),
            m.Paragraph(
                (
                    m.Text("代码按语言高亮，关键字加粗、注释斜体，在墨水屏上也分得清；"),
                    m.InlineCode("build_book()"),
                    m.Text(" 这样的行内代码只在分隔符后换行，长地址可以在任意处断行："),
                    m.Link(long_url, (m.Text(long_url),)),
                    m.Text("。"),
                )
            ),
            m.CodeBlock(code, "python"),
            m.Table(
                header=(m.TableCell((m.Text("选项"),)), m.TableCell((m.Text("作用"),))),
                rows=(
                    (
                        m.TableCell((m.InlineCode("--images embed"),)),
                        m.TableCell((m.Text("下载并嵌入图片"),)),
                    ),
                    (
                        m.TableCell((m.InlineCode("--images link"),)),
                        m.TableCell((m.Text("只保留指向图片的链接"),)),
                    ),
                ),
            ),
            m.Figure(
                "https://pic1.zhimg.com/v2-this-image-is-gone_r.jpg",
                caption=(m.Text("下载失败的图片"),),
            ),
        ),
        footnotes=(m.Footnote(1, "脚注在 Apple Books 和 KOReader 中以弹出框显示。"),),
    )


def sample_figure(folder: Path) -> None:
    """Draw the sample's bar chart where ``--image-dir`` finds it by file name."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1100, 620), (236, 239, 244))
    draw = ImageDraw.Draw(image)
    bars = (130, 280, 190, 370, 330, 460)
    colours = (
        (70, 120, 190),
        (95, 120, 180),
        (120, 115, 160),
        (145, 120, 145),
        (170, 115, 125),
        (195, 115, 110),
    )
    for number, (height, colour) in enumerate(zip(bars, colours, strict=True)):
        left = 100 + number * 155
        draw.rectangle((left, 560 - height, left + 110, 560), fill=colour)
    draw.line((60, 560, 1050, 560), fill=(60, 60, 60), width=3)
    image.save(folder / SAMPLE_FIGURE.rsplit("/", 1)[1])


def build_sample(out: Path) -> Path:
    """Write the sample chapter as a one-post book to ``out``."""
    import zhconvert

    with tempfile.TemporaryDirectory(prefix="zhconvert-sample-") as images:
        sample_figure(Path(images))
        data = zhconvert.dumps(
            sample_document(),
            "epub",
            image_dir=images,
            no_cache=True,
            timeout=2,
            retries=0,
        )
    assert isinstance(data, bytes)  # the EPUB writer is a binary one
    out.write_bytes(data)
    return out


def page_names(book: zipfile.ZipFile, pages: list[str]) -> list[str]:
    """Return the zip entries for ``pages`` (post numbers, short names or paths)."""
    names = book.namelist()
    posts = sorted(n for n in names if n.startswith("EPUB/text/post-"))
    chosen = []
    for page in pages or ["1"]:
        if page.isdigit():
            chosen.append(posts[int(page) - 1])
        elif f"EPUB/text/{page}.xhtml" in names:
            chosen.append(f"EPUB/text/{page}.xhtml")
        elif f"EPUB/{page}.xhtml" in names:
            chosen.append(f"EPUB/{page}.xhtml")
        elif f"EPUB/{page}" in names:
            chosen.append(f"EPUB/{page}")
        else:
            raise SystemExit(f"Error: {page}: no such page in the book")
    return chosen


def shoot(chromium: str, page: Path, png: Path, width: int, height: int, scale: float) -> None:
    """Render one XHTML file to ``png`` at ``width`` x ``height`` CSS pixels."""
    with tempfile.TemporaryDirectory(prefix="zhconvert-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={width},{height}",
            f"--force-device-scale-factor={scale}",
            f"--screenshot={png}",
            page.as_uri(),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not png.is_file():
        raise SystemExit(f"Error: {page.name}: chromium failed: {result.stderr.strip()[-500:]}")
    trim(png)


def trim(png: Path, margin: int = 24) -> None:
    """Cut the blank space below the page's content, keeping ``margin`` pixels."""
    from PIL import Image, ImageChops

    with Image.open(png) as image:
        picture = image.convert("RGB")
    background = Image.new(
        "RGB", picture.size, picture.getpixel((picture.width - 1, picture.height - 1))
    )
    box = ImageChops.difference(picture, background).getbbox()
    if box is not None and box[3] + margin < picture.height:
        picture.crop((0, 0, picture.width, box[3] + margin)).save(png, optimize=True)


def calibre_pages(book: Path, out: Path, pages: int) -> list[Path]:
    """Convert ``book`` with calibre to AZW3 and PDF in ``out``; return PNGs of the PDF's pages.

    Nothing (with a note) when calibre's ``ebook-convert`` or poppler's ``pdftoppm`` is missing.
    """
    convert, pdftoppm = shutil.which("ebook-convert"), shutil.which("pdftoppm")
    if convert is None or pdftoppm is None:
        print("calibre (ebook-convert) or pdftoppm is not installed: no AZW3/PDF", file=sys.stderr)
        return []
    out.mkdir(parents=True, exist_ok=True)
    # calibre draws with QtWebEngine: no screen here, and as root its sandbox cannot start.
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox",
        "QTWEBENGINE_DISABLE_SANDBOX": "1",
    }
    for suffix in (".azw3", ".pdf"):
        target = out / (book.stem + suffix)
        subprocess.run([convert, str(book), str(target)], check=True, env=env, capture_output=True)
        print(target)
    prefix = out / f"{book.stem}-pdf"
    pdf = out / (book.stem + ".pdf")
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", "-f", "1", "-l", str(pages), str(pdf), str(prefix)],
        check=True,
    )
    return sorted(out.glob(f"{prefix.name}-*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("book", nargs="?", type=Path, help="the EPUB (default: the sample)")
    parser.add_argument("--page", action="append", default=[], help="post number or file name")
    parser.add_argument("--out", type=Path, help="PNG file (one page) or folder")
    parser.add_argument("--width", type=int, default=600)
    parser.add_argument("--height", type=int, default=1400)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--sample-book", type=Path, help="also keep the sample book here")
    parser.add_argument("--no-install", action="store_true", help="never run apt-get")
    parser.add_argument(
        "--calibre", type=Path, metavar="DIR", help="also AZW3, PDF and PDF pages with calibre"
    )
    parser.add_argument("--pdf-pages", type=int, default=3, help="PDF pages to render (3)")
    args = parser.parse_args(argv)

    chromium = find_chromium(install=not args.no_install)
    with tempfile.TemporaryDirectory(prefix="zhconvert-render-") as work_dir:
        work = Path(work_dir)
        book_path = args.book or build_sample(args.sample_book or work / "sample.epub")
        data = book_path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            names = page_names(book, args.page)
            book.extractall(work / "book")
        out = args.out or (DEFAULT_OUT if not args.book else Path("."))
        for name in names:
            if len(names) == 1 and out.suffix == ".png":
                png = out
                png.parent.mkdir(parents=True, exist_ok=True)
            else:
                out.mkdir(parents=True, exist_ok=True)
                png = out / (Path(name).stem + ".png")
            shoot(
                chromium, work / "book" / name, png.resolve(), args.width, args.height, args.scale
            )
            print(png)
        if args.calibre:
            kept = work / book_path.name
            kept.write_bytes(data)
            for png in calibre_pages(kept, args.calibre, args.pdf_pages):
                print(png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
