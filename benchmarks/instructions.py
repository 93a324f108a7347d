"""Count the instructions one pass of ``loads`` (or ``loads`` + ``dumps``) costs, with callgrind.

Time on a shared machine varies by a factor of two between rounds; the number of instructions
a pass executes does not. One pass is the difference between N passes and one pass (imports and
warm-up cancel out), divided by N - 1. Compare two versions side by side with ``--baseline``::

    git worktree add /tmp/rel010 5adb890            # the previous release, outside the project
    python benchmarks/instructions.py --baseline /tmp/rel010/src
    python benchmarks/instructions.py --dumps       # loads + dumps(markdown)

Needs ``valgrind`` on PATH. Posts come from ``$ZHCONVERT_CORPUS/zhihu``, else
``../shared/corpus/zhihu``; with ``--all``, from every folder below the corpus (feeds too).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in the child: N passes of loads (and dumps) over the posts.
_CHILD = """
import pathlib, sys, zhconvert
passes, dumps, folder = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
files = sorted(p for p in pathlib.Path(folder).rglob("*.md") if p.name.lower() != "readme.md")
texts = [p.read_bytes().decode("utf-8-sig") for p in files]
for _ in range(passes):
    for text in texts:
        doc = zhconvert.loads(text)
        if dumps:
            zhconvert.dumps(doc, "markdown")
"""


def corpus(whole: bool = False) -> Path:
    base = Path(os.environ.get("ZHCONVERT_CORPUS") or ROOT.parent / "shared" / "corpus")
    folder = base if whole else base / "zhihu"
    if not folder.is_dir():
        sys.exit(f"no posts in {folder}: set ZHCONVERT_CORPUS")
    return folder


def instructions(src: Path, passes: int, dumps: bool, folder: Path) -> int:
    """Return the instructions callgrind counts for ``passes`` passes of ``src``'s zhconvert."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-c",
        _CHILD,
        str(passes),
        "1" if dumps else "0",
        str(folder),
    ]
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        sys.exit(f"callgrind printed no count:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def per_pass(src: Path, passes: int, dumps: bool, folder: Path) -> float:
    return (instructions(src, passes, dumps, folder) - instructions(src, 1, dumps, folder)) / (
        passes - 1
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--baseline", type=Path, help="another version's src folder to compare")
    parser.add_argument("--dumps", action="store_true", help="count loads + dumps(markdown)")
    parser.add_argument("--passes", type=int, default=4, help="passes of the long run (4)")
    parser.add_argument(
        "--all", action="store_true", help="every post of the corpus (feeds too), not only Zhihu"
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not on PATH")
    folder = corpus(args.all)
    what = "loads + dumps(markdown)" if args.dumps else "loads"
    this = per_pass(ROOT / "src", args.passes, args.dumps, folder)
    print(f"{what}, one pass over {folder}: {this / 1e6:.1f} M instructions (this tree)")
    if args.baseline is not None:
        base = per_pass(args.baseline, args.passes, args.dumps, folder)
        print(f"baseline {args.baseline}: {base / 1e6:.1f} M ({(this / base - 1) * 100:+.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
