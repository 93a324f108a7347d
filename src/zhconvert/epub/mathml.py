"""TeX to MathML for content documents, with the TeX itself as the fallback.

latex2mathml is lenient: for an unknown command it emits ``<mi>\\cmd</mi>``, and for some
environments it emits XML that does not parse. Its output is therefore parsed again, checked
against the presentation-MathML elements EPUB allows, and dropped for the plain TeX when anything
is off.
"""

from __future__ import annotations

import functools
import re

from . import markup

__all__ = ["tex_to_mathml"]

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


@functools.lru_cache(maxsize=4096)
def tex_to_mathml(tex: str, display: bool) -> str | None:
    """Return a ``<math>`` element for ``tex`` as XHTML text, or None when it does not convert."""
    from latex2mathml.converter import convert
    from lxml import etree  # type: ignore[import-untyped, unused-ignore]

    source = tex.strip()
    if not source:
        return None
    try:
        raw = convert(source, display="block" if display else "inline")
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
    root.set("alttext", markup.clean(" ".join(source.split())))
    return str(etree.tostring(root, encoding="unicode"))
