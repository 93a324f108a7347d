"""``zhconvert inspect``: the parsed metadata and a one-line-per-block outline."""

from __future__ import annotations

import argparse

from ._common import add_verbosity_arguments

HELP = "show a post's metadata and an outline of its blocks"
DESCRIPTION = "Show what zhconvert reads from a post: its typed metadata, then one line per block."
EPILOG = """\
examples:
  zhconvert inspect post.md                metadata and one line per block
  zhconvert inspect -v post.md             also the footnotes
  zhconvert inspect - < post.md            a post on standard input
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", metavar="FILE", help="a post file, or - for standard input")
    parser.add_argument("--strict", action="store_true", help="fail on broken front matter")
    add_verbosity_arguments(
        parser,
        quiet="print no warnings",
        verbose="also list the footnotes after the blocks",
    )


def run(args: argparse.Namespace) -> int:
    import sys

    from .. import load, loads
    from .._terminal import printable
    from ..outline import outline
    from ._common import warn

    if args.input == "-":
        doc = loads(sys.stdin.buffer.read(), path="<stdin>", strict=args.strict)
    else:
        doc = load(args.input, strict=args.strict)
    if not args.quiet:
        for warning in doc.warnings:
            warn(f"{doc.source.path or '<stdin>'}: {warning}")
    sys.stdout.write(outline(doc))
    if args.verbose and doc.footnotes:
        sys.stdout.write("\nfootnotes:\n")
        for note in doc.footnotes:
            link = f"  {note.url}" if note.url else ""
            sys.stdout.write(printable(f"{note.number:4}  {note.text}{link}") + "\n")
    return 0
