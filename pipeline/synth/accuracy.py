"""Extraction on a synthetic corpus against its ground truth, per rendering."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.report import extract_bytes
from pipeline.extract.values import format_value


@dataclass
class Score:
    reports: int = 0
    cells_exact: int = 0
    cells_total: int = 0
    status_right: int = 0


def score(corpus: Path) -> dict[str, Score]:
    truth: dict[str, dict[tuple[str, str, str], str]] = defaultdict(dict)
    with (corpus / "ground_truth.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            truth[row["source_file"]][(row["table_code"], row["row_code"], row["applicant_class"])] = row["value"]
    scores: dict[str, Score] = defaultdict(Score)
    with (corpus / "manifest.csv").open(encoding="utf-8", newline="") as f:
        for entry in csv.DictReader(f):
            result = extract_bytes((corpus / "reports" / entry["source_file"]).read_bytes())
            got = {(x.table_code, x.row_code, x.applicant_class or ""): format_value(x.value) for x in result.facts}
            expected = truth[entry["source_file"]]
            s = scores[entry["rendering"]]
            s.reports += 1
            s.cells_total += len(expected)
            s.cells_exact += sum(1 for key, value in expected.items() if got.get(key) == value)
            s.status_right += result.status == entry["expected_status"]
    return dict(scores)


def table(scores: dict[str, Score]) -> str:
    lines = [f"{'rendering':<12} {'reports':>7} {'cells exact / total':>24} {'right status':>13}"]
    for name, s in sorted(scores.items()):
        share = f"{100 * s.cells_exact / s.cells_total:.1f}%" if s.cells_total else "-"
        lines.append(f"{name:<12} {s.reports:>7} {f'{s.cells_exact} / {s.cells_total}':>17} {share:>6} "
                     f"{f'{s.status_right} / {s.reports}':>13}")
    return "\n".join(lines)
