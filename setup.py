"""Build zhconvert; with ``ZHCONVERT_MYPYC=1``, compile its hot modules with mypyc.

The metadata lives in pyproject.toml; this file only adds the optional extension modules, the
way black and mypy ship compiled wheels beside the pure-Python package. Every compiled module
is also in the wheel as source, and the pure-Python package is what a plain build gives.
"""

from __future__ import annotations

import os

from setuptools import setup

#: The modules a `loads` + `dumps` pass spends its time in (cProfile over the Zhihu corpus; see
#: docs/performance.md, "Compiled build (mypyc)"). None of them defines a class that code outside
#: the list subclasses: mypyc's classes cannot be subclassed by interpreted ones. zhconvert.model
#: stays Python: compiled, its frozen dataclasses can no longer be unpickled (which --jobs and
#: Dask need) and lose the docstrings help() shows, for 1.4% of the time.
MYPYC_MODULES = [
    "src/zhconvert/readers/__init__.py",
    "src/zhconvert/readers/_frontmatter.py",
    "src/zhconvert/readers/_links.py",
    "src/zhconvert/readers/_safety.py",
    "src/zhconvert/readers/html.py",
    "src/zhconvert/writers/_depth.py",
    "src/zhconvert/writers/_render.py",
    "src/zhconvert/writers/markdown.py",
    "src/zhconvert/writers/text.py",
]


def _ext_modules() -> list[object]:
    if os.environ.get("ZHCONVERT_MYPYC") != "1":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        raise SystemExit(
            "ZHCONVERT_MYPYC=1 needs mypy (it ships mypyc) in the build environment: "
            "pip install 'mypy[mypyc]', or build with build isolation on"
        ) from None
    # mypy reads pyproject.toml's [tool.mypy] (strict), as in development. It also follows every
    # import, down to the optional extras' (dask, OpenCC, ...), which a build need not have: the
    # modules not compiled are analysed for their types, their errors left to `mypy` in CI.
    options = ["--follow-imports=silent"]
    return list(mypycify([*options, *MYPYC_MODULES], opt_level="3", group_name="zhconvert"))


setup(ext_modules=_ext_modules())
