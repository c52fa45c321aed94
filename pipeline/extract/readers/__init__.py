"""Native files → a Document: which reader a file needs is decided from its bytes, not its name.

Text that is not markup (Word's text export, the converters' dumps) is not read here: it goes
through `pipeline.text.decode` and the text renderings.
"""

from __future__ import annotations

import zipfile
from importlib.metadata import version
from io import BytesIO

from pipeline.extract.document import Document
from pipeline.extract.readers import docx, html, office, pdf

# Markup that only a web page opens with; checked in the first bytes, folded to lower case.
_HTML_OPENINGS = (b"<!doctype html", b"<html", b"<head", b"<meta", b"<body", b"<div", b"<table", b"<p>", b"<p ")
_HTML_SNIFF = 4096
READERS = {"pdf": pdf.read, "docx": docx.read, "doc": office.read, "html": html.read}
# The first bytes of a PDF, a zip (a .docx) and an old Office file: what tells a document from text.
PDF_MAGIC, ZIP_MAGIC, OLE_MAGIC = b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
DOCUMENT_MAGIC = (PDF_MAGIC, ZIP_MAGIC, OLE_MAGIC)


def sniff(data: bytes) -> str | None:
    """The native kind of a file (pdf, docx, doc, html), or None for text and other bytes."""
    head = data[:8]
    if head.startswith(PDF_MAGIC) or b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "docx" if _is_word_zip(data) else None
    if head.startswith(OLE_MAGIC):
        return "doc"
    return "html" if is_html(data) else None


def is_html(data: bytes) -> bool:
    start = data[:_HTML_SNIFF].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"\xff\xfe") or start.startswith(b"\xfe\xff"):
        start = start.decode("utf-16", "ignore").encode("ascii", "ignore").lstrip().lower()
    if start.startswith(_HTML_OPENINGS) or (start.startswith(b"<?xml") and b"<html" in start):
        return True
    # A text file that holds a page after a line or two of something else (a crawler's header).
    lowered = data[: _HTML_SNIFF * 4].lower()
    return b"<html" in lowered and (b"</head>" in lowered or b"<body" in lowered)


def _is_word_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def parser_versions() -> tuple[tuple[str, str], ...]:
    """The parsing libraries' versions: a new one may read a file differently."""
    return tuple((name, version(name)) for name in ("lxml", "pypdfium2"))


def read(kind: str, data: bytes) -> Document | str:
    """The file's Document, or why it was not read (its `rejected` message)."""
    return READERS[kind](data)
