"""Raw bytes → text, or a reason the bytes are not a text report."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Reports are tens of kilobytes; anything this large is a log or a dump, and
# reading it whole could exhaust memory on a scheduled run.
MAX_REPORT_BYTES = 16 * 1024 * 1024

# PDF and old Office files never come here: pipeline.extract.readers sniffs their magic bytes and
# reads them (or says why not) before any text decoding. A .docx is read there too, so a zip here
# is not one.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a zip archive that is not a readable Word .docx (an .xlsx or .odt, or a .docx cut off or damaged): not report text"),
    (b"\x89PNG", "a PNG image, not report text"),
    (b"\xff\xd8\xff", "a JPEG image, not report text"),
    (b"GIF8", "a GIF image, not report text"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"{\\rtf", "an RTF document: save it as plain text first"),
)

_HAN = re.compile("[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None
    problem: str | None  # why the bytes cannot be read as a report, when text is None


def decode(data: bytes) -> Decoded:
    if not data.strip():
        return Decoded(None, None, "empty file")
    for magic, what in _SIGNATURES:
        if data.startswith(magic):
            return Decoded(None, None, f"binary file: {what}")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[len(codecs.BOM_UTF8) :], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return utf16
        return Decoded(None, None, "binary file: it contains NUL bytes, so it is not report text")
    try:
        return Decoded(_decode_cut(data, "utf-8"), "utf-8", None)
    except UnicodeDecodeError:
        pass
    try:
        text = _decode_cut(data, "gb18030")
    except UnicodeDecodeError:
        return Decoded(None, None, "undecodable: the bytes are neither UTF-8 nor GB18030/GBK text; save the report as UTF-8")
    if _misread(text):
        return Decoded(
            None,
            None,
            "undecodable: the text is not UTF-8, and read as GB18030/GBK it is mostly rare characters, "
            "as happens with Big5 or Shift-JIS text; save the report as UTF-8",
        )
    return Decoded(text, "gb18030", None)


def _utf16_without_bom(data: bytes) -> Decoded | None:
    """UTF-16 saved without a byte-order mark: every ASCII character (digits, tabs, line breaks)
    leaves a NUL byte on the same side of each pair; a few others (U+3000, U+5200 刀) leave one
    on the other side. Read only if it decodes strictly to text without control characters."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if max(even, odd) < max(8, len(data) // 64) or min(even, odd) * 4 > max(even, odd):
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = _decode_cut(data, encoding)
    except UnicodeDecodeError:
        return None
    if any(ch < " " and ch not in "\t\n\r\f" for ch in text):
        return None
    return Decoded(text, encoding, None)


def _misread(text: str, sample: int = 20_000) -> bool:
    """GB18030 decodes almost any bytes, so text in another encoding comes out as rare characters.
    Reports use the common characters of GB2312 almost exclusively."""
    han = "".join(_HAN.findall(text[:sample]))
    if len(han) < 20:
        return False
    # GB2312 encodes a character as two bytes from 0xA1 up, so only a character it lacks
    # becomes `?` (0x3F): one encode of all of them counts the rare ones.
    rare = han.encode("gb2312", errors="replace").count(b"?")
    return rare > 0.3 * len(han)


def _decode_cut(data: bytes, encoding: str) -> str:
    """Strict decoding, except that a character cut off by the end of the file (a truncated
    download) is dropped rather than making the whole file unreadable."""
    return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=False)


def _strict(data: bytes, encoding: str) -> Decoded:
    try:
        # A UTF-16 file of odd length is more likely not UTF-16 at all than cut short.
        text = _decode_cut(data, encoding) if encoding == "utf-8" else data.decode(encoding)
        return Decoded(text, encoding, None)
    except UnicodeDecodeError as err:
        return Decoded(None, None, f"undecodable: it declares {encoding} but byte {err.start} is invalid")
