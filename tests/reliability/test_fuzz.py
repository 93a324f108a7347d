"""The CI fuzz run: random and mutated real posts into ``loads`` and every writer (EPUB too).

The invariants and the mutations are those of the atheris target ``fuzz/fuzz_loads.py``
(``check_post``, ``mutate``), driven here by hypothesis for a bounded number of examples; the
long coverage-guided run is documented in that file. ``tests/test_properties.py`` fuzzes
``loads`` and the text writers with its own mutations; this adds the EPUB writer, the structure
checks of ``check_post`` and mutations at the byte level (encodings, splices, deep markup).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fuzz"))

from fuzz_loads import SNIPPETS, check_post, fuzz_one_input, mutate, seeds

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def test_the_fuzz_target_has_real_posts_to_mutate(archive_posts: list[Path]) -> None:
    assert len(seeds()) == len(archive_posts) + 2


@settings(FUZZ, max_examples=200)
@given(st.integers(0, 10**9), st.integers(1, 12))
def test_mutated_posts(seed: int, edits: int) -> None:
    chooser = random.Random(seed)
    posts = seeds()
    data = posts[chooser.randrange(len(posts))]
    check_post(mutate(data, chooser.randrange, edits))


@settings(FUZZ, max_examples=80)
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    check_post(data)


@settings(FUZZ, max_examples=80)
@given(
    st.lists(
        st.one_of(
            st.sampled_from([s.decode("utf-8", "replace") for s in SNIPPETS]),
            st.text(max_size=20),
        ),
        max_size=40,
    )
)
def test_random_markup(pieces: list[str]) -> None:
    text = "".join(pieces)
    check_post(text)
    check_post("\n---\ntitle: 随机\n---\n\n<div>" + text)


@settings(FUZZ, max_examples=60)
@given(st.binary(min_size=1, max_size=300))
def test_the_atheris_entry_point(data: bytes) -> None:
    fuzz_one_input(data)
