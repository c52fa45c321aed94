"""The committed corpora: reports of every text rendering under tests/fixtures/renderings, and of
every native format (the same reports as HTML, Word-like HTML, PDF and .docx) under
tests/fixtures/native, each with its ground truth."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

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
