"""Measure zhconvert's throughput, start-up, memory and scaling against other converters.

Run from the project root::

    python benchmarks/run.py                 # full run: 5 rounds, 1,000 posts for the CLI
    python benchmarks/run.py --quick         # smoke run: 3 rounds, 200 posts
    python benchmarks/run.py --json out.json # also save every sample

Posts come from ``$ZHCONVERT_CORPUS``, else ``../shared/corpus`` next to the project, else the
project's ``examples/*.md``. They are read in place, never copied into the repository; the CLI
section writes its generated folder of posts into a temporary directory that is removed at the end.

Every ratio compares numbers taken in the same run: each round runs every tool once, in a fixed
order (A B C A B C ...), so that the noise of a shared machine falls on all of them alike, and the
report gives the median over the rounds. Peak memory is the maximum resident set size of a child
process (``os.wait4``, the per-child value behind ``getrusage(RUSAGE_CHILDREN)``); in-process tools
are measured in a fresh child that converts the corpus once.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve()
MB = 1024 * 1024
#: the post the project was designed from; the start-up runs convert it.
REFERENCE_POST = "如何看待朝鲜承认顿涅茨克和卢甘斯克独立_.md"
PANDOC_SAMPLE = 30
LINEAR_SIZES = (1_000, 10_000, 100_000)
#: a second shape, all in one paragraph: smaller sizes, since it is where quadratic code shows
INLINE_SIZES = (1_000, 10_000, 30_000)

TARGETS = {
    "zhconvert vs markdownify (in-process)": (1.5, "ratio >= 1.5 (stretch 2.5)"),
    "zhconvert vs html-to-markdown (in-process)": (1.0, "ratio >= 1.0 (issue 17)"),
    "convert --jobs 2 vs --jobs 1": (1.6, "ratio >= 1.6"),
    "scaling: --jobs 2 vs --jobs 1 [bytecode cached]": (1.6, "ratio >= 1.6 (issue 17)"),
    "convert --jobs 2 vs pandoc per file": (20.0, "ratio >= 20"),
    "convert --jobs 2 vs pandoc batch": (4.0, "ratio >= 4"),
    "start-up: zhconvert --version": (0.25, "median <= 0.25 s"),
    "start-up: zhconvert convert ONE_POST -t md": (0.25, "median <= 0.25 s"),
    "start-up: --version [bytecode cached]": (0.25, "median <= 0.25 s"),
    "start-up: convert ONE_POST [bytecode cached]": (0.25, "median <= 0.25 s"),
    "linearity: t(100k)/t(1k) paragraphs": (150.0, "ratio ~100, <= 150 (quadratic: 10,000)"),
    "linearity: the same in CPU time": (150.0, "ratio ~100, <= 150"),
    "extra: t(30k)/t(1k) inline pieces, CPU time": (45.0, "ratio ~30, <= 45 (quadratic: 900)"),
}


# --------------------------------------------------------------------------------------------
# The corpus


@dataclass(frozen=True, slots=True)
class Post:
    name: str
    text: str  # the whole post: front matter and body
    body: str  # the post minus its front matter: what the other tools are given
    text_bytes: int
    body_bytes: int


def find_corpus() -> tuple[list[Path], str]:
    """Return the post files and a description of where they came from."""
    folders = []
    if os.environ.get("ZHCONVERT_CORPUS"):
        folders.append(Path(os.environ["ZHCONVERT_CORPUS"]))
    folders.append(ROOT.parent / "shared" / "corpus")
    for folder in folders:
        if folder.is_dir():
            files = sorted(p for p in folder.rglob("*.md") if p.name.lower() != "readme.md")
            if files:
                return files, str(folder)
    files = sorted((ROOT / "examples").glob("*.md"))
    if not files:
        sys.exit("no posts: set ZHCONVERT_CORPUS, or put posts in ../shared/corpus or examples/")
    return files, str(ROOT / "examples") + " (fallback: the shared corpus is absent)"


def split_body(text: str) -> str:
    """Return the post without its front matter (blank lines, ``---`` ... ``---``)."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].rstrip() != "---":
        return text
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n".join(lines[end + 1 :])
    return text


def load_posts(files: Sequence[Path]) -> list[Post]:
    posts = []
    for path in files:
        text = path.read_bytes().decode("utf-8-sig")
        body = split_body(text)
        posts.append(
            Post(path.name, text, body, len(text.encode("utf-8")), len(body.encode("utf-8")))
        )
    return posts


# --------------------------------------------------------------------------------------------
# Tools run in-process


def _zhconvert() -> Callable[[Post], object]:
    import zhconvert

    loads, dumps = zhconvert.loads, zhconvert.dumps
    return lambda post: dumps(loads(post.text), "markdown")


def _zhconvert_loads() -> Callable[[Post], object]:
    import zhconvert

    loads = zhconvert.loads
    return lambda post: loads(post.text)


def _markdownify() -> Callable[[Post], object]:
    from markdownify import markdownify

    return lambda post: markdownify(post.body)


def _html2text() -> Callable[[Post], object]:
    from html2text import html2text

    return lambda post: html2text(post.body)


def _html_to_markdown() -> Callable[[Post], object]:
    from html_to_markdown import convert

    def run(post: Post) -> object:
        result = convert(post.body)
        # 3.x returns a ConversionResult, older versions the string itself
        return getattr(result, "content", result)

    return run


def _lxml_parse() -> Callable[[Post], object]:
    from lxml.html import fromstring

    return lambda post: fromstring(post.body)


def _design_floor() -> Callable[[Post], object]:
    """What any Python reader built on lxml and PyYAML pays before converting anything.

    The front matter loaded by PyYAML's C loader, the body parsed by lxml's HTML parser, and a
    walk that only looks at each element once (its tag, text, tail and class): none of
    zhconvert's own code. The ratio of this row to html-to-markdown bounds issue 17's target from
    above for the design the project is built on.
    """
    import yaml
    from lxml import etree

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parser = etree.HTMLParser()

    def walk(element: Any) -> int:
        seen = 1
        element.tag, element.text, element.tail, element.get("class")
        for child in element:
            seen += walk(child)
        return seen

    def run(post: Post) -> object:
        head = post.text[: len(post.text) - len(post.body)]
        if head.strip():
            yaml.load(head.strip().strip("-"), Loader=loader)  # a safe loader
        root = etree.fromstring(post.body, parser) if post.body.strip() else None
        return walk(root) if root is not None else 0

    return run


