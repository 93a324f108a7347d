"""Benchmark ``zhconvert book`` on a large collection, next to pandoc on the same posts.

The posts are generated into a temporary folder by repeating the shared corpus with unique titles
(10,000 by default). zhconvert runs as a child process (``zhconvert book DIR -o OUT --images
omit``); pandoc builds one EPUB from the same posts' HTML bodies, each under its title as an
``h1``. For each the script reports the wall time, the peak memory of the largest process
(``getrusage`` of the children) and the peak of the whole process tree (sampled from ``/proc``
every 20 ms, so worker processes count too), and the output size.

    python benchmarks/book_bench.py                 # 10,000 posts, zhconvert and pandoc
    python benchmarks/book_bench.py --posts 2000 --no-pandoc --jobs 1

Targets (issue 3): zhconvert at most 30 s and 512 MB on a 2-core machine.
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


def generate(posts: int, folder: Path) -> tuple[list[Path], Path]:
    """Write ``posts`` posts (the corpus repeated, titles made unique) and their HTML bodies."""
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
        title = re.search(r"(?m)^title: '(.*)'$", text)
        body = text.split("\n---\n", 2)[-1]
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
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="ascii", errors="replace") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
        except OSError:
            continue
        pid = int(entry)
        parent = int(fields.get("PPid", "0").strip() or 0)
        children.setdefault(parent, []).append(pid)
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0] or 0)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def measure(name: str, command: list[str], output: Path) -> Run:
    """Run ``command`` as a child process; return its time, memory and output size."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if os.path.isdir("/proc"):
        sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    if sampler.is_alive():
        sampler.join()
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if process.returncode != 0:
        print(f"{name} failed ({process.returncode}):\n{stderr.decode(errors='replace')[-2000:]}")
    size = output.stat().st_size if output.exists() else 0
    # ru_maxrss of the children only ever grows: a smaller figure than before means "not more".
    return Run(
        name,
        seconds,
        max(largest, 0) / 1024 if largest > before else float("nan"),
        peak / 1024,
        size / 1024 / 1024,
        process.returncode,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000, help="posts to generate (10,000)")
    parser.add_argument("--jobs", type=int, default=None, help="zhconvert --jobs (default: cores)")
    parser.add_argument("--no-pandoc", action="store_true", help="skip the pandoc comparison")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args(argv)

    folder = args.keep or Path(tempfile.mkdtemp(prefix="zhconvert-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        posts, html = generate(args.posts, folder)
        print(
            f"generated {len(posts)} posts ({sum(p.stat().st_size for p in posts) / 2**20:.1f} MB)"
            f" in {time.perf_counter() - started:.1f} s, {os.cpu_count()} cores"
        )
        runs: list[Run] = []
        book = folder / "zhconvert.epub"
        command = [
            sys.executable,
            "-m",
            "zhconvert",
            "book",
            str(folder / "posts"),
            "-o",
            str(book),
            "--images",
            "omit",
            "--quiet",
        ]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        runs.append(measure("zhconvert book --images omit", command, book))
        if not args.no_pandoc and shutil.which("pandoc"):
            out = folder / "pandoc.epub"
            runs.append(
                measure(
                    "pandoc -f html -t epub3",
                    [
                        "pandoc",
                        "-f",
                        "html",
                        "-t",
                        "epub3",
                        "--metadata",
                        "title=bench",
                        "-o",
                        str(out),
                        str(html),
                    ],
                    out,
                )
            )
        print(f"{'':32} {'time':>9} {'largest process':>16} {'process tree':>13} {'output':>9}")
        for run in runs:
            figures = f"{run.seconds:8.1f}s {run.largest_mb:13.0f} MB {run.tree_mb:10.0f} MB"
            status = "" if run.code == 0 else f"  (exit {run.code})"
            print(f"{run.name:32} {figures} {run.size_mb:6.1f} MB{status}")
        ours = runs[0]
        ok = ours.code == 0 and ours.seconds <= TIME_LIMIT and ours.tree_mb <= MEMORY_LIMIT_MB
        print(
            f"zhconvert: {'within' if ok else 'OUTSIDE'} the targets "
            f"({TIME_LIMIT:.0f} s, {MEMORY_LIMIT_MB:.0f} MB)"
        )
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
