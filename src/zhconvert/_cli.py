"""The command line: ``run(argv) -> int`` does the work and never exits.

Each sub-command lives in ``zhconvert._commands.<name>`` and provides ``HELP``, ``DESCRIPTION``,
``EPILOG``, ``add_arguments(parser)`` and ``run(args) -> int``. Command modules import their heavy
dependencies inside ``run`` so that ``zhconvert --version`` and ``--help`` start fast.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import errno
import io
import os
import re
import sys
from collections.abc import Iterator, Sequence
from importlib import import_module
from typing import Any, NoReturn, TextIO, cast

from ._commands._common import UsageError, error
from .config import ConfigError
from .errors import ZhconvertError

__all__ = ["main", "run"]

#: sub-command -> module; the order is the order of ``--help``.
COMMANDS: dict[str, str] = {
    "convert": "zhconvert._commands.convert",
    "book": "zhconvert._commands.book",
    "normalize": "zhconvert._commands.normalize",
    "inspect": "zhconvert._commands.inspect",
    "config": "zhconvert._commands.config",
}

EPILOG = """\
examples:
  zhconvert convert post.md -t md -o clean.md     one post to clean Markdown
  zhconvert convert post.md -t txt                plain text on standard output
  zhconvert convert posts/ -t md -o clean/        a folder to a folder, in parallel
  zhconvert book posts/ -o archive.epub           a folder as one EPUB book
  zhconvert normalize --check _posts/             what the pre-commit hook would fix
  zhconvert convert post.md --chinese tw          Traditional Chinese, Taiwan's phrases
  zhconvert inspect post.md                       metadata and an outline of the blocks
  zhconvert config                                the settings in force, and their origin
  zhconvert --print-completion bash               a completion script for bash (or zsh)
