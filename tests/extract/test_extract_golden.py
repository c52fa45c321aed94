"""Every cell of the bundled reports, against golden files typed by hand from the report text."""

from pathlib import Path

import pytest
from conftest import EDITED, RAW, golden_facts, golden_reports

from pipeline.extract.report import extract_bytes
from pipeline.extract.values import format_value

CASES = sorted(RAW.glob("*.txt")) + [EDITED / "tongzhou_distinct.txt"]


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_cell_matches_golden(path: Path):
    ex = extract_bytes(path.read_bytes())
    assert ex.status == "ok", ex.message
    got = [(f.table_code, f.row_code, f.applicant_class or "", format_value(f.value), f.source_line) for f in ex.facts]
    assert got == golden_facts(path.stem)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_title_gives_agency_year_and_form(path: Path):
    ex = extract_bytes(path.read_bytes())
    expected = golden_reports()[path.name]
    assert (ex.agency, str(ex.year), ex.form_version) == (expected["agency"], expected["year"], expected["form_version"])


def test_raw_text_keeps_the_cell_as_written():
    # 000 pads its cells with NBSP and ideographic spaces; the value is still 1, the text is kept trimmed.
    ex = extract_bytes((RAW / "000_1acaab7e8820b83a.txt").read_bytes())
    cell = next(f for f in ex.facts if f.row_code == "new_received" and f.applicant_class == "natural_person")
    assert (cell.value, cell.raw_text, cell.source_line) == (1, "1", 88)


def test_distinct_report_catches_shifted_columns():
    """Every cell differs, so a reader that shifts or zero-fills a column cannot pass."""
    facts = golden_facts("tongzhou_distinct")
    values = [v for _, _, _, v, _ in facts]
    assert len(set(values)) == 200 and "0" not in values
