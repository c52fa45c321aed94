"""Raw bytes → text, or a reason the bytes are not a text report."""

from __future__ import annotations

import codecs
from dataclasses import dataclass

# Reports are tens of kilobytes; anything this large is a log or a dump, and
# reading it whole could exhaust memory on a scheduled run.
MAX_REPORT_BYTES = 16 * 1024 * 1024

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF file: convert it to text first, e.g. `pdftotext -layout report.pdf report.txt`"),
    (b"PK\x03\x04", "a zip archive (or .docx/.xlsx): save or convert it as plain text first"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls): save it as plain text first"),
    (b"\x89PNG", "a PNG image, not report text"),
    (b"\xff\xd8\xff", "a JPEG image, not report text"),
    (b"GIF8", "a GIF image, not report text"),
    (b"\x1f\x8b", "a gzip archive: unpack it first"),
    (b"{\\rtf", "an RTF document: save it as plain text first"),
)


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
        return _strict(data[len(codecs.BOM_UTF8):], "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16")
    if b"\x00" in data:
        return Decoded(None, None, "binary file: it contains NUL bytes, so it is not report text")
    for encoding in ("utf-8", "gb18030"):
        try:
            return Decoded(data.decode(encoding), encoding, None)
        except UnicodeDecodeError:
            continue
    return Decoded(None, None, "undecodable: the bytes are neither UTF-8 nor GB18030/GBK text")


def _strict(data: bytes, encoding: str) -> Decoded:
    try:
        return Decoded(data.decode(encoding), encoding, None)
    except UnicodeDecodeError as err:
        return Decoded(None, None, f"undecodable: it declares {encoding} but byte {err.start} is invalid")
