"""The committed corpus under tests/fixtures/renderings: reports of every rendering with ground truth."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "renderings"


def read(name: str) -> list[dict[str, str]]:
    with (CORPUS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


MANIFEST = read("manifest.csv")


def truth() -> dict[str, dict[tuple[str, str, str], str]]:
    out: dict[str, dict[tuple[str, str, str], str]] = defaultdict(dict)
    for row in read("ground_truth.csv"):
        out[row["source_file"]][(row["table_code"], row["row_code"], row["applicant_class"])] = row["value"]
    return dict(out)


def report_bytes(source_file: str) -> bytes:
    return (CORPUS / "reports" / source_file).read_bytes()
