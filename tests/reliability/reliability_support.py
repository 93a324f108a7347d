"""Helpers of the reliability tests, imported as ``reliability_support`` (``conftest.py`` puts this
folder on ``sys.path``, whatever pytest's import mode).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import zhconvert
from _paths import python_env

#: What the command line may print on stderr: one line per error or warning, the summaries.
STDERR_LINE = re.compile(
    r"^(Error: .+|Warning: .+|converted \d+ of \d+ posts into .+|Wrote .+|Interrupted\.|"
    # what became of the images (``zhconvert.images.summary_lines``)
    r"images: .+|image failed: .+|most images could not be fetched: .+)$"
)

#: Writer options that keep the EPUB writer off the network.
EPUB_OFFLINE = {"images": "link", "no_cache": True}


def assert_clean_stderr(err: str) -> None:
    """No traceback, and nothing but ``Error:``/``Warning:`` lines and the summaries."""
    assert "Traceback" not in err, err
    for line in err.splitlines():
        assert STDERR_LINE.match(line), f"unexpected stderr line: {line!r}"


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("Error: ")]

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("Warning: ")]


Cli = Callable[..., CliResult]


def run_process(
    *args: str | os.PathLike[str], cwd: Path | None = None, timeout: float = 60
) -> CliResult:
    """Run ``python -m zhconvert ARGS`` in a real process; it must end by itself, cleanly.

    The process gets its own session, so that on a timeout it is killed with any worker
    processes it started.
    """
    with subprocess.Popen(
        [sys.executable, "-m", "zhconvert", *map(os.fspath, args)],
        cwd=cwd,
        env=python_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
    err = stderr.decode("utf-8", "replace")
    # A negative code is a signal: a segmentation fault or a stack overflow would show here.
    assert process.returncode >= 0, f"killed by signal {-process.returncode}: {err[-2000:]}"
    assert_clean_stderr(err)
    return CliResult(process.returncode, stdout.decode("utf-8", "replace"), err)


def epub_documents(data: bytes) -> dict[str, bytes]:
    """Return the XHTML, package and navigation files of an EPUB, by name."""
    book = zipfile.ZipFile(io.BytesIO(data))
    assert book.testzip() is None
    return {
        name: book.read(name)
        for name in book.namelist()
        if name.endswith((".xhtml", ".opf", ".ncx", ".html"))
    }


def every_output(doc: zhconvert.Document) -> dict[str, str]:
    """Render ``doc`` in every format; each must succeed and be well-formed.

    Returns the text of each (the EPUB's as its documents' text, joined).
    """
    from lxml import etree

    outputs: dict[str, str] = {}
    for fmt in ("markdown", "text", "json"):
        out = zhconvert.dumps(doc, fmt)
        assert isinstance(out, str) and out.endswith("\n")
        outputs[fmt] = out
    json.loads(outputs["json"])
    data = zhconvert.dumps(doc, "epub", **EPUB_OFFLINE)
    assert isinstance(data, bytes)
    texts = []
    for name, content in epub_documents(data).items():
        root = etree.fromstring(content)  # well-formed XML, or this raises
        texts.append(f"<<{name}>>" + "".join(root.itertext()))
        outputs[f"epub:{name}"] = content.decode("utf-8")
    outputs["epub"] = "\n".join(texts)
    return outputs


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file below ``folder`` (symbolic links not followed), by relative path."""
    out: dict[str, bytes] = {}
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in files:
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                out[path.relative_to(folder).as_posix()] = path.read_bytes()
    return out
