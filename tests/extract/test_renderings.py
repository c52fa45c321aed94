"""Every rendering in the committed corpus extracts to exactly its ground truth."""

from __future__ import annotations

import pytest
from conftest import cell_values
from renderings_corpus import MANIFEST, report_bytes
from renderings_corpus import truth as read_truth

from pipeline.extract.report import extract_bytes, extract_text
from pipeline.extract.values import format_value
from pipeline.form.codebook import form_rows
from pipeline.text.decode import decode

TRUTH = read_truth()


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["source_file"] for e in MANIFEST])
def test_report_extracts_to_ground_truth(entry):
    result = extract_bytes(report_bytes(entry["source_file"]))
    expected = TRUTH[entry["source_file"]]
    got = cell_values(result)
    assert (result.agency, result.year, result.form_version) == (entry["agency"], int(entry["year"]), entry["form_version"])
    assert result.status == entry["expected_status"], result.message
    if result.status == "ok":
        assert got == expected
        assert result.message is None
    else:
        # Cells that could be placed are kept and right; the rest are named, never guessed.
        assert got and all(expected[key] == value for key, value in got.items())
        assert "columns cannot be known" in result.message


def test_every_rendering_and_both_forms_are_in_the_corpus():
    renderings = {e["rendering"] for e in MANIFEST}
    assert renderings == {"docx-text", "w3m", "lynx", "pandoc", "html2text", "pdf-layout", "pdf-raw"}
    assert {e["form_version"] for e in MANIFEST} == {"2019", "2021"}


def test_pdf_raw_with_gaps_names_the_rows_it_cannot_place():
    (entry,) = [e for e in MANIFEST if e["rendering"] == "pdf-raw" and e["expected_status"] == "incomplete"]
    result = extract_bytes(report_bytes(entry["source_file"]))
    placed = {(f.table_code, f.row_code) for f in result.facts}
    missing_rows = {(k[0], k[1]) for k in TRUTH[entry["source_file"]]} - placed
    assert missing_rows
    labels = {(r.table_code, code): r.label for r in form_rows(entry["form_version"]) for code in r.cells}
    for key in missing_rows:
        assert f"{key[0]} row {labels[key]}:" in result.message


def test_zero_placeholders_keep_their_text():
    raw_texts = set()
    for entry in MANIFEST:
        if entry["rendering"] != "pdf-raw":
            raw_texts |= {f.raw_text for f in extract_bytes(report_bytes(entry["source_file"])).facts if not f.value}
    assert "0" in raw_texts and raw_texts - {"0"} and raw_texts <= {"0", "", "—", "-", "/", "无"}


def test_aligned_text_flags_a_row_that_appears_again():
    """A copy of 重复申请's line below a row of blank cells (公开出版物) would otherwise be read as
    that row's numbers; the stream reader flags it as tables.py does for cells."""
    lines = report_bytes("0003_lynx.txt").decode("utf-8").split("\n")
    (dup,) = [i for i, line in enumerate(lines) if "2.重复申请" in line]
    (blank,) = [i for i, line in enumerate(lines) if "3.要求提供公开出版物" in line]
    lines[blank] = lines[blank].split("物")[0] + "物"
    lines.insert(blank + 1, lines[dup])
    result = extract_bytes("\n".join(lines).encode("utf-8"))
    assert result.status == "incomplete"
    assert f"requests row 重复申请: appears again at line {blank + 2}" in result.message
    assert ("requests", "result.not_processed.publication", "total") not in cell_values(result)


def test_cell_table_flags_a_row_whose_label_cells_name_two_rows():
    """Lines 123-342 copied after 结转下年度's label (a falsifying example of the damage property
    test): that row's cells run on into the copy of 国家秘密's, whose zeros passed as 结转下年度's."""
    lines = report_bytes("0018_docx-text.txt").decode("utf-8").split("\n")
    label = lines.index("\t四、结转下年度继续办理")
    lines[label + 1 : label + 1] = lines[122 : label + 1]
    result = extract_bytes("\n".join(lines).encode("utf-8"))
    assert result.status == "incomplete"
    assert (f"requests row 结转下年度继续办理: its label cells also name 属于国家秘密 (line {label + 4})") in result.message


def test_cell_table_flags_a_row_repeated_after_the_last_row():
    """The walk ends at 结转下年度; a read row standing again below it is still a repeat."""
    lines = report_bytes("0018_docx-text.txt").decode("utf-8").split("\n")
    granted = lines.index("\t（一）予以公开")
    end = lines.index("", granted)
    tail = lines.index("", lines.index("\t四、结转下年度继续办理"))
    lines[tail:tail] = ["", *lines[granted:end]]
    result = extract_bytes("\n".join(lines).encode("utf-8"))
    assert result.status == "incomplete"
    assert f"requests row 予以公开: appears again at line {tail + 2}" in result.message


def test_cell_table_reads_section_four_past_an_empty_row():
    """An empty row of the page's table above section 四's numbers is not its row of zeros."""
    original = report_bytes("0018_docx-text.txt")
    lines = original.decode("utf-8").split("\n")
    numbers = lines.index("", lines.index("\t复议后起诉", lines.index("四、政府信息公开行政复议、行政诉讼情况")) + 1)
    numbers = lines.index("", numbers + 1) + 1  # the header's second row, then the row of numbers
    assert lines[numbers] == "\t1"
    lines[numbers:numbers] = ["\t"] * 15 + [""]
    result, intact = extract_bytes("\n".join(lines).encode("utf-8")), extract_bytes(original)
    assert (result.status, intact.status) == ("ok", "ok")
    assert cell_values(result) == cell_values(intact)
    assert cell_values(result)[("appeals", "review.upheld", "")] == "1"


