"""``zhconvert normalize``: rewrite posts in place as clean Markdown. (Being written: issue 4.)"""

from __future__ import annotations

import argparse

HELP = "rewrite posts with HTML bodies in place as clean Markdown (pre-commit hook)"
DESCRIPTION = HELP
EPILOG = ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH")


def run(args: argparse.Namespace) -> int:
    from ..errors import ZhconvertError

    raise ZhconvertError("the normalize command is not available yet")
