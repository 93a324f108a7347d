"""Posts per second of the mypyc-compiled zhconvert, the pure one and html-to-markdown.

Run from the project root, after ``scripts/test_compiled.sh`` has made ``.venv-mypyc``::

    python benchmarks/compiled_bench.py --rounds 7

Each round starts one process per build, alternately (a package is either compiled or not in
one interpreter); each process times ``loads`` + ``dumps(doc, "markdown")`` over the Zhihu posts
and html-to-markdown's ``convert`` over their bodies, turn about, and reports its medians. Ratios
are taken within a round and the median of those is printed, so the machine's drift between
rounds cancels out. Both builds must come from the same sources: their packages' ``.py`` files
are compared (a compiled wheel carries them beside its extension modules).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _worker(files: list[str], passes: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from html_to_markdown import convert
    from run import split_body

    import zhconvert
    import zhconvert.readers.html

    texts = [Path(f).read_bytes().decode("utf-8-sig") for f in files]
    bodies = [split_body(t) for t in texts]
    loads, dumps = zhconvert.loads, zhconvert.dumps

    def ours() -> None:
        for text in texts:
            dumps(loads(text), "markdown")

    def rust() -> None:
        for body in bodies:
            convert(body)

    ours(), rust()  # warm up: imports, caches
    times: dict[str, list[float]] = {"zhconvert": [], "html-to-markdown": []}
    for _ in range(passes):
        for name, run in (("zhconvert", ours), ("html-to-markdown", rust)):
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    package = Path(zhconvert.__file__).parent
    sources = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        sources.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return {
        "module": zhconvert.readers.html.__file__,
        "sources": sources.hexdigest(),
        **{name: len(texts) / statistics.median(ts) for name, ts in times.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--passes", type=int, default=15, help="timed passes per process")
    parser.add_argument("--compiled", default=str(ROOT / ".venv-mypyc" / "bin" / "python"))
    parser.add_argument("--pure", default=str(ROOT / ".venv" / "bin" / "python"))
    parser.add_argument(
        "--pure-path", help="PYTHONPATH for the pure build: the sources the wheel was built from"
    )
    parser.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        print(json.dumps(_worker(args.worker, args.passes)))
        return
    corpus = Path(os.environ.get("ZHCONVERT_CORPUS") or ROOT.parent / "shared" / "corpus")
    files = sorted(str(p) for p in (corpus / "zhihu").glob("*.md"))
    if not files:
        sys.exit(f"no Zhihu posts in {corpus / 'zhihu'}: set ZHCONVERT_CORPUS")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    pure_env = {**env, "PYTHONPATH": args.pure_path} if args.pure_path else env
    rows: dict[str, list[dict[str, float]]] = {"compiled": [], "pure": []}
    sources: set[str] = set()
    for _ in range(args.rounds):
        for build, python in (("compiled", args.compiled), ("pure", args.pure)):
            command = [python, __file__, "--passes", str(args.passes), "--worker", *files]
            out = subprocess.run(
                command,
                check=True,
                capture_output=True,
                text=True,
                env=env if build == "compiled" else pure_env,
            )
            result = json.loads(out.stdout)
            compiled = not str(result.pop("module")).endswith(".py")
            if compiled != (build == "compiled"):
                sys.exit(f"{python}: expected the {build} build")
            sources.add(result.pop("sources"))
            rows[build].append(result)
    if len(sources) != 1:
        sys.exit("the two builds come from different sources: pass --pure-path")
    print(f"{len(files)} Zhihu posts, {args.rounds} rounds x {args.passes} passes; posts/s medians")
    for build, results in rows.items():
        ours = [r["zhconvert"] for r in results]
        rust = [r["html-to-markdown"] for r in results]
        ratio = statistics.median(o / r for o, r in zip(ours, rust, strict=True))
        print(
            f"  {build:8} zhconvert {statistics.median(ours):7.1f}   html-to-markdown "
            f"{statistics.median(rust):7.1f}   zhconvert / html-to-markdown {ratio:.2f}x"
        )
    speedup = statistics.median(
        c["zhconvert"] / p["zhconvert"] for c, p in zip(rows["compiled"], rows["pure"], strict=True)
    )
    print(f"  compiled / pure: {speedup:.2f}x (median of the per-round ratios)")
    # The same ratio with each build timed against html-to-markdown in its own process: steadier
    # when the machine's load changes between the two processes of a round.
    relative = statistics.median(
        (c["zhconvert"] / c["html-to-markdown"]) / (p["zhconvert"] / p["html-to-markdown"])
        for c, p in zip(rows["compiled"], rows["pure"], strict=True)
    )
    print(f"  compiled / pure, each relative to html-to-markdown: {relative:.2f}x")


if __name__ == "__main__":
    main()