def test_every_rendering_states_a_publication_date_that_is_not_the_report_year():
    """PDFs included (LibreOffice drops the page's first element, so synth puts an index number
    there): the year read is the title's, never the 发布日期's."""
    for entry in MANIFEST:
        text = decode(report_bytes(entry["source_file"])).text
        assert f"发布日期：{int(entry['year']) + 1}-01-" in text, entry["source_file"]
        assert extract_bytes(report_bytes(entry["source_file"])).year == int(entry["year"])


def test_pdf_layout_section_four_with_gaps_is_named_not_guessed():
    """Section 四's lone row of numbers with blank cells: in 0022 it stands on a new page below the
    header's last line (a), in 0023 column 8's 0 stands right of column 10's labels 结果/维持 (b).
    pdftotext places such a row after whatever stands left of it on the page, so neither text shows
    which cells were blank: the row is named, none of its cells read, every other cell exact."""
    for name, numbers in (
        ("0022_pdf-layout.txt", "0   0   16   16   0   2   0     2   1   3         4"),
        ("0023_pdf-layout.txt", "0                                0       4           0       4"),
    ):
        text = decode(report_bytes(name)).text
        header_end = text.index("维持", text.index("四、政府信息公开行政复议"))
        assert numbers in text and ("\f" in text[header_end : text.index(numbers)]) == (name == "0022_pdf-layout.txt")
        result = extract_bytes(report_bytes(name))
        assert result.status == "incomplete"
        assert "appeals row 行政复议、行政诉讼: " in result.message and "columns cannot be known" in result.message
        assert "placements that read differently add up" in result.message
        assert cell_values(result) == {k: v for k, v in TRUTH[name].items() if k[0] != "appeals"}


_APPEAL_CODES = [
    f"{group}.{result}"
    for group in ("review", "suit_direct", "suit_after_review")
    for result in ("upheld", "corrected", "other", "pending", "total")
]


def _with_appeals_line(numbers: str):
    """0022 with its section 四 row, which pdftotext set on a page of its own, replaced."""
    text = decode(report_bytes("0022_pdf-layout.txt")).text
    written = "0   0   16   16   0   2   0     2   1   3         4"
    assert text.count(written) == 1
    return extract_text(text.replace(written, numbers))


def test_pdf_layout_section_four_with_gaps_read_when_one_placement_adds_up():
    """Fourteen numbers for fifteen cells: of every placement keeping their order, only those with
    the blank among suit_after_review's zeros let all three groups add up (docs/form.md rule 4), and they
    read alike, so that is the row. Which of those zeros was the blank is not known, only that one was."""
    result = _with_appeals_line("2   1   0   0   3   1   0   0   1   2   0   0   0   0")
    assert result.status == "ok", result.message
    appeals = {f.row_code: f for f in result.facts if f.table_code == "appeals"}
    assert {code: format_value(appeals[code].value) for code in _APPEAL_CODES} == dict(
        zip(_APPEAL_CODES, "2 1 0 0 3 1 0 0 1 2 0 0 0 0 0".split())
    )
    assert [f.raw_text for f in appeals.values()].count("") == 1 and not any(f.doubt for f in appeals.values())
    assert cell_values(result) == {k: v for k, v in TRUTH["0022_pdf-layout.txt"].items() if k[0] != "appeals"} | {
        ("appeals", code, ""): format_value(appeals[code].value) for code in _APPEAL_CODES
    }


@pytest.mark.parametrize(
    ("numbers", "why"),
    [
        # review's 1 adds up as 结果维持 or as 结果纠正
        ("1   0   0   1   2   1   0   0   3   0   0   0   0   0", ": 2 placements that read differently add up"),
        # review's 2 + 1 is not its 总计 4 wherever the blank goes: a table that does not add up
        ("2   1   0   0   4   1   0   0   1   2   0   0   0   0", ": no placement adds up"),
    ],
)
def test_pdf_layout_section_four_with_gaps_unread_unless_one_placement_adds_up(numbers, why):
    result = _with_appeals_line(numbers)
    assert result.status == "incomplete"
    assert (
        "appeals row 行政复议、行政诉讼: 14 numbers for 15 cells at line " in result.message
        and f"columns cannot be known{why}" in result.message
    )
    assert not any(f.table_code == "appeals" for f in result.facts)


def test_pdf_layout_page_without_a_complete_row_finds_its_columns():
    """0024's second page of section 三 has no row of seven numbers, and its research-institution
    numbers (at 36) only ever open a line; standing right of the commercial column's (32), they are
    a later column's, which completes the page's columns: e.g. 没有现成信息 `0 1 1` is research 0,
    social welfare 1, total 1."""
    got = cell_values(extract_bytes(report_bytes("0024_pdf-layout.txt")))
    requests = {k: v for k, v in TRUTH["0024_pdf-layout.txt"].items() if k[0] == "requests"}
    assert {k: got.get(k) for k in requests} == requests
    assert [got[("requests", "result.unable.needs_creation", c)] for c in ("research_institution", "social_welfare_org", "total")] == [
        "0",
        "1",
        "1",
    ]