#: name -> (factory, input, module that must be importable)
IN_PROCESS: dict[str, tuple[Callable[[], Callable[[Post], object]], str, str]] = {
    "zhconvert loads+dumps(md)": (_zhconvert, "whole post", "zhconvert"),
    "zhconvert loads (reader only)": (_zhconvert_loads, "whole post", "zhconvert"),
    "markdownify": (_markdownify, "body", "markdownify"),
    "html2text": (_html2text, "body", "html2text"),
    "html-to-markdown (Rust)": (_html_to_markdown, "body", "html_to_markdown"),
    "lxml.html.fromstring (parse only)": (_lxml_parse, "body", "lxml"),
    "floor: YAML + lxml parse + bare walk": (_design_floor, "whole post", "lxml"),
}
ZH = "zhconvert loads+dumps(md)"


def importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# --------------------------------------------------------------------------------------------
# Child processes


@dataclass
class ChildRun:
    seconds: float  # wall time
    cpu_seconds: float  # user + system, the child and its reaped children (workers) together
    maxrss_mb: float  # the largest single process, not a sum
    returncode: int
    stdout: bytes
    stderr: bytes


def _find_gnu_time() -> str | None:
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, text=True)
    return path if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


#: GNU time reports the peak RSS of the command alone. Reading the rusage of a child forked
#: straight from this process would not: Linux carries the RSS the child had between fork and
#: exec (a copy of this process, tens of MB) into its ru_maxrss.
GNU_TIME = _find_gnu_time()
RSS_NOTE = (
    "peak RSS from GNU time's %M (the wait4/RUSAGE_CHILDREN value of the command itself)"
    if GNU_TIME
    else "peak RSS from wait4 without GNU time: an upper bound (includes this process at fork)"
)


def run_child(
    cmd: Sequence[str], *, env: dict[str, str] | None = None, rss: bool = True
) -> ChildRun:
    """Run ``cmd``; return its wall and CPU time and its peak RSS (when ``rss``).

    With ``rss`` the command runs under GNU time (about a millisecond more wall time); without,
    ``maxrss_mb`` is 0.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        report = None
        full = list(cmd)
        if rss and GNU_TIME:
            handle, report = tempfile.mkstemp(prefix="zhconvert-bench-rss-")
            os.close(handle)
            full = [GNU_TIME, "-f", "%M", "-o", report, *full]
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        maxrss = usage.ru_maxrss / 1024 if rss else 0.0
        if report is not None:
            lines = Path(report).read_text().split()
            os.unlink(report)
            maxrss = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else float("nan")
        out.seek(0)
        err.seek(0)
        return ChildRun(
            elapsed,
            usage.ru_utime + usage.ru_stime,
            maxrss,
            proc.returncode,
            out.read(),
            err.read(),
        )


def checked(run: ChildRun, what: str) -> ChildRun:
    if run.returncode != 0:
        tail = run.stderr.decode("utf-8", "replace")[-2000:]
        raise RuntimeError(f"{what} exited with {run.returncode}:\n{tail}")
    return run


def zhconvert_command() -> list[str]:
    """The console script next to this interpreter (not a pyenv shim), else ``-m zhconvert``."""
    script = Path(sys.executable).parent / "zhconvert"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "zhconvert"]


# --------------------------------------------------------------------------------------------
# Results


@dataclass
class Row:
    name: str
    section: str
    posts: int
    in_bytes: int
    samples: list[float] = field(default_factory=list)  # seconds for `posts` posts
    cpu: list[float] = field(default_factory=list)  # CPU seconds, for child processes
    peak_mb: float | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.median

    @property
    def mb_per_s(self) -> float:
        return self.in_bytes / MB / self.median

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "section": self.section,
            "posts": self.posts,
            "input_bytes": self.in_bytes,
            "samples_s": self.samples,
            "cpu_samples_s": self.cpu,
            "peak_rss_mb": self.peak_mb,
            "note": self.note,
        }
        if self.samples:
            out.update(median_s=self.median, posts_per_s=self.posts_per_s, mb_per_s=self.mb_per_s)
        return out


def print_table(title: str, rows: Sequence[Row], reference: Row, ratio_label: str) -> None:
    """Print rows; the ratios divide the reference's throughput by each row's."""
    print(f"\n## {title}\n")
    print(
        f"| {'tool':<48} | {'posts/s':>8} | {'MB/s':>6} | {ratio_label:>12} | "
        f"{'median s':>8} | {'CPU s':>6} | {'by CPU':>6} | {'peak MB':>7} |"
    )
    print(f"|{'-' * 50}|{'-' * 10}|{'-' * 8}|{'-' * 14}|{'-' * 10}|{'-' * 8}|{'-' * 8}|{'-' * 9}|")
    ref_cpu = statistics.median(reference.cpu) / reference.posts if reference.cpu else None
    for row in rows:
        if not row.samples:
            dash = "-"
            print(
                f"| {row.name:<48} | {dash:>8} | {dash:>6} | {dash:>12} | {dash:>8} | "
                f"{dash:>6} | {dash:>6} | {dash:>7} |"
            )
            continue
        ratio = reference.posts_per_s / row.posts_per_s
        peak = f"{row.peak_mb:.0f}" if row.peak_mb is not None else "-"
        cpu = f"{statistics.median(row.cpu):.3f}" if row.cpu else "-"
        by_cpu = "-"
        if row.cpu and ref_cpu:
            by_cpu = f"{statistics.median(row.cpu) / row.posts / ref_cpu:.2f}x"
        print(
            f"| {row.name:<48} | {row.posts_per_s:>8.1f} | {row.mb_per_s:>6.2f} | "
            f"{ratio:>11.2f}x | {row.median:>8.3f} | {cpu:>6} | {by_cpu:>6} | {peak:>7} |"
        )
    print(
        f"  {ratio_label} = throughput of the reference row / this row's (wall time); "
        "by CPU = the same ratio from CPU seconds per post"
    )
    for row in rows:
        if row.note:
            print(f"  - {row.name}: {row.note}")


def spread(samples: Sequence[float]) -> str:
    return f"min {min(samples):.3f} / max {max(samples):.3f} s over {len(samples)} rounds"


# --------------------------------------------------------------------------------------------
# 1. In-process throughput on the corpus, with pandoc on the same bodies


def write_bodies(posts: Sequence[Post], folder: Path) -> tuple[list[Path], Path]:
    """Write each body as an .html file and all of them as one file; return both."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for index, post in enumerate(posts):
        path = folder / f"{index:05d}.html"
        path.write_text(post.body, encoding="utf-8")
        files.append(path)
    batch = folder / "all-bodies.html"
    batch.write_text("\n".join(post.body for post in posts), encoding="utf-8")
    return files, batch


