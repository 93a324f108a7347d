"""How ``zhconvert book`` scales: time and peak memory for 1k, 10k and 50k posts, and a plot.

Generates the collections like ``book_bench.py`` (the corpus repeated with unique titles), builds
each with ``--images omit``, prints a table, saves the figures as JSON and plots them to
``docs/book-scaling.png`` (matplotlib; ``pip install matplotlib``). Memory is the whole process
tree (the parent and its workers), sampled from /proc, and the largest single process from GNU
time.

    python benchmarks/book_scaling.py                    # 1,000 / 10,000 / 50,000 posts
    python benchmarks/book_scaling.py --posts 500 2000   # any sizes
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from book_bench import REPO, generate, measure


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[1_000, 10_000, 50_000])
    parser.add_argument("--jobs", type=int, default=None, help="zhconvert --jobs")
    parser.add_argument("--json", type=Path, default=None, help="save the figures here")
    parser.add_argument(
        "--plot", type=Path, default=REPO / "docs" / "book-scaling.png", help="the PNG to write"
    )
    args = parser.parse_args(argv)
    rows = []
    for posts in args.posts:
        with tempfile.TemporaryDirectory(prefix="zhconvert-scale-") as tmp:
            folder = Path(tmp)
            written, _ = generate(posts, folder, subset=0)
            out = folder / "book.epub"
            command = [sys.executable, "-m", "zhconvert", "book", str(folder / "posts")]
            command += ["-o", str(out), "--images", "omit", "-q"]
            if args.jobs:
                command += ["--jobs", str(args.jobs)]
            run = measure(f"zhconvert book, {len(written):,} posts", command, out)
            rows.append(
                {
                    "posts": len(written),
                    "seconds": round(run.seconds, 2),
                    "largest_process_mb": round(run.largest_mb, 1),
                    "process_tree_mb": round(run.tree_mb, 1),
                    "epub_mb": round(run.size_mb, 1),
                    "exit": run.code,
                }
            )
            print(
                f"{len(written):>7,} posts  {run.seconds:7.1f} s  {run.tree_mb:6.0f} MB tree"
                f"  {run.largest_mb:6.0f} MB largest  {run.size_mb:6.1f} MB epub"
                + (f"  (exit {run.code})" if run.code else ""),
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot", file=sys.stderr)
        return 0
    posts = [row["posts"] for row in rows]
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=110)
    left.plot(posts, [row["seconds"] for row in rows], "o-", color="#3b6ea8")
    left.set_title("time")
    left.set_xlabel("posts")
    left.set_ylabel("seconds")
    right.plot(
        posts,
        [row["process_tree_mb"] for row in rows],
        "o-",
        color="#a8503b",
        label="all processes",
    )
    right.plot(
        posts,
        [row["largest_process_mb"] for row in rows],
        "s--",
        color="#777",
        label="largest process",
    )
    right.set_title("peak memory")
    right.set_xlabel("posts")
    right.set_ylabel("MB")
    right.legend()
    for axes in (left, right):
        axes.grid(alpha=0.3)
        axes.set_xlim(left=0)
        axes.set_ylim(bottom=0)
    figure.suptitle("zhconvert book --images omit (2 cores)")
    figure.tight_layout()
    figure.savefig(args.plot)
    print(f"plot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
