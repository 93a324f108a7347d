#!/usr/bin/env bash
# Run zhconvert's whole test suite on this machine, installing what it needs first:
# Java for EPUBCheck (Debian's default-jdk-headless, when `java` or its compiler module is
# missing and apt-get exists),
# git for the pre-commit tests, Node.js and npm (Debian's nodejs and npm) for the tests that build
# posts with real Hexo 7, which tests/_hexo.py then installs from npm, pinned by
# tests/hexo/package-lock.json, into a cache folder outside the repository (skipped, with the
# reason, only where Node.js or npm cannot be installed), Debian's chromium for the real-browser
# test of hotlinked images (tests/test_hotlink.py: skipped without it locally, failed in CI), and
# the package with its [dev] extra in ./.venv.
# Usage: scripts/test.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
# EPUBCheck runs in one long-lived JVM started from a .java source file: that needs the JDK's
# compiler module, which a bare JRE may lack.
if ! command -v java >/dev/null 2>&1 || ! java --list-modules 2>/dev/null | grep '^jdk.compiler' >/dev/null; then
    missing+=(default-jdk-headless)
fi
command -v git >/dev/null 2>&1 || missing+=(git)
optional=()
command -v node >/dev/null 2>&1 || command -v nodejs >/dev/null 2>&1 || optional+=(nodejs)
command -v npm >/dev/null 2>&1 || optional+=(npm)
# The package is "chromium" in Debian bookworm and trixie (Ubuntu's is a snap wrapper).
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || optional+=(chromium)
if ((${#missing[@]} + ${#optional[@]})); then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        if ((${#missing[@]})); then
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        fi
        if ((${#optional[@]})); then
            apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null ||
                echo "scripts/test.sh: could not install ${optional[*]}: the tests needing them will be skipped" >&2
        fi
    elif ((${#missing[@]})); then
        echo "scripts/test.sh: please install: ${missing[*]}" >&2
        exit 1
    else
        echo "scripts/test.sh: ${optional[*]} missing: the tests needing them will be skipped" >&2
    fi
fi

PYTHON="${PYTHON:-python3}"
if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    rm -rf .venv  # missing, or left half-made by an interrupted run
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
export PATH="$PWD/.venv/bin:$PATH"
.venv/bin/python tests/_hexo.py install  # once per lock file; a no-op when cached
exec .venv/bin/python -m pytest -n 2 "$@"