def settle() -> None:
    """Flush what earlier runs wrote before the next timed run starts."""
    os.sync()


_FRESH = itertools.count(1)


def fresh_folder(parent: Path) -> Path:
    """Return a new, empty folder below ``parent``, after a sync.

    Every timed run writes new files into a folder never used before, as into a new archive;
    nothing is deleted until its section is over. Deleting a thousand files makes the next
    thousand file creations several times dearer for a while (measured here: about 0.1 ms of
    system time a file after a quiet spell, up to 1 ms after a deletion; this machine's ext4 is
    mounted with ``discard``), and a run must not pay for what an earlier one left.
    """
    out = parent / f"run-{next(_FRESH):03d}"
    out.mkdir(parents=True)
    settle()
    return out


def pandoc_per_file(files: Sequence[Path], parent: Path) -> float:
    out = fresh_folder(parent)
    total = 0.0
    for path in files:
        cmd = ["pandoc", "-f", "html", "-t", "gfm", str(path), "-o", str(out / f"{path.stem}.md")]
        total += checked(run_child(cmd, rss=False), "pandoc").seconds
    return total


def pandoc_per_file_peak(files: Sequence[Path], out: Path) -> float:
    peak = 0.0
    for path in files[:5]:
        cmd = ["pandoc", "-f", "html", "-t", "gfm", str(path), "-o", str(out / "peak.md")]
        peak = max(peak, checked(run_child(cmd), "pandoc").maxrss_mb)
    return peak


def pandoc_batch(batch: Path, parent: Path) -> ChildRun:
    out = fresh_folder(parent) / "all-bodies.md"
    cmd = ["pandoc", "-f", "html", "-t", "gfm", str(batch), "-o", str(out)]
    return checked(run_child(cmd), "pandoc")


def probe_peak(tool: str) -> float:
    """Peak RSS of a fresh child that converts the corpus once with ``tool``."""
    run = run_child([sys.executable, str(THIS), "--_probe", tool])
    return checked(run, f"memory probe {tool}").maxrss_mb


def bench_in_process(
    posts: list[Post], rounds: int, min_sample: float, work: Path, pandoc: bool
) -> tuple[list[Row], dict[str, Any]]:
    n = len(posts)
    body_bytes = sum(p.body_bytes for p in posts)
    tools: dict[str, Callable[[Post], object]] = {}
    rows: list[Row] = []
    for name, (factory, _given, module) in IN_PROCESS.items():
        row = Row(name, "in-process", n, body_bytes)
        rows.append(row)
        if not importable(module):
            row.note = f"skipped: {module} is not importable"
            continue
        tools[name] = factory()
    rows[0].note = "given the whole post (front matter too); MB/s counts body bytes for all"

    # Warm up (imports, caches) and size the passes so that each sample lasts >= min_sample.
    passes: dict[str, int] = {}
    for name, fn in tools.items():
        start = time.perf_counter()
        for post in posts:
            fn(post)
        once = time.perf_counter() - start
        passes[name] = max(1, math.ceil(min_sample / max(once, 1e-6)))

    sample = posts[:PANDOC_SAMPLE]
    files, batch = write_bodies(posts, work / "bodies")
    per_file_row = Row(
        f"pandoc per file ({len(sample)}-post sample)",
        "in-process",
        len(sample),
        sum(p.body_bytes for p in sample),
        note="one `pandoc -f html -t gfm FILE -o OUT` process per post",
    )
    batch_row = Row(
        f"pandoc batch ({n} bodies in one input)",
        "in-process",
        n,
        body_bytes,
        note="all bodies concatenated into one file, one pandoc process",
    )
    if pandoc:
        rows += [per_file_row, batch_row]
        pandoc_batch(batch, work / "pandoc-batch")  # page cache, first-run costs

    for _ in range(rounds):
        for row in rows:
            if row.name in tools:
                fn = tools[row.name]
                gc.collect()
                start, cpu_start = time.perf_counter(), time.process_time()
                for _pass in range(passes[row.name]):
                    for post in posts:
                        fn(post)
                row.samples.append((time.perf_counter() - start) / passes[row.name])
                row.cpu.append((time.process_time() - cpu_start) / passes[row.name])
            elif row is per_file_row:
                row.samples.append(pandoc_per_file(files[: len(sample)], work / "pandoc-out"))
            elif row is batch_row:
                run = pandoc_batch(batch, work / "pandoc-batch")
                row.samples.append(run.seconds)
                row.cpu.append(run.cpu_seconds)

    for row in rows:
        if row.name in tools:
            row.peak_mb = probe_peak(row.name)
    if pandoc:
        per_file_row.peak_mb = pandoc_per_file_peak(files, work / "pandoc-out")
        batch_row.peak_mb = pandoc_batch(batch, work / "pandoc-batch").maxrss_mb
    extra = {
        "passes_per_sample": passes,
        "baseline_peak_mb": checked(
            run_child([sys.executable, str(THIS), "--_probe", "none"]), "baseline probe"
        ).maxrss_mb,
    }
    return rows, extra


# --------------------------------------------------------------------------------------------
# 2. The CLI on a folder of posts


