"""Posts into EPUB books: ``build_book`` (a collection) and the pipeline the EPUB writer shares.

The pipeline: read and render every post (in several processes for large inputs), drop duplicate
answers, sort, split into volumes, fetch the images every volume needs (each distinct address
once), then for each volume fill in the chapters, arrange the table of contents and zip the book.
A post is parsed once; only its rendered text stays in memory, never its Document.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .. import model as m
from .._dates import format_day, shown
from .._progress import Progress
from ..errors import OptionError, ZhconvertError
from ..images import (
    ImageFetcher,
    ImageResource,
    ImageStats,
    examine_image,
    read_image_file,
)
from ..writers._depth import limit_depth
from .options import BookOptions, EpubOptions
from .package import IMAGE_DIR, MATH_DIR, TEXT_DIR, BookMeta, Chapter, TocGroup, assemble
from .xhtml import RenderedChapter, finish, render_chapter

__all__ = ["BookReport", "PostRecord", "build_book", "record_post", "write_single"]

StrPath = str | os.PathLike[str]

#: Header images that are placeholders or formulas, never a cover.
_NOT_A_COVER = ("picsum.photos", "zhihu.com/equation", "/equation?tex=")
UNKNOWN_SOURCE = "其他"
UNKNOWN_DATE = "日期不明"
SEVERAL_AUTHORS = "等"
#: A collection's ``dc:creator`` elements: the authors of the most posts, no more than this.
MAX_CREATORS = 5

#: Below this many posts, reading in other processes costs more than it saves.
_PARALLEL_THRESHOLD = 24


@dataclass(frozen=True, slots=True)
class BookReport:
    """What ``build_book`` wrote: the summary figures of one build.

    ``unreadable``: ``<file>: <reason>`` for each post (or folder) skipped; ``not_posts``: the
    files found in folders without front matter; ``warnings``: ``<file>: <what was recovered>``
    for each warning of a post that was read (front matter that did not parse, say);
    ``images``: what became of each image wanted (``zhconvert.images.summary_lines`` tells it).
    """

    volumes: tuple[Path, ...]
    posts: int
    duplicates: int
    images_embedded: int
    images_failed: int
    size: int
    unreadable: tuple[str, ...] = ()
    not_posts: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    images: ImageStats = field(default_factory=ImageStats)

    def summary(self) -> str:
        """Return the one-paragraph summary the CLI prints."""
        names = ", ".join(str(path) for path in self.volumes)
        volumes = "1 volume" if len(self.volumes) == 1 else f"{len(self.volumes)} volumes"
        posts = f"{self.posts} post" + ("" if self.posts == 1 else "s")
        extras = [
            f"{self.duplicates} duplicate" + ("" if self.duplicates == 1 else "s") + " skipped"
        ]
        if self.unreadable:
            extras.append(f"{len(self.unreadable)} unreadable skipped")
        if self.not_posts:
            extras.append(f"{len(self.not_posts)} without front matter skipped")
        return (
            f"Wrote {names}: {posts} ({', '.join(extras)}), "
            f"{self.images_embedded} image{'' if self.images_embedded == 1 else 's'} embedded, "
            f"{self.images_failed} failed, {_human_size(self.size)}, {volumes}."
        )


@dataclass(frozen=True, slots=True)
class PostRecord:
    """One post as the book needs it: metadata, the rendered chapter, where it came from."""

    index: int
    path: str
    title: str
    author: str
    date: dt.datetime | None
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    site: str
    source: str
    url: str
    cover: str
    key: tuple[str, str]
    chapter: RenderedChapter
    warnings: tuple[str, ...] = ()
    #: Each person who wrote the post (the answers' authors when the post names none).
    authors: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# One post


def record_post(doc: m.Document, *, images: str, index: int = 0, path: str = "") -> PostRecord:
    """Render ``doc`` and keep what the book needs of it."""
    # The chapter renderer recurses: a document built through the API may nest deeper than
    # Python's stack allows (the readers never make one), so it is flattened as for every writer.
    doc = limit_depth(doc)
    meta = doc.meta
    title = " ".join(meta.title.split())
    author = " ".join(meta.author.split())
    answer_authors = tuple(
        " ".join(block.author.split()) for block in doc.blocks if isinstance(block, m.Byline)
    )
    who = author or "、".join(dict.fromkeys(a for a in answer_authors if a))
    cover = meta.cover.strip()
    if any(marker in cover for marker in _NOT_A_COVER):
        cover = ""
    return PostRecord(
        index=index,
        path=path or doc.source.path or "",
        title=title,
        author=who,
        date=meta.date,
        categories=tuple(c.strip() for c in meta.categories if c.strip()),
        tags=tuple(t.strip() for t in meta.tags if t.strip()),
        site=meta.site.strip(),
        source=meta.feed.strip(),
        url=meta.url.strip(),
        cover=cover,
        key=_duplicate_key(title, (who, *answer_authors), path or doc.source.path or ""),
        chapter=render_chapter(doc, images=images),
        warnings=doc.warnings,
        authors=(author,) if author else tuple(dict.fromkeys(a for a in answer_authors if a)),
    )


def _duplicate_key(title: str, authors: tuple[str, ...], path: str) -> tuple[str, str]:
    """Return what makes two posts the same answer: the question's title and who answered."""
    if not title:
        return ("\x00path", path)  # nothing to compare: never a duplicate
    normalized = " ".join(unicodedata.normalize("NFKC", title).casefold().split())
    # The archiver turned "?" into "_" in some copies of a title and not in others.
    normalized = normalized.replace("?", "_")
    who = "、".join(sorted({unicodedata.normalize("NFKC", a).casefold() for a in authors if a}))
    return (normalized, who)


