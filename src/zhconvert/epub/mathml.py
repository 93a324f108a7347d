"""TeX to MathML for content documents, with the TeX itself as the fallback.

latex2mathml is lenient: for an unknown command it emits ``<mi>\\cmd</mi>``, and for some
environments it emits XML that does not parse. Its output is therefore parsed again, checked
against the presentation-MathML elements EPUB allows, and dropped for the plain TeX when anything
is off.
"""

from __future__ import annotations

import functools
import re
import warnings
from dataclasses import dataclass
from typing import Any

from . import markup

__all__ = ["FormulaImage", "tex_to_mathml", "tex_to_svg"]

MATHML_NS = "http://www.w3.org/1998/Math/MathML"

# Presentation MathML 3 elements (EPUB 3 allows presentation markup; content markup only inside
# annotation-xml, which latex2mathml never writes).
_ELEMENTS = frozenset(
    (
        "math",
        "mi",
        "mn",
        "mo",
        "mtext",
        "mspace",
        "ms",
        "mglyph",
        "mrow",
        "mfrac",
        "msqrt",
        "mroot",
        "mstyle",
        "merror",
        "mpadded",
        "mphantom",
        "mfenced",
        "menclose",
        "msub",
        "msup",
        "msubsup",
        "munder",
        "mover",
        "munderover",
        "mmultiscripts",
        "mprescripts",
        "none",
        "mtable",
        "mtr",
        "mlabeledtr",
        "mtd",
        "maligngroup",
        "malignmark",
        "mstack",
        "mlongdiv",
        "msgroup",
        "msrow",
        "mscarries",
        "mscarry",
        "msline",
        "maction",
        "semantics",
        "annotation",
    )
)
_ATTRIBUTES = frozenset(
    (
        "display",
        "mathvariant",
        "mathsize",
        "mathcolor",
        "mathbackground",
        "stretchy",
        "fence",
        "separator",
        "form",
        "accent",
        "accentunder",
        "largeop",
        "movablelimits",
        "symmetric",
        "lspace",
        "rspace",
        "minsize",
        "maxsize",
        "width",
        "height",
        "depth",
        "linebreak",
        "notation",
        "columnalign",
        "rowalign",
        "columnspacing",
        "rowspacing",
        "columnlines",
        "rowlines",
        "frame",
        "displaystyle",
        "scriptlevel",
        "open",
        "close",
        "separators",
        "linethickness",
        "bevelled",
        "numalign",
        "denomalign",
        "voffset",
        "encoding",
        "rowspan",
        "columnspan",
    )
)
_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]")
SVG_NS = "http://www.w3.org/2000/svg"
#: The size of the rendered fallback's text, in CSS pixels (a reader's body text is about 16).
FORMULA_PX = 17
#: Formulas longer than this get no rendered fallback: the cost grows with the size.
MAX_RENDERED_TEX = 2_000
_OPERATOR_NAME = re.compile(r"\\operatorname\*?\s*\{([^{}]*)\}")
_ROMAN_LETTER = re.compile(r"\\mathrm\s*\{\s*([A-Za-z])\s*\}")
_NAME_GAP = re.compile(r"\\[,;: ]|\s+")
#: Where an operator name is a large operator with limits (``\max_x``): it stays an ``<mo>``.
_LIMIT_BASES = frozenset({"msub", "msubsup", "munder", "munderover"})


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool) -> str | None:
    """Return a ``<math>`` element for ``tex`` as XHTML text, or None when it does not convert."""
    from latex2mathml.converter import convert
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]

    source = tex.strip()
    if not source:
        return None
    try:
        raw = convert(_words_as_names(source), display="block" if display else "inline")
        root = etree.fromstring(raw.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    except Exception:  # latex2mathml raises many kinds of errors on TeX it does not know
        return None
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith("{" + MATHML_NS + "}"):
            return None
        if etree.QName(element).localname not in _ELEMENTS:
            return None
        if any(name not in _ATTRIBUTES for name in element.attrib):
            return None
        if element.text and _UNKNOWN_COMMAND.search(element.text):
            return None
    _join_names(root)
    root.set("alttext", markup.clean(" ".join(source.split())))
    return str(etree.tostring(root, encoding="unicode"))


def _words_as_names(tex: str) -> str:
    r"""Rewrite the TeX latex2mathml spells letter by letter so that names come out whole.

    ``\operatorname{arg\,max}`` (and the starred form, which it does not know) becomes one
    ``\operatorname`` per word; ``\mathrm{d}``, which it writes as an italic ``d``, becomes an
    operator name too, made an upright identifier by ``_join_names``.
    """

    def names(match: re.Match[str]) -> str:
        words = [word for word in _NAME_GAP.split(match.group(1)) if word]
        if not words or not all(word.isascii() and word.isalpha() for word in words):
            return match.group(0)
        return r"\,".join(rf"\operatorname{{{word}}}" for word in words)

    return _ROMAN_LETTER.sub(r"\\operatorname{\1}", _OPERATOR_NAME.sub(names, tex))


def _join_names(root: Any) -> None:
    """Make operator names and upright words single identifiers: "Var(q)", not "Var (q"."""
    ns = "{" + MATHML_NS + "}"
    for element in list(root.iter(ns + "mo")):
        text = element.text or ""
        if not (text.isascii() and text.isalpha()) or len(element) or element.attrib:
            continue
        parent = element.getparent()
        under = (
            parent is not None and parent.tag[len(ns) :] in _LIMIT_BASES and parent[0] is element
        )
        if under and len(text) > 1:
            continue
        # A name is an identifier: an operator would be spaced apart from its argument.
        element.tag = ns + "mi"
        if len(text) == 1:
            element.set("mathvariant", "normal")
    for parent in list(root.iter()):
        run: list[Any] = []
        for child in [*parent, None]:
            if child is not None and _upright_letter(child, ns):
                run.append(child)
                continue
            if len(run) > 1:
                run[0].text = "".join(letter.text for letter in run)
                for letter in run[1:]:
                    parent.remove(letter)
            run = []


def _upright_letter(element: Any, ns: str) -> bool:
    return bool(
        element.tag == ns + "mi"
        and element.get("mathvariant") == "normal"
        and len(element.attrib) == 1
        and len(element) == 0
        and len(element.text or "") == 1
        and (element.text or "").isalpha()
    )


@dataclass(frozen=True, slots=True)
class FormulaImage:
    """A formula drawn as SVG, for readers that show no MathML; its size in CSS pixels."""

    data: bytes
    width: float
    height: float
    #: How far the drawing reaches below the text's baseline.
    depth: float


@functools.lru_cache(maxsize=1024)
def tex_to_svg(tex: str, display: bool) -> FormulaImage | None:
    """Return ``tex`` drawn as an SVG of glyph outlines (ziamath), or None when it cannot be."""
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]

    source = tex.strip()
    if not source or len(source) > MAX_RENDERED_TEX:
        return None
    try:
        with warnings.catch_warnings():
            # ziamath 0.13 finds its font through a deprecated importlib.resources call.
            warnings.simplefilter("ignore", DeprecationWarning)
            from ziamath.config import config
            from ziamath.zmath import Latex

        # SVG 1.1 paths only (no <symbol>/<use href>), which every reader and EPUBCheck accept.
        config.svg2 = False
        svg = Latex(_words_as_names(source), size=FORMULA_PX, inline=not display).svg()
        root = etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    except Exception:  # ziamath raises many kinds of errors on TeX it does not know
        return None
    if root.tag != "{" + SVG_NS + "}svg" or root.find(".//{" + SVG_NS + "}path") is None:
        return None
    try:
        width, height = float(root.get("width", "")), float(root.get("height", ""))
        top = float(root.get("viewBox", "").split()[1])  # the baseline is at y = 0
    except (ValueError, IndexError):
        return None
    data = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return FormulaImage(bytes(data), width, height, max(0.0, top + height))
