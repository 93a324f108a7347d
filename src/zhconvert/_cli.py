"""The command line: ``run(argv) -> int`` does the work and never exits.

Each sub-command lives in ``zhconvert._commands.<name>`` and provides ``HELP``, ``DESCRIPTION``,
``EPILOG``, ``add_arguments(parser)`` and ``run(args) -> int``. Command modules import their heavy
dependencies inside ``run`` so that ``zhconvert --version`` and ``--help`` start fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from ._commands._common import UsageError
from .errors import ZhconvertError

__all__ = ["main", "run"]

#: sub-command -> module; the order is the order of ``--help``.
COMMANDS: dict[str, str] = {
    "convert": "zhconvert._commands.convert",
    "book": "zhconvert._commands.book",
    "normalize": "zhconvert._commands.normalize",
    "inspect": "zhconvert._commands.inspect",
}

EPILOG = """\
examples:
  zhconvert convert post.md -t md -o clean.md     one post to clean Markdown
  zhconvert convert post.md -t txt                plain text on standard output
  zhconvert convert posts/ -t md -o clean/        a folder to a folder, in parallel
  zhconvert book posts/ -o archive.epub           a folder as one EPUB book
  zhconvert normalize --check _posts/             what the pre-commit hook would fix
  zhconvert inspect post.md                       metadata and an outline of the blocks
"""


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and plugins, exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from . import __version__

        lines = [f"zhconvert {__version__} (Python {sys.version.split()[0]})"]
        try:
            from .writers import installed_plugins

            for name, dist, version in installed_plugins():
                lines.append(f"  writer {name}: {dist} {version}")
        except Exception as exc:  # listing plugins must never break --version
            lines.append(f"  (plugins could not be listed: {exc})")
        print("\n".join(lines))
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every sub-command."""
    parser = argparse.ArgumentParser(
        prog="zhconvert",
        description="Convert archived Zhihu and other Chinese web posts to clean Markdown, "
        "plain text, JSON and EPUB.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = import_module(module_name)
        command = sub.add_parser(
            name,
            help=module.HELP,
            description=module.DESCRIPTION,
            epilog=module.EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def run(argv: Sequence[str]) -> int:
    """Run the command line ``argv`` (without the program name); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 after --help/--version
        return exc.code if isinstance(exc.code, int) else 2
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args._run(args)
        return code
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except ZhconvertError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except RecursionError:
        print("Error: input too deeply nested", file=sys.stderr)
        return 1
    except Exception as exc:  # never a traceback for a user; say what to report
        print(
            f"Error: internal error ({type(exc).__name__}: {exc}); please report it",
            file=sys.stderr,
        )
        return 70


def main() -> None:
    """Entry point of the ``zhconvert`` console script."""
    sys.exit(run(sys.argv[1:]))
