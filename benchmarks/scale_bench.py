"""Measure how ``zhconvert convert DIR`` scales: ``--jobs 1`` vs ``--jobs 2`` vs ``--jobs N``,
and the Dask engine (``--dask``) on a ``LocalCluster`` of two single-threaded workers.

Run from the project root::

    python benchmarks/scale_bench.py                  # 1,000 posts, 5 rounds
    python benchmarks/scale_bench.py --posts 200 --rounds 3 --json scale.json

The folder of posts is generated in a temporary directory from the corpus (as ``run.py`` does:
``$ZHCONVERT_CORPUS``, else ``../shared/corpus``, else ``examples/``) and removed at the end.
Each round runs every configuration once, in a fixed order, so that the noise of a shared
machine falls on all of them alike; the report gives medians over the rounds and the median of
the per-round ratios. Wall time is what a user waits; CPU time (the command and the worker
processes it reaped, ``wait4``; for Dask, the CPU the cluster's workers spent, read from them)
says where the time went: when ``--jobs 2`` is short of 2x, the CPU figures tell whether the
work grew (start-up, imports, pickling) or the cores were busy with something else. The
machine's CPU pressure (``/proc/pressure/cpu``) is printed before and after.

``measure()`` is what ``benchmarks/run.py`` calls; it returns the same figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import run as bench  # noqa: E402  (benchmarks/run.py: the corpus and the child-process timer)


@dataclass
class Sample:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def median(self) -> tuple[float, float]:
        return statistics.median(self.wall), statistics.median(self.cpu)


def pressure() -> str:
    """Return the CPU pressure line (the share of time something waited for a CPU), if known."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except OSError:
        return f"load average {os.getloadavg()[0]:.2f}"
    fields = dict(item.split("=") for item in line.split()[1:])
    return (
        f"CPU pressure (some) avg10 {fields['avg10']}%, avg60 {fields['avg60']}%; "
        f"load average {os.getloadavg()[0]:.2f}"
    )


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model or 'unknown model'}), Python {sys.version.split()[0]}"


def _local(
    command: list[str], source: Path, out: Path, jobs: int
) -> Callable[[], tuple[float, float]]:
    def once() -> tuple[float, float]:
        shutil.rmtree(out, ignore_errors=True)
        cmd = [
            *command,
            "convert",
            str(source),
            "-t",
            "md",
            "-o",
            str(out),
            "--jobs",
            str(jobs),
            "-q",
        ]
        child = bench.checked(bench.run_child(cmd, rss=False), f"convert --jobs {jobs}")
        return child.seconds, child.cpu_seconds

    return once


def _dask(
    command: list[str], source: Path, out: Path, client: Any, address: str
) -> Callable[[], tuple[float, float]]:
    def once() -> tuple[float, float]:
        shutil.rmtree(out, ignore_errors=True)
        before = sum(client.run(time.process_time).values())
        cmd = [
            *command,
            "convert",
            str(source),
            "-t",
            "md",
            "-o",
            str(out),
            "--dask",
            address,
            "-q",
        ]
        child = bench.checked(bench.run_child(cmd, rss=False), "convert --dask")
        spent = sum(client.run(time.process_time).values()) - before
        return child.seconds, child.cpu_seconds + spent

    return once


def measure(
    count: int = 1000, rounds: int = 5, jobs: Sequence[int] = (), dask: bool = True
) -> dict[str, Any]:
    """Run the rounds; return the medians, the paired ratios and the machine's state."""
    files, where = bench.find_corpus()
    posts = bench.load_posts(files)
    wanted = sorted({1, 2, *(jobs or [max(4, os.cpu_count() or 1)])})
    work = Path(tempfile.mkdtemp(prefix="zhconvert-scale-"))
    cluster = client = None
    try:
        source = work / "posts"
        bench.make_folder(posts, count, source)
        command = bench.zhconvert_command()
        runners: dict[str, Callable[[], tuple[float, float]]] = {
            f"--jobs {n}": _local(command, source, work / f"out-{n}", n) for n in wanted
        }
        if dask:
            try:
                from distributed import Client, LocalCluster
            except ImportError:
                print("(no Dask row: pip install 'zhconvert[dask]')", file=sys.stderr)
            else:
                cluster = LocalCluster(
                    n_workers=2,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    scheduler_port=0,
                    dashboard_address=None,
                )
                client = Client(cluster.scheduler_address, set_as_default=False)
                address = cluster.scheduler_address
                runners["--dask (LocalCluster, 2 workers)"] = _dask(
                    command, source, work / "out-dask", client, address
                )
        samples = {name: Sample() for name in runners}
        state_before = pressure()
        for runner in runners.values():
            runner()  # warm the page cache and the bytecode
        for _ in range(rounds):
            for name, runner in runners.items():
                wall, cpu = runner()
                samples[name].wall.append(wall)
                samples[name].cpu.append(cpu)
        state_after = pressure()
        reference = work / "out-1"
        for name in runners:
            folder = work / ("out-dask" if name.startswith("--dask") else f"out-{name.split()[1]}")
            same = sorted(p.read_bytes() for p in folder.iterdir()) == sorted(
                p.read_bytes() for p in reference.iterdir()
            )
            if not same:
                raise RuntimeError(f"{name} wrote other files than --jobs 1")
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        shutil.rmtree(work, ignore_errors=True)
    one = samples["--jobs 1"]
    rows = {}
    for name, sample in samples.items():
        wall, cpu = sample.median()
        paired = statistics.median(a / b for a, b in zip(one.wall, sample.wall, strict=True))
        rows[name] = {
            "wall_median_s": wall,
            "cpu_median_s": cpu,
            "posts_per_s": count / wall,
            "speedup_vs_jobs1_paired_median": paired,
            "wall_samples": sample.wall,
            "cpu_samples": sample.cpu,
        }
    return {
        "posts": count,
        "rounds": rounds,
        "corpus": where,
        "machine": machine(),
        "pressure_before": state_before,
        "pressure_after": state_after,
        "rows": rows,
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        f"convert DIR -t md, {result['posts']} posts, {result['rounds']} rounds",
        f"machine: {result['machine']}",
        f"before: {result['pressure_before']}",
        f"after:  {result['pressure_after']}",
        "",
        f"{'configuration':<34} {'wall (s)':>9} {'CPU (s)':>8} {'posts/s':>8} {'x --jobs 1':>10}",
    ]
    for name, row in result["rows"].items():
        lines.append(
            f"{name:<34} {row['wall_median_s']:>9.2f} {row['cpu_median_s']:>8.2f} "
            f"{row['posts_per_s']:>8.0f} {row['speedup_vs_jobs1_paired_median']:>9.2f}x"
        )
    one = result["rows"]["--jobs 1"]
    two = result["rows"].get("--jobs 2")
    if two:
        # With perfect overlap, two processes finish the CPU work of --jobs 2 in half of it.
        ceiling = one["cpu_median_s"] / (two["cpu_median_s"] / 2)
        lines += [
            "",
            f"--jobs 2 spends {two['cpu_median_s'] / one['cpu_median_s']:.2f}x the CPU of "
            f"--jobs 1; on two idle cores that allows at most {ceiling:.2f}x.",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, action="append", default=[], help="also --jobs N")
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask row")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    result = measure(args.posts, args.rounds, args.jobs, dask=not args.no_dask)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
