"""Borders mark the cells that are there, not the missing ones: in every text rendering that marks
each cell (box drawing, grid and pipe tables, a tab line per cell in Word's text export), removing
one value cell together with its separator must never leave the report `ok`, and no fact read
without doubt may differ from the report's own value. (In space-aligned renderings a removed cell
looks exactly like a blank one; there no fact may be wrong without doubt, which the damage tests
of tests/e2e/test_fuzz.py cover.) The native grids (HTML, Word, PDF) have their own tests beside their
readers."""

from __future__ import annotations

from decimal import Decimal

import pytest
import regex
from renderings_corpus import MANIFEST, report_bytes
from renderings_corpus import truth as read_truth

from pipeline.extract.report import extract_bytes, extract_text
from pipeline.extract.values import is_value_text
from pipeline.text.decode import decode
from pipeline.text.normalize import split_lines

# pandoc's plain output here is its simple tables: columns by dash-rule extents, no separators.
MARKED = ("docx-text", "w3m", "html2text")
_BAR = regex.compile(r"[│┃|]")
TRUTH = read_truth()


def _removals(lines: list[str], rendering: str):
    """Each way of removing one value cell with its separator: (line index, new line or None)."""
    for i, line in enumerate(lines):
        if rendering == "docx-text":
            if line.startswith("\t") and line[1:].strip() and is_value_text(line[1:]):
                yield i, None
            continue
        bars = [m.start() for m in _BAR.finditer(line)]
        for left, right in zip(bars, bars[1:]):
            part = line[left + 1 : right].strip()
            if part and is_value_text(part):
                yield i, line[:left] + line[right:]


def _cases():
    for entry in MANIFEST:
        if entry["rendering"] in MARKED and entry["expected_status"] == "ok":
            yield pytest.param(entry["source_file"], entry["rendering"], id=entry["source_file"])


@pytest.mark.parametrize("source_file, rendering", list(_cases()))
def test_a_removed_cell_is_never_ok_nor_wrong(source_file, rendering):
    text = decode(report_bytes(source_file)).text
    assert extract_bytes(report_bytes(source_file)).status == "ok"
    truth = {k: Decimal(v) for k, v in TRUTH[source_file].items()}
    lines = split_lines(text)
    removals = list(_removals(lines, rendering))
    assert len(removals) >= 150, len(removals)
    for i, new in removals[::2]:
        damaged = lines[:i] + ([] if new is None else [new]) + lines[i + 1 :]
        ex = extract_text("\n".join(damaged))
        assert ex.status != "ok", (i + 1, lines[i])
        wrong = [f for f in ex.facts if f.doubt is None and f.value != truth[(f.table_code, f.row_code, f.applicant_class or "")]]
        assert not wrong, (i + 1, lines[i], wrong[:2])
