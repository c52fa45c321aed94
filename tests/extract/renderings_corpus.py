"""The committed corpora: reports of every text rendering under tests/fixtures/renderings, and of
every native format (the same reports as HTML, Word-like HTML, PDF and .docx) under
tests/fixtures/native, each with its ground truth."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "renderings"
NATIVE = CORPUS.parent / "native"


def read(name: str, corpus: Path = CORPUS) -> list[dict[str, str]]:
    with (corpus / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


MANIFEST = read("manifest.csv")


def truth(corpus: Path = CORPUS) -> dict[str, dict[tuple[str, str, str], str]]:
    out: dict[str, dict[tuple[str, str, str], str]] = defaultdict(dict)
    for row in read("ground_truth.csv", corpus):
        out[row["source_file"]][(row["table_code"], row["row_code"], row["applicant_class"])] = row["value"]
    return dict(out)


def report_bytes(source_file: str, corpus: Path = CORPUS) -> bytes:
    return (corpus / "reports" / source_file).read_bytes()


# Native formats whose reader has not landed on main yet: their tests are expected to fail until it
# does (strict, so the reader's arrival turns them into failures to unmark).
PENDING_READERS = {
    "docx": "the .docx reader has not landed on main (pipeline/extract/readers/docx.py rejects every .docx)",
}


# A bug found in a landed reader and reported to its author; strict likewise.
PDF_SPANS_AS_BLANKS = ("PDF reader bug: the positions a merged cell covers (a label's colspan) come as blank cells, "
                       "not Cell.covered, so a row with a blank value cell has more cells than the form and is not read")
KNOWN_BUGS = {"pdf": PDF_SPANS_AS_BLANKS}


def pending_marks(rendering: str, bugs: bool = False) -> list:
    """xfail marks for a rendering whose reader is pending or, with `bugs`, has a known bug the
    test reaches."""
    reason = PENDING_READERS.get(rendering) or (KNOWN_BUGS.get(rendering) if bugs else None)
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
