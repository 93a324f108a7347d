"""What hostile inputs cost: time and peak memory of each resource case of docs/reliability.md.

Each case runs in a fresh process (its peak memory is its own ``ru_maxrss``) with a time limit and
a 6 GB address-space limit, so that the code before a fix can be measured too without taking the
machine down: point ``--src`` at another checkout's ``src`` folder. The image cases use servers on
127.0.0.1 that this script starts. These are measurements, not tests; the tests
(``tests/security/test_resources.py``) assert bounds, never timings.

    python benchmarks/hostile.py                                # this checkout
    git archive OLD src | tar -x -C /tmp/old && python benchmarks/hostile.py --src /tmp/old/src
    python benchmarks/hostile.py --only glob --only table-text  # some cases only
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
import zlib
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024

# Every child starts with this: it reports its time and peak memory as one JSON line.
_PRELUDE = """
import json, resource, sys, time
started, cpu = time.monotonic(), time.process_time()
extra = {}
def report():
    print(json.dumps({"seconds": time.monotonic() - started, "cpu": time.process_time() - cpu,
                      "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, **extra}))
"""

CASES: dict[str, tuple[str, str]] = {
    "gzip-bomb": (
        "an image of `Content-Encoding: gzip, gzip`, 1 GB decoded (cap 20 MB)",
        """
import zhconvert, zipfile, io
from zhconvert import model as m
doc = m.Document(meta=m.Metadata(title="t"), blocks=(m.Figure(sys.argv[1]),))
data = zhconvert.dumps(doc, "epub", no_cache=True, retries=0)
names = zipfile.ZipFile(io.BytesIO(data)).namelist()
extra["images"] = sum(n.startswith("EPUB/images/") for n in names)
report()
""",
    ),
    "stalling-host": (
        "16 images from a host that accepts connections and never answers (default options)",
        """
import zhconvert
from zhconvert import model as m
doc = m.Document(meta=m.Metadata(title="t"),
                 blocks=tuple(m.Figure(f"{sys.argv[1]}/{n}.png") for n in range(16)))
zhconvert.dumps(doc, "epub", no_cache=True)
report()
""",
    ),
    "attributes": (
        "one element with 200,000 attributes (2.5 MB), read and written as Markdown",
        """
import zhconvert
attributes = " ".join(f"data-a{n}=1" for n in range(200_000))
doc = zhconvert.loads(f"<p><a href='https://example.com/' {attributes}>x</a></p>")
zhconvert.dumps(doc, "markdown")
report()
""",
    ),
    "table-markdown": (
        "a table of one row of 15,000 cells and 15,000 rows of one (435 KB), as Markdown",
        """
import zhconvert
html = "<table><tr>" + "<td>x</td>" * 15_000 + "</tr>" + "<tr><td>y</td></tr>" * 15_000 + "</table>"
doc = zhconvert.loads(html)
extra["output"] = len(zhconvert.dumps(doc, "markdown"))
report()
""",
    ),
    "table-text": (
        "the same table as plain text",
        """
import zhconvert
html = "<table><tr>" + "<td>x</td>" * 15_000 + "</tr>" + "<tr><td>y</td></tr>" * 15_000 + "</table>"
doc = zhconvert.loads(html)
extra["output"] = len(zhconvert.dumps(doc, "text"))
report()
""",
    ),
    "glob": (
        "`--exclude` of 15 stars against a 70-character name",
        """
from pathlib import Path
from zhconvert.config import Config
config = Config(root=Path("/tmp")).override(exclude=["*a" * 15 + "*b"])
extra["excluded"] = config.is_excluded(Path("/tmp/" + "a" * 67 + ".md"))
report()
""",
    ),
    "cover": (
        "`--cover /dev/zero`",
        """
import zhconvert
from zhconvert import model as m
try:
    zhconvert.dumps(m.Document(meta=m.Metadata(title="t"), blocks=()), "epub", cover="/dev/zero")
except BaseException as exc:
    extra["error"] = f"{type(exc).__name__}: {exc}"[:120]
report()
""",
    ),
}


def _gzip_bomb(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MB)
    inner = b"".join(packer.compress(zeros) for _ in range(megabytes)) + packer.flush()
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(inner) + packer.flush()


def _bomb_server() -> tuple[http.server.ThreadingHTTPServer, str, int]:
    body = _gzip_bomb(1024)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Encoding", "gzip, gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):  # the client hung up
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/bomb.png", len(body)


class _SilentHost:
    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.settimeout(0.2)
        self.connections = 0
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                continue
            self.held.append(conn)
            self.connections += 1

    def close(self) -> None:
        self.stop.set()
        for conn in self.held:
            conn.close()
        self.listener.close()


def _limit_memory() -> None:
    limit = 6 * 1024 * MB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def run_case(name: str, src: Path, timeout: float, argv: list[str]) -> dict[str, Any]:
    """Run one case in a fresh process; return its figures (or how it failed)."""
    env = dict(os.environ, PYTHONPATH=str(src))
    started = time.monotonic()
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PRELUDE + CASES[name][1], *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            preexec_fn=_limit_memory,
        )
    except subprocess.TimeoutExpired:
        return {"status": f"did not end within {timeout:g} s (killed)"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {
            "status": f"failed after {time.monotonic() - started:.1f} s: {last[:120]}",
        }
    figures: dict[str, Any] = json.loads(lines[-1])
    figures["status"] = "ok"
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the zhconvert to measure")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per case")
    parser.add_argument("--only", action="append", choices=sorted(CASES), help="run these only")
    parser.add_argument("--json", type=Path, help="also save the figures here")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    for name in args.only or list(CASES):
        extra: list[str] = []
        server: Any = None
        silent: _SilentHost | None = None
        if name == "gzip-bomb":
            server, url, wire = _bomb_server()
            extra = [url]
        elif name == "stalling-host":
            silent = _SilentHost()
            extra = [silent.url]
        try:
            figures = run_case(name, args.src, args.timeout, extra)
        finally:
            if server is not None:
                server.shutdown()
                server.server_close()
                figures["on the wire"] = wire
            if silent is not None:
                figures["connections"] = silent.connections
                silent.close()
        results[name] = figures
        shown = {k: v for k, v in figures.items() if k not in ("status", "seconds", "cpu", "peak")}
        if figures["status"] == "ok":
            print(
                f"{name:15} {figures['seconds']:8.2f} s  cpu {figures['cpu']:8.2f} s  "
                f"peak {figures['peak'] / MB:8.0f} MB  {shown or ''}"
            )
        else:
            print(f"{name:15} {figures['status']}  {shown or ''}")
        sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
