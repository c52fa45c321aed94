"""Extraction on a synthetic corpus against its ground truth, per rendering and per deviation: cells,
wrong cells, the header (agency, year, form, a page's 公开日期) and the status."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.values import format_value
from pipeline.ingest import convert

NO_DEVIATION = "none"


@dataclass
class Score:
    reports: int = 0
    cells_exact: int = 0
    cells_total: int = 0
    # Facts read without doubt whose value is not the ground truth's, or that it has not at all.
    cells_wrong: int = 0
    header_right: int = 0
    status_right: int = 0


def score(corpus: Path) -> dict[str, Score]:
    """Per rendering; see score_by."""
    return score_by(corpus)[0]


def score_by(corpus: Path) -> tuple[dict[str, Score], dict[str, Score]]:
    """(per rendering, per deviation: `none` for reports printed as the form is)."""
    truth: dict[str, dict[tuple[str, str, str], str]] = defaultdict(dict)
    with (corpus / "ground_truth.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            truth[row["source_file"]][(row["table_code"], row["row_code"], row["applicant_class"])] = row["value"]
    by_rendering: dict[str, Score] = defaultdict(Score)
    by_deviation: dict[str, Score] = defaultdict(Score)
    with (corpus / "manifest.csv").open(encoding="utf-8", newline="") as f:
        for entry in csv.DictReader(f):
            result = convert.extract((corpus / "reports" / entry["source_file"]).read_bytes())
            expected = truth[entry["source_file"]]
            # Corpora written before the deviation column have none.
            for s in (by_rendering[entry["rendering"]], by_deviation[entry.get("deviation") or NO_DEVIATION]):
                _add(s, result, entry, expected)
    return dict(by_rendering), dict(by_deviation)


def _add(s: Score, result, entry: dict[str, str], expected: dict[tuple[str, str, str], str]) -> None:
    got = {(x.table_code, x.row_code, x.applicant_class or ""): format_value(x.value) for x in result.facts}
    certain = {(x.table_code, x.row_code, x.applicant_class or ""): format_value(x.value) for x in result.facts if x.doubt is None}
    s.reports += 1
    s.cells_total += len(expected)
    s.cells_exact += sum(1 for key, value in expected.items() if got.get(key) == value)
    s.cells_wrong += sum(1 for key, value in certain.items() if expected.get(key) != value)
    s.header_right += _header(result) == _header_expected(entry)
    s.status_right += result.status == entry["expected_status"]


def _header(result) -> tuple:
    return result.agency, result.year, result.form_version, result.published_on


def _header_expected(entry: dict[str, str]) -> tuple:
    """Agency, year and form as the title (or a page's 发布机构) gives them, none for a page that is
    no report (and no form for a report before 2019); 公开日期 where the page has a metadata table
    (corpora written before the column existed have none)."""
    return (
        entry["agency"] or None,
        int(entry["year"]) if entry["year"] else None,
        entry["form_version"] or None,
        entry.get("published_on") or None,
    )


def table(scores: dict[str, Score], by: str = "rendering") -> str:
    width = max([12, len(by), *map(len, scores)])
    lines = [f"{by:<{width}} {'reports':>7} {'cells exact / total':>24} {'wrong':>6} {'right header':>13} {'right status':>13}"]
    for name, s in sorted(scores.items()):
        share = f"{100 * s.cells_exact / s.cells_total:.1f}%" if s.cells_total else "-"
        lines.append(
            f"{name:<{width}} {s.reports:>7} {f'{s.cells_exact} / {s.cells_total}':>17} {share:>6} "
            f"{s.cells_wrong:>6} {f'{s.header_right} / {s.reports}':>13} {f'{s.status_right} / {s.reports}':>13}"
        )
    return "\n".join(lines)
