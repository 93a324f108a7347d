"""The options of the EPUB writer and of ``build_book``, with their defaults, in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

from ..images import DEFAULT_IMAGE_BUDGET, DEFAULT_IMAGE_DEADLINE, DEFAULT_MAX_IMAGE_BYTES
from .xhtml import IMAGE_MODES

__all__ = ["GROUPINGS", "SORT_KEYS", "BookOptions", "EpubOptions"]

SORT_KEYS = ("date", "title", "path")
GROUPINGS = ("source", "month", "none")

# BCP 47 as EPUB wants it in dc:language: a primary tag and optional subtags.
_LANGUAGE = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True, slots=True)
class EpubOptions:
    """Book and image options, taken by ``convert -t epub`` and by ``book``.

    - ``title``, ``author``: the book's; by default those of the post (one post) or derived from
      the posts and the output file's name (a collection).
    - ``language``: ``dc:language`` and the documents' ``lang``.
    - ``cover``: an image file for the cover; by default the first post's real header image, if it
      could be embedded.
    - ``images``: ``embed`` (fetch and include), ``remote`` or ``link`` (a link to each image),
      ``omit``.
    - ``cache_dir``: where downloads are kept (default: the platform's cache folder);
      ``no_cache``: neither read nor write it.
    - ``image_dir``: a folder searched first for each image, by file name.
    - ``offline``: no network; images only from ``image_dir`` and the cache, the others fail at
      once (``ZHCONVERT_OFFLINE=1`` in the environment does the same).
    - ``timeout`` (seconds per request: connecting, each read), ``image_deadline`` (seconds one
      image's download may take in all, retries included), ``image_budget`` (seconds all the
      downloads of one build may take together), ``retries``, ``max_image_bytes``,
      ``image_concurrency``: how images are downloaded.
    """

    title: str = ""
    author: str = ""
    language: str = "zh-CN"
    cover: str | None = None
    images: str = "embed"
    cache_dir: str | None = None
    no_cache: bool = False
    image_dir: str | None = None
    offline: bool = False
    timeout: float = 20.0
    image_deadline: float = DEFAULT_IMAGE_DEADLINE
    image_budget: float = DEFAULT_IMAGE_BUDGET
    retries: int = 2
    max_image_bytes: int = DEFAULT_MAX_IMAGE_BYTES
    image_concurrency: int = 8

    def __post_init__(self) -> None:
        _check_epub(self)


@dataclass(frozen=True, slots=True)
class BookOptions(EpubOptions):
    """Everything ``build_book`` takes: the ``EpubOptions`` and how posts are arranged.

    - ``sort``: ``date`` (oldest first), ``title`` or ``path``.
    - ``group_by``: the table of contents grouped by ``source`` (categories), ``month`` or ``none``.
    - ``split``: at most this many posts per volume (``BOOK-1.epub``, ``BOOK-2.epub``, ...).
    - ``jobs``: processes reading posts (default: the number of CPUs).
    - ``progress``: a progress bar on stderr (default: when stderr is a terminal).
    - ``chinese``, ``cjk_spacing``: the Chinese-text options every writer takes (see
      ``zhconvert.chinese``), applied to each post.
    """

    sort: str = "date"
    group_by: str = "source"
    split: int | None = None
    jobs: int | None = None
    progress: bool | None = None
    chinese: str | None = None
    cjk_spacing: bool = False

    def __post_init__(self) -> None:
        EpubOptions.__post_init__(self)  # zero-argument super() fails in slotted dataclasses
        if self.sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}, not {self.sort!r}")
        if self.group_by not in GROUPINGS:
            raise ValueError(
                f"group_by must be one of {', '.join(GROUPINGS)}, not {self.group_by!r}"
            )
        if self.split is not None and (not isinstance(self.split, int) or self.split < 1):
            raise ValueError(
                f"split must be a whole number of posts, 1 or more, not {self.split!r}"
            )
        if self.jobs is not None and (not isinstance(self.jobs, int) or self.jobs < 1):
            raise ValueError(f"jobs must be 1 or more, not {self.jobs!r}")

    def epub_options(self) -> EpubOptions:
        """Return the book and image options alone."""
        names = {f.name for f in fields(EpubOptions)}
        values: dict[str, Any] = {name: getattr(self, name) for name in names}
        return EpubOptions(**values)


def _check_epub(options: EpubOptions) -> None:
    if options.images == "remote":
        # What every command calls it (``--images remote``); the chapters' word is "link".
        object.__setattr__(options, "images", "link")
    if options.images not in IMAGE_MODES:
        raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}, not {options.images!r}")
    if not isinstance(options.language, str) or not _LANGUAGE.match(options.language):
        raise ValueError(f"language must be a language tag such as zh-CN, not {options.language!r}")
    if not 0 < options.timeout < float("inf"):  # also refuses NaN
        raise ValueError(f"timeout must be more than 0 seconds and finite, not {options.timeout!r}")
    if options.image_deadline <= 0:
        raise ValueError(
            f"image_deadline must be more than 0 seconds, not {options.image_deadline!r}"
        )
    if not options.image_budget > 0:  # also refuses NaN
        raise ValueError(f"image_budget must be more than 0 seconds, not {options.image_budget!r}")
    if options.retries < 0:
        raise ValueError(f"retries must be 0 or more, not {options.retries!r}")
    if options.max_image_bytes < 1:
        raise ValueError(f"max_image_bytes must be 1 or more, not {options.max_image_bytes!r}")
    if options.image_concurrency < 1:
        raise ValueError(f"image_concurrency must be 1 or more, not {options.image_concurrency!r}")
