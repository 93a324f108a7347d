"""``python -m zhconvert``."""

from __future__ import annotations

import sys

from ._cli import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