@dataclass(frozen=True, slots=True)
class _Skipped:
    message: str
    not_a_post: bool = False


def _read_one(job: tuple[int, str, str, bool, str | None, bool]) -> PostRecord | _Skipped:
    """Read and render one post in a worker; say why instead of raising."""
    from .._api import load
    from ..chinese import apply_text_options

    index, path, images, found_in_folder, chinese, cjk_spacing = job
    try:
        doc = apply_text_options(load(path), chinese=chinese, cjk_spacing=cjk_spacing)
    except ZhconvertError as exc:
        return _Skipped(str(exc))
    except Exception as exc:  # a reader bug must cost one post, not the book
        return _Skipped(f"{path}: cannot be read ({type(exc).__name__}: {exc})")
    if found_in_folder and doc.front_matter is None:
        # A README or notes file beside the posts: only files named on the command line are
        # taken without front matter.
        return _Skipped(path, not_a_post=True)
    try:
        return record_post(doc, images=images, index=index, path=path)
    except Exception as exc:  # a writer bug must cost one post, not the book
        return _Skipped(f"{path}: cannot be rendered ({type(exc).__name__}: {exc})")


# ---------------------------------------------------------------------------------------------
# Inputs


def _input_files(paths: Iterable[StrPath]) -> tuple[list[tuple[Path, bool]], list[str]]:
    """Return the files to read (each marked when a folder walk found it) and unreadable folders."""
    from .._commands._common import iter_posts

    found: dict[str, tuple[Path, bool]] = {}
    unreadable: list[str] = []
    for raw in paths:
        path = Path(os.fspath(raw))
        if path.is_dir():
            for post in iter_posts(path, onerror=unreadable.append):
                found.setdefault(os.path.realpath(post), (post, True))
        elif path.is_file():
            found[os.path.realpath(path)] = (path, False)
        elif path.exists():
            raise ZhconvertError("not a file or a folder", path=str(path))
        else:
            raise ZhconvertError("no such file or folder", path=str(path))
    return list(found.values()), unreadable


