"""Site rules: what the generic web reader needs to know about one family of sites.

The HTML reader (``readers.html``) reads any site's markup on its own. A site rule is a small
class (one module per site family, like yt-dlp's extractors) that

- **claims** a post: by the site the front matter names (``categories``, ``author``), by a host
  its links or images point to, or by a marker in the markup (``claims``);
- **declares** what it can as data: ``drop`` (selectors of chrome to leave out),
  ``image_attributes`` (the attributes that hold the real image, best first),
  ``caption_attributes`` (the attributes of a figure that hold its caption), ``redirects``
  (redirector host -> the query parameter holding the target);
- does the rest in a few named functions: ``block_classes`` (a class name -> a method reading
  such an element as blocks), ``inline_tags`` (a tag -> a method reading it inline, or returning
  ``None`` to leave it to the generic reader) and ``finish`` (a last look at the blocks);
- carries its own fixtures as data (``tests``: markup and the Markdown it must give), run by
  one parametrized test.

Built-in rules are listed in ``BUILTIN_SITES``; more are discovered from the ``zhconvert.sites``
entry-point group, so a site is added in one module without forking. A rule method that raises
is caught by the reader: that element is read by the generic reader and the document records a
warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import import_module
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from lxml import etree

    from ...model import Block
    from ..html import Piece, WebReader

__all__ = [
    "BUILTIN_SITES",
    "ENTRY_POINT_GROUP",
    "Post",
    "SiteFixture",
    "SiteRule",
    "all_rules",
    "installed_sites",
    "redirect_hosts",
    "rules_for",
    "selector_xpath",
]

ENTRY_POINT_GROUP = "zhconvert.sites"

#: name -> "module:Class" for the rules shipped with zhconvert, in the order they apply.
BUILTIN_SITES: dict[str, str] = {
    "zhihu": "zhconvert.readers.sites.zhihu:Zhihu",
    "sspai": "zhconvert.readers.sites.sspai:Sspai",
    "juejin": "zhconvert.readers.sites.juejin:Juejin",
    "news": "zhconvert.readers.sites.news:News",
    "wechat": "zhconvert.readers.sites.wechat:WeChat",
    "blog": "zhconvert.readers.sites.blog:Blog",
    "video": "zhconvert.readers.sites.video:Video",
    "social": "zhconvert.readers.sites.social:Social",
}


@dataclass(frozen=True, slots=True)
class Post:
    """What a rule may look at to claim a post: its front matter's site and its body."""

    html: str
    categories: tuple[str, ...] = ()
    site: str = ""
    #: Whether some rule names the post's site (then only ``anywhere`` rules look at markers).
    site_known: bool = False


@dataclass(frozen=True, slots=True)
class SiteFixture:
    """A rule's own test case: a body, the categories it comes with, Markdown it must hold."""

    html: str
    #: Markdown the output must hold (several snippets: each of them, in any order).
    markdown: str | tuple[str, ...]
    categories: tuple[str, ...] = ()
    #: Text that must not be in the Markdown (dropped chrome).
    absent: tuple[str, ...] = ()


BlockMethod = Callable[[Any, "WebReader", "etree._Element"], "list[Block]"]
InlineMethod = Callable[[Any, "WebReader", "etree._Element"], "list[Piece] | None"]


class SiteRule:
    """A site family's rules; subclass it and set the class attributes that apply."""

    #: The rule's name (the ``zhconvert.sites`` entry point's name for a plugin).
    name: ClassVar[str] = ""
    #: Front-matter ``categories`` or ``author`` values that name the site.
    sites: ClassVar[frozenset[str]] = frozenset()
    #: Hosts (or host suffixes) whose addresses in the markup claim the post.
    hosts: ClassVar[tuple[str, ...]] = ()
    #: Substrings of the markup that claim the post (a class name, an attribute).
    markers: ClassVar[tuple[str, ...]] = ()
    #: Whether the markers are looked for in posts of every site (embedded players), not only in
    #: posts whose site no rule names.
    anywhere: ClassVar[bool] = False
    #: Selectors (``tag``, ``.class``, ``#id``, ``[attr]``, ``[attr=value]``, compounds of them,
    #: comma-separated) of elements left out with what they hold.
    drop: ClassVar[tuple[str, ...]] = ()
    #: Image attributes holding the real image, best first (before the generic reader's own).
    image_attributes: ClassVar[tuple[str, ...]] = ()
    #: Attributes of a ``<figure>`` holding its caption (when it has no ``<figcaption>``).
    caption_attributes: ClassVar[tuple[str, ...]] = ()
    #: Redirector host -> the query parameter holding the target address.
    redirects: ClassVar[Mapping[str, str]] = {}
    #: Class name -> the name of a method reading such an element as blocks.
    block_classes: ClassVar[Mapping[str, str]] = {}
    #: Tag -> the name of a method reading it inline (``None`` leaves it to the generic reader).
    inline_tags: ClassVar[Mapping[str, str]] = {}
    #: The rule's own fixtures, run by ``tests/sites/test_site_rules.py``.
    tests: ClassVar[tuple[SiteFixture, ...]] = ()

    def names_site(self, post: Post) -> bool:
        """Return whether the post's front matter names this rule's site."""
        return bool(self.sites) and (
            post.site in self.sites or not self.sites.isdisjoint(post.categories)
        )

    def claims(self, post: Post) -> bool:
        """Return whether this rule applies to ``post``."""
        if self.names_site(post):
            return True
        if post.site_known and not self.anywhere:
            return False  # a 知乎 answer linking to sspai.com is no 少数派 article
        # One C-level substring search per marker (a regular expression of all the markers
        # of all the rules was four times slower): rules keep few, distinctive ones.
        html = post.html
        return any(needle in html for needle in (*self.markers, *self.hosts))

    def finish(self, reader: WebReader, blocks: list[Block]) -> list[Block]:
        """Return the document's blocks after a last look (the default leaves them)."""
        return blocks


