"""docx files → a Document (being written)."""

from __future__ import annotations

from pipeline.extract.document import Document


def read(data: bytes) -> Document | str:
    return "a docx file: this reader is not written yet"
