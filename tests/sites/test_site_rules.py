"""Site rules: each built-in rule's own fixtures (yt-dlp's ``_TESTS``), the registry, plugins."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import ClassVar

import pytest
from lxml import etree

import zhconvert
from zhconvert import Paragraph, Text
from zhconvert.readers import sites
from zhconvert.readers.sites import (
    BUILTIN_SITES,
    Post,
    SiteFixture,
    SiteRule,
    all_rules,
    rules_for,
)


def _post(fixture: SiteFixture) -> str:
    categories = "".join(f"\n - {c}" for c in fixture.categories)
    site = fixture.categories[1] if len(fixture.categories) > 1 else ""
    return (
        f"\n---\ntitle: '测试'\ncategories:{categories}\nauthor: {site or '某站'}\n---\n\n"
        f"<div>   \n{fixture.html}\n</div>\n"
    )


CASES = [
    pytest.param(rule, fixture, id=f"{rule.name}-{index}")
    for rule in all_rules()
    for index, fixture in enumerate(rule.tests)
]


@pytest.mark.parametrize(("rule", "fixture"), CASES)
def test_site_rule_fixture(rule: SiteRule, fixture: SiteFixture) -> None:
    doc = zhconvert.loads(_post(fixture))
    assert doc.warnings == ()
    markdown = zhconvert.dumps(doc, "markdown", front_matter="none")
    assert isinstance(markdown, str)
    snippets = (fixture.markdown,) if isinstance(fixture.markdown, str) else fixture.markdown
    for snippet in snippets:
        assert snippet in markdown
    for absent in fixture.absent:
        assert absent not in markdown


def test_every_builtin_rule_is_registered_and_has_fixtures() -> None:
    rules = all_rules()
    assert [rule.name for rule in rules[: len(BUILTIN_SITES)]] == list(BUILTIN_SITES)
    for rule in rules:
        assert rule.tests, f"site rule {rule.name!r} has no fixtures"


def test_rules_claim_by_front_matter_site_or_markup() -> None:
    zhihu = next(rule for rule in all_rules() if rule.name == "zhihu")
    assert zhihu.claims(Post("<p>x</p>", ("社交媒体", "知乎", "话题"), "知乎"))
    assert zhihu.claims(Post('<img eeimg="1" src="x">'))
    assert not zhihu.claims(Post("<p>普通的网页</p>", ("博客",), "Hexo"))


def test_markers_of_another_site_do_not_claim_a_post_whose_site_is_known() -> None:
    zhihu_post = Post(
        '<p><a href="https://sspai.com/post/1">少数派</a></p><iframe src="https://x"></iframe>',
        ("社交媒体", "知乎", "话题"),
        "知乎",
    )
    assert [rule.name for rule in rules_for(zhihu_post)] == ["zhihu", "video"]
    unknown = Post('<figure class="ss-imgRows"></figure>', ("博客",), "某博客")
    assert [rule.name for rule in rules_for(unknown)] == ["sspai"]


def test_a_post_from_an_unknown_site_gets_the_generic_reader() -> None:
    doc = zhconvert.loads(
        "---\ntitle: 无名站\nauthor: 无名站\n---\n\n<div><p>正文</p><span class='ss-x'>尾</span></div>"
    )
    assert doc.blocks == (Paragraph((Text("正文"),)), Paragraph((Text("尾"),)))
    assert doc.warnings == ()


class _Broken(SiteRule):
    name = "broken"
    markers = ("broken-widget",)
    block_classes: ClassVar[dict[str, str]] = {"broken-widget": "widget"}
    inline_tags: ClassVar[dict[str, str]] = {"b": "bold"}

    def widget(self, reader: object, el: etree._Element) -> list[object]:
        raise ValueError("odd markup")

    def bold(self, reader: object, el: etree._Element) -> list[object] | None:
        raise KeyError("data-x")


@pytest.fixture
def broken_rule(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(sites, "_rules", [*all_rules(), _Broken()])
    yield
    monkeypatch.setattr(sites, "_rules", None)


@pytest.mark.usefixtures("broken_rule")
def test_a_failing_rule_falls_back_to_the_generic_reader_with_a_warning() -> None:
    doc = zhconvert.loads(
        "---\ntitle: t\n---\n\n<div><div class='broken-widget'><p>留下的字</p></div>"
        "<p>再<b>粗</b></p></div>"
    )
    markdown = zhconvert.dumps(doc, "md", front_matter="none")
    assert "留下的字" in markdown
    assert "**粗**" in markdown
    assert any("site rule 'broken' failed" in w and "ValueError" in w for w in doc.warnings)
    assert any("KeyError" in w for w in doc.warnings)


def test_rules_are_discovered_from_the_entry_point_group(monkeypatch: pytest.MonkeyPatch) -> None:
    class Shouting(SiteRule):
        name = "shouting"
        markers = ("shout-box",)
        drop = (".shout-box",)

    entry = SimpleNamespace(name="shouting", load=lambda: Shouting)
    seen: list[str] = []

    def entry_points(*, group: str) -> list[SimpleNamespace]:
        seen.append(group)
        return [entry]

    monkeypatch.setattr("importlib.metadata.entry_points", entry_points)
    monkeypatch.setattr(sites, "_rules", None)
    try:
        assert "shouting" in [rule.name for rule in all_rules()]
        assert seen == ["zhconvert.sites"]
        doc = zhconvert.loads("<div><p>留</p><div class='shout-box'>喊</div></div>")
        assert "喊" not in zhconvert.dumps(doc, "text")
    finally:
        monkeypatch.setattr(sites, "_rules", None)


def test_a_plugin_that_fails_to_load_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> type[SiteRule]:
        raise ImportError("missing dependency")

    entry = SimpleNamespace(name="broken-plugin", load=boom)
    monkeypatch.setattr("importlib.metadata.entry_points", lambda *, group: [entry])
    monkeypatch.setattr(sites, "_rules", None)
    try:
        assert [rule.name for rule in all_rules()] == list(BUILTIN_SITES)
    finally:
        monkeypatch.setattr(sites, "_rules", None)


@pytest.mark.parametrize(
    ("selector", "xpath"),
    [
        (".a", "//*[contains(concat(' ', normalize-space(@class), ' '), ' a ')]"),
        ("div#x", "//div[@id='x']"),
        ("a[data-x]", "//a[@data-x]"),
        ("[role=tooltip]", "//*[@role='tooltip']"),
        ("p, span", "//p | //span"),
    ],
)
def test_selectors_compile_to_xpath(selector: str, xpath: str) -> None:
    assert sites.selector_xpath([selector]) == xpath


def test_an_unsupported_selector_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported selector"):
        sites.selector_xpath(["div > p"])


def test_pyproject_declares_the_builtin_rules_in_the_entry_point_group() -> None:
    from pathlib import Path

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+; test_packaging covers tomli

    pyproject = tomllib.loads(
        (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    )
    assert pyproject["project"]["entry-points"]["zhconvert.sites"] == BUILTIN_SITES
