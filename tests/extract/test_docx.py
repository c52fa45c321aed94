"""Word .docx files read from their document XML: the committed corpus and generated reports read
every cell exact with its place, merged and nested cells keep their grid positions, and damaged or
foreign zips never crash nor give an `ok` report with wrong numbers."""

from __future__ import annotations

import csv
import importlib.util
import io
import random
import zipfile
from pathlib import Path

import pytest
import wordml
from conftest import cell_values, expected_cells
from wordml import TC

from pipeline.extract import readers
from pipeline.extract.readers import docx
from pipeline.extract.report import extract_bytes
from pipeline.extract.values import format_value
from pipeline.form.codebook import expected_keys
from pipeline.synth import corpus

NATIVE = Path(__file__).resolve().parents[1] / "fixtures" / "native" / "docx"
# Loaded by path under its own name: other fixture folders have a make.py too.
_spec = importlib.util.spec_from_file_location("native_docx_make", NATIVE / "make.py")
make = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make)

with (NATIVE / "manifest.csv").open(encoding="utf-8", newline="") as f:
    MANIFEST = list(csv.DictReader(f))


def _expected(name: str) -> dict[tuple[str, str, str], str]:
    return expected_cells(NATIVE / f"{name}.expected.csv")


def _texts_by_place(data: bytes) -> dict[str, str]:
    doc = docx.read(data)
    assert not isinstance(doc, str), doc
    out: dict[str, str] = {}
    for block in doc.blocks:
        for cell in block.cells:
            if cell.place is not None:
                out.setdefault(cell.place, cell.text)
    return out


def _assert_read_exact(data: bytes, expected: dict, agency: str, year: int, form_version: str) -> None:
    result = extract_bytes(data)
    assert result.status == "ok", result.message
    assert (result.agency, result.year, result.form_version, result.rendering) == (agency, year, form_version, "docx")
    assert cell_values(result) == expected
    places = _texts_by_place(data)
    for fact in result.facts:
        assert fact.source_line is None and fact.source_page is None and fact.source_box is None
        # The place names the cell the number was printed in.
        assert places[fact.source_cell].strip() == fact.raw_text, fact


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["source_file"] for e in MANIFEST])
def test_committed_docx_reads_every_cell_exact(entry):
    data = (NATIVE / entry["source_file"]).read_bytes()
    assert readers.sniff(data) == "docx"
    assert entry["expected_status"] == "ok"
    _assert_read_exact(
        data, _expected(entry["source_file"].removesuffix(".docx")), entry["agency"], int(entry["year"]), entry["form_version"]
    )


@pytest.mark.parametrize("name", make.VARIANTS)
def test_committed_corpus_is_what_make_writes(name):
    """The fixtures are generated, not edited by hand: rerunning the script gives the same XML."""
    _, data = make.build(name)
    with zipfile.ZipFile(io.BytesIO(data)) as new, zipfile.ZipFile(NATIVE / f"{name}.docx") as old:
        assert new.read("word/document.xml") == old.read("word/document.xml")


@pytest.mark.parametrize("seed", range(12))
def test_generated_reports_read_exact(seed):
    """Both forms, every zero style, Word's split runs, wrapped header cells, full-width digits,
    two-line titles and the outer frame, in every combination the seeds draw."""
    ((report, _, _),) = corpus.build(corpus.Options(1, 100 + seed, ("docx-text",), "both"))
    rng = random.Random(seed)
    if seed % 4 == 0:
        make.blank_zeros(report)
    how = {k: rng.random() < 0.5 for k in ("split_runs", "wrap", "fullwidth", "two_line_title")}
    body = wordml.report_body(report, rng, **how)
    data = wordml.docx(wordml.framed(body) if seed % 3 == 0 else body)
    expected = {(k[0], k[1], k[2] or ""): format_value(report.values[k]) for k in expected_keys(report.form_version)}
    _assert_read_exact(data, expected, report.agency, report.year, report.form_version)


def test_blank_cells_read_as_zero_at_their_place():
    ((report, _, _),) = corpus.build(corpus.Options(1, 3, ("docx-text",), "2021"))
    make.blank_zeros(report)
    report.cells[("requests", "new_received", "natural_person")] = ""
    report.values[("requests", "new_received", "natural_person")] = 0
    report.cells[("appeals", "review.corrected", None)] = ""
    report.values[("appeals", "review.corrected", None)] = 0
    result = extract_bytes(wordml.docx(wordml.report_body(report, random.Random(0))))
    by_key = {(f.table_code, f.row_code, f.applicant_class): f for f in result.facts}
    # 一、本年新收 spans the three label columns, so its first number is grid column 4 of row 4.
    new = by_key[("requests", "new_received", "natural_person")]
    assert (new.value, new.raw_text, new.source_cell) == (0, "", "table 2 row 4 cell 4")
    corrected = by_key[("appeals", "review.corrected", None)]
    assert (corrected.value, corrected.raw_text, corrected.source_cell) == (0, "", "table 3 row 4 cell 2")
    assert sum(f.raw_text == "" for f in result.facts) > 20