def make_folder(posts: Sequence[Post], count: int, folder: Path) -> tuple[list[Post], int]:
    """Write ``count`` posts by repeating the corpus under unique names."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = []
    total = 0
    for index in range(count):
        post = posts[index % len(posts)]
        data = post.text.encode("utf-8")
        (folder / f"{index:05d}-{post.name}").write_bytes(data)
        chosen.append(post)
        total += len(data)
    return chosen, total


def bench_cli(
    posts: list[Post], count: int, rounds: int, work: Path, pandoc: bool, diagnose: bool
) -> tuple[list[Row], dict[str, Any]]:
    source = work / "posts"
    chosen, total_bytes = make_folder(posts, count, source)
    body_total = sum(p.body_bytes for p in chosen)
    files, batch = write_bodies(chosen, work / "cli-bodies")
    sample = files[:PANDOC_SAMPLE]
    zh = zhconvert_command()
    outputs = work / "out"
    last_output: list[Path] = []
    # A folder in memory (tmpfs) for the diagnostic rows: what the CLI costs without the disk.
    shm = Path("/dev/shm")
    in_memory = Path(tempfile.mkdtemp(dir=shm)) if shm.is_dir() else None

    def converter(jobs: int, command: list[str], parent: Path = outputs) -> Callable[[], ChildRun]:
        def convert() -> ChildRun:
            out = fresh_folder(parent) / "out"  # convert makes the folder itself
            last_output[:] = [out]
            cmd = [*command, "convert", str(source), "-t", "md", "-o", str(out), "--jobs"]
            return checked(run_child([*cmd, str(jobs)]), f"zhconvert convert --jobs {jobs}")

        return convert

    def per_file() -> ChildRun:
        seconds = pandoc_per_file(sample, work / "cli-pandoc-out")
        return ChildRun(seconds, 0.0, 0.0, 0, b"", b"")

    runners: list[tuple[Row, Callable[[], ChildRun]]] = [
        (Row("zhconvert convert DIR -t md --jobs 1", "cli", count, total_bytes), converter(1, zh)),
        (Row("zhconvert convert DIR -t md --jobs 2", "cli", count, total_bytes), converter(2, zh)),
    ]
    runners[1][0].note = "peak MB: the largest single process (parent or a worker), not the sum"
    if diagnose and in_memory is not None:
        for jobs in (1, 2):
            row = Row(f"diagnostic: --jobs {jobs}, output on tmpfs", "cli", count, total_bytes)
            runners.append((row, converter(jobs, zh, in_memory)))
        runners[-1][
            0
        ].note = (
            "the same command writing into /dev/shm: what creating 1,000 files on the disk costs"
        )
    if pandoc:
        row = Row(
            f"pandoc per file ({len(sample)}-post sample)",
            "cli",
            len(sample),
            sum(p.body_bytes for p in chosen[: len(sample)]),
            note="sequential, one process per post; MB/s counts body bytes",
        )
        runners.append((row, per_file))
        row = Row(
            f"pandoc batch ({count} bodies in one input)",
            "cli",
            count,
            body_total,
            note="one process over all bodies concatenated; MB/s counts body bytes",
        )
        runners.append((row, lambda: pandoc_batch(batch, work / "cli-batch")))

    first = runners[0][1]()  # warm-up; also check that every post was converted
    written = sum(1 for _ in last_output[0].rglob("*.md"))
    if written != count:
        raise RuntimeError(f"convert wrote {written} files for {count} posts")
    if pandoc:
        pandoc_batch(batch, work / "cli-batch")
    peaks: dict[str, list[float]] = {row.name: [] for row, _ in runners}
    loads: list[tuple[float, float, float]] = []
    try:
        for _ in range(rounds):
            loads.append(os.getloadavg())
            for row, runner in runners:
                run = runner()
                row.samples.append(run.seconds)
                if run.maxrss_mb:
                    row.cpu.append(run.cpu_seconds)
                    peaks[row.name].append(run.maxrss_mb)
    finally:
        if in_memory is not None:
            shutil.rmtree(in_memory, ignore_errors=True)
    rows = [row for row, _ in runners]
    for row in rows:
        if peaks[row.name]:
            row.peak_mb = max(peaks[row.name])
        elif row.name.startswith("pandoc per file"):
            row.peak_mb = pandoc_per_file_peak(sample, work / "cli-pandoc-out")
    summary = first.stderr.decode("utf-8", "replace").strip().splitlines()
    # Per-round ratios pair runs made seconds apart, under the same load.
    paired = statistics.median(a / b for a, b in zip(rows[0].samples, rows[1].samples, strict=True))
    return rows, {
        "paired_ratio_jobs2_vs_jobs1": paired,
        "command": zh,
        "summary_line": summary[-1] if summary else "",
        "loadavg_per_round": loads,
    }


# --------------------------------------------------------------------------------------------
# 3. Start-up


def bytecode_envs(work: Path) -> dict[str, dict[str, str]]:
    """The environment as it is, and one where compiled bytecode is cached (outside the repo).

    A ``pip install`` compiles the package's .pyc files; an editable install under
    ``PYTHONDONTWRITEBYTECODE=1`` compiles every module from source at every start.
    """
    here = dict(os.environ)
    cached = dict(os.environ)
    cached.pop("PYTHONDONTWRITEBYTECODE", None)
    cached["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return {"": here, "cached": cached} if here.get("PYTHONDONTWRITEBYTECODE") else {"": here}


def bench_startup(work: Path, one_post: Path, rounds: int) -> dict[str, Any]:
    zh = zhconvert_command()
    base = {
        "python -c pass (floor)": [sys.executable, "-c", "pass"],
        "python -c 'import zhconvert'": [sys.executable, "-c", "import zhconvert"],
        "zhconvert --version": [*zh, "--version"],
        "zhconvert convert ONE_POST -t md": [*zh, "convert", str(one_post), "-t", "md"],
    }
    envs = bytecode_envs(work)
    commands: dict[str, tuple[list[str], dict[str, str]]] = {}
    for suffix, env in envs.items():
        for name, cmd in base.items():
            label = name if not suffix else f"{name} [bytecode cached]"
            commands[label] = (cmd, env)
    shim = shutil.which("zhconvert")
    if shim and Path(shim).resolve() != Path(zh[0]).resolve() and "shims" in shim:
        commands["zhconvert --version (via pyenv shim)"] = ([shim, "--version"], envs[""])
    peaks: dict[str, float] = {}
    for name, (cmd, env) in commands.items():  # warms the page cache and the bytecode cache
        peaks[name] = checked(run_child(cmd, env=env), name).maxrss_mb
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, (cmd, env) in commands.items():
            # no GNU time around the timed runs: its own start would be counted
            samples[name].append(checked(run_child(cmd, env=env, rss=False), name).seconds)
    result: dict[str, Any] = {
        name: {
            "command": cmd,
            "bytecode_cached": env is not envs[""],
            "samples_s": samples[name],
            "median_s": statistics.median(samples[name]),
            "peak_rss_mb": peaks[name],
        }
        for name, (cmd, env) in commands.items()
    }
    floors = {
        False: result["python -c pass (floor)"]["median_s"],
        True: result.get("python -c pass (floor) [bytecode cached]", {}).get("median_s", 0.0),
    }
    print(f"\n## Start-up (median of {rounds} runs, alternating)\n")
    print(
        f"| {'command':<56} | {'median s':>8} | {'- floor':>7} | {'min s':>6} | {'max s':>6} "
        f"| {'peak MB':>7} |"
    )
    print(f"|{'-' * 58}|{'-' * 10}|{'-' * 9}|{'-' * 8}|{'-' * 8}|{'-' * 9}|")
    for name, item in result.items():
        s = item["samples_s"]
        above = item["median_s"] - floors[item["bytecode_cached"]]
        print(
            f"| {name:<56} | {item['median_s']:>8.3f} | {above:>7.3f} | {min(s):>6.3f} | "
            f"{max(s):>6.3f} | {item['peak_rss_mb']:>7.0f} |"
        )
    print(f"  ONE_POST = {one_post.name}")
    if len(envs) > 1:
        print(
            "  this environment sets PYTHONDONTWRITEBYTECODE=1: without [bytecode cached], every "
            "start compiles zhconvert's modules from source; with it, .pyc files are cached in a "
            "temporary PYTHONPYCACHEPREFIX, as after a regular pip install"
        )
    result["_importtime"] = {
        (suffix or "as-is"): importtime(one_post, env, suffix) for suffix, env in envs.items()
    }
    return result


_IMPORTTIME = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


def parse_importtime(stderr: str) -> list[dict[str, Any]]:
    entries = []
    for line in stderr.splitlines():
        match = _IMPORTTIME.match(line)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            entries.append(
                {
                    "module": name,
                    "self_ms": int(self_us) / 1000,
                    "cumulative_ms": int(cumulative_us) / 1000,
                    "depth": (len(indent) - 1) // 2,
                }
            )
    return entries


def importtime(one_post: Path, env: dict[str, str], label: str, top: int = 12) -> dict[str, Any]:
    """``python -X importtime``: for ``import zhconvert`` and for one conversion."""
    out: dict[str, Any] = {}
    cases = {
        "import zhconvert": [sys.executable, "-X", "importtime", "-c", "import zhconvert"],
        "zhconvert convert ONE_POST -t md": [
            sys.executable, "-X", "importtime", "-m", "zhconvert",
            "convert", str(one_post), "-t", "md",
        ],
    }  # fmt: skip
    for case, cmd in cases.items():
        runs = [
            parse_importtime(checked(run_child(cmd, env=env, rss=False), case).stderr.decode())
            for _ in range(3)
        ]
        # the run with the median total, to keep one consistent tree
        totals = [sum(e["self_ms"] for e in entries) for entries in runs]
        entries = runs[totals.index(statistics.median(totals))]
        total = sum(e["self_ms"] for e in entries)
        third_party = {}
        for e in entries:
            root = e["module"].split(".")[0]
            if root not in sys.stdlib_module_names and not root.startswith("_"):
                third_party[root] = third_party.get(root, 0.0) + e["self_ms"]
        by_cumulative = sorted(
            (e for e in entries if e["depth"] <= 1), key=lambda e: -e["cumulative_ms"]
        )[:top]
        by_self = sorted(entries, key=lambda e: -e["self_ms"])[:top]
        out[case] = {
            "total_ms": total,
            "modules": len(entries),
            "top_cumulative": by_cumulative,
            "top_self": by_self,
            "self_ms_by_package": dict(sorted(third_party.items(), key=lambda kv: -kv[1])),
        }
        print(f"\n### python -X importtime: {case}" + (f" [bytecode {label}]" if label else ""))
        print(f"  {len(entries)} modules, {total:.1f} ms total (median of 3 runs; inflated by -X)")
        print("  top-level imports by cumulative ms:")
        for e in by_cumulative[:top]:
            print(f"    {e['cumulative_ms']:8.1f}  {'  ' * e['depth']}{e['module']}")
        print("  non-stdlib packages by self ms:")
        for name, ms in list(out[case]["self_ms_by_package"].items())[:8]:
            print(f"    {ms:8.1f}  {name}")
    return out


# --------------------------------------------------------------------------------------------
# 4. Linearity


_LINEAR_FRONT = (
    "\n---\ntitle: '线性测试：一篇很长的回答'\ncategories:\n- 社交媒体\n- 知乎热榜\n"
    "headimg: https://picsum.photos/400/300\nauthor: 知乎\ncomments: false\n"
    "date: Wed, 13 Jul 2022 15:40:55 GMT\nthumbnail: https://picsum.photos/400/300\n---\n\n"
    "<div>测试者的回答<br><br>"
)


def linear_post(count: int, shape: str = "paragraphs") -> str:
    """A Zhihu-style post that grows with ``count``.

    ``paragraphs``: ``count`` paragraphs of text with bold, italic and a redirect link, and a
    heading every 50. ``inline``: one paragraph of ``count`` text runs split by spans (one long
    run of text once the spans are unwrapped), then ``count`` adjacent bold runs: what merging
    neighbouring text and neighbouring spans of one kind has to handle.
    """
    parts = [_LINEAR_FRONT]
    if shape == "inline":
        parts.append("<p>")
        parts.extend(f"字<span>{i}</span>" for i in range(count))
        parts.extend(f"<b>体{i}</b>" for i in range(count))
        parts.append("</p>")
    else:
        for i in range(count):
            parts.append(
                f'<p data-pid="p{i}">第 {i} 段：知乎回答里常见的中文句子，夹杂 <b>加粗</b>、'
                f"<i>斜体</i>和"
                f'<a href="http://link.zhihu.com/?target=https%3A//example.com/{i}" '
                f'class=" wrap external" target="_blank" rel="nofollow noreferrer">一个链接</a>。'
                "</p>"
            )
            if i % 50 == 49:
                parts.append(f"<h2>第 {i // 50} 节</h2>")
    parts.append("</div>\n            ")
    return "".join(parts)


def linear_child(count: int, shape: str, gc_off: bool) -> None:
    """Child side: time loads and dumps of one long post; report the time the GC took."""
    import zhconvert

    zhconvert.dumps(zhconvert.loads(linear_post(3, shape)), "markdown")  # lazy imports
    text = linear_post(count, shape)
    gc_time = [0.0, 0.0]  # total, start of the running collection

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_time[1] = time.perf_counter()
        else:
            gc_time[0] += time.perf_counter() - gc_time[1]

    gc.collect()
    if gc_off:
        gc.disable()
    gc.callbacks.append(on_gc)
    collections = [g["collections"] for g in gc.get_stats()]
    cpu_start = time.process_time()
    start = time.perf_counter()
    doc = zhconvert.loads(text)
    middle = time.perf_counter()
    out = zhconvert.dumps(doc, "markdown")
    end = time.perf_counter()
    cpu = time.process_time() - cpu_start
    gc.callbacks.remove(on_gc)
    collections = [g["collections"] - c for g, c in zip(gc.get_stats(), collections, strict=True)]
    assert isinstance(out, str)
    last = f"第 {count - 1} 段" if shape == "paragraphs" else f"体{count - 1}"
    if last not in out:
        raise SystemExit(f"{last!r} (the last piece) is missing from the output")
    result = {
        "seconds": end - start,
        "cpu_s": cpu,
        "loads_s": middle - start,
        "dumps_s": end - middle,
        "gc_s": gc_time[0],
        "gc_collections": collections,
        "in_bytes": len(text.encode()),
        "out_chars": len(out),
    }
    print(json.dumps(result))


def bench_linearity(
    rounds: int, diagnose: bool, shape: str = "paragraphs", sizes: Sequence[int] = LINEAR_SIZES
) -> dict[str, Any]:
    unit = "paragraphs" if shape == "paragraphs" else "inline pieces in one paragraph"
    cases = [(f"{n:,}", n, False) for n in sizes]
    if diagnose:
        cases.append((f"{sizes[-1]:,}, gc disabled (diagnostic)", sizes[-1], True))
    runs: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in cases}
    peaks: dict[str, float] = {label: 0.0 for label, _, _ in cases}
    for _ in range(rounds):
        for label, n, gc_off in cases:
            cmd = [sys.executable, str(THIS), "--_linear", str(n), "--_shape", shape]
            run = checked(run_child(cmd + (["--_gc-off"] if gc_off else [])), f"{shape} {label}")
            runs[label].append(json.loads(run.stdout))
            peaks[label] = max(peaks[label], run.maxrss_mb)

    def median(label: str, key: str) -> float:
        return statistics.median(r[key] for r in runs[label])

    print(f"\n## Linearity: one post with N {unit}, loads+dumps(md) (median of {rounds})\n")
    print(
        f"| {'N':<34} | {'input MB':>8} | {'total s':>8} | {'CPU s':>7} | {'loads s':>8} | "
        f"{'dumps s':>8} | {'of it GC s':>10} | {'us/item':>7} | {'peak MB':>7} |"
    )
    widths = (36, 10, 10, 9, 10, 10, 12, 9, 9)
    print("|" + "|".join("-" * w for w in widths) + "|")
    for label, n, _ in cases:
        total = median(label, "seconds")
        print(
            f"| {label:<34} | {runs[label][0]['in_bytes'] / MB:>8.2f} | {total:>8.3f} | "
            f"{median(label, 'cpu_s'):>7.3f} | {median(label, 'loads_s'):>8.3f} | "
            f"{median(label, 'dumps_s'):>8.3f} | {median(label, 'gc_s'):>10.3f} | "
            f"{total / n * 1e6:>7.1f} | {peaks[label]:>7.0f} |"
        )
    medians = {n: median(f"{n:,}", "seconds") for n in sizes}
    cpu = {n: median(f"{n:,}", "cpu_s") for n in sizes}
    small, large = sizes[0], sizes[-1]
    ratio = medians[large] / medians[small]
    cpu_ratio = cpu[large] / cpu[small]
    steps = [medians[b] / medians[a] for a, b in pairwise(sizes)]
    print(
        f"  t({large:,})/t({small:,}) = {ratio:.1f}x (CPU time: {cpu_ratio:.1f}x) for "
        f"{large // small}x the input; step ratios " + ", ".join(f"{s:.1f}x" for s in steps)
    )
    if diagnose:
        no_gc = median(cases[-1][0], "seconds")
        print(f"  without the cyclic GC: t({large:,})/t({small:,}) = {no_gc / medians[small]:.1f}x")
    return {
        "shape": shape,
        "runs": runs,
        "median_s": {str(n): m for n, m in medians.items()},
        "median_cpu_s": {str(n): m for n, m in cpu.items()},
        "peak_rss_mb": peaks,
        "ratio_large_small": ratio,
        "cpu_ratio_large_small": cpu_ratio,
        "step_ratios": steps,
    }


# --------------------------------------------------------------------------------------------
# The machine


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    versions = {}
    for dist in (
        "zhconvert", "markdownify", "beautifulsoup4", "lxml", "html2text", "html-to-markdown",
        "PyYAML",
    ):  # fmt: skip
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    try:
        from lxml import etree

        versions["libxml2"] = ".".join(map(str, etree.LIBXML_VERSION))
    except ImportError:
        pass
    pandoc = shutil.which("pandoc")
    if pandoc:
        first = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout
        versions["pandoc"] = first.splitlines()[0].split()[-1]
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    return {
        "cpu_model": cpu,
        "cpu_count": os.cpu_count(),
        "usable_cpus": affinity,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
        "loadavg_start": os.getloadavg(),
    }


# --------------------------------------------------------------------------------------------
# Targets


# --------------------------------------------------------------------------------------------
# Correctness: the CommonMark round trip


def bench_commonmark() -> dict[str, Any]:
    """Count the CommonMark spec examples each converter's Markdown renders back identically.

    The examples, the converters and the comparison are ``tests/_commonmark.py``'s, the same
    code the test suite runs for zhconvert (one copy, so the figures agree).
    """
    sys.path.insert(0, str(ROOT / "tests"))
    import _commonmark

    if not _commonmark.SPEC.is_file():
        print(f"\nCommonMark round trip: skipped, no spec examples at {_commonmark.SPEC}")
        return {}
    examples = _commonmark.load_examples()
    print(
        f"\nCommonMark round trip ({len(examples)} spec examples: HTML -> Markdown -> "
        "markdown-it -> HTML, identical after whitespace normalization)"
    )
    print(f"  {'converter':<20} {'identical':>12}  misses by section")
    results: dict[str, Any] = {"examples": len(examples), "converters": {}}
    for name, convert in _commonmark.converters().items():
        if isinstance(convert, str):
            print(f"  {name:<20} {convert}")
            results["converters"][name] = {"skipped": convert}
            continue
        identical, misses = _commonmark.score(convert, examples)
        worst = ", ".join(
            f"{section} {count}" for section, count in sorted(misses.items(), key=lambda m: -m[1])
        )
        print(f"  {name:<20} {identical:>6} / {len(examples):<4}  {worst[:90]}")
        results["converters"][name] = {"identical": identical, "misses": misses}
    return results


def verdicts(
    in_rows: Sequence[Row],
    cli_rows: Sequence[Row],
    startup: dict[str, Any],
    linear: dict[str, Any],
    inline: dict[str, Any],
    scale: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    def find(rows: Sequence[Row], prefix: str) -> Row | None:
        for row in rows:
            if row.name.startswith(prefix) and row.samples:
                return row
        return None

    def paired(row: Row, other: Row) -> tuple[float, float]:
        """(median of the per-round throughput ratios, ratio of the median throughputs).

        The rounds alternate the tools, so round i of each ran seconds apart, under the same
        load: the per-round ratio cancels the drift of a shared machine that the ratio of two
        medians, taken from different rounds, keeps. Both are printed; the verdict uses the
        first.
        """
        per_round = [
            (row.posts / a) / (other.posts / b)
            for a, b in zip(row.samples, other.samples, strict=False)
        ]
        return statistics.median(per_round), row.posts_per_s / other.posts_per_s

    values: dict[str, float | None] = dict.fromkeys(TARGETS)
    of_medians: dict[str, float] = {}

    def compare(name: str, row: Row | None, other: Row | None) -> None:
        if row and other:
            values[name], of_medians[name] = paired(row, other)

    markdownify = find(in_rows, "markdownify")
    compare("zhconvert vs markdownify (in-process)", find(in_rows, ZH), markdownify)
    rust = find(in_rows, "html-to-markdown")
    compare("zhconvert vs html-to-markdown (in-process)", find(in_rows, ZH), rust)
    j1 = find(cli_rows, "zhconvert convert DIR -t md --jobs 1")
    j2 = find(cli_rows, "zhconvert convert DIR -t md --jobs 2")
    compare("convert --jobs 2 vs --jobs 1", j2, j1)
    compare("convert --jobs 2 vs pandoc per file", j2, find(cli_rows, "pandoc per file"))
    compare("convert --jobs 2 vs pandoc batch", j2, find(cli_rows, "pandoc batch"))
    if startup:
        for target, row in (
            ("start-up: zhconvert --version", "zhconvert --version"),
            ("start-up: zhconvert convert ONE_POST -t md", "zhconvert convert ONE_POST -t md"),
            ("start-up: --version [bytecode cached]", "zhconvert --version [bytecode cached]"),
            (
                "start-up: convert ONE_POST [bytecode cached]",
                "zhconvert convert ONE_POST -t md [bytecode cached]",
            ),
        ):
            if row in startup:
                values[target] = startup[row]["median_s"]
    if scale and "--jobs 2" in scale["rows"]:
        row = scale["rows"]["--jobs 2"]
        values["scaling: --jobs 2 vs --jobs 1 [bytecode cached]"] = row[
            "speedup_vs_jobs1_paired_median"
        ]
        of_medians["scaling: --jobs 2 vs --jobs 1 [bytecode cached]"] = (
            scale["rows"]["--jobs 1"]["wall_median_s"] / row["wall_median_s"]
        )
    if linear:
        values["linearity: t(100k)/t(1k) paragraphs"] = linear["ratio_large_small"]
        values["linearity: the same in CPU time"] = linear["cpu_ratio_large_small"]
    if inline:
        values["extra: t(30k)/t(1k) inline pieces, CPU time"] = inline["cpu_ratio_large_small"]
    out = []
    for name, (threshold, wording) in TARGETS.items():
        value = values[name]
        lower_is_better = name.startswith(("start-up", "linearity", "extra"))
        if value is None:
            verdict = "not measured"
        elif lower_is_better:
            verdict = "PASS" if value <= threshold else "FAIL"
        else:
            verdict = "PASS" if value >= threshold else "FAIL"
        if name.startswith("zhconvert vs markdownify") and value is not None and value >= 2.5:
            verdict += " (stretch met)"
        out.append(
            {
                "target": name,
                "wanted": wording,
                "value": value,
                "ratio_of_medians": of_medians.get(name),
                "verdict": verdict,
            }
        )
    print("\n## Targets\n")
    print(f"| {'target':<44} | {'wanted':<38} | {'measured':>9} | {'(medians)':>9} | verdict |")
    print(f"|{'-' * 46}|{'-' * 40}|{'-' * 11}|{'-' * 11}|---------|")
    for item in out:
        value, other = item["value"], item["ratio_of_medians"]
        shown = "-" if value is None else f"{value:.2f}"
        second = "-" if other is None else f"{other:.2f}"
        print(
            f"| {item['target']:<44} | {item['wanted']:<38} | {shown:>9} | {second:>9} | "
            f"{item['verdict']} |"
        )
    print(
        "  measured: for ratios, the median of the per-round ratios (the rounds alternate the "
        "tools); (medians): the ratio of the two median throughputs, for comparison"
    )
    floor = find(in_rows, "floor:")
    if floor and rust:
        per_round, medians = paired(floor, rust)
        print(
            f"  the design's floor (YAML + lxml parse + a bare walk, no conversion) runs at "
            f"{per_round:.2f}x html-to-markdown ({medians:.2f}x): issue 17's 1.0x leaves "
            f"zhconvert's own work {max(0.0, 1 - 1 / per_round):.0%} of html-to-markdown's time"
        )
    return out


# --------------------------------------------------------------------------------------------
# Entry points


def probe(tool: str) -> None:
    """Child side of the memory probe: convert the corpus once with ``tool``."""
    files, _ = find_corpus()
    posts = load_posts(files)
    if tool == "none":
        return
    fn = IN_PROCESS[tool][0]()
    for post in posts:
        fn(post)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 rounds, 200 posts: a smoke run")
    parser.add_argument("--json", metavar="PATH", help="save every sample and result as JSON")
    parser.add_argument("--rounds", type=int, help="rounds per section (default 5, quick 3)")
    parser.add_argument("--posts", type=int, help="posts in the CLI folder (default 1000)")
    parser.add_argument(
        "--only",
        choices=("in-process", "cli", "scale", "startup", "linearity", "commonmark"),
        action="append",
        help="run only these sections (repeatable)",
    )
    parser.add_argument(
        "--no-diagnostics",
        action="store_true",
        help="skip the diagnostic rows (the CLI with os.fsync a no-op, 100k paragraphs without GC)",
    )
    parser.add_argument("--_probe", help=argparse.SUPPRESS)
    parser.add_argument("--_linear", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--_gc-off", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_shape", default="paragraphs", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._probe:
        probe(args._probe)
        return 0
    if args._linear:
        linear_child(args._linear, args._shape, args._gc_off)
        return 0

    rounds = args.rounds or (3 if args.quick else 5)
    count = args.posts or (200 if args.quick else 1000)
    sections = set(
        args.only or ("in-process", "cli", "scale", "startup", "linearity", "commonmark")
    )
    files, where = find_corpus()
    posts = load_posts(files)
    has_pandoc = shutil.which("pandoc") is not None
    info = machine()
    print("# zhconvert benchmark" + (" (--quick: a smoke run, not a result)" if args.quick else ""))
    print(
        f"\nmachine: {info['cpu_model']}, {info['cpu_count']} CPUs "
        f"({info['usable_cpus']} usable), Python {info['python']}, {info['platform']}"
    )
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print(
        f"corpus: {len(posts)} posts from {where}, "
        f"{sum(p.text_bytes for p in posts) / 1024:.0f} KiB "
        f"({sum(p.body_bytes for p in posts) / 1024:.0f} KiB of bodies)"
    )
    print(f"rounds: {rounds}; load average at start {info['loadavg_start']}")
    if not has_pandoc:
        print("pandoc: not found; its rows are skipped")
    if not importable("html_to_markdown"):
        print("html-to-markdown: not importable; its row is skipped (pip install html-to-markdown)")

    results: dict[str, Any] = {
        "machine": info,
        "argv": sys.argv,
        "quick": args.quick,
        "rounds": rounds,
        "corpus": {"where": where, "posts": len(posts)},
    }
    in_rows: list[Row] = []
    cli_rows: list[Row] = []
    startup: dict[str, Any] = {}
    linear: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="zhconvert-bench-") as tmp:
        work = Path(tmp)
        if "in-process" in sections:
            in_rows, extra = bench_in_process(
                posts, rounds, 0.15 if args.quick else 0.5, work / "in", has_pandoc
            )
            print_table(
                f"In-process throughput on the corpus ({len(posts)} posts, median of {rounds} "
                "rounds)",
                in_rows,
                in_rows[0],
                "zhconvert is",
            )
            print(
                f"  baseline peak RSS of a child that only reads the corpus: "
                f"{extra['baseline_peak_mb']:.0f} MB"
            )
            for row in in_rows:
                if row.samples:
                    print(f"  {row.name}: {spread(row.samples)}")
            results["in_process"] = {"rows": [r.as_json() for r in in_rows], **extra}
        if "cli" in sections:
            cli_rows, extra = bench_cli(
                posts, count, rounds, work / "cli", has_pandoc, not args.no_diagnostics
            )
            print_table(
                f"CLI on a folder of {count} posts (median of {rounds} rounds)",
                cli_rows,
                cli_rows[1],
                "--jobs 2 is",
            )
            for row in cli_rows:
                print(f"  {row.name}: {spread(row.samples)}")
            print(f"  zhconvert says: {extra['summary_line']}")
            print(
                "  --jobs 2 vs --jobs 1, median of the per-round ratios: "
                f"{extra['paired_ratio_jobs2_vs_jobs1']:.2f}x"
            )
            results["cli"] = {"rows": [r.as_json() for r in cli_rows], **extra}
        if "scale" in sections:
            # --jobs 1, 2, N and the Dask engine on a LocalCluster of two workers, in one run
            # (benchmarks/scale_bench.py, which also runs alone).
            sys.path.insert(0, str(THIS.parent))
            import scale_bench

            scaled = scale_bench.measure(count, rounds)
            print("\n## Scaling: --jobs and --dask\n")
            print(scale_bench.report(scaled))
            results["scale"] = scaled
        if "startup" in sections:
            one = next((f for f in files if f.name == REFERENCE_POST), files[0])
            startup = bench_startup(work / "startup", one, max(rounds, 5))
            results["startup"] = startup
        if "linearity" in sections:
            linear_rounds = 1 if args.quick else min(rounds, 3)
            linear = bench_linearity(linear_rounds, not args.no_diagnostics)
            results["linearity"] = linear
            results["linearity_inline"] = bench_linearity(
                linear_rounds, False, "inline", INLINE_SIZES
            )
        if "commonmark" in sections:
            results["commonmark"] = bench_commonmark()
    results["targets"] = verdicts(
        in_rows,
        cli_rows,
        startup,
        linear,
        results.get("linearity_inline", {}),
        results.get("scale"),
    )
    info["loadavg_end"] = os.getloadavg()
    print(f"\nload average at end {info['loadavg_end']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(f"saved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
