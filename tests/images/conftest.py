"""Fixtures of the image component's tests: the image server of ``tests/epub`` and a silent port.

The server (``image_server``: routes, a 503 for the first N requests, the list of paths asked)
and the image maker (``make_image``) are the EPUB tests' own, loaded from their conftest rather
than copied.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_EPUB_CONFTEST = Path(__file__).resolve().parents[1] / "epub" / "conftest.py"
_spec = importlib.util.spec_from_file_location("_epub_fixtures", _EPUB_CONFTEST)
assert _spec is not None and _spec.loader is not None
_epub = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _epub  # its dataclasses look their module up there
_spec.loader.exec_module(_epub)

image_server = _epub.image_server
make_image = _epub._make_image_fixture
ImageServer = _epub.ImageServer


@pytest.fixture
def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on: connections to it are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port of 127.0.0.1 that accepts connections (the kernel does) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield int(sock.getsockname()[1])
