"""`xxgk extract`: the command-line contract."""

import csv
import io
import json
from pathlib import Path

from conftest import RAW, golden_facts, xxgk

TONGZHOU = RAW / "004_2b19c720d5f1c29d.txt"


def test_csv_header_and_values():
    out = xxgk("extract", str(TONGZHOU)).stdout
    lines = out.splitlines()
    assert lines[0] == "source_file,agency,year,form_version,table_code,row_code,applicant_class,value"
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 200
    assert {r["source_file"] for r in rows} == {str(TONGZHOU)}
    assert {(r["agency"], r["year"], r["form_version"]) for r in rows} == {("北京市通州区", "2024", "2021")}
    by_key = {(r["table_code"], r["row_code"], r["applicant_class"]): r["value"] for r in rows}
    assert by_key[("proactive", "fees.amount_10k_yuan", "")] == "28983.0794"
    assert by_key[("requests", "new_received", "total")] == "2331"
    assert [(t, c, a, v) for t, c, a, v, _ in golden_facts(TONGZHOU.stem)] == [
        (r["table_code"], r["row_code"], r["applicant_class"], r["value"]) for r in rows
    ]


def test_jsonl_values_are_strings():
    out = xxgk("extract", "--format", "jsonl", str(TONGZHOU)).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    fee = next(r for r in rows if r["row_code"] == "fees.amount_10k_yuan")
    assert fee == {
        "source_file": str(TONGZHOU),
        "agency": "北京市通州区",
        "year": 2024,
        "form_version": "2021",
        "table_code": "proactive",
        "row_code": "fees.amount_10k_yuan",
        "applicant_class": None,
        "value": "28983.0794",
    }


def test_not_a_report_yields_no_facts_and_a_reason(tmp_path: Path):
    note = tmp_path / "note.txt"
    note.write_text("会议通知：明天上午九点开会。\n", encoding="utf-8")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n%binary")
    proc = xxgk("extract", str(note), str(pdf), str(TONGZHOU))
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 201
    assert f"{note}: rejected: not a government information disclosure annual report" in proc.stderr
    assert f"{pdf}: rejected: a damaged PDF: pdfium cannot open it" in proc.stderr


def test_incomplete_report_yields_the_cells_read(tmp_path: Path):
    lines = TONGZHOU.read_text(encoding="utf-8").split("\n")
    cut = tmp_path / "cut.txt"
    cut.write_text("\n".join(lines[:200]), encoding="utf-8")  # stops inside section 三
    proc = xxgk("extract", str(cut))
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert proc.returncode == 0
    assert 10 < len(rows) < 200
    assert f"{cut}: incomplete: " in proc.stderr and "missing appeals cells" in proc.stderr
    expected = {(t, c, a): v for t, c, a, v, line in golden_facts(TONGZHOU.stem) if line <= 200}
    assert {(r["table_code"], r["row_code"], r["applicant_class"]): r["value"] for r in rows} == expected


def test_missing_path_is_a_usage_error(tmp_path: Path):
    proc = xxgk("extract", str(tmp_path / "nope.txt"), check=False)
    assert proc.returncode == 2
    assert "no such file" in proc.stderr
    assert proc.stdout == ""


def test_every_published_format_from_the_command_line():
    """A web page, a PDF and a Word file, each read from its own structure: 200 facts apiece."""
    fixtures = Path(__file__).resolve().parent / "fixtures"
    files = [
        fixtures / "real" / "shuyang_fgj_2023.html",
        fixtures / "real" / "hongze_2023.pdf",
        next((fixtures / "native" / "docx").glob("*.docx")),
    ]
    out = xxgk("extract", *map(str, files)).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    counts = {f: sum(1 for r in rows if r["source_file"] == str(f)) for f in files}
    assert counts == {f: 200 for f in files}
    agencies = {r["source_file"]: r["agency"] for r in rows}
    assert agencies[str(files[0])] == "沭阳县发展和改革局" and agencies[str(files[1])] == "洪泽区人民政府"


def test_long_numbers_are_printed_with_every_digit(tmp_path: Path):
    """Decimal's default context keeps 28 digits; what the report says has 29 and more."""
    text = TONGZHOU.read_text(encoding="utf-8")
    fees = {"29 digits.txt": "123456789012345678901234.56789", "38 digits.txt": "12345678901234567890123456789012.123456"}
    for name, fee in fees.items():
        (tmp_path / name).write_text(text.replace("\t28983.0794\n", f"\t{fee}\n"), encoding="utf-8")
    proc = xxgk("extract", *sorted(fees), cwd=tmp_path)
    assert proc.stderr == ""
    got = {r["source_file"]: r["value"] for r in csv.DictReader(io.StringIO(proc.stdout)) if r["row_code"] == "fees.amount_10k_yuan"}
    assert got == fees


def test_a_number_the_warehouse_cannot_hold_is_printed_empty_and_named(tmp_path: Path):
    text = TONGZHOU.read_text(encoding="utf-8")
    (tmp_path / "long.txt").write_text(text.replace("\t2331\n", "\t" + "1" * 33 + "\n", 1), encoding="utf-8")
    proc = xxgk("extract", "long.txt", cwd=tmp_path)
    rows = [r for r in csv.DictReader(io.StringIO(proc.stdout)) if r["value"] == ""]
    assert [(r["row_code"], r["applicant_class"]) for r in rows] == [("new_received", "total")]
    assert proc.stderr.startswith("long.txt: incomplete: ")
    assert f"requests.new_received.total (line 92: {'1' * 33})" in proc.stderr
