"""zhconvert's build backend: setuptools', plus mypyc when ``ZHCONVERT_MYPYC=1`` asks for it.

setuptools documents this way of adding requirements that only some builds need ("Dynamic
build dependencies and other build_meta tweaks"). Only `build_wheel` sees the variable, so
setup.py compiles once, in the hook that makes the wheel: the sdist, the metadata and an
editable install are pure Python whatever the variable says, and need no mypy or C compiler.
An editable install's modules are the files in src/: an extension module built next to them
would shadow every later edit.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from setuptools import build_meta as _setuptools

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
    "prepare_metadata_for_build_editable",
    "prepare_metadata_for_build_wheel",
]

VARIABLE = "ZHCONVERT_MYPYC"

#: What compiling needs besides setuptools: mypy, which ships mypyc, and what lets it type the
#: compiled modules and what they import as `mypy --strict` does in development: the stubs, and
#: every runtime dependency (tests/test_compiled.py checks that none is missing). The optional
#: extras' packages are not needed (setup.py).
MYPYC_REQUIRES = [
    "mypy>=1.10",
    "types-PyYAML",
    "lxml-stubs",
    "beautifulsoup4>=4.12",
    "lxml>=5.0",
    "ebooklib>=0.18",
    "python-frontmatter>=1.1",
    "pyyaml>=6.0",
    "markdown-it-py>=3.0",
    "mdit-py-plugins>=0.4",
    "wcwidth>=0.2.13",
    "latex2mathml>=3.77",
    "pillow>=10.0",
    "httpx>=0.27",
    "platformdirs>=4.0",
    "pygments>=2.17",
    "ziamath>=0.13",
    "tomli>=1.1; python_version < '3.11'",
    "w3lib>=2.1",
    "tomli-w>=1.0",
]

_Hook = TypeVar("_Hook", bound=Callable[..., Any])


def compiling() -> bool:
    """Whether this build was asked to compile with mypyc."""
    return os.environ.get(VARIABLE) == "1"


@contextmanager
def _pure() -> Iterator[None]:
    saved = os.environ.pop(VARIABLE, None)
    try:
        yield
    finally:
        if saved is not None:
            os.environ[VARIABLE] = saved


def _pure_hook(hook: _Hook) -> _Hook:
    def run(*args: Any, **kwargs: Any) -> Any:
        with _pure():
            return hook(*args, **kwargs)

    run.__name__ = run.__qualname__ = hook.__name__
    run.__doc__ = hook.__doc__
    return run  # type: ignore[return-value]


def get_requires_for_build_wheel(config_settings: dict[str, Any] | None = None) -> list[str]:
    """Return setuptools' requirements, and mypy's when the wheel is to be compiled."""
    with _pure():
        requires = _setuptools.get_requires_for_build_wheel(config_settings)
    return [*requires, *MYPYC_REQUIRES] if compiling() else requires


build_wheel = _setuptools.build_wheel
prepare_metadata_for_build_wheel = _pure_hook(_setuptools.prepare_metadata_for_build_wheel)
get_requires_for_build_sdist = _pure_hook(_setuptools.get_requires_for_build_sdist)
build_sdist = _pure_hook(_setuptools.build_sdist)
get_requires_for_build_editable = _pure_hook(_setuptools.get_requires_for_build_editable)
prepare_metadata_for_build_editable = _pure_hook(_setuptools.prepare_metadata_for_build_editable)
build_editable = _pure_hook(_setuptools.build_editable)