def _read_all(
    files: Sequence[tuple[Path, bool]],
    images: str,
    jobs: int,
    progress: Progress,
    text_options: tuple[str | None, bool] = (None, False),
) -> tuple[list[PostRecord], list[_Skipped]]:
    work = [
        (index, str(path), images, walked, *text_options)
        for index, (path, walked) in enumerate(files)
    ]
    records: list[PostRecord] = []
    errors: list[_Skipped] = []
    progress.start("posts read", len(work))
    results: Iterator[PostRecord | _Skipped]
    if jobs > 1 and len(work) >= _PARALLEL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor

        chunk = max(1, min(64, len(work) // (jobs * 8)))
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = pool.map(_read_one, work, chunksize=chunk)
            for result in results:
                _collect(result, records, errors)
                progress.advance()
    else:
        for job in work:
            _collect(_read_one(job), records, errors)
            progress.advance()
    progress.done()
    return records, errors


def _collect(
    result: PostRecord | _Skipped, records: list[PostRecord], errors: list[_Skipped]
) -> None:
    if isinstance(result, _Skipped):
        errors.append(result)
    else:
        records.append(result)


# ---------------------------------------------------------------------------------------------
# Arranging the posts


def _drop_duplicates(records: Sequence[PostRecord]) -> tuple[list[PostRecord], int]:
    """Keep the newest copy of each answer (the later input when the dates are equal)."""
    newest: dict[tuple[str, str], PostRecord] = {}
    for record in records:
        kept = newest.get(record.key)
        if kept is None or _age_key(record) >= _age_key(kept):
            newest[record.key] = record
    survivors = sorted(newest.values(), key=lambda record: record.index)
    return survivors, len(records) - len(survivors)


def _timestamp(value: dt.datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def _age_key(record: PostRecord) -> tuple[float, int]:
    stamp = _timestamp(record.date)
    return (float("-inf") if stamp is None else stamp, record.index)


def _sort(records: Sequence[PostRecord], sort: str) -> list[PostRecord]:
    # Ties fall back to the path, not to the order of the inputs, so that naming the same
    # folders in another order gives the same book.
    def by_date(record: PostRecord) -> tuple[int, float, str, str, int]:
        stamp = _timestamp(record.date)
        return (stamp is None, stamp or 0.0, record.title, record.path, record.index)

    def by_title(record: PostRecord) -> tuple[str, float, str, int]:
        return (record.title, _timestamp(record.date) or 0.0, record.path, record.index)

    def by_path(record: PostRecord) -> tuple[str, int]:
        return (record.path, record.index)

    keys: dict[str, Callable[[PostRecord], Any]] = {
        "date": by_date,
        "title": by_title,
        "path": by_path,
    }
    return sorted(records, key=keys[sort])


def _group_path(record: PostRecord, group_by: str) -> tuple[str, ...]:
    if group_by == "month":
        if record.date is None:
            return (UNKNOWN_DATE,)
        local = shown(record.date)  # the month of the date its chapter shows
        return (f"{local.year}年", f"{local.year}年{local.month}月")
    if group_by == "source":
        if record.categories:
            return record.categories
        return (record.source or record.site or UNKNOWN_SOURCE,)
    return ()


def _arrange(
    records: Sequence[PostRecord], group_by: str
) -> list[tuple[tuple[str, ...], PostRecord]]:
    """Return the posts in reading order, each with its table-of-contents group."""
    paths = [_group_path(record, group_by) for record in records]
    if group_by == "source" and paths:
        # Levels every post shares ("社交媒体" for a Zhihu-only archive) say nothing: drop them.
        shared = 0
        shortest = min(len(path) for path in paths)
        while shared < shortest - 1 and len({path[shared] for path in paths}) == 1:
            shared += 1
        paths = [path[shared:] for path in paths]
    if group_by == "month":
        # Months in calendar order whatever the sort; undated posts last.
        def rank(i: int) -> tuple[Any, ...]:
            date = records[i].date
            return (1, 0, 0) if date is None else (0, date.year, date.month)
    else:
        # Groups in the order their first post comes in; a group's own posts before its
        # subgroups'.
        order: dict[tuple[str, ...], int] = {}
        for path in paths:
            for depth in range(1, len(path) + 1):
                order.setdefault(path[:depth], len(order))

        def rank(i: int) -> tuple[Any, ...]:
            return tuple(order[paths[i][:depth]] for depth in range(1, len(paths[i]) + 1))

    indexed = sorted(range(len(records)), key=lambda i: (rank(i), i))
    return [(paths[i], records[i]) for i in indexed]


def _toc(entries: Sequence[tuple[tuple[str, ...], Chapter]]) -> list[TocGroup | Chapter]:
    """Nest chapters under their group headings (entries already in reading order)."""

    def build(items: Sequence[tuple[tuple[str, ...], Chapter]]) -> list[TocGroup | Chapter]:
        out: list[TocGroup | Chapter] = []
        i = 0
        while i < len(items):
            path, chapter = items[i]
            if not path:
                out.append(chapter)
                i += 1
                continue
            j = i
            while j < len(items) and items[j][0][:1] == path[:1]:
                j += 1
            children = build([(p[1:], c) for p, c in items[i:j]])
            out.append(TocGroup(path[0], tuple(children)))
            i = j
        return out

    return [_merge_single_child(entry) for entry in build(entries)]


def _merge_single_child(entry: TocGroup | Chapter) -> TocGroup | Chapter:
    """Fold a heading whose only child is another heading into one ("社交媒体 / 知乎")."""
    if not isinstance(entry, TocGroup):
        return entry
    children = tuple(_merge_single_child(child) for child in entry.children)
    if len(children) == 1 and isinstance(children[0], TocGroup):
        return TocGroup(f"{entry.title} / {children[0].title}", children[0].children)
    return TocGroup(entry.title, children)


# ---------------------------------------------------------------------------------------------
# Images


def _fetcher(options: EpubOptions) -> ImageFetcher:
    from ..images.local import open_fetcher

    return open_fetcher({f.name: getattr(options, f.name) for f in fields(options)})


def _cover_from_file(path: str, max_bytes: int) -> ImageResource:
    try:
        data = read_image_file(path, max_bytes)
    except FileNotFoundError:
        raise ZhconvertError("no such cover image", path=path) from None
    except OSError as exc:
        raise ZhconvertError(
            f"cannot read the cover image: {exc.strerror or exc}", path=path
        ) from None
    except ValueError as exc:  # not a regular file, or too large
        raise ZhconvertError(f"the cover is {exc}", path=path) from None
    image = examine_image(data)
    if isinstance(image, str):
        raise ZhconvertError(f"the cover is {image}", path=path)
    return image


# ---------------------------------------------------------------------------------------------
# One volume


@dataclass(frozen=True, slots=True)
class _Volume:
    data: bytes
    embedded: frozenset[str]
    #: ``<file>: <reason>`` for each post that could not be written into the volume.
    skipped: tuple[str, ...] = ()


def _volume(
    records: Sequence[PostRecord],
    options: EpubOptions,
    group_by: str,
    title: str,
    resolved: dict[tuple[str, ...], ImageResource | None],
    fetcher: ImageFetcher | None,
    cover: ImageResource | None,
) -> _Volume:
    arranged = _arrange(records, group_by)
    width = max(4, len(str(len(arranged))))
    entries: list[tuple[tuple[str, ...], Chapter]] = []
    used: dict[str, ImageResource] = {}
    formulas: dict[str, ImageResource] = {}
    title_counts: dict[str, int] = {}
    skipped: list[str] = []
    kept: list[PostRecord] = []
    for _, record in arranged:
        title_counts[record.title] = title_counts.get(record.title, 0) + 1
    for group, record in arranged:
        hrefs: dict[tuple[str, ...], str | None] = {}
        for slot in record.chapter.slots:
            image = resolved.get(slot.candidates)
            hrefs[slot.candidates] = None if image is None else f"../{IMAGE_DIR}/{image.file_name}"
        drawn = [_formula_resource(formula.data) for formula in record.chapter.formulas]
        try:
            content = finish(
                record.chapter,
                title=record.title,
                language=options.language,
                images=hrefs,
                formulas=[f"../{MATH_DIR}/{formula.file_name}" for formula in drawn],
            )
        except Exception as exc:  # a writer bug must cost one post, not the book
            skipped.append(
                f"{record.path}: cannot be written into the book ({type(exc).__name__}: {exc})"
            )
            continue
        for candidates, href in hrefs.items():
            image = resolved.get(candidates)
            if href is not None and image is not None:
                used[image.file_name] = image
        kept.append(record)
        formulas.update((formula.file_name, formula) for formula in drawn)
        file_name = f"{TEXT_DIR}/post-{len(kept):0{width}d}.xhtml"
        label = record.title
        if title_counts[record.title] > 1 and record.author:
            label = f"{record.title}（{record.author}）"  # answers to one question, told apart
        entries.append((group, Chapter(file_name, label, content, record.chapter.has_math)))

    if not kept:
        return _Volume(b"", frozenset(), tuple(skipped))  # nothing to write
    records = kept
    if cover is None and options.images == "embed" and fetcher is not None:
        cover = _first_cover(kept, resolved, fetcher)

    dates = [record.date for record in records if record.date is not None]
    stamps = [(_timestamp(date) or 0.0, date) for date in dates]
    newest = max(stamps, key=lambda pair: pair[0])[1] if stamps else None
    oldest = min(stamps, key=lambda pair: pair[0])[1] if stamps else None
    single = len(records) == 1
    meta = BookMeta(
        title=title,
        language=options.language,
        creator=options.author or _creator(records),
        creators=(options.author,) if options.author else _creators(records),
        date=newest,
        modified=newest,
        subjects=tuple(
            dict.fromkeys(s for record in records for s in (*record.categories, *record.tags))
        ),
        source=records[0].url if single and records[0].url else "",
    )
    data = assemble(
        meta,
        _toc(entries),
        list(used.values()),
        cover=cover,
        posts=len(records),
        first=oldest,
        last=newest,
        formulas=list(formulas.values()),
    )
    embedded = set(used)
    if cover is not None:
        embedded.add(cover.file_name)
    return _Volume(data, frozenset(embedded), tuple(skipped))


def _formula_resource(data: bytes) -> ImageResource:
    """Return a drawn formula (SVG) as a file of the book, named by its bytes."""
    import hashlib

    return ImageResource(data, "image/svg+xml", ".svg", hashlib.sha256(data).hexdigest())


def _first_cover(
    records: Sequence[PostRecord],
    resolved: dict[tuple[str, ...], ImageResource | None],
    fetcher: ImageFetcher,
) -> ImageResource | None:
    from .markup import fetchable_url

    for record in records[:10]:  # a header image is the post's first image: looking far is waste
        url = fetchable_url(record.cover) if record.cover else None
        if not url:
            continue
        image = resolved.get((url,))
        if image is None and (url,) not in resolved:
            image = fetcher.resolve((url,))
            resolved[(url,)] = image
        if image is not None:
            return image
    return None


def _ranked_authors(records: Sequence[PostRecord]) -> list[str]:
    """Return every author, those of the most posts first (the first seen first on a tie)."""
    counts: dict[str, int] = {}
    for record in records:
        for author in record.authors or ((record.author,) if record.author else ()):
            counts[author] = counts.get(author, 0) + 1
    return sorted(counts, key=lambda author: -counts[author])


def _creators(records: Sequence[PostRecord]) -> tuple[str, ...]:
    """Return the book's ``dc:creator`` list: the authors of the most posts, in that order."""
    return tuple(_ranked_authors(records)[:MAX_CREATORS])


def _default_title(records: Sequence[PostRecord], inputs: Sequence[StrPath], out_path: Path) -> str:
    """Return a collection's title when none is given: what the posts share, and their dates.

    The deepest category every post has ("知乎热榜"), else the folder that holds the inputs
    ("_posts" gives "posts"), else the output file's name; then the dates the posts span.
    """
    name = ""
    paths = [record.categories for record in records]
    shared = 0
    while all(len(path) > shared for path in paths) and len({p[shared] for p in paths}) == 1:
        shared += 1
    if shared:
        name = paths[0][shared - 1]
    elif inputs:
        # The folder that holds every input: the one folder given, or the files' own folder.
        common = Path(os.path.commonpath([os.path.abspath(os.fspath(p)) for p in inputs]))
        if not common.is_dir():
            common = common.parent
        name = common.name.lstrip("_.").strip()
    name = name or out_path.stem
    stamps = [(_timestamp(r.date) or 0.0, r.date) for r in records if r.date is not None]
    if not stamps:
        return name
    first = format_day(shown(min(stamps, key=lambda pair: pair[0])[1]))
    last = format_day(shown(max(stamps, key=lambda pair: pair[0])[1]))
    return f"{name} {first}" if first == last else f"{name} {first} – {last}"


def _creator(records: Sequence[PostRecord]) -> str:
    """Return who wrote the book as the title page says it: up to three authors, then "等"."""
    authors = _ranked_authors(records)
    if len(authors) <= 3:
        return "、".join(authors)
    return "、".join(authors[:3]) + " " + SEVERAL_AUTHORS


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _resolve_images(
    records: Sequence[PostRecord], fetcher: ImageFetcher, progress: Progress
) -> dict[tuple[str, ...], ImageResource | None]:
    wanted = [slot.candidates for record in records for slot in record.chapter.slots]
    if not wanted:
        return {}
    # Counted as the summary counts them: images wanted (each list of candidates once), those
    # done so far, and how many of those failed (not addresses tried: an image whose best
    # address fails and whose fallback works is no failure).
    progress.start("images", len(set(wanted)))

    def advance(done: int, total: int) -> None:
        failed = len(fetcher.stats.failed)
        progress.update(done, f"{failed} failed" if failed else "")

    resolved = fetcher.resolve_all(wanted, progress=advance)
    progress.done()
    return resolved


# ---------------------------------------------------------------------------------------------
# The public entry points


def write_single(doc: m.Document, options: EpubOptions) -> bytes:
    """Return one post as a complete EPUB book (what the EPUB writer does)."""
    record = record_post(doc, images=options.images)
    cover = _cover_from_file(options.cover, options.max_image_bytes) if options.cover else None
    fetcher = _fetcher(options) if options.images == "embed" else None
    try:
        resolved = _resolve_images([record], fetcher, Progress(False)) if fetcher else {}
        volume = _volume(
            [record],
            options,
            "none",
            options.title or record.title,
            resolved,
            fetcher,
            cover,
        )
    finally:
        if fetcher is not None:
            fetcher.close()
    return volume.data


def _volume_path(out_path: Path, number: int, count: int) -> Path:
    """Return where volume ``number`` of ``count`` goes: ``BOOK-2.epub``, or ``out_path`` alone."""
    if count == 1:
        return out_path
    return out_path.with_name(f"{out_path.stem}-{number}{out_path.suffix or '.epub'}")


def _refuse_overwrites(targets: Sequence[Path], files: Sequence[tuple[Path, bool]]) -> None:
    """Raise if a volume would replace one of the input files (posts or not), before any write.

    Files are compared by identity, so a hard or symbolic link to an input is caught too.
    """
    inputs: dict[tuple[int, int], Path] = {}
    for path, _ in files:
        try:
            info = os.stat(path)
        except OSError:
            continue
        inputs.setdefault((info.st_dev, info.st_ino), path)
    for target in targets:
        try:
            info = os.stat(target)
        except OSError:
            continue  # nothing there to lose
        victim = inputs.get((info.st_dev, info.st_ino))
        if victim is not None:
            written = "" if os.fspath(target) == os.fspath(victim) else f" {target}"
            raise ZhconvertError(
                f"an input of the book; the book{written} would replace it, nothing was written",
                path=str(victim),
            )


def build_book(paths: StrPath | Iterable[StrPath], out: StrPath, **options: Any) -> BookReport:
    """Build one EPUB collection (or several volumes) from post files and folders."""
    from .._atomic import atomic_write_bytes

    try:
        settings = BookOptions(**options)
    except TypeError as exc:
        raise OptionError(f"build_book: {exc}") from None
    except ValueError as exc:
        raise OptionError(f"bad option for build_book: {exc}") from None
    epub_options = settings.epub_options()
    inputs = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out_path = Path(os.fspath(out))
    cover = _cover_from_file(settings.cover, settings.max_image_bytes) if settings.cover else None
    files, unreadable_folders = _input_files(inputs)
    if not files:
        if unreadable_folders:
            raise ZhconvertError(f"no post could be read ({unreadable_folders[0]})")
        raise ZhconvertError(
            "no posts found (.md, .markdown, .html, .htm)",
            path=", ".join(os.fspath(p) for p in inputs),
        )
    if not settings.split:
        _refuse_overwrites([out_path], files)  # at once: reading the posts may take minutes
    # Made before reading, so that a missing image folder is reported before any work is done.
    fetcher = _fetcher(epub_options) if settings.images == "embed" else None
    show = sys.stderr.isatty() if settings.progress is None else settings.progress
    progress = Progress(show)
    jobs = settings.jobs or os.cpu_count() or 1
    if settings.chinese or settings.cjk_spacing:
        from ..chinese import check_text_options

        check_text_options(chinese=settings.chinese, cjk_spacing=settings.cjk_spacing)
    records, skipped = _read_all(
        files, settings.images, jobs, progress, (settings.chinese, settings.cjk_spacing)
    )
    errors = [*unreadable_folders, *(item.message for item in skipped if not item.not_a_post)]
    if not records:
        raise ZhconvertError(f"no post could be read ({errors[0]})" if errors else "no posts")
    # In the order of the inputs, duplicates too: each is about a file, kept or not.
    warnings = tuple(
        f"{record.path}: {warning}" for record in records for warning in record.warnings
    )
    records, duplicates = _drop_duplicates(records)
    records = _sort(records, settings.sort)

    per_volume = settings.split or len(records)
    volumes = [records[i : i + per_volume] for i in range(0, len(records), per_volume)]
    title = settings.title or (
        records[0].title if len(records) == 1 else _default_title(records, inputs, out_path)
    )
    targets = [_volume_path(out_path, n, len(volumes)) for n in range(1, len(volumes) + 1)]
    _refuse_overwrites(targets, files)

    written: list[Path] = []
    embedded: set[str] = set()
    size = 0
    posts = len(records)
    try:
        resolved = _resolve_images(records, fetcher, progress) if fetcher else {}
        for number, (target, chunk) in enumerate(zip(targets, volumes, strict=True), start=1):
            volume_title = title if len(volumes) == 1 else f"{title} ({number}/{len(volumes)})"
            volume = _volume(
                chunk, epub_options, settings.group_by, volume_title, resolved, fetcher, cover
            )
            if not volume.data:
                errors.extend(volume.skipped)
                posts -= len(volume.skipped)
                continue
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ZhconvertError(
                    f"cannot write: {exc.strerror or exc}", path=str(target)
                ) from None
            atomic_write_bytes(target, volume.data)
            written.append(target)
            embedded |= volume.embedded
            size += len(volume.data)
            errors.extend(volume.skipped)
            posts -= len(volume.skipped)
    finally:
        if fetcher is not None:
            fetcher.close()
    if not written:
        raise ZhconvertError(f"no post could be written into the book ({errors[-1]})")
    failed = sum(1 for image in resolved.values() if image is None)
    return BookReport(
        volumes=tuple(written),
        posts=posts,
        duplicates=duplicates,
        images_embedded=len(embedded),
        images_failed=failed,
        size=size,
        unreadable=tuple(errors),
        not_posts=tuple(item.message for item in skipped if item.not_a_post),
        warnings=warnings,
        images=fetcher.stats if fetcher is not None else ImageStats(),
    )
