"""``python -m zhconvert``."""

from __future__ import annotations

from ._cli import main

if __name__ == "__main__":
    main()  # sys.exit(run(argv)), and a failed write to standard output reported
