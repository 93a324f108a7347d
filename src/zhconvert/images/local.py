"""Images kept with the posts (``--images local``) or left out (``--images omit``).

Both rewrite a ``Document`` before a writer sees it, so every writer stays as it is.

``local`` downloads each image once (through an ``ImageFetcher`` and its disk cache), stores it
once under a name made of its content (``img-<sha256[:20]><ext>``, the extension of what the
bytes are), and points the figure at that file. Where the file goes, and how it is linked:

- ``folder`` chosen by the user (``--image-folder``): there, linked relatively from the post.
- A Hexo blog (the nearest folder above the post with a ``_config.yml`` and a ``source``
  folder) with ``post_asset_folder: true``, for a post under ``source/_posts`` or
  ``source/_drafts``: the post's asset folder (``source/_posts/<post>/``), linked by file name
  alone, which hexo-renderer-marked resolves to the post's published folder when its
  ``postAsset`` option is on (Hexo's documented way to show asset-folder images written in
  Markdown; a warning says so when it is off). No relative address can serve both Hexo and a
  plain Markdown viewer here: the viewer resolves from ``source/_posts/``, Hexo from
  ``source/_posts/<post>/``.
- Any other Hexo post: ``source/images/``, linked relatively (``../images/img-….png``). A plain
  viewer follows that path; hexo-renderer-marked (``prependRoot``, on by default) writes
  ``/../images/img-….png``, which a browser resolves to ``/images/img-….png``, where Hexo
  publishes ``source/images/``. That holds for a blog served at its host's root (``root: /``)
  without ``relative_link``; otherwise a warning says so.
- Anything else: ``fallback`` (``convert``: an ``images`` folder in the output folder), else an
  ``images`` folder beside the post, linked relatively.

Nothing is written outside that folder, and no existing file is replaced: a file already there
under the image's name is used when it holds the same bytes; otherwise the full-length name is
tried, and when that is taken too the image stays remote, with a warning. An image that cannot
be fetched stays remote (its address kept); the fetcher's ``stats`` count it.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from ..model import Document, Figure, InlineImage, Paragraph, Text, VideoCard
from .fetch import ImageFetcher, ImageResource

__all__ = [
    "HexoBlog",
    "LocalImages",
    "Placement",
    "find_hexo_blog",
    "image_candidates",
    "omit_images",
    "open_fetcher",
    "placement_for",
]

_Node = TypeVar("_Node")

#: Hexo's folders of posts, below its source folder, whose files have asset folders.
_POST_FOLDERS = ("_posts", "_drafts")


# ---------------------------------------------------------------------------------------------
# Walking a document's images


@dataclass(frozen=True, slots=True)
class _Visitor:
    """What to make of each image: a figure, an inline image, a video card's poster address.

    ``figure`` and ``inline`` may return ``None``: the node is dropped.
    """

    figure: Callable[[Figure], Any]
    inline: Callable[[InlineImage], Any]
    poster: Callable[[str], str] = str


def _rewrite(value: _Node, visit: _Visitor) -> _Node:
    """Return ``value`` with every image replaced as ``visit`` says.

    Unchanged parts are returned as they are, so a document without images is not copied.
    """
    if isinstance(value, tuple):
        items = []
        changed = False
        for item in value:
            new = _rewrite(item, visit)
            changed = changed or new is not item
            if new is not None:
                items.append(new)
        return tuple(items) if changed else value  # type: ignore[return-value]
    if isinstance(value, Figure):
        caption = _rewrite(value.caption, visit)
        start = value if caption is value.caption else dataclasses.replace(value, caption=caption)
        return visit.figure(start)  # type: ignore[no-any-return]
    if isinstance(value, InlineImage):
        return visit.inline(value)  # type: ignore[no-any-return]
    if isinstance(value, VideoCard):
        poster = visit.poster(value.poster) if value.poster else value.poster
        return value if poster == value.poster else dataclasses.replace(value, poster=poster)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for field in dataclasses.fields(value):
            old = getattr(value, field.name)
            if isinstance(old, tuple):
                new = _rewrite(old, visit)
                if new is not old:
                    changes[field.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _blocks(doc: Document, visit: _Visitor) -> Document:
    blocks = _rewrite(doc.blocks, visit)
    return doc if blocks is doc.blocks else dataclasses.replace(doc, blocks=blocks)


def omit_images(doc: Document) -> Document:
    """Return ``doc`` without its images: a figure's caption (else its alt text) stays as text."""

    def figure(node: Figure) -> Paragraph | None:
        if node.caption:
            return Paragraph(node.caption)
        alt = " ".join(node.alt.split())
        return Paragraph((Text(alt),)) if alt else None

    def inline(node: InlineImage) -> Text | None:
        return Text(node.alt) if node.alt else None

    return _blocks(doc, _Visitor(figure, inline, lambda poster: ""))


