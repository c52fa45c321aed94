"""The two real published reports, as users get them (a PDF and a saved web page), through `xxgk
run`: every cell as typed by hand from the published tables, and the government's own table that
does not add up reported as a finding."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import ROOT, xxgk

REAL = ROOT / "tests" / "fixtures" / "real"
FILES = {"hongze_2023.pdf": ("洪泽区人民政府", 2023), "shuyang_fgj_2023.html": ("沭阳县发展和改革局", 2023)}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("real")
    raw = tmp / "raw"
    raw.mkdir()
    for name in FILES:
        shutil.copy(REAL / name, raw / name)
    target = tmp / "w" / "x.duckdb"
    xxgk("run", "--raw", str(raw), "--warehouse", str(target), cwd=tmp)
    return target


def _expected(name: str) -> dict[tuple, Decimal]:
    stem = name.rsplit(".", 1)[0]
    with (REAL / f"{stem}.expected.csv").open(encoding="utf-8", newline="") as f:
        return {(r["table_code"], r["row_code"], r["applicant_class"] or None): Decimal(r["value"]) for r in csv.DictReader(f)}


@pytest.mark.parametrize("name", list(FILES))
def test_every_cell_exact_and_ok(warehouse, name):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        status, agency, year, rendering = con.execute(
            "SELECT status, agency, year, rendering FROM reports WHERE source_file = ?", [name]
        ).fetchone()
        facts = con.execute(
            """SELECT table_code, row_code, applicant_class, value FROM facts JOIN reports USING (report_id)
                               WHERE source_file = ?""",
            [name],
        ).fetchall()
    assert (status, agency, year) == ("ok", *FILES[name])
    assert rendering == name.rsplit(".", 1)[1]
    assert {(t, r, c): v for t, r, c, v in facts} == _expected(name)


def test_provenance_by_format(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = dict(
            con.execute("""SELECT source_file, count(*) FILTER (source_line IS NOT NULL AND source_page IS NULL)
                                          || '/' || count(*) FILTER (source_page IS NOT NULL AND source_box IS NOT NULL
                                                                      AND source_line IS NULL)
                                   FROM facts JOIN reports USING (report_id) GROUP BY source_file""").fetchall()
        )
        published = con.execute("SELECT published_on FROM reports WHERE source_file = 'shuyang_fgj_2023.html'").fetchone()
    assert rows == {"shuyang_fgj_2023.html": "200/0", "hongze_2023.pdf": "0/200"}
    assert str(published[0]) == "2024-01-17"


def test_the_governments_section_four_that_does_not_add_up_is_two_findings(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute("""SELECT row_code, expected, actual, detail FROM check_results
                               WHERE check_name = 'appeals_total' ORDER BY row_code""").fetchall()
    assert [(r, e, a) for r, e, a, _ in found] == [
        ("review.total", Decimal(11), Decimal(0)),
        ("suit_after_review.total", Decimal(5), Decimal(0)),
    ]
    assert all(d.startswith("hongze_2023.pdf page 4: 总计 0") for *_, d in found)


def test_trace_of_a_pdf_figure_names_its_page(warehouse):
    # pdftotext -f 3 -l 3 -layout hongze_2023.pdf: 一、本年新收政府信息公开申请数量 21 0 0 0 0 0 21
    out = xxgk("trace", "--agency", "洪泽区人民政府", "--year", "2023", "--metric", "new_received", "--warehouse", str(warehouse)).stdout
    lines = out.splitlines()
    assert lines[0] == "江苏省淮安市洪泽区人民政府 2023 new_received = 21"
    assert [ln.split() for ln in lines if ln.startswith("hongze_")] == [
        ["hongze_2023.pdf", "page", "3", "requests", "new_received", "total", "21", "21"]
    ]
