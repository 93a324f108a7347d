"""MkDocs hooks for zhconvert's documentation site (``hooks:`` in ``mkdocs.yml``).

- ``cli.md`` is generated from the real argument parser (``zhconvert._cli.build_parser``):
  ``python scripts/docs_hooks.py`` writes ``docs/cli.md`` (committed, so that the page reads on
  GitHub too), and ``tests/test_docs.py`` fails when the committed page is stale. It is rendered
  from the parser's actions, not from ``--help`` text, so it does not depend on the Python
  version's help formatting.
- Pages written alongside the site (``OPTIONAL_PAGES``) are put in the navigation when they
  exist, so a build never fails on a page that has not landed yet.
- Links from a page to repository files outside ``docs/`` (``../benchmarks/README.md``, which
  work when the Markdown is read on GitHub) point at the repository on the site; a link to a
  file that does not exist is a warning, which ``mkdocs build --strict`` turns into a failure.
"""

from __future__ import annotations

import argparse
import logging
import posixpath
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.zhconvert")

ROOT = Path(__file__).resolve().parents[1]

#: page -> (nav section, title): added to the navigation only when the page exists.
OPTIONAL_PAGES = {
    "performance.md": ("Project", "Performance"),
    "reliability.md": ("Project", "Reliability"),
    "scale.md": ("Project", "Scale"),
}

CLI_PAGE = "cli.md"


# ---------------------------------------------------------------------------------------------
# The command-line reference


def _escape(text: str) -> str:
    """Return ``text`` as literal Markdown inline text (help strings hold ``*.md``, ``[...]``)."""
    return re.sub(r"([\\`*_\[\]<>|#])", r"\\\1", text)


def _paragraphs(text: str) -> str:
    return "\n\n".join(_escape(" ".join(p.split())) for p in text.strip().split("\n\n") if p)


def _metavar(action: argparse.Action) -> str:
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "|".join(str(c) for c in action.choices)
    return action.dest.upper()


def _usage_word(action: argparse.Action) -> str:
    word = _metavar(action)
    if action.nargs == "+":
        return f"{word}..."
    if action.nargs == "*":
        return f"[{word}...]"
    if action.nargs == "?":
        return f"[{word}]"
    return word


def _option_cell(action: argparse.Action) -> str:
    takes_value = action.nargs != 0 and not isinstance(action, argparse.BooleanOptionalAction)
    value = f" {_metavar(action)}" if takes_value and action.choices is None else ""
    return ", ".join(f"`{option}{value}`" for option in action.option_strings)


def _choices_cell(action: argparse.Action) -> str:
    if action.choices is None or isinstance(action, argparse._SubParsersAction):
        return ""
    return ", ".join(f"`{c}`" for c in action.choices)


def _help_cell(action: argparse.Action) -> str:
    return _escape(" ".join((action.help or "").split())) if action.help else ""


def _groups(parser: argparse.ArgumentParser) -> list[tuple[str, list[argparse.Action]]]:
    """Return the parser's option groups as ``(title, options)``, in --help's order."""
    groups = []
    for group in parser._action_groups:
        options = [
            a for a in group._group_actions if a.option_strings and a.help is not argparse.SUPPRESS
        ]
        # Mutually exclusive groups (-q | -v) keep their actions in the enclosing group too.
        if options:
            groups.append((group.title or "options", options))
    return groups


def _options_table(options: list[argparse.Action]) -> list[str]:
    lines = ["| option | values | what it does |", "| --- | --- | --- |"]
    for action in options:
        lines.append(f"| {_option_cell(action)} | {_choices_cell(action)} | {_help_cell(action)} |")
    return lines


def _examples(epilog: str) -> list[str]:
    body = epilog.split("examples:", 1)[-1].strip("\n")
    return ["```text", body.rstrip(), "```"]


