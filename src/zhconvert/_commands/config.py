"""``zhconvert config``: the settings in force, and where each one comes from."""

from __future__ import annotations

import argparse
from typing import Any

from ._common import add_settings_arguments, add_verbosity_arguments

HELP = "show the settings in force and where each one comes from"
DESCRIPTION = """\
Show the settings every command uses: each key of [tool.zhconvert], its value, and where the
value comes from: the default, the file it was read from (zhconvert.toml, or pyproject.toml with
a [tool.zhconvert] table, the first found from the folder up to the repository root), or the
command line. Options given here are applied on top, as any command would apply them.

The output is TOML (origins are comments), so it can be pasted into zhconvert.toml."""
EPILOG = """\
examples:
  zhconvert config                           the settings in force here
  zhconvert config source/_posts             ... for another folder
  zhconvert config --chinese tw              what convert --chinese tw would use
  zhconvert config -v                        also what each key does and who uses it
  zhconvert config --json                    the same as JSON, for scripts
  zhconvert config --config ci.toml          the settings in one named file
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from .book import Choices

    parser.add_argument(
        "folder",
        nargs="?",
        metavar="FOLDER",
        help="show the settings in force for FOLDER (default: the working directory)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help='print JSON: {"file", "root", "settings": {KEY: {"value", "origin"}}}',
    )
    parser.add_argument(
        "--front-matter",
        choices=("keep", "normalize"),
        default=None,
        help="as normalize's and convert's --front-matter",
    )
    parser.add_argument(
        "--images",
        choices=Choices(("remote", "local", "embed", "omit"), old=("link", "best", "src")),
        default=None,
        help="as convert's, book's and normalize's --images",
    )
    parser.add_argument(
        "--image-source",
        choices=("best", "src"),
        default=None,
        help="as normalize's --image-source",
    )
    parser.add_argument(
        "--image-folder", metavar="DIR", default=None, help="as normalize's --image-folder"
    )
    parser.add_argument(
        "--encoding", choices=("utf-8", "keep"), default=None, help="as normalize's --encoding"
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="as normalize's --exclude (repeatable)",
    )
    add_settings_arguments(parser)
    add_verbosity_arguments(
        parser,
        quiet="print only the keys and values, no comments",
        verbose="also say what each key does and which commands use it",
    )


def _origin(origin: str, flag: str) -> str:
    """Return ``origin`` naming the flag when the value came from the command line."""
    from ..config import COMMAND_LINE

    return origin.replace(COMMAND_LINE, f"{COMMAND_LINE} ({flag})")


def _toml(value: Any) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    # A JSON string is a TOML basic string.
    return json.dumps(value, ensure_ascii=False)


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from .. import __version__
    from .._terminal import printable
    from ..config import KEYS
    from ..errors import ZhconvertError
    from ._common import load_settings

    start = Path(args.folder) if args.folder else Path.cwd()
    if not start.exists():
        raise ZhconvertError("no such folder", path=args.folder)
    config = load_settings(
        args,
        start=start,
        front_matter=args.front_matter,
        images=args.images,
        image_source=args.image_source,
        image_folder=args.image_folder,
        encoding=args.encoding,
        exclude=args.exclude,
    )
    settings = dict(config.items())
    flags = {key.name: key.flag for key in KEYS}
    if args.json:
        report = {
            "file": str(config.path) if config.path else None,
            "root": str(config.root),
            "settings": {
                name: {
                    "value": list(s.value) if isinstance(s.value, tuple) else s.value,
                    "origin": _origin(s.origin, flags[name]),
                }
                for name, s in settings.items()
            },
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    lines: list[str] = []
    if not args.quiet:
        lines.append(f"# zhconvert {__version__}: the settings in force for {start.resolve()}")
        if config.path is not None:
            lines.append(f"# read from {config.path}")
        else:
            lines.append(
                "# no zhconvert.toml or pyproject.toml [tool.zhconvert] found (searched up to "
                "the repository root): defaults"
            )
    assignments = {name: f"{name} = {_toml(s.value)}" for name, s in settings.items()}
    width = max(len(text) for text in assignments.values())
    for key in KEYS:
        setting = settings[key.name]
        if args.quiet:
            lines.append(assignments[key.name])
            continue
        if args.verbose:
            lines.append("")
            lines.append(f"# {key.help}")
            lines.append(f"# used by: {', '.join(key.commands)}; flag: {key.flag}")
        origin = _origin(setting.origin, key.flag)
        lines.append(f"{assignments[key.name].ljust(width)}  # {origin}")
    sys.stdout.write("\n".join(printable(line) for line in lines) + "\n")  # folder names
    return 0
