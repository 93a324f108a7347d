"""Profile ``zhconvert.loads`` + ``dumps(doc, "markdown")`` over the corpus.

Run from the project root::

    python benchmarks/profile_convert.py                # cProfile, top functions by own time
    python benchmarks/profile_convert.py --pyinstrument # a call tree (pip install pyinstrument)
    python benchmarks/profile_convert.py --phases-only  # only the unprofiled phase split

Three views, because each lies differently: cProfile's per-function table (exact call counts,
but its per-call overhead inflates small Python functions), pyinstrument's sampled call tree
(little overhead), and a phase split timed without any profiler by calling the reader's and
writer's parts one at a time (front matter, the bogus-tag escape, the lxml parse, the tree walk,
the writer). The corpus is found like ``benchmarks/run.py`` finds it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import find_corpus, load_posts

import zhconvert


def convert_all(texts: Sequence[str], passes: int) -> None:
    for _ in range(passes):
        for text in texts:
            zhconvert.dumps(zhconvert.loads(text), "markdown")


def _label(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name  # a built-in: "<method 'sub' of 're.Pattern' objects>"
    path = filename.replace("\\", "/")
    if "/zhconvert/" in path:
        path = "zhconvert/" + path.split("/zhconvert/", 1)[1]
    elif "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/lib/python" in path:
        path = "stdlib/" + path.split("/lib/python", 1)[1].split("/", 1)[-1]
    return f"{path}:{line}({name})"


def profile_cprofile(texts: Sequence[str], passes: int, top: int) -> dict[str, Any]:
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    convert_all(texts, passes)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=io.StringIO())
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(value[2] for value in entries.values())  # tottime adds up to the whole
    rows = []
    for func, (_cc, ncalls, tottime, cumtime, _callers) in entries.items():
        rows.append(
            {
                "function": _label(func),
                "calls": ncalls,
                "tottime_s": tottime,
                "cumtime_s": cumtime,
                "self_pct": 100 * tottime / total,
                "cum_pct": 100 * cumtime / total,
            }
        )
    by_self = sorted(rows, key=lambda r: -r["tottime_s"])[:top]
    by_cum = sorted(
        (r for r in rows if r["function"].startswith("zhconvert/")),
        key=lambda r: -r["cumtime_s"],
    )[:top]
    print(f"## cProfile: {len(texts)} posts x {passes} passes, {total:.2f} s profiled\n")
    print("### Top functions by own time (tottime)\n")
    print(f"| {'own %':>6} | {'cum %':>6} | {'calls':>9} | function |")
    print(f"|{'-' * 8}|{'-' * 8}|{'-' * 11}|----------|")
    for r in by_self:
        print(
            f"| {r['self_pct']:>5.1f}% | {r['cum_pct']:>5.1f}% | {r['calls']:>9} | "
            f"{r['function']} |"
        )
    print("\n### zhconvert functions by cumulative time\n")
    print(f"| {'cum %':>6} | {'own %':>6} | {'calls':>9} | function |")
    print(f"|{'-' * 8}|{'-' * 8}|{'-' * 11}|----------|")
    for r in by_cum:
        print(
            f"| {r['cum_pct']:>5.1f}% | {r['self_pct']:>5.1f}% | {r['calls']:>9} | "
            f"{r['function']} |"
        )
    return {"total_s": total, "top_self": by_self, "top_cumulative_zhconvert": by_cum}


def profile_pyinstrument(texts: Sequence[str], passes: int) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("\npyinstrument is not installed (pip install pyinstrument); skipped")
        return ""
    profiler = Profiler(interval=0.0005)
    profiler.start()
    convert_all(texts, passes)
    profiler.stop()
    text: str = profiler.output_text(unicode=True, color=False, show_all=False)
    print("\n## pyinstrument call tree\n")
    print(text)
    return text


def phases(texts: Sequence[str], repeat: int) -> dict[str, Any]:
    """Time the parts of loads+dumps one by one, with no profiler attached."""
    try:
        from zhconvert.readers import html as html_reader
        from zhconvert.readers._frontmatter import parse_front_matter, split_front_matter
    except ImportError as exc:  # the reader's insides moved: this view is best effort
        print(f"\nphase split skipped: {exc}")
        return {}
    splits = [split_front_matter(t) for t in texts]
    bodies = [body for _, _, body in splits]
    escaped = [
        html_reader._escape_bogus_tags(b.replace("&#123;", "{").replace("&#125;", "}"))
        for b in bodies
    ]
    encoded = [
        ("<html><body>" + s + "</body></html>").encode("utf-8", "surrogatepass") for s in escaped
    ]
    docs = [zhconvert.loads(t) for t in texts]
    etree, parser = html_reader.etree, html_reader._PARSER

    def front_matter() -> None:
        for text in texts:
            fm_text, yaml_text, _ = split_front_matter(text)
            if fm_text is not None:
                parse_front_matter(fm_text, yaml_text, strict=False, line_offset=0)

    def escape() -> None:
        for body in bodies:
            html_reader._escape_bogus_tags(body.replace("&#123;", "{").replace("&#125;", "}"))

    trees = [etree.fromstring(data, parser) for data in encoded]
    # The depth check (one XPath in C) decides whether the nesting cap must run; no real post
    # needs the cap.
    too_deep = getattr(html_reader, "_TOO_DEEP", None)

    def depth() -> None:
        if too_deep is not None:
            for tree in trees:
                too_deep(tree)

    def parse() -> None:
        for data in encoded:
            etree.fromstring(data, parser)

    def read_html() -> None:
        for body in bodies:
            html_reader.read_html(body)

    def loads() -> None:
        for text in texts:
            zhconvert.loads(text)

    def dumps() -> None:
        for doc in docs:
            zhconvert.dumps(doc, "markdown")

    def both() -> None:
        convert_all(texts, 1)

    steps: dict[str, Callable[[], None]] = {
        "loads+dumps": both,
        "loads": loads,
        "  front matter (split + YAML)": front_matter,
        "  read_html": read_html,
        "    _escape_bogus_tags": escape,
        "    depth check (_TOO_DEEP)": depth,
        "    lxml parse (etree.fromstring)": parse,
        "dumps(markdown)": dumps,
    }
    for fn in steps.values():  # warm-up
        fn()
    # Alternate the steps in every round, so that the machine's noise falls on all of them.
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, fn in steps.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - start)
    times = {name: statistics.median(values) for name, values in samples.items()}
    times["    tree walk (read_html - the three above)"] = max(
        0.0,
        times["  read_html"]
        - times["    _escape_bogus_tags"]
        - times["    depth check (_TOO_DEEP)"]
        - times["    lxml parse (etree.fromstring)"],
    )
    # The parts are measured apart; their sum is a steadier whole than the combined run.
    whole = times["loads"] + times["dumps(markdown)"]
    order = [
        "loads+dumps",
        "loads",
        "  front matter (split + YAML)",
        "  read_html",
        "    _escape_bogus_tags",
        "    depth check (_TOO_DEEP)",
        "    lxml parse (etree.fromstring)",
        "    tree walk (read_html - the three above)",
        "dumps(markdown)",
    ]
    print(f"\n## Phase split without a profiler ({len(texts)} posts, median of {repeat})\n")
    print(f"| {'phase':<44} | {'ms':>8} | {'% of loads + dumps':>18} |")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 20}|")
    for name in order:
        print(f"| {name:<44} | {times[name] * 1000:>8.1f} | {100 * times[name] / whole:>17.1f}% |")
    return {name.strip(): times[name] for name in order}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=10, help="passes over the corpus")
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    parser.add_argument("--pyinstrument", action="store_true", help="also a sampled call tree")
    parser.add_argument("--phases-only", action="store_true", help="only the phase split")
    parser.add_argument("--json", metavar="PATH", help="save the tables as JSON")
    args = parser.parse_args(argv)
    files, where = find_corpus()
    texts = [p.text for p in load_posts(files)]
    print(f"corpus: {len(texts)} posts from {where}\n")
    convert_all(texts, 1)  # lazy imports and caches out of the way
    result: dict[str, Any] = {}
    if not args.phases_only:
        result["cprofile"] = profile_cprofile(texts, args.passes, args.top)
        if args.pyinstrument:
            result["pyinstrument"] = profile_pyinstrument(texts, args.passes)
    result["phases_s"] = phases(texts, max(5, args.passes))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