def _rows(doc) -> list[list[tuple[str, str | None]]]:
    return [[(c.text, c.place) for c in b.cells] for b in doc.blocks if b.is_row]


def test_merged_cells_keep_their_grid_positions():
    rows = [
        [TC("申请人情况", span=3, vmerge="restart"), TC("总计")],
        [TC(span=3, vmerge="continue"), TC("5")],
        [TC("甲", vmerge="restart"), TC("乙", span=2), TC("")],
        [TC(vmerge="continue"), TC("1"), TC("2"), TC("3")],
    ]
    doc = docx.read(wordml.docx(wordml.paragraph("标题") + wordml.table(rows)))
    assert _rows(doc) == [
        [
            ("申请人情况", "table 1 row 1 cell 1"),
            ("", "table 1 row 1 cell 1"),
            ("", "table 1 row 1 cell 1"),
            ("总计", "table 1 row 1 cell 4"),
        ],
        [("", "table 1 row 2 cell 1"), ("", "table 1 row 2 cell 1"), ("", "table 1 row 2 cell 1"), ("5", "table 1 row 2 cell 4")],
        [("甲", "table 1 row 3 cell 1"), ("乙", "table 1 row 3 cell 2"), ("", "table 1 row 3 cell 2"), ("", "table 1 row 3 cell 4")],
        [("", "table 1 row 4 cell 1"), ("1", "table 1 row 4 cell 2"), ("2", "table 1 row 4 cell 3"), ("3", "table 1 row 4 cell 4")],
    ]


def test_a_continued_merge_is_blank_even_if_its_xml_holds_text():
    rows = [[TC("7", vmerge="restart")], [TC("7", vmerge="continue")]]
    assert _rows(docx.read(wordml.docx(wordml.table(rows)))) == [[("7", "table 1 row 1 cell 1")], [("", "table 1 row 2 cell 1")]]


def test_paragraph_runs_tabs_and_breaks():
    xml = (
        '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        "<w:r><w:t>北京市</w:t></w:r><w:r><w:t>通州区</w:t></w:r><w:r><w:tab/><w:t>2024</w:t></w:r>"
        "<w:r><w:instrText> PAGE </w:instrText></w:r><w:del><w:r><w:delText>删去</w:delText></w:r></w:del>"
        "<w:r><w:br/><w:t>年报</w:t></w:r></w:p>"
    )
    doc = docx.read(wordml.docx(xml))
    assert doc.lines == ["北京市通州区 2024", "年报"]
    assert not any(b.is_row for b in doc.blocks)


def test_nested_table_text_joins_its_cell():
    inner = wordml.table([[TC("法人或"), TC("其他组织")]])
    rows = [[TC("申请人", inner=inner), TC("3")]]
    doc = docx.read(wordml.docx(wordml.table(rows)))
    assert _rows(doc) == [[("申请人\n法人或\n其他组织", "table 1 row 1 cell 1"), ("3", "table 1 row 1 cell 2")]]


def test_two_numbers_in_one_cell_stay_two():
    doc = docx.read(wordml.docx(wordml.table([[TC("20\n30")]])))
    assert _rows(doc) == [[("20\n30", "table 1 row 1 cell 1")]]


def test_outer_frame_is_read_as_the_body():
    body = wordml.paragraph("北京市通州区2024年政府信息公开工作年度报告") + wordml.table([[TC("a"), TC("1")]])
    framed = wordml.framed(body) + wordml.table([[TC("b"), TC("2")]])
    doc = docx.read(wordml.docx(framed))
    assert doc.lines[0] == "北京市通州区2024年政府信息公开工作年度报告"
    # The frame is not a table of the report: the first table read is table 1.
    assert _rows(doc) == [
        [("a", "table 1 row 1 cell 1"), ("1", "table 1 row 1 cell 2")],
        [("b", "table 2 row 1 cell 1"), ("2", "table 2 row 1 cell 2")],
    ]


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def _report() -> tuple[bytes, dict]:
    data = (NATIVE / "docx_2021_plain.docx").read_bytes()
    return data, _expected("docx_2021_plain")


def test_a_zip_that_is_not_a_word_file_is_not_read_as_one():
    data = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
    assert readers.sniff(data) is None
    result = extract_bytes(data)
    assert result.status == "rejected"
    assert result.message.startswith("binary file: a zip archive that is not a readable Word .docx")
    assert docx.read(data) == "a zip file without word/document.xml: not a Word document"


def test_word_xml_of_another_vocabulary_is_rejected():
    data = _zip({"word/document.xml": b'<?xml version="1.0"?><html><body>2024</body></html>'})
    result = extract_bytes(data)
    assert result.status == "rejected"
    assert "not a Word document (its root is 'html')" in result.message


