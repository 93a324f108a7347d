"""``zhconvert book``: files and folders into one EPUB collection. (Being written: issue 3.)"""

from __future__ import annotations

import argparse
from typing import Any

HELP = "build one EPUB book from files and folders"
DESCRIPTION = HELP
EPILOG = ""


def add_epub_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the book and image options shared by ``book`` and ``convert -t epub``."""


def epub_options(args: argparse.Namespace) -> dict[str, Any]:
    """Return the EPUB writer options given on the command line."""
    return {}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT")
    parser.add_argument("-o", "--output", required=True)


def run(args: argparse.Namespace) -> int:
    from ..errors import ZhconvertError

    raise ZhconvertError("the book command is not available yet")