"""

#: Flags users bring from other tools, and what zhconvert calls them.
FOREIGN_FLAGS = {
    "--format": "-t/--to names the output format",
    "--output-format": "-t/--to names the output format",
    "--write": "-t/--to names the output format",
    "-w": "-t/--to names the output format",
    "--from": "zhconvert reads posts whatever they hold; -t/--to names the output format",
    "-f": "zhconvert reads posts whatever they hold; -t/--to names the output format",
    "--traditional": "--chinese t (or tw, hk)",
    "--simplified": "--chinese s",
    "--pangu": "--cjk-spacing",
    "--spacing": "--cjk-spacing",
    "--color": "colour follows the terminal; set NO_COLOR to turn it off",
    "--no-color": "colour follows the terminal; set NO_COLOR to turn it off",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors suggest the option or choice that was meant.

    (argparse's own ``suggest_on_error`` needs Python 3.14.)
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: dict[str, _Parser] = {}
        self._argv: list[str] = []

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._argv = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        # One line, as every other error: the usage block would bury the message and the hint.
        hints = self._suggest(message)
        # Unknown options are reported by the top parser; the command is the one to name.
        parser: argparse.ArgumentParser = self
        if message.startswith("unrecognized arguments:"):
            parser = self.commands.get(self._command() or "", self)
        text = f"{parser.prog}: {message}"
        text += "".join(f"; {hint}" for hint in hints) if hints else f" (see {parser.prog} --help)"
        error(text)
        parser.exit(2)

    def _command(self) -> str | None:
        return next((a for a in self._argv if a in self.commands), None)

    def _options(self) -> list[str]:
        return [o for action in self._actions for o in action.option_strings]

    def _suggest(self, message: str) -> list[str]:
        if message.startswith("unrecognized arguments:"):
            hints = [
                self._suggest_option(token.split("=", 1)[0])
                for token in message.split(":", 1)[1].split()
                if token.startswith("-")
            ]
            return [hint for hint in hints if hint]
        match = re.match(
            r"argument (?P<name>[^:]+): invalid choice: (?P<value>'[^']*'|\S+)", message
        )
        if match:
            value = match["value"].strip("'")
            action = self._action_named(match["name"])
            choices = [str(c) for c in (action.choices or ())] if action is not None else []
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
            if close:
                return [f"did you mean {close[0]!r}?"]
            if match["name"] == "COMMAND" and (os.path.exists(value) or "." in value):
                return [f"to convert a post, name the command: zhconvert convert {value}"]
        return []

    def _action_named(self, name: str) -> argparse.Action | None:
        for action in self._actions:
            if name in ("/".join(action.option_strings), action.metavar, action.dest):
                return action
        return None

    def _suggest_option(self, option: str) -> str:
        command = self._command()
        parser = self.commands.get(command, self) if command else self
        known = parser._options()
        if option in FOREIGN_FLAGS:
            return f"{option}: {FOREIGN_FLAGS[option]}"
        close = difflib.get_close_matches(option, known, n=1, cutoff=0.6)
        if close:
            return f"{option}: did you mean {close[0]}?"
        elsewhere = [name for name, sub in self.commands.items() if option in sub._options()]
        if elsewhere:
            return f"{option} is an option of: {', '.join(f'zhconvert {n}' for n in elsewhere)}"
        if command is not None and option in self._options():
            return f"{option} goes before the command: zhconvert {option} ..."
        return ""


#: Metavars of arguments that name files, and of those that name folders (for completion).
_FILE_METAVARS = {"INPUT", "FILE", "PATH", "OUT", "BOOK.epub", "IMAGE", "GLOB"}
_FOLDER_METAVARS = {"DIR", "FOLDER"}


class _CompletionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(
            option_strings,
            dest,
            choices=("bash", "zsh", "tcsh"),
            metavar="SHELL",
            help="print a completion script for SHELL (bash, zsh, tcsh) and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        try:
            import shtab
        except ImportError:
            parser.exit(
                1,
                "Error: shell completion needs shtab: pip install shtab (with pipx: pipx inject "
                "zhconvert shtab), or install zhconvert with its [completion] extra\n",
            )
        commands: dict[str, argparse.ArgumentParser] = getattr(parser, "commands", {})
        parsers = [parser, *commands.values()]
        for each in parsers:
            for action in each._actions:
                if action.metavar in _FILE_METAVARS:
                    action.complete = shtab.FILE  # type: ignore[attr-defined]
                elif action.metavar in _FOLDER_METAVARS:
                    action.complete = shtab.DIRECTORY  # type: ignore[attr-defined]
        sys.stdout.write(shtab.complete(parser, shell=values))
        parser.exit(0)


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
            from .readers.sites import installed_sites

            for name, dist, version, problem in installed_sites():
                state = f" (could not be loaded: {problem})" if problem else ""
                lines.append(f"  site {name}: {dist} {version}{state}")
        except Exception as exc:  # listing plugins must never break --version
            lines.append(f"  (plugins could not be listed: {exc})")
        print("\n".join(lines))
        parser.exit(0)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every sub-command."""
    parser = _Parser(
        prog="zhconvert",
        description="Convert archived Zhihu and other Chinese web posts to clean Markdown, "
        "plain text, JSON and EPUB.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--print-completion", action=_CompletionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        module = import_module(module_name)
        command: _Parser = sub.add_parser(
            name,
            help=module.HELP,
            description=module.DESCRIPTION,
            epilog=module.EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
        parser.commands[name] = command
    return parser


def run(argv: Sequence[str]) -> int:
    """Run the command line ``argv`` (without the program name); return the exit code."""
    with _closed_streams_replaced():
        return _run(argv)


class _ClosedStream(io.TextIOBase):
    """Stands for a standard stream that was closed when zhconvert started (``>&-``, ``<&-``).

    Python leaves such a stream as ``None``; using it would be an internal error, and the next
    file opened would take its descriptor. Reading or writing it raises one clear error instead.
    """

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def _refuse(self) -> ZhconvertError:
        return ZhconvertError("closed", path=self.name)

    def write(self, text: str) -> int:
        raise self._refuse()

    def read(self, size: int | None = -1) -> str:
        raise self._refuse()

    def isatty(self) -> bool:
        return False

    @property
    def buffer(self) -> _ClosedStream:
        return self  # ``sys.stdout.buffer.write(b"...")`` is refused the same way


class _NoStderr(io.TextIOBase):
    """Stands for a closed standard error: messages have nowhere to go, the exit code tells."""

    def write(self, text: str) -> int:
        return len(text)


@contextlib.contextmanager
def _closed_streams_replaced() -> Iterator[None]:
    saved = sys.stdin, sys.stdout, sys.stderr
    if sys.stdin is None:
        sys.stdin = cast(TextIO, _ClosedStream("standard input"))
    if sys.stdout is None:
        sys.stdout = cast(TextIO, _ClosedStream("standard output"))
    if sys.stderr is None:
        sys.stderr = cast(TextIO, _NoStderr())
    try:
        yield
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved


def _run(argv: Sequence[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv))
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 after --help/--version
        return exc.code if isinstance(exc.code, int) else 2
    except ZhconvertError as exc:  # --version or a completion script to a closed stdout
        error(str(exc))
        return 1
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = args._run(args)
        return code
    except (UsageError, ConfigError) as exc:
        error(str(exc))
        return 2
    except ZhconvertError as exc:
        error(str(exc))
        return 1
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except OSError as exc:
        # The commands name the files they open; an error without a name, from a write, is
        # standard output's: a full disk, or /dev/full.
        if exc.filename is not None:
            error(f"{os.fsdecode(exc.filename)}: {exc.strerror or exc}")
            return 1
        if exc.errno in _WRITE_ERRNOS:
            _discard_stdout()
            error(f"standard output: cannot write: {exc.strerror or exc}")
            return 1
        return _internal_error(exc)
    except RecursionError:
        error("input too deeply nested")
        return 1
    except Exception as exc:  # never a traceback for a user; say what to report
        return _internal_error(exc)


def _internal_error(exc: BaseException) -> int:
    error(f"internal error ({type(exc).__name__}: {exc}); please report it")
    return 70


def main() -> None:
    """Entry point of the ``zhconvert`` console script."""
    code = run(sys.argv[1:])
    sys.exit(_flush_stdout(code))


def _flush_stdout(code: int) -> int:
    """Flush standard output now, reporting a failed write, so that exit has nothing left."""
    if sys.stdout is None:
        return code
    try:
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        pass  # the reader left (``| head``): nothing to report
    except OSError as exc:  # a full disk, /dev/full
        error(f"standard output: cannot write: {exc.strerror or exc}")
        code = code or 1
    _discard_stdout()
    return code


#: What a write to a full or failing device raises.
_WRITE_ERRNOS = frozenset(
    getattr(errno, name)
    for name in ("ENOSPC", "EIO", "EDQUOT", "EFBIG", "EPIPE")
    if hasattr(errno, name)
)


def _discard_stdout() -> None:
    """Send what is left for standard output nowhere, so that the flush at exit cannot fail."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