def _with_document_xml(data: bytes, xml: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {name: z.read(name) for name in z.namelist()}
    return _zip({**files, "word/document.xml": xml})


def _document_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml")


def _never_wrong(data: bytes, expected: dict) -> str:
    result = extract_bytes(data)
    if result.status == "ok":
        assert cell_values(result) == expected
    else:
        assert all(expected[key] == value for key, value in cell_values(result).items())
    return result.status


def test_truncated_docx_never_crashes_nor_reads_wrong():
    data, expected = _report()
    statuses = {_never_wrong(data[:cut], expected) for cut in range(0, len(data), 97)}
    assert statuses == {"rejected"}
    # Cut before its directory, a .docx is a zip that says nothing more: the message says it may be one.
    assert "a .docx cut off or damaged" in extract_bytes(data[: len(data) // 2]).message


def test_cut_document_xml_is_rejected_as_damaged():
    data, expected = _report()
    xml = _document_xml(data)
    for cut in range(1, len(xml), len(xml) // 23):
        damaged = _with_document_xml(data, xml[:cut])
        assert _never_wrong(damaged, expected) == "rejected"
        assert "damaged Word file" in docx.read(damaged)


def test_garbage_document_xml_is_rejected():
    data, _ = _report()
    garbage = random.Random(1).randbytes(5000)
    message = docx.read(_with_document_xml(data, garbage))
    assert message.startswith("a damaged Word file: its word/document.xml is not well-formed XML")
    assert extract_bytes(_with_document_xml(data, garbage)).status == "rejected"


def test_report_cut_after_a_table_row_is_incomplete_with_what_was_read():
    data, expected = _report()
    xml = _document_xml(data).decode("utf-8")
    cut = xml.index("</w:tr>", xml.index("三、收到和处理")) + len("</w:tr>")
    for _ in range(8):
        cut = xml.index("</w:tr>", cut) + len("</w:tr>")
    damaged = _with_document_xml(data, (xml[:cut] + "</w:tbl></w:body></w:document>").encode())
    result = extract_bytes(damaged)
    assert result.status == "incomplete" and "missing appeals cells" in result.message
    assert _never_wrong(damaged, expected) == "incomplete"


@pytest.mark.parametrize(
    ("span", "message"),
    [
        ("x", "a damaged Word file: a table's gridSpan is 'x', not a number"),
        ("1000000000", "a damaged Word file: table 1 row 1 is more than 1000 columns wide"),
    ],
)
def test_impossible_spans_are_rejected(span, message):
    xml = '<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="SPAN"/></w:tcPr><w:p/></w:tc></w:tr></w:tbl>'.replace("SPAN", span)
    assert docx.read(wordml.docx(xml)) == message


def test_zip_bomb_is_rejected_without_unpacking_it():
    xml = b"<w:document>" + b" " * (docx.MAX_XML_BYTES + 1)
    data = _zip({"word/document.xml": xml})
    assert len(data) < docx.MAX_XML_BYTES // 100
    result = extract_bytes(data)
    assert result.status == "rejected"
    assert result.message.startswith("a Word file whose word/document.xml unpacks to more than 16,777,216 bytes")


def test_a_document_declaring_entities_is_rejected_unexpanded():
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "1234567890"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<w:document xmlns:w="' + wordml.W_NS.encode() + b'"><w:body><w:p><w:r><w:t>&b;</w:t></w:r></w:p>'
        b"</w:body></w:document>"
    )
    message = docx.read(_zip({"word/document.xml": xml}))
    assert message == "a damaged Word file: its word/document.xml declares a DTD, which Word never writes"


def test_password_protected_word_file_is_rejected_saying_so():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptionInfo\0EncryptedPackage".encode("utf-16-le")
    assert readers.sniff(ole) == "doc"
    result = extract_bytes(ole)
    assert result.status == "rejected"
    assert result.message == "a password-protected Word file: it cannot be read; save it again without a password"


def test_a_value_cell_removed_with_its_borders_is_never_ok_nor_wrong():
    """Each of the form's value cells (a w:tc holding only a number or nothing) removed in turn:
    in a Word table the cell element is the border. The report is never ok, and no fact read
    without doubt differs from the report's own value."""
    import re

    ((report, _, _),) = corpus.build(corpus.Options(1, 7, ("docx-text",), "2021"))
    make.blank_zeros(report)
    body = wordml.report_body(report, random.Random(1))
    truth = {(k[0], k[1], k[2]): report.values[k] for k in expected_keys(report.form_version)}
    cells = [
        m.span()
        for m in re.finditer(r"<w:tc>(?:(?!</w:tc>).)*</w:tc>", body)
        if "gridSpan" not in m.group()
        and "vMerge" not in m.group()
        and re.fullmatch(r"[\d.]*", "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", m.group()))) is not None
    ]
    assert len(cells) == 196  # the four one-number rows of section 二 span their columns
    for start, end in cells:
        result = extract_bytes(wordml.docx(body[:start] + body[end:]))
        assert result.status != "ok"
        for f in result.facts:
            if f.doubt is None:
                assert f.value == truth[(f.table_code, f.row_code, f.applicant_class)], (f, start)
