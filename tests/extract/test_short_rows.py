"""A row with fewer cells than its table: borders mark the cells that are there, not the missing
ones, so such a row is read only when its cells can be placed with certainty (issue: "a wrong
number that looks certain"). Markdown tables as PDF-to-Markdown converters write them."""

from __future__ import annotations

from markdown_report import markdown_report

from pipeline.extract.report import extract_text
from pipeline.form.codebook import rows_of


def test_markdown_report_reads_ok():
    text, truth = markdown_report()
    ex = extract_text(text)
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def test_short_markdown_row_is_not_zero_filled():
    """`| 规章 | 3 | 41 |` under a four-column header was read 3, 41 and 0 with no doubt."""
    text, truth = markdown_report(skip=(0, 2))
    ex = extract_text(text)
    assert ex.status == "incomplete"
    assert "proactive row 规章: the row has fewer cells than its table" in ex.message
    assert not [f for f in ex.facts if f.row_code.startswith("regulations.")]


def test_any_one_cell_removed_with_its_separator_is_never_ok_nor_wrong():
    _, truth = markdown_report()
    rows = len(rows_of("2021", "proactive")) + len(rows_of("2021", "requests")) + 1
    for row in range(rows):
        for cell in range(15 if row == rows - 1 else 7):
            text, _ = markdown_report(skip=(row, cell))
            ex = extract_text(text)
            assert ex.status != "ok", (row, cell)
            wrong = [f for f in ex.facts if f.doubt is None and f.value != truth[(f.table_code, f.row_code, f.applicant_class)]]
            assert not wrong, (row, cell, wrong[:3])


def test_blank_cell_beside_a_label_is_not_taken_for_a_spacer_in_a_bordered_table():
    """A pipe table (html2text) row with eight cells after its label, two of them blank: one more
    than the form's seven, so one blank is extra, and which one (a spacer beside the label, or a
    cell split in two) a border-cut row cannot tell. It was read as if the first were a spacer."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "renderings" / "reports" / "0009_html2text.txt"
    text = fixture.read_text(encoding="utf-8")
    line = next(ln for ln in text.split("\n") if ln.startswith("一、本年新收政府信息公开申请数量|"))
    assert line.rstrip() == "一、本年新收政府信息公开申请数量| 39| 4| 2| 32| 0| 4| 81"
    assert extract_text(text).status == "ok"
    ex = extract_text(text.replace(line, "一、本年新收政府信息公开申请数量| | 39| 4| 2| | 0| 4| 81"))
    assert ex.status == "incomplete"
    assert "本年新收政府信息公开申请数量: 8 cells where the form has 7" in ex.message
    assert not [f for f in ex.facts if f.row_code == "new_received"]
