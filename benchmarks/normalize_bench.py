"""Benchmark ``zhconvert normalize``: start-up on one post, and throughput on a big folder.

Run from the project root (the corpus is found at ``../shared/corpus`` or ``$ZHCONVERT_CORPUS``)::

    python benchmarks/normalize_bench.py            # 1,000 posts, 15 start-up runs
    python benchmarks/normalize_bench.py --posts 5000 --runs 30

1. ``zhconvert normalize --check POST`` as a fresh process, the way pre-commit calls it: the
   median wall time must stay within ``--budget`` (0.25 s), start-up included. The script also
   lists the slowest imports and fails if the EPUB stack was imported at all.
2. A folder of ``--posts`` real posts (the corpus, repeated): ``--check``, the rewrite, and the
   second, no-op run, each reported in posts per second.

Exit status 1 when the start-up budget is exceeded or EPUB code was imported.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DESIGN_POST = "zhihu/如何看待朝鲜承认顿涅茨克和卢甘斯克独立_.md"
HEAVY = ("zhconvert.epub", "ebooklib", "PIL", "httpx", "latex2mathml")


def corpus_root() -> Path:
    """Return the folder of real posts."""
    configured = os.environ.get("ZHCONVERT_CORPUS")
    return Path(configured) if configured else ROOT.parent / "shared" / "corpus"


def command() -> list[str]:
    """Return the command users run: the installed script, else ``python -m zhconvert``.

    The script is taken from this interpreter's scripts folder, not from PATH, so that a version
    manager's shim (pyenv) does not add its own start-up to the measurement.
    """
    script = Path(sysconfig.get_path("scripts")) / "zhconvert"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "zhconvert"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    src = str(ROOT / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    return env


def timed(argv: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[bytes]]:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=environment(), capture_output=True)
    return time.perf_counter() - start, done


def bench_startup(work: Path, runs: int, budget: float) -> bool:
    post = corpus_root() / DESIGN_POST
    (work / ".git").mkdir()  # stop the configuration search here
    shutil.copyfile(post, work / "post.md")
    argv = [*command(), "normalize", "--check", "post.md"]
    timed(argv, work)  # warm the file cache and the bytecode cache
    times = []
    for _ in range(runs):
        elapsed, done = timed(argv, work)
        if done.returncode != 1:
            sys.exit(f"unexpected exit {done.returncode}: {done.stderr.decode(errors='replace')}")
        times.append(elapsed)
    median = statistics.median(times)
    print(f"start-up: {' '.join(argv[-3:])} ({Path(argv[0]).name}), {runs} runs")
    print(
        f"  median {median * 1000:.0f} ms, min {min(times) * 1000:.0f} ms,"
        f" max {max(times) * 1000:.0f} ms; budget {budget * 1000:.0f} ms:"
        f" {'ok' if median <= budget else 'OVER BUDGET'}"
    )

    # Where the start-up goes: -X importtime of the same command, the slowest imports first.
    probe = [sys.executable, "-X", "importtime", "-m", "zhconvert", "normalize", "--check"]
    _, traced = timed([*probe, "post.md"], work)
    rows = []
    for line in traced.stderr.decode(errors="replace").splitlines():
        if line.startswith("import time:") and "|" in line:
            head, _, name = line.split("|", 2)
            own = head.removeprefix("import time:").strip()
            if own.isdigit():
                rows.append((int(own), name.strip()))
    heavy = sorted({name for _, name in rows if name.startswith(HEAVY)})
    print("  slowest imports (own time):")
    for own, name in sorted(rows, reverse=True)[:8]:
        print(f"    {own / 1000:6.1f} ms  {name}")
    print(f"  EPUB stack imported: {', '.join(heavy) if heavy else 'no'}")
    return median <= budget and not heavy


def bench_folder(work: Path, count: int) -> None:
    sources = sorted(corpus_root().glob("*/*.md"))
    if not sources:
        sys.exit(f"no posts in the corpus at {corpus_root()} (set ZHCONVERT_CORPUS)")
    folder = work / "posts"
    for number in range(count):
        source = sources[number % len(sources)]
        target = folder / f"{number // 250:02d}" / f"{number:05d}-{source.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    size = sum(p.stat().st_size for p in folder.rglob("*.md")) / 1e6
    print(f"folder: {count} posts, {size:.1f} MB")
    for label, extra, expected in (
        ("--check (read, convert, verify)", ["--check"], 1),
        ("rewrite (same + atomic write)", [], 1),
        ("second run (nothing to do)", [], 0),
    ):
        elapsed, done = timed([*command(), "normalize", *extra, "posts"], work)
        if done.returncode != expected:
            sys.exit(
                f"{label}: exit {done.returncode}: {done.stderr[-500:].decode(errors='replace')}"
            )
        print(f"  {label:34} {elapsed:6.2f} s  {count / elapsed:7.0f} posts/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000, help="posts in the big folder")
    parser.add_argument("--runs", type=int, default=15, help="start-up runs")
    parser.add_argument("--budget", type=float, default=0.25, help="start-up budget, seconds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhconvert-bench-") as tmp:
        work = Path(tmp)
        (work / "one").mkdir()
        ok = bench_startup(work / "one", args.runs, args.budget)
        (work / "many").mkdir()
        (work / "many" / ".git").mkdir()
        bench_folder(work / "many", args.posts)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
