"""Turn a post's bytes into text, detecting (never silently guessing) the encoding."""

from __future__ import annotations

import codecs

from ..errors import DecodeError, NotTextError

__all__ = ["BOMS", "decode_post"]

#: Byte-order marks and their codecs; UTF-32 first, since its little-endian mark begins with
#: UTF-16's.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Magic numbers of files people drop into post folders by mistake.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"PK\x03\x04",
    b"%PDF",
    b"\x1f\x8b",
    b"RIFF",
    b"\x7fELF",
    b"BZh",
    b"7z\xbc\xaf",
)


#: The control bytes text files do not hold (all but tab, line feed, form feed, CR and escape).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        return True
    if not head:
        return False
    # Deleting every byte but the controls counts them in C.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.1


def decode_post(data: bytes) -> tuple[str, str, bool, tuple[str, ...]]:
    """Decode ``data``; return ``(text, encoding, had_bom, warnings)``.

    Order: a byte-order mark (UTF-8/16/32); strict UTF-8; strict GB18030 (which covers GBK and
    GB2312); else UTF-8 with the bad sequences replaced by U+FFFD and a warning. Binary files
    raise ``NotTextError``. Stray NUL characters are removed with a warning.
    """
    warnings: list[str] = []
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"not valid {encoding} after its byte-order mark: {exc.reason}"
                ) from None
            return _strip_nul(text, warnings), encoding, True, tuple(warnings)
    if _looks_binary(data):
        raise NotTextError("not a text file")
    try:
        return _strip_nul(data.decode("utf-8"), warnings), "utf-8", False, tuple(warnings)
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    good = sum(1 for ch in replaced if ch > "\x7f") - bad
    # GBK text read as UTF-8 fails on nearly every Han character and decodes few of them by
    # chance; a damaged UTF-8 file has a few failures among many good characters. Only the
    # former is re-read as GB18030.
    if bad * 4 > good:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            return _strip_nul(text, warnings), "gb18030", False, tuple(warnings)
    warnings.append(f"{bad} invalid UTF-8 sequence(s) replaced by U+FFFD")
    return _strip_nul(replaced, warnings), "utf-8", False, tuple(warnings)


def _strip_nul(text: str, warnings: list[str]) -> str:
    if "\x00" in text:
        warnings.append(f"{text.count(chr(0))} NUL character(s) removed")
        text = text.replace("\x00", "")
    return text