def cli_reference() -> str:
    """Return the Markdown of the command-line reference, from the real parser."""
    from zhconvert._cli import COMMANDS, EPILOG, build_parser

    parser = build_parser()
    sub_action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    commands: dict[str, argparse.ArgumentParser] = dict(sub_action.choices)
    helps = {choice.dest: choice.help for choice in sub_action._choices_actions}

    lines = [
        "# Command-line reference",
        "",
        "<!-- Generated from zhconvert's argument parser by `python scripts/docs_hooks.py`:",
        "     edit the parser (src/zhconvert/_commands/), not this page. -->",
        "",
        _paragraphs(parser.description or ""),
        "",
        "```text",
        "zhconvert [--version] [--print-completion SHELL] COMMAND [options]",
        "```",
        "",
        "| command | what it does |",
        "| --- | --- |",
    ]
    for name in COMMANDS:
        lines.append(f"| [`{name}`](#zhconvert-{name}) | {_escape(helps.get(name) or '')} |")
    lines += ["", "Options of `zhconvert` itself:", ""]
    for _title, options in _groups(parser):
        lines += _options_table(options)
    lines += ["", "Examples:", "", *_examples(EPILOG), ""]
    lines += [
        "Every command prints errors as one line, `Error: <file>: <reason>` (red on a terminal,",
        "never with `NO_COLOR`), and exits with 0 on success, 1 when an input could not be",
        "converted, 2 for a usage or configuration error. A usage error names the option",
        "that was probably meant.",
        "",
    ]
    for name, command in commands.items():
        positionals = [
            a for a in command._actions if not a.option_strings and a.help is not argparse.SUPPRESS
        ]
        usage = " ".join(["zhconvert", name, *(_usage_word(a) for a in positionals), "[options]"])
        lines += [f"## zhconvert {name}", "", _paragraphs(command.description or ""), ""]
        lines += ["```text", usage, "```", ""]
        if positionals:
            lines += ["| argument | what it does |", "| --- | --- |"]
            for action in positionals:
                lines.append(f"| `{_usage_word(action)}` | {_help_cell(action)} |")
            lines.append("")
        for title, options in _groups(command):
            heading = _escape(title[0].upper() + title[1:])
            lines += [f"**{heading}**", "", *_options_table(options), ""]
        if command.epilog:
            lines += ["Examples:", "", *_examples(command.epilog), ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The hooks


def on_config(config: Any) -> Any:
    """Put the optional pages that exist into the navigation."""
    docs = Path(config["docs_dir"])
    nav = config["nav"]
    for page, (section, title) in OPTIONAL_PAGES.items():
        if not (docs / page).is_file():
            log.info("zhconvert docs: %s is not written yet; left out of the navigation", page)
            continue
        for entry in nav:
            if isinstance(entry, dict) and section in entry:
                entry[section].append({title: page})
                break
        else:
            nav.append({section: [{title: page}]})
    return config


_LINK = re.compile(r"(\]\()(?P<target>\.\./[^)\s#]+)(?P<anchor>#[^)\s]*)?(\))")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Point links to repository files outside ``docs/`` at the repository."""
    repo = str(config.get("repo_url") or "").rstrip("/")
    page_dir = posixpath.dirname(page.file.src_uri)

    def repository_link(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join("docs", page_dir, match["target"]))
        if target.startswith("docs/") or target.startswith(".."):
            return match.group(0)  # inside docs/: mkdocs checks it itself
        if not (ROOT / target).exists():
            log.warning("%s: link to %s, which does not exist", page.file.src_uri, target)
            return match.group(0)
        kind = "tree" if (ROOT / target).is_dir() else "blob"
        return f"{match[1]}{repo}/{kind}/main/{target}{match['anchor'] or ''})"

    return _LINK.sub(repository_link, markdown)


if __name__ == "__main__":
    # Regenerate the committed command-line reference: python scripts/docs_hooks.py
    (ROOT / "docs" / CLI_PAGE).write_text(cli_reference(), encoding="utf-8")
