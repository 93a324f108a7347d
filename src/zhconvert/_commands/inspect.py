"""``zhconvert inspect``: the parsed metadata and a one-line-per-block outline."""

from __future__ import annotations

import argparse

HELP = "show a post's metadata and an outline of its blocks"
DESCRIPTION = "Show what zhconvert reads from a post: its typed metadata, then one line per block."
EPILOG = """\
examples:
  zhconvert inspect post.md
  zhconvert inspect - < post.md
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="FILE", help="a post file, or - for standard input")
    parser.add_argument("--strict", action="store_true", help="fail on broken front matter")


def run(args: argparse.Namespace) -> int:
    import sys

    from .. import load, loads
    from ..outline import outline

    if args.input == "-":
        doc = loads(sys.stdin.buffer.read(), path="<stdin>", strict=args.strict)
    else:
        doc = load(args.input, strict=args.strict)
    for warning in doc.warnings:
        print(f"Warning: {doc.source.path or '<stdin>'}: {warning}", file=sys.stderr)
    sys.stdout.write(outline(doc))
    return 0
