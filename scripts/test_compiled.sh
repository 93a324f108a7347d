#!/usr/bin/env bash
# Run the tests that check zhconvert's output against the mypyc-compiled build, the way a user
# gets it: the sdist is built, a wheel is compiled from it with ZHCONVERT_MYPYC=1 (in pip's
# isolated build environment, so mypy comes from the build backend's requirements), the wheel and
# the [dev] extra go into ./.venv-mypyc, and pytest runs from the sdist's copy of the tests with
# its src/ removed, so nothing can import the sources instead of the compiled modules;
# tests/test_compiled.py fails unless every module setup.py compiles is an extension module.
# Needs a C compiler and Python's headers. Usage: scripts/test_compiled.sh [pytest arguments...]
# (default: the tests of output listed below, and the API's, which pickle documents and call
# help(), on two cores; `scripts/test_compiled.sh tests --ignore=tests/epub ...` runs more of
# the suite).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export ZHCONVERT_CORPUS="${ZHCONVERT_CORPUS:-$(cd .. && pwd)/shared/corpus}"
export ZHCONVERT_COMMONMARK="${ZHCONVERT_COMMONMARK:-$(cd .. && pwd)/shared/commonmark/spec.json}"

PYTHON="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"  # some tests run zhconvert as another user, in the tests' folder
# Run a command with its output in a log, shown only when it fails.
quietly() { "$@" >"$work/log" 2>&1 || { cat "$work/log" >&2 && return 1; }; }

if ! .venv-mypyc/bin/python -m pip --version >/dev/null 2>&1; then
    rm -rf .venv-mypyc  # missing, or left half-made by an interrupted run
    "$PYTHON" -m venv .venv-mypyc
    quietly .venv-mypyc/bin/python -m pip install --upgrade pip build
fi
venv="$repo/.venv-mypyc/bin"

start=$SECONDS
echo "== sdist"
quietly "$venv/python" -m build --sdist --outdir "$work/dist" .
sdist=("$work"/dist/zhconvert-*.tar.gz)
echo "== compiled wheel from ${sdist[0]##*/} (ZHCONVERT_MYPYC=1)"
ZHCONVERT_MYPYC=1 quietly "$venv/python" -m pip wheel --no-deps --wheel-dir "$work/dist" "${sdist[0]}"
wheel=("$work"/dist/zhconvert-*.whl)
case "${wheel[0]##*/}" in
*-none-any.whl) echo "test_compiled.sh: ${wheel[0]##*/} is a pure wheel" >&2 && exit 1 ;;
esac
echo "   ${wheel[0]##*/} built in $((SECONDS - start)) s"
quietly "$venv/python" -m pip install "${wheel[0]}[dev]"
quietly "$venv/python" -m pip install --force-reinstall --no-deps "${wheel[0]}"

echo "== pytest against the compiled build"
mkdir "$work/tree"
tar -xzf "${sdist[0]}" -C "$work/tree" --strip-components=1
rm -rf "$work/tree/src"
cd "$work/tree"
if (($# == 0)); then
    set -- tests/test_compiled.py tests/test_golden.py tests/test_corpus.py \
        tests/test_feeds_corpus.py tests/test_commonmark_roundtrip.py tests/security \
        tests/test_api.py tests/test_interop.py tests/test_emphasis_neighbours.py \
        tests/test_fixed_points.py tests/test_paragraph_indents.py -n 2
fi
export ZHCONVERT_EXPECT_COMPILED=1
"$venv/python" -m pytest -p no:cacheprovider -q "$@"
echo "== done in $((SECONDS - start)) s"
