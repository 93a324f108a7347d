"""Benchmark ``zhconvert book`` on a large collection, next to pandoc on the same posts.

The posts are generated into a temporary folder by repeating the shared corpus with unique titles
(10,000 by default). zhconvert runs as a child process (``zhconvert book DIR -o OUT --images
omit``). pandoc needs about 1.3 GB of memory per 1,000 posts (10,000 would need over 13 GB), so
the comparison builds the first 1,000 posts (``--pandoc-posts``) with both tools: pandoc from the
same posts' HTML bodies, each under its title as an ``h1``, images removed as ``--images omit``
does. For each run the script reports the wall time, the peak memory of the largest process
(``/usr/bin/time``), the peak of the whole process tree (sampled from ``/proc`` every 50 ms, so
worker processes count too) and the output size.

    python benchmarks/book_bench.py                       # 10,000 posts; 1,000 with pandoc
    python benchmarks/book_bench.py --posts 2000 --pandoc-posts 0 --jobs 1

Targets (issue 3): zhconvert at most 30 s and 512 MB on a 2-core machine, for 10,000 posts.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TIME_LIMIT = 30.0
MEMORY_LIMIT_MB = 512.0


def corpus_dir() -> Path:
    """Return the shared corpus folder (``$ZHCONVERT_CORPUS`` or ``../shared/corpus``)."""
    configured = os.environ.get("ZHCONVERT_CORPUS")
    return Path(configured) if configured else REPO.parent / "shared" / "corpus"


@dataclass(frozen=True)
class Run:
    name: str
    seconds: float
    largest_mb: float
    tree_mb: float
    size_mb: float
    code: int


def generate(posts: int, folder: Path, subset: int) -> tuple[list[Path], Path]:
    """Write ``posts`` posts (the corpus repeated, titles made unique), the first ``subset`` of
    them again in their own folder, and those as one HTML file for pandoc (images removed, as
    ``--images omit`` does)."""
    sources = sorted(corpus_dir().glob("*/*.md"))
    if not sources:
        sys.exit(f"no corpus posts in {corpus_dir()} (set ZHCONVERT_CORPUS)")
    texts = [path.read_text(encoding="utf-8") for path in sources]
    post_dir = folder / "posts"
    html_parts: list[str] = []
    written: list[Path] = []
    for number in range(posts):
        text = texts[number % len(texts)]
        text, count = re.subn(r"(?m)^title: '(.*)'$", rf"title: '\1 #{number + 1}'", text, count=1)
        if not count:
            continue
        sub = post_dir / f"{number // 1000:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"post-{number:05d}.md"
        path.write_text(text, encoding="utf-8")
        written.append(path)
        if number >= subset:
            continue
        (folder / "subset").mkdir(exist_ok=True)
        (folder / "subset" / path.name).write_text(text, encoding="utf-8")
        title = re.search(r"(?m)^title: '(.*)'$", text)
        body = re.sub(r"<img\b[^>]*>", "", text.split("\n---\n", 2)[-1])
        heading = title.group(1) if title else f"#{number + 1}"
        html_parts.append(f"<h1>{heading}</h1>\n{body}\n")
    html = folder / "all.html"
    html.write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>bench</title></head>'
        "<body>\n" + "".join(html_parts) + "</body></html>\n",
        encoding="utf-8",
    )
    return written, html


def _tree_rss_kb(root: int) -> int:
    """Return the summed resident memory of ``root`` and its descendants, in KiB."""
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(name: str, command: list[str], output: Path, timeout: float | None = None) -> Run:
    """Run ``command`` as a child process; return its time, memory and output size."""
    report = output.with_suffix(".time")
    timer = (
        ["/usr/bin/time", "-f", "%M", "-o", str(report)] if os.path.exists("/usr/bin/time") else []
    )
    started = time.perf_counter()
    process = subprocess.Popen(timer + command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    if os.path.isdir("/proc"):
        sampler.start()
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        stderr += f"\n(stopped after {timeout:.0f} s)".encode()
    seconds = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    if process.returncode != 0:
        print(f"{name} failed ({process.returncode}): {stderr.decode(errors='replace')[-500:]}")
    largest = float("nan")
    if report.exists():
        figures = report.read_text().split()
        if figures and figures[-1].isdigit():
            largest = int(figures[-1]) / 1024
    else:  # no /usr/bin/time: the largest of all children so far
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = output.stat().st_size if output.exists() else 0
    return Run(name, seconds, largest, peak / 1024, size / 1024 / 1024, process.returncode)


def _print(runs: list[Run]) -> None:
    print(f"{'':40} {'time':>9} {'largest process':>16} {'process tree':>13} {'output':>9}")
    for run in runs:
        figures = f"{run.seconds:8.1f}s {run.largest_mb:13.0f} MB {run.tree_mb:10.0f} MB"
        status = "" if run.code == 0 else f"  (exit {run.code})"
        print(f"{run.name:40} {figures} {run.size_mb:6.1f} MB{status}")


def _zhconvert(folder: Path, out: Path, jobs: int | None) -> list[str]:
    command = [sys.executable, "-m", "zhconvert", "book", str(folder), "-o", str(out)]
    command += ["--images", "omit", "--quiet"]
    return command + (["--jobs", str(jobs)] if jobs else [])


def _pandoc(html: Path, out: Path) -> list[str]:
    return [
        "pandoc",
        "-f",
        "html",
        "-t",
        "epub3",
        "--metadata=title:bench",
        "-o",
        str(out),
        str(html),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts to generate (10,000)")
    parser.add_argument("--jobs", type=int, default=None, help="zhconvert --jobs (default: cores)")
    parser.add_argument(
        "--pandoc-posts",
        type=int,
        default=1_000,
        help="posts both tools build for the comparison (default 1,000: pandoc needs about "
        "1.3 GB per 1,000 posts; 0 skips it)",
    )
    parser.add_argument("--pandoc-timeout", type=float, default=900.0, help="seconds (900)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="zhconvert-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        posts, htmls = generate(args.posts, folder, args.pandoc_posts)
        megabytes = sum(p.stat().st_size for p in posts) / 2**20
        print(
            f"generated {len(posts)} posts ({megabytes:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s; {os.cpu_count()} cores, "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        ours = measure(
            f"zhconvert book, {len(posts)} posts",
            _zhconvert(folder / "posts", folder / "zhconvert.epub", args.jobs),
            folder / "zhconvert.epub",
        )
        runs = [ours]
        if args.pandoc_posts and shutil.which("pandoc"):
            subset = min(args.pandoc_posts, len(posts))
            runs.append(
                measure(
                    f"zhconvert book, {subset} posts",
                    _zhconvert(folder / "subset", folder / "subset.epub", args.jobs),
                    folder / "subset.epub",
                )
            )
            runs.append(
                measure(
                    f"pandoc -f html -t epub3, {subset} posts",
                    _pandoc(htmls, folder / "pandoc.epub"),
                    folder / "pandoc.epub",
                    timeout=args.pandoc_timeout,
                )
            )
        _print(runs)
        ok = ours.code == 0 and ours.seconds <= TIME_LIMIT and ours.tree_mb <= MEMORY_LIMIT_MB
        print(
            f"zhconvert: {'within' if ok else 'OUTSIDE'} the targets "
            f"({TIME_LIMIT:.0f} s, {MEMORY_LIMIT_MB:.0f} MB for the whole process tree)"
        )
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
