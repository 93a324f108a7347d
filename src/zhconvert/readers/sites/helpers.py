"""What a site rule's methods read elements with: the helpers the built-in rules use.

A rule in another package (the ``zhconvert.sites`` entry-point group) imports them from here,
not from the reader's private names::

    from zhconvert.readers.sites.helpers import class_names, clean_url, collapse, text_of

- ``class_names(el)``: the element's class names, a list (empty without ``class``).
- ``text_of(el)``: all the text inside the element, as it is (comments left out).
- ``collapse(text)``: white space collapsed as HTML shows it; a line end between two CJK
  characters is dropped, not made a blank.
- ``clean_url(raw, text=None)``: a link address made safe: redirectors unwrapped, tracking
  parameters dropped; None for an empty or dangerous one (``javascript:``…). ``text`` is the
  link's visible text, followed instead of a redirector when it is itself an address.
- ``to_int(value)``: an attribute's whole number, or None.
- ``plain_text(inlines)``: the text of inlines read already (``reader.inline_children(el)``).
- ``embed_url(el)``: the address an ``<iframe>``, ``<video>`` or ``<audio>`` plays, or None.
- ``math(tex)``: TeX as inline maths, or as a display formula when it ends in ``\\\\``.

``WebReader`` is the reader a method receives; ``Piece`` what its methods return (inlines and
blocks).
"""

from __future__ import annotations

from ..html import Piece, WebReader, embed_url, math
from ..html import _classes as class_names
from ..html import _clean_url as clean_url
from ..html import _collapse as collapse
from ..html import _int as to_int
from ..html import _itertext as text_of
from ..html import _plain as plain_text

__all__ = [
    "Piece",
    "WebReader",
    "class_names",
    "clean_url",
    "collapse",
    "embed_url",
    "math",
    "plain_text",
    "text_of",
    "to_int",
]
