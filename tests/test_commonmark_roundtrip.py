"""The CommonMark round trip: does the Markdown zhconvert writes mean what the HTML meant?

Each example of the CommonMark spec (``../shared/commonmark/spec.json``, left out: the raw-HTML
sections and examples whose HTML only raw markup could make; see ``_commonmark.py``) is given to
``zhconvert.loads`` as a post body, written as Markdown, rendered back by markdown-it in CommonMark
mode and compared with the reference HTML after whitespace normalization.
"""

from __future__ import annotations

from typing import Any

import pytest

from _commonmark import SPEC, load_examples, round_trip, zhconvert_markdown
from _paths import in_ci

#: Examples where zhconvert's output differs on purpose: it cleans. Each says why a reader of the
#: converted post is better served.
CLEANED: dict[int, str] = {
    # Empty blocks: nothing to read, and in Markdown an empty item or quote is noise ("- " lines
    # that renderers disagree on) that a blog owner would delete by hand.
    79: "empty headings are dropped: a heading with no text is no heading to a reader",
    126: "an empty code block is dropped: it shows only an empty box",
    129: "a code block of white space only is dropped: it shows only an empty box",
    130: "an empty code block is dropped: it shows only an empty box",
    144: "an empty code block is dropped, with its language: it shows only an empty box",
    220: "an empty block quote is dropped: it shows only a bar",
    239: "empty block quotes and code blocks are dropped: they show only a bar or a box",
    241: "an empty block quote is dropped: it shows only a bar",
    242: "an empty block quote is dropped: it shows only a bar",
    282: "an empty list item is dropped: it shows only a bullet",
    283: "an empty list item is dropped: it shows only a bullet",
    284: "an empty list item is dropped: it shows only a bullet",
    285: "an empty list item is dropped (the numbers after it move up): it shows only a number",
    286: "an empty list item is dropped: it shows only a bullet",
    317: "an empty list item is dropped: it shows only a bullet",
    320: "blank lines at the end of a code block are dropped: they show as nothing",
    # Links that lead nowhere or would be unsafe.
    202: "a link without an address (href='') is its text: it leads nowhere",
    487: "a link without an address (href='') is its text: it leads nowhere",
    488: "a link without an address (href='') is its text: it leads nowhere",
    489: "a link with neither address nor text is dropped: there is nothing to click or read",
    569: "a link without an address (href='') is its text: it leads nowhere",
    486: "a link with no text shows its address: an invisible link cannot be clicked",
    478: "an unclosed <a> with no text shows its address: an invisible link cannot be clicked",
    479: "an unclosed <a> with no text shows its address: an invisible link cannot be clicked",
    21: "an unclosed <a> with no text shows its address: an invisible link cannot be clicked",
    31: "an unclosed <a> with no text shows its address: an invisible link cannot be clicked",
    645: "an unclosed <a> with no text shows its address: an invisible link cannot be clicked",
    646: "an unclosed <a> with no text shows its address: an invisible link cannot be clicked",
    598: "only http, https, mailto and ftp links are kept (irc: is not a web address)",
    600: "only http, https, mailto and ftp links are kept (a+b+c: is no known scheme)",
    601: "only http, https, mailto and ftp links are kept (made-up-scheme: is unknown)",
    603: "only http, https, mailto and ftp links are kept (localhost: reads as a scheme)",
    # Redundant markup.
    419: "bold that is all of a bold span shows as bold: written once, not as '****'",
    466: "bold that is all of a bold span shows as bold: written once, not as '****'",
    467: "bold that is all of a bold span shows as bold: written once, not as '****'",
    468: "bold that is all of a bold span shows as bold: written once, not as '****'",
    470: "bold that is all of a bold span shows as bold: written once, not as '****'",
    477: "an image always gets an alt attribute (empty here): Markdown images have one",
}

#: Examples zhconvert gets wrong for reasons outside the Markdown writer; each is a known defect,
#: not a choice.
KNOWN: dict[int, str] = {
    39: "defect: the body-format guess reads an HTML body with a blank line inside a paragraph "
    "as Markdown",
    346: "no Markdown link keeps a raw backtick in its address: renderers percent-encode it "
    "(%60, the same address)",
}

EXAMPLES = load_examples() if SPEC.is_file() else []


def _case(example: dict[str, Any]) -> Any:
    number = example["example"]
    reason = CLEANED.get(number) or KNOWN.get(number)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(example, id=str(number), marks=marks)


@pytest.mark.skipif(
    not SPEC.is_file(),
    reason=f"the CommonMark spec examples are missing at {SPEC} (CI has them): "
    "set ZHCONVERT_COMMONMARK to spec.json",
)
@pytest.mark.parametrize("example", [_case(e) for e in EXAMPLES] or [None])
def test_round_trip(example: dict[str, Any]) -> None:
    same, markdown, rendered = round_trip(zhconvert_markdown, example["html"])
    assert same, (
        f"example {example['example']} ({example['section']})\n"
        f"reference: {example['html']!r}\nmarkdown:  {markdown!r}\nrendered:  {rendered!r}"
    )


def test_the_examples_are_the_ones_measured() -> None:
    if not SPEC.is_file():
        if in_ci():  # CI must measure the round trip, never skip it
            pytest.fail(f"CI needs the CommonMark spec examples at {SPEC}", pytrace=False)
        pytest.skip(f"the CommonMark spec examples are missing at {SPEC} (CI has them)")
    # 655 examples, 67 in the raw-HTML sections, 7 more whose HTML only raw markup can make.
    assert len(EXAMPLES) == 581
    numbers = {e["example"] for e in EXAMPLES}
    assert set(CLEANED) <= numbers and set(KNOWN) <= numbers