_rules: list[SiteRule] | None = None


def _load(target: str) -> SiteRule:
    module_name, _, attr = target.partition(":")
    rule: SiteRule = getattr(import_module(module_name), attr)()
    return rule


def all_rules() -> list[SiteRule]:
    """Return every rule: the built-in ones, then those of the ``zhconvert.sites`` group."""
    global _rules
    if _rules is None:
        from importlib.metadata import entry_points

        rules = [_load(target) for target in BUILTIN_SITES.values()]
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in BUILTIN_SITES:
                continue  # the built-in rules declare themselves too
            try:
                rule = ep.load()()
            except Exception as exc:  # a broken plugin must not break every read
                _broken[ep.name] = f"{type(exc).__name__}: {exc}"
                continue
            if isinstance(rule, SiteRule):
                rules.append(rule)
            else:
                _broken[ep.name] = f"{ep.value} is not a SiteRule"
        _rules = rules
    return _rules


#: entry-point name -> why the plugin could not be used (``--version`` says it).
_broken: dict[str, str] = {}


def installed_sites() -> list[tuple[str, str, str, str | None]]:
    """Return ``(name, distribution, version, problem)`` for site rules not shipped with zhconvert.

    ``problem`` is why the rule could not be loaded, or None when it applies.
    """
    from importlib.metadata import entry_points

    all_rules()
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in BUILTIN_SITES:
            continue
        dist = ep.dist.name if ep.dist is not None else "?"
        version = ep.dist.version if ep.dist is not None else "?"
        found.append((ep.name, dist, version, _broken.get(ep.name)))
    return sorted(found)


_redirects: dict[str, str] | None = None


def redirect_hosts() -> dict[str, str]:
    """Return the redirector hosts every site rule declares: host -> target parameter."""
    global _redirects
    if _redirects is None:
        _redirects = {host: key for rule in all_rules() for host, key in rule.redirects.items()}
    return _redirects


def rules_for(post: Post) -> tuple[SiteRule, ...]:
    """Return the rules that claim ``post``, in registry order."""
    rules = all_rules()
    if not post.site_known and any(rule.names_site(post) for rule in rules):
        post = replace(post, site_known=True)
    return tuple(rule for rule in rules if rule.claims(post))


_SIMPLE = re.compile(
    r"""(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)|\.(?P<cls>[\w-]+)|\#(?P<id>[\w-]+)
    |\[(?P<attr>[\w:-]+)(?:(?P<op>[*^$]?=)["']?(?P<value>[^\]"']*)["']?)?\]""",
    re.VERBOSE,
)


def selector_xpath(selectors: Sequence[str]) -> str:
    """Return an XPath finding the elements any of the simple CSS ``selectors`` matches."""
    return " | ".join(path for path, _ in selector_paths(selectors))


#: A class name, id or attribute value the source spells as it is (unless a character
#: reference spells it: see ``readers.html``).
_WORD = re.compile(r"[A-Za-z0-9_-]+")


def selector_paths(selectors: Sequence[str]) -> list[tuple[str, tuple[str, ...]]]:
    """Return an XPath for each simple selector, with words the markup it matches must hold.

    The words are the selector's class names, ids and attribute values made of ASCII letters,
    digits, ``-`` and ``_``: an element can only have them if the source spells them.
    """
    paths: list[tuple[str, tuple[str, ...]]] = []
    for group in selectors:
        for selector in group.split(","):
            selector = selector.strip()
            tag = "*"
            tests: list[str] = []
            words: list[str] = []
            position = 0
            while position < len(selector):
                match = _SIMPLE.match(selector, position)
                if match is None:
                    raise ValueError(f"unsupported selector: {selector!r}")
                position = match.end()
                if match.group("tag"):
                    tag = match.group("tag").lower()
                elif match.group("cls"):
                    words.append(match.group("cls"))
                    tests.append(
                        f"contains(concat(' ', normalize-space(@class), ' '), "
                        f"' {match.group('cls')} ')"
                    )
                elif match.group("id"):
                    words.append(match.group("id"))
                    tests.append(f"@id='{match.group('id')}'")
                else:
                    attr, op, value = match.group("attr", "op", "value")
                    words.append(value or "")
                    if not op:
                        tests.append(f"@{attr}")
                    elif op == "=":
                        tests.append(f"@{attr}='{value}'")
                    elif op == "^=":
                        tests.append(f"starts-with(@{attr}, '{value}')")
                    else:  # *= and $= (contains is close enough for chrome)
                        tests.append(f"contains(@{attr}, '{value}')")
            path = "//" + tag + "".join(f"[{t}]" for t in tests)
            paths.append((path, tuple(w for w in words if _WORD.fullmatch(w))))
    return paths
