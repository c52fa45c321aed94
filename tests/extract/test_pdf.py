"""PDF reports read from their own drawing: the table grid from the ruling lines, every cell's text
from the characters inside it, prose in reading order without page furniture."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as fpdf
import pytest

from pipeline.extract.readers import pdf
from pipeline.extract.report import extract_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL = FIXTURES / "real"
HONGZE = (REAL / "hongze_2023.pdf").read_bytes()
# A synthetic report as LibreOffice prints it (`xxgk synth`'s HTML → soffice): another producer's
# drawing, a table over three pages, and a row whose wrapped label breaks over a page.
SYNTH = (FIXTURES / "pdf" / "synth_2021_libreoffice.pdf").read_bytes()
# 洪泽区 prints （六）其他处理 as one row, as the 2019 form does, all 0: the 2021 form's three
# sub-rows are 0, read from that one row.
ONE_ROW_OTHER = ("result.other.no_correction", "result.other.unpaid_fee", "result.other.other")


def _expected(path: Path = REAL / "hongze_2023.expected.csv") -> dict[tuple[str, str, str], Decimal]:
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["table_code"], r["row_code"], r["applicant_class"]): Decimal(r["value"]) for r in csv.DictReader(f)}


def _facts(result) -> dict[tuple[str, str, str], Decimal]:
    return {(f.table_code, f.row_code, f.applicant_class or ""): f.value for f in result.facts}


# --- the real report ------------------------------------------------------------------------------


def test_real_pdf_every_cell_as_printed():
    result = extract_bytes(HONGZE)
    assert (result.agency, result.year, result.form_version, result.rendering) == ("洪泽区人民政府", 2023, "2021", "pdf")
    assert _facts(result) == _expected()
    assert len(result.facts) == 200
    assert (result.status, result.problems) == ("ok", [])
    # the three sub-rows come from the one printed row: its place, for each of them
    other = {(f.applicant_class, f.source_box) for f in result.facts if f.row_code in ONE_ROW_OTHER}
    assert len(other) == 7


def test_real_pdf_section_four_reads_as_printed_although_it_does_not_add_up():
    appeals = [f for f in extract_bytes(HONGZE).facts if f.table_code == "appeals"]
    assert [int(f.value) for f in appeals] == [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]


def test_real_pdf_facts_say_page_and_box():
    result = extract_bytes(HONGZE)
    assert all(f.source_line is None and f.source_page in (2, 3, 4) and f.source_box for f in result.facts)
    boxes = {(f.row_code, f.applicant_class): (f.source_page, f.source_box) for f in result.facts}
    # the table split over pages 3 and 4: rows on both, each in its own cell of the grid
    assert boxes[("result.unable.needs_creation", "total")][0] == 3
    assert boxes[("result.unable.unclear", "total")][0] == 4
    page, box = boxes[("review.upheld", None)]
    x0, y0, x1, y1 = map(float, box.split(","))
    assert page == 4 and x0 < x1 and y0 < y1 and 0 < x0 and x1 < 595 and 0 < y0 and y1 < 842
    assert len({f.source_box for f in result.facts}) == len(result.facts) - 2 * 7  # 其他处理's row stands for three
    assert all(figure.source_page == 1 and figure.source_line is None for figure in result.narrative)


def test_real_pdf_prose_is_paragraphs_without_page_numbers():
    doc = pdf.read(HONGZE)
    prose = [b.text for b in doc.blocks if not b.is_row]
    assert prose[:2] == ["洪泽区人民政府", "2023 年政府信息公开工作年度报告"]
    assert not any(text.replace(" ", "").strip("-") in {"1", "2", "3", "4", "5"} for text in prose)
    # a paragraph wrapped over lines, and one running over the break between pages 1 and 2
    assert any("全区受理政府信息公开申请 21 件，均在法定期限答复。" in text for text in prose)
    assert any("严格执行“分级审核、先审后发”程序" in text for text in prose)


def test_real_pdf_merged_cells_are_expanded_into_the_grid():
    rows = [[c.text for c in b.cells] for b in pdf.read(HONGZE).blocks if b.is_row]
    # 三、本年度办理结果 is one cell over 19 rows: its text in the first, blank positions below
    assert ["三、本年度办理结果", "（一）予以公开", "", "0", "0", "0", "0", "0", "0", "0"] in rows
    assert ["", "", "2.其他法律行政止公开", "0", "0", "0", "0", "0", "0", "0"] in rows
    assert ["", "", "3.补正后申请内容仍不明确", "0", "0", "0", "0", "0", "0", "0"] in rows


def test_libreoffice_pdf_reads_ok_with_every_cell():
    result = extract_bytes(SYNTH)
    assert (result.status, result.message) == ("ok", None)
    assert (result.agency, result.year, result.form_version) == ("北京市密云区生态环境局", 2025, "2021")
    assert _facts(result) == _expected(FIXTURES / "pdf" / "synth_2021_libreoffice.expected.csv")


def test_row_broken_over_a_page_is_one_row():
    rows = [b for b in pdf.read(SYNTH).blocks if b.is_row]
    (row,) = [b for b in rows if "另行" in b.text]
    assert row.cells[2].text == "2.没有现成信息需要另行制作" and row.cells[2].page == 3
    assert [c.text for c in row.cells[3:]] == ["0", "-", "-", "-", "0", "-", "-"]


def test_same_file_same_reading():
    assert extract_bytes(HONGZE) == extract_bytes(HONGZE)


# --- grids drawn by hand ----------------------------------------------------------------------------


def _pdf(pages: list[str], trailer: str = "", extra: dict[int, str] | None = None) -> bytes:
    """A PDF with one content stream per page, text in Helvetica."""
    objects = {1: "<< /Type /Catalog /Pages 2 0 R >>", 3: "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}
    kids = []
    for i, content in enumerate(pages):
        page, stream = 4 + 2 * i, 5 + 2 * i
        kids.append(f"{page} 0 R")
        objects[page] = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {stream} 0 R >>"
        )
        objects[stream] = f"<< /Length {len(content)} >>\nstream\n{content}\nendstream"
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>"
    objects.update(extra or {})
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for n in sorted(objects):
        offsets[n] = len(out)
        out += f"{n} 0 obj\n{objects[n]}\nendobj\n".encode()
    xref, size = len(out), max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for n in range(1, size):
        out += f"{offsets[n]:010d} 00000 n \n".encode() if n in offsets else b"0000000000 65535 f \n"
    out += f"trailer\n<< /Size {size} /Root 1 0 R {trailer} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _text(x: float, y: float, s: str) -> str:
    return f"BT /F1 10 Tf {x} {y} Td ({s}) Tj ET"


def _stroke(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"0.5 w {x0} {y0} m {x1} {y1} l S"


def _bar(x0: float, y0: float, x1: float, y1: float) -> str:
    """A border as Word often draws it: a thin filled rectangle."""
    return f"{x0} {y0 - 0.25} {x1 - x0} 0.5 re f" if y0 == y1 else f"{x0 - 0.25} {y0} 0.5 {y1 - y0} re f"


def _rows(doc) -> list[list[str]]:
    return [[c.text for c in b.cells] for b in doc.blocks if b.is_row]


PAGE_1 = "\n".join(
    [
        _text(250, 820, "Annual report header"),  # running header, on both pages
        _text(100, 780, "Title line"),
        "1 1 1 rg 90 730 400 40 re f 0 0 0 rg",  # a paragraph's white shading: no table
        _text(100, 760, "alpha beta gamma delta epsilon zeta"),
        _text(100, 748, "eta theta"),
        _text(120, 736, "New paragraph"),
        *(_bar(100, y, 400, y) for y in (700, 680, 660, 640)),
        _stroke(100, 640, 100, 700),
        _stroke(300, 640, 300, 700),
        _stroke(400, 640, 400, 700),
        _stroke(200, 640, 200, 680),  # "Head" spans the first two columns
        _text(110, 686, "Head"),
        _text(310, 686, "C"),
        _text(110, 666, "a"),
        _text(210, 666, "1"),  # the third cell is blank
        _text(110, 646, "b"),
        _text(210, 646, "2"),
        _text(310, 646, "3"),
        _text(290, 40, "- 1 -"),
    ]
)
# The table runs on: its first row has no line above it, as Word draws a table broken by a page.
PAGE_2 = "\n".join(
    [
        _text(250, 820, "Annual report header"),
        *(_stroke(x, 760, x, 800) for x in (100, 200, 300, 400)),
        _stroke(100, 780, 400, 780),
        _stroke(100, 760, 400, 760),
        _text(110, 786, "c"),
        _text(210, 786, "4"),
        _text(310, 786, "5"),
        _text(110, 766, "d"),
        _text(210, 766, "6"),
        _text(310, 766, "7"),
        _text(100, 700, "The end."),
        _text(280, 40, "2/2"),
    ]
)


def test_grid_cells_blank_merged_and_continued_over_a_page():
    doc = pdf.read(_pdf([PAGE_1, PAGE_2]))
    assert _rows(doc) == [["Head", "", "C"], ["a", "1", ""], ["b", "2", "3"], ["c", "4", "5"], ["d", "6", "7"]]
    cells = [b.cells for b in doc.blocks if b.is_row]
    assert (cells[0][0].box, cells[0][1].box, cells[0][0].page) == ("100.0,680.0,300.0,700.0",) * 2 + (1,)
    assert (cells[1][2].text, cells[1][2].box) == ("", "300.0,660.0,400.0,680.0")
    assert (cells[3][0].page, cells[3][0].box) == (2, "100.0,780.0,200.0,800.0")


def test_prose_in_reading_order_without_furniture():
    doc = pdf.read(_pdf([PAGE_1, PAGE_2]))
    assert [(b.is_row, b.text if not b.is_row else None, b.cells[0].page) for b in doc.blocks] == [
        (False, "Title line", 1),
        (False, "alpha beta gamma delta epsilon zeta eta theta", 1),
        (False, "New paragraph", 1),
        *[(True, None, 1)] * 3,
        *[(True, None, 2)] * 2,
        (False, "The end.", 2),
    ]


def _broken_row(rest: str, rest_value: str = "") -> bytes:
    """A two-column table at the foot of page 1 going on at the head of page 2."""

    def grid(top: int) -> list[str]:
        return [
            _stroke(100, top - 40, 100, top),
            _stroke(200, top - 40, 200, top),
            _stroke(300, top - 40, 300, top),
            _stroke(100, top, 300, top),
            _stroke(100, top - 20, 300, top - 20),
            _stroke(100, top - 40, 300, top - 40),
        ]

    page_1 = "\n".join(
        [
            _text(100, 300, "Prose"),
            *grid(140),
            _text(110, 126, "a"),
            _text(210, 126, "1"),
            _text(110, 106, "Label wraps"),
            _text(210, 106, "5"),
        ]
    )
    page_2 = "\n".join([*grid(800), _text(110, 786, rest), _text(210, 786, rest_value), _text(110, 766, "c"), _text(210, 766, "6")])
    return _pdf([page_1, page_2])


def test_row_broken_over_pages_is_joined_only_when_it_holds_the_rest_of_its_words():
    assert _rows(pdf.read(_broken_row("here"))) == [["a", "1"], ["Label wraps here", "5"], ["c", "6"]]
    # a new item, or a number, starts a row of its own
    assert _rows(pdf.read(_broken_row("3. next"))) == [["a", "1"], ["Label wraps", "5"], ["3. next", ""], ["c", "6"]]
    assert _rows(pdf.read(_broken_row("x", "7"))) == [["a", "1"], ["Label wraps", "5"], ["x", "7"], ["c", "6"]]


# --- what is rejected -------------------------------------------------------------------------------


def _saved(doc: pdfium.PdfDocument) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_scanned_pdf_is_rejected_with_the_ocr_command():
    doc = pdfium.PdfDocument.new()
    page = doc.new_page(595, 842)
    image = pdfium.PdfImage.new(doc)
    bitmap = pdfium.PdfBitmap.new_native(60, 80, fpdf.FPDFBitmap_BGR)
    bitmap.fill_rect((200, 200, 200, 255), 0, 0, 60, 80)
    image.set_bitmap(bitmap)
    image.set_matrix(pdfium.PdfMatrix().scale(500, 700).translate(40, 60))
    page.insert_obj(image)
    page.gen_content()
    result = extract_bytes(_saved(doc))
    assert (result.status, result.problems) == ("rejected", [pdf.SCANNED])
    assert result.problems[0] == (
        "a scanned PDF without a text layer; xxgk does not read images (OCR it first, e.g. with ocrmypdf --language chi_sim)"
    )


def test_pdf_with_only_page_numbers_is_a_scan():
    result = extract_bytes(_pdf([_text(290, 40, "- 1 -"), _text(290, 40, "- 2 -")]))
    assert result.problems == [pdf.SCANNED]


def test_encrypted_pdf_is_rejected_saying_so():
    encrypt = {99: "<< /Filter /Standard /V 1 /R 2 /O <" + "11" * 32 + "> /U <" + "22" * 32 + "> /P -44 >>"}
    data = _pdf([_text(100, 700, "secret")], trailer="/Encrypt 99 0 R /ID [<" + "ab" * 16 + "> <" + "ab" * 16 + ">]", extra=encrypt)
    result = extract_bytes(data)
    assert result.status == "rejected"
    assert result.problems[0].startswith("an encrypted PDF: it opens only with a password")


@pytest.mark.parametrize("data", [b"%PDF-1.4\n" + b"\x00garbage" * 100, b"%PDF-1.7\n%%EOF\n"])
def test_damaged_pdf_is_rejected_saying_so(data):
    result = extract_bytes(data)
    assert result.status == "rejected"
    assert result.problems[0].startswith("a damaged PDF")


def test_too_many_pages_is_rejected_saying_so():
    doc = pdfium.PdfDocument.new()
    for _ in range(pdf.MAX_PAGES + 1):
        doc.new_page(595, 842)
    result = extract_bytes(_saved(doc))
    assert (result.status, result.problems) == ("rejected", ["a PDF of 201 pages; xxgk reads at most 200"])


def test_two_hundred_pages_are_read():
    data = _pdf([PAGE_1] * pdf.MAX_PAGES)
    doc = pdf.read(data)
    assert len(_rows(doc)) == 3 * pdf.MAX_PAGES


@pytest.mark.parametrize(
    ("bound", "what"),
    [
        ("MAX_CHARS", "characters"),
        ("MAX_OBJECTS", "page objects"),
        ("MAX_SEGMENTS", "path segments"),
    ],
)
def test_drawing_beyond_a_bound_is_rejected_saying_which(monkeypatch, bound, what):
    monkeypatch.setattr(pdf, bound, 500)
    result = extract_bytes(HONGZE)
    assert (result.status, result.problems) == ("rejected", [f"a PDF drawing more than 500 {what}; xxgk reads at most that many"])


def test_a_page_of_too_many_lines_is_rejected_saying_which(monkeypatch):
    monkeypatch.setattr(pdf, "MAX_PAGE_LINES", 20)
    result = extract_bytes(HONGZE)
    assert result.problems == ["a PDF whose page 3 draws more than 20 lines; xxgk reads at most that many"]


@pytest.mark.parametrize("eof", [b"", b"\n%%EOF\n"], ids=["cut", "cut-with-end-marker"])
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (HONGZE, REAL / "hongze_2023.expected.csv"),
        (SYNTH, FIXTURES / "pdf" / "synth_2021_libreoffice.expected.csv"),
    ],
    ids=["word", "libreoffice"],
)
def test_cut_pdf_never_crashes_nor_reads_ok_with_wrong_numbers(eof, data, expected):
    expected = _expected(expected)
    for twentieth in range(1, 20):
        result = extract_bytes(data[: len(data) * twentieth // 20] + eof)
        assert result.status != "ok"
        assert all(expected[key] == value for key, value in _facts(result).items())


def test_cut_pdf_that_pdfium_can_mend_is_rejected_as_cut():
    """pdfium rebuilds a cut file whose trailer comes first (as a linearized file's does); what it
    then shows is only part of the drawing."""
    data = _pdf([PAGE_1, PAGE_2]).replace(b"%PDF-1.4\n", b"%PDF-1.4\ntrailer\n<< /Size 8 /Root 1 0 R >>\n", 1)
    cut = data[: data.index(b"The end.")]
    assert isinstance(pdfium.PdfDocument(cut + b"\n%%EOF\n"), pdfium.PdfDocument)  # pdfium does open it
    assert extract_bytes(cut).problems == [
        "a damaged PDF: it ends without its end marker (%%EOF) and its cross-reference table is broken, so the file was cut off"
    ]


def _without_cell(data: bytes, box: str, page_no: int) -> bytes:
    """The PDF with one cell's text gone, and with it the ruling line on the cell's left, cut out
    along the cell's height: as if the cell and its border had never been drawn."""
    x0, y0, x1, y1 = map(float, box.split(","))
    doc = pdfium.PdfDocument(data)
    page = doc[page_no - 1]
    for obj in list(page.get_objects()):
        left, bottom, right, top = obj.get_bounds()
        inside = left >= x0 - 1 and right <= x1 + 1 and bottom >= y0 - 1 and top <= y1 + 1
        if obj.type == fpdf.FPDF_PAGEOBJ_TEXT and inside:
            page.remove_obj(obj)
        elif (
            obj.type == fpdf.FPDF_PAGEOBJ_PATH
            and abs((left + right) / 2 - x0) < 2
            and right - left < 3
            and bottom <= y0 + 1
            and top >= y1 - 1
        ):
            x = (left + right) / 2
            page.remove_obj(obj)
            for lo, hi in ((bottom, y0), (y1, top)):
                if hi - lo > 0.5:
                    path = fpdf.FPDFPageObj_CreateNewPath(x, lo)
                    fpdf.FPDFPath_LineTo(path, x, hi)
                    fpdf.FPDFPath_SetDrawMode(path, fpdf.FPDF_FILLMODE_NONE, True)
                    fpdf.FPDFPageObj_SetStrokeWidth(path, right - left)
                    fpdf.FPDFPage_InsertObject(page.raw, path)
    page.gen_content()
    return _saved(doc)


def test_a_value_cell_removed_with_its_border_is_never_ok_nor_wrong():
    """Each value cell of section 三 of a LibreOffice-printed report removed with its left border:
    the row's grid then has a box over two columns, and the report is never ok, and no fact read
    without doubt differs from the report's own value."""
    truth = _expected(FIXTURES / "pdf" / "synth_2021_libreoffice.expected.csv")
    facts = [f for f in extract_bytes(SYNTH).facts if f.table_code == "requests" and f.applicant_class != "natural_person"]
    assert len(facts) == 25 * 6  # 25 rows of section 三 in the 2021 form
    for fact in facts[::5]:
        result = extract_bytes(_without_cell(SYNTH, fact.source_box, fact.source_page))
        assert result.status != "ok", fact
        assert "6 cells where the form has 7" in result.message
        for f in result.facts:
            if f.doubt is None:
                assert f.value == truth[(f.table_code, f.row_code, f.applicant_class or "")], (fact, f)


def test_a_damaged_font_leaves_its_cells_unread_not_blank():
    """200 bytes of a report's embedded Latin font repeated: pdfium draws the digits' text objects
    but can give no text for them. Their cells looked blank and read 0 (ok, 45 cells wrong)."""
    data = (FIXTURES / "native" / "reports" / "0002_pdf.pdf").read_bytes()
    damaged = data[:109604] + data[109404:]
    result = extract_bytes(damaged)
    assert result.status == "incomplete"
    assert "unreadable cell '\ufffd' at page 2" in result.message
    assert "text drawn in a font whose characters cannot be read" in result.message
    truth = {k: v for k, v in _facts(extract_bytes(data)).items()}
    assert all(v == truth[k] for k, v in _facts(result).items())