def _fetchable(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _figure_candidates(node: Figure) -> tuple[str, ...]:
    if not _fetchable(node.url):
        return ()
    return tuple(url for url in (node.url, *node.fallbacks) if _fetchable(url))


def image_candidates(doc: Document) -> list[tuple[str, ...]]:
    """Return the addresses to try for each image of ``doc`` that can be downloaded, in order."""
    found: list[tuple[str, ...]] = []

    def figure(node: Figure) -> Figure:
        candidates = _figure_candidates(node)
        if candidates:
            found.append(candidates)
        return node

    def inline(node: InlineImage) -> InlineImage:
        if _fetchable(node.url):
            found.append((node.url,))
        return node

    def poster(url: str) -> str:
        if _fetchable(url):
            found.append((url,))
        return url

    _blocks(doc, _Visitor(figure, inline, poster))
    return found


# ---------------------------------------------------------------------------------------------
# Where the images of a post go


@dataclass(frozen=True, slots=True)
class HexoBlog:
    """What of a Hexo blog's ``_config.yml`` decides where its images go and how Hexo shows them."""

    config: Path
    source: Path
    post_asset_folder: bool = False
    post_asset: bool = False
    root: str = "/"
    relative_link: bool = False


def _read_hexo_config(path: Path) -> dict[str, Any] | None:
    import yaml

    try:
        with open(path, "rb") as handle:
            loaded = yaml.safe_load(handle.read(1024 * 1024))
    except (OSError, yaml.YAMLError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else {}


def find_hexo_blog(
    path: Path, *, known: dict[Path, HexoBlog | None] | None = None
) -> HexoBlog | None:
    """Return the Hexo blog whose source folder holds ``path``, or None.

    The blog is the nearest folder above ``path`` with a ``_config.yml``; its source folder is
    its ``source_dir`` (``source`` by default). ``path`` outside that folder is in no blog.
    ``known`` keeps the blogs read so far, by folder, for the next call.
    """
    known = {} if known is None else known
    start = Path(os.path.abspath(path)).parent
    for folder in (start, *start.parents):
        config = folder / "_config.yml"
        if not config.is_file():
            continue
        if folder in known:
            blog = known[folder]
        else:
            blog = known[folder] = _hexo_blog(folder, config)
        if blog is not None and (blog.source == start or blog.source in start.parents):
            return blog
        if blog is not None:
            return None  # the post is in a blog, but outside its source folder
    return None


def _hexo_blog(folder: Path, config: Path) -> HexoBlog | None:
    settings = _read_hexo_config(config)
    if settings is None:
        return None
    source_dir = settings.get("source_dir") or "source"
    source = folder / str(source_dir)
    if not source.is_dir():
        return None
    marked = settings.get("marked")
    marked = marked if isinstance(marked, dict) else {}
    return HexoBlog(
        config=config,
        source=source,
        post_asset_folder=settings.get("post_asset_folder") is True,
        # hexo-renderer-marked's defaults: prependRoot true, postAsset false.
        post_asset=marked.get("postAsset") is True and marked.get("prependRoot", True) is True,
        root=str(settings.get("root") or "/"),
        relative_link=settings.get("relative_link") is True,
    )


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a post's images are stored, and whether they are linked by file name alone.

    ``warning`` says why Hexo may not show them as linked (``""``: it will).
    """

    folder: Path
    by_name: bool = False
    warning: str = ""


def placement_for(
    markdown: Path,
    *,
    folder: Path | None = None,
    fallback: Path | None = None,
    known: dict[Path, HexoBlog | None] | None = None,
) -> Placement:
    """Return where the images of the Markdown file ``markdown`` go (see the module's rules)."""
    markdown = Path(os.path.abspath(markdown))
    if folder is not None:
        return Placement(Path(os.path.abspath(folder)))
    blog = find_hexo_blog(markdown, known=known)
    if blog is None:
        base = fallback if fallback is not None else markdown.parent / "images"
        return Placement(Path(os.path.abspath(base)))
    relative = markdown.relative_to(blog.source)
    if blog.post_asset_folder and relative.parts[0] in _POST_FOLDERS and len(relative.parts) > 1:
        warning = ""
        if not blog.post_asset:
            warning = (
                f"{blog.config}: post_asset_folder is on but hexo-renderer-marked's postAsset "
                "is not: Hexo will not find the images linked from the posts' asset folders; "
                "set marked: {postAsset: true} there, or use --image-folder "
                f"{blog.source / 'images'}"
            )
        return Placement(markdown.with_suffix(""), by_name=True, warning=warning)
    warning = ""
    if blog.relative_link or blog.root.strip("/"):
        setting = "relative_link is on" if blog.relative_link else f"root is {blog.root}"
        warning = (
            f"{blog.config}: {setting}: Hexo's pages will look for the images of source/images "
            "outside the blog; set post_asset_folder: true and marked: {postAsset: true} there "
            "to keep the images in the posts' asset folders"
        )
    return Placement(blog.source / "images", warning=warning)


# ---------------------------------------------------------------------------------------------
# Storing


class LocalImages:
    """Downloads a post's images once each and stores them with the post (``--images local``).

    ``folder`` is the folder the user chose (None: Hexo's conventions, else ``fallback``, else
    an ``images`` folder beside each post). ``warnings`` collects, once each, what the command
    should tell the user: a blog setting that hides the images, a name already taken.
    """

    def __init__(
        self,
        fetcher: ImageFetcher,
        *,
        folder: Path | None = None,
        fallback: Path | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.folder = folder
        self.fallback = fallback
        self.warnings: list[str] = []
        self._said: set[str] = set()
        self._stored: dict[tuple[Path, str], Path | None] = {}
        self._blogs: dict[Path, HexoBlog | None] = {}  # each _config.yml read once a run
        self._lock = threading.Lock()

    def localize(self, doc: Document, markdown: str | os.PathLike[str]) -> Document:
        """Return ``doc`` with each image it can have pointing at its stored copy.

        ``markdown`` is where the Markdown will be written (links are relative to it).
        """
        wanted = image_candidates(doc)
        if not wanted:
            return doc
        target = Path(os.path.abspath(markdown))
        with self._lock:
            place = placement_for(
                target, folder=self.folder, fallback=self.fallback, known=self._blogs
            )
        if place.warning:
            self._say(place.warning)
        resolved = self.fetcher.resolve_all(wanted)
        links: dict[tuple[str, ...], str] = {}
        for candidates, image in resolved.items():
            if image is None:
                continue
            stored = self._store(image, place.folder)
            if stored is None:
                # Said once in a warning; the summary counts it among the failures.
                self.fetcher.count_as_failed(candidates, _NOT_STORED)
                continue
            if place.by_name:
                links[candidates] = stored.name
            else:
                links[candidates] = Path(os.path.relpath(stored, target.parent)).as_posix()

        def figure(node: Figure) -> Figure:
            link = links.get(_figure_candidates(node))
            return node if link is None else dataclasses.replace(node, url=link, fallbacks=())

        def inline(node: InlineImage) -> InlineImage:
            link = links.get((node.url,)) if _fetchable(node.url) else None
            return node if link is None else dataclasses.replace(node, url=link)

        def poster(url: str) -> str:
            return links.get((url,), url) if _fetchable(url) else url

        return _blocks(doc, _Visitor(figure, inline, poster))

    def _say(self, message: str) -> None:
        with self._lock:
            if message not in self._said:
                self._said.add(message)
                self.warnings.append(message)

    def _store(self, image: ImageResource, folder: Path) -> Path | None:
        key = (folder, image.digest)
        with self._lock:
            if key in self._stored:
                return self._stored[key]
        stored = self._write(image, folder)
        with self._lock:
            self._stored[key] = stored
        return stored

    def _write(self, image: ImageResource, folder: Path) -> Path | None:
        from .._atomic import atomic_write_bytes

        names = (image.file_name, f"img-{image.digest}{image.extension}")
        for name in names:
            target = folder / name
            try:
                info = target.lstat()
            except FileNotFoundError:
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write_bytes(target, image.data)
                except OSError as exc:
                    self._say(
                        f"{target}: cannot write: {exc.strerror or exc}; the image stays remote"
                    )
                    return None
                return target
            except OSError as exc:
                self._say(f"{target}: cannot read: {exc.strerror or exc}; the image stays remote")
                return None
            if _holds(target, info, image.data):
                return target
        self._say(
            f"{folder / names[0]}: a different file has this name (and {names[1]} too); "
            "the image stays remote"
        )
        return None


#: The reason an image that could not be stored with the posts is counted as failed.
_NOT_STORED = "not-stored: could not be stored with the posts (see the warning); it stays remote"


def _holds(path: Path, info: os.stat_result, data: bytes) -> bool:
    """Return whether ``path`` is a regular file (not a link) holding exactly ``data``."""
    if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
        return False
    try:
        return path.read_bytes() == data
    except OSError:
        return False


#: The EPUB writer's option names (``EpubOptions``) -> ``ImageFetcher``'s keyword arguments.
_FETCHER_OPTIONS = {
    "timeout": "timeout",
    "image_deadline": "deadline",
    "image_budget": "budget",
    "retries": "retries",
    "max_image_bytes": "max_bytes",
    "image_concurrency": "concurrency",
    "offline": "offline",
}


def open_fetcher(options: Mapping[str, Any]) -> ImageFetcher:
    """Return a fetcher set up by image options under the EPUB writer's names for them.

    ``options``: ``cache_dir``, ``no_cache``, ``image_dir``, ``timeout``, ``image_deadline``,
    ``image_budget``, ``retries``, ``max_image_bytes``, ``image_concurrency``, ``offline`` (those
    of ``EpubOptions``, or what the command line gave); a missing or None one is the fetcher's
    default, other keys are ignored.
    """
    from .fetch import default_cache_dir

    cache_dir: Path | None = None
    if not options.get("no_cache"):
        given = options.get("cache_dir")
        cache_dir = Path(given) if given else default_cache_dir()
    image_dir = options.get("image_dir")
    settings = {
        name: options[key] for key, name in _FETCHER_OPTIONS.items() if options.get(key) is not None
    }
    return ImageFetcher(
        cache_dir=cache_dir, image_dir=Path(image_dir) if image_dir else None, **settings
    )
