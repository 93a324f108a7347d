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

One more row measures the machine rather than zhconvert: two ``--jobs 1`` processes started at
once, each on half of the folder, the split a user could make by hand. Nothing coordinates
them (each pays its own start-up), so what they gain over one process is what two cores of this
machine give this work; ``--jobs 2`` is reported as a share of it too.
Every run writes into a folder never used before (deleting a thousand files makes the next
thousand creations dearer on some disks), and the commands run with their bytecode cached, as
an installed package does (``--bytecode as-is`` keeps the environment's setting instead).

``measure()`` is what ``benchmarks/run.py`` calls; it returns the same figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
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
    command: list[str], source: Path, parent: Path, jobs: int, env: dict[str, str]
) -> Callable[[], tuple[float, float]]:
    def once() -> tuple[float, float]:
        out = bench.fresh_folder(parent)
        cmd = [*command, "convert", str(source), "-t", "md", "-o", str(out), "--jobs", str(jobs)]
        child = bench.checked(bench.run_child([*cmd, "-q"], env=env, rss=False), " ".join(cmd[-2:]))
        return child.seconds, child.cpu_seconds

    return once


def _halves(
    command: list[str], halves: Sequence[Path], parent: Path, env: dict[str, str]
) -> Callable[[], tuple[float, float]]:
    """Two ``--jobs 1`` processes started at once, each on half of the posts.

    Nothing is coordinated between them: no fork, no pool, no parent waiting for results; but
    each starts its own interpreter and loads the converter itself. What they gain over one
    process on all the posts is what two cores of this machine give this work when it is split
    by hand, the reference ``--jobs 2`` is measured against.
    """

    def once() -> tuple[float, float]:
        out = bench.fresh_folder(parent)
        procs = []
        start = time.perf_counter()
        for half in halves:
            cmd = [*command, "convert", str(half), "-t", "md", "-o", str(out / half.name)]
            procs.append(
                subprocess.Popen(
                    [*cmd, "--jobs", "1", "-q"],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    env=env,
                )
            )
        cpu = 0.0
        for proc in procs:
            _, status, usage = os.wait4(proc.pid, 0)
            cpu += usage.ru_utime + usage.ru_stime
            if os.waitstatus_to_exitcode(status) != 0:
                raise RuntimeError(f"two halves at once: {proc.stderr.read()!r}")  # type: ignore[union-attr]
        wall = time.perf_counter() - start
        for proc in procs:
            proc.stderr.close()  # type: ignore[union-attr]
        return wall, cpu

    return once


def _dask(
    command: list[str], source: Path, parent: Path, client: Any, address: str, env: dict[str, str]
) -> Callable[[], tuple[float, float]]:
    def once() -> tuple[float, float]:
        out = bench.fresh_folder(parent)
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
        child = bench.checked(bench.run_child(cmd, env=env, rss=False), "convert --dask")
        spent = sum(client.run(time.process_time).values()) - before
        return child.seconds, child.cpu_seconds + spent

    return once


#: Two ``--jobs 1`` processes at once on the two halves of the folder (see ``_halves``).
HALVES = "two --jobs 1 at once, on halves"  # the reference of a split by hand


def measure(
    count: int = 1000,
    rounds: int = 5,
    jobs: Sequence[int] = (),
    dask: bool = True,
    bytecode: str = "cached",
) -> dict[str, Any]:
    """Run the rounds; return the medians, the paired ratios and the machine's state.

    ``bytecode="cached"`` runs the commands with their bytecode cached (in a temporary
    ``PYTHONPYCACHEPREFIX``), as an installed package runs; ``"as-is"`` keeps the environment,
    which may compile every module from source at every start (``PYTHONDONTWRITEBYTECODE``).
    """
    files, where = bench.find_corpus()
    posts = bench.load_posts(files)
    wanted = sorted({1, 2, *(jobs or [max(4, os.cpu_count() or 1)])})
    work = Path(tempfile.mkdtemp(prefix="zhconvert-scale-"))
    env = dict(os.environ)
    if bytecode == "cached":
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    cluster = client = None
    try:
        source = work / "posts"
        bench.make_folder(posts, count, source)
        names = sorted(path.name for path in source.iterdir())
        halves = [work / "half-a", work / "half-b"]
        for half, part in zip(halves, (names[: count // 2], names[count // 2 :]), strict=True):
            half.mkdir()
            for name in part:
                os.link(source / name, half / name)
        command = bench.zhconvert_command()
        runners: dict[str, Callable[[], tuple[float, float]]] = {
            f"--jobs {n}": _local(command, source, work / f"out-{n}", n, env) for n in wanted
        }
        runners[HALVES] = _halves(command, halves, work / "out-halves", env)
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
                    command, source, work / "out-dask", client, address, env
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
        outputs = {name: _last_output(work, name) for name in runners}
        expected = outputs["--jobs 1"]
        for name, written in outputs.items():
            if written != expected:
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
    two = samples.get("--jobs 2")
    vs_halves = None
    if two is not None:
        vs_halves = statistics.median(
            b / a for a, b in zip(two.wall, samples[HALVES].wall, strict=True)
        )
    return {
        "posts": count,
        "rounds": rounds,
        "bytecode": bytecode,
        "corpus": where,
        "machine": machine(),
        "pressure_before": state_before,
        "pressure_after": state_after,
        "rows": rows,
        "jobs2_vs_halves_paired_median": vs_halves,
    }


def _last_output(work: Path, name: str) -> list[tuple[str, bytes]]:
    """Return the files (relative name, bytes) of the last run of configuration ``name``."""
    if name == HALVES:
        parent = work / "out-halves"
    elif name.startswith("--dask"):
        parent = work / "out-dask"
    else:
        parent = work / f"out-{name.split()[1]}"
    last = max(parent.iterdir())
    return sorted((p.name, p.read_bytes()) for p in last.rglob("*") if p.is_file())


def report(result: dict[str, Any]) -> str:
    bytecode = {
        "cached": "bytecode cached, as installed",
        "as-is": "bytecode as the environment has it",
    }[result.get("bytecode", "as-is")]
    lines = [
        f"convert DIR -t md, {result['posts']} posts, {result['rounds']} rounds, {bytecode}",
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
    halves = result["rows"].get(HALVES)
    if two and halves:
        lines.append(
            f"Two --jobs 1 processes at once on the halves (each with its own start-up) ran "
            f"{halves['speedup_vs_jobs1_paired_median']:.2f}x as fast as one on the whole "
            f"folder: what this machine's two cores gave this work split by hand. --jobs 2 "
            f"ran {result['jobs2_vs_halves_paired_median']:.0%} as fast as they did "
            "(paired median)."
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--jobs", type=int, action="append", default=[], help="also --jobs N")
    parser.add_argument("--no-dask", action="store_true", help="leave out the Dask row")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--bytecode",
        choices=("cached", "as-is"),
        default="cached",
        help="cached (default): run with compiled bytecode cached, as an installed package "
        "does; as-is: keep the environment (PYTHONDONTWRITEBYTECODE compiles at every start)",
    )
    args = parser.parse_args(argv)
    result = measure(
        args.posts, args.rounds, args.jobs, dask=not args.no_dask, bytecode=args.bytecode
    )
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
