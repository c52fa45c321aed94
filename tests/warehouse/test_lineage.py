"""mart_lineage and `xxgk trace` on the bundled reports: every figure of mart_agency_year with the
facts it is computed from, and proof that the lineage's declared metric → facts mapping selects
exactly the cells the mart sums, so the two cannot drift apart."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import MART_IDENTITY, RAW, ROOT, build_bundled, xxgk

from pipeline.warehouse.models import discover, materialize

RATES = {"grant_rate": (("granted", "partial"), "handled"), "denial_rate": (("denied",), "handled")}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    _, target = build_bundled(tmp_path_factory.mktemp("lineage"))
    return target


def _mart_rows(con) -> list[dict]:
    cur = con.execute("SELECT * FROM mart_agency_year")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def _lineage(con) -> dict[tuple, list[tuple]]:
    """(agency_id, year, metric) → [(value, table_code, row_code, fact_value), ...]"""
    out: dict[tuple, list[tuple]] = {}
    for agency_id, year, metric, value, table_code, row_code, fact_value in con.execute(
        "SELECT agency_id, year, metric, value, table_code, row_code, fact_value FROM mart_lineage"
    ).fetchall():
        out.setdefault((agency_id, year, metric), []).append((value, table_code, row_code, fact_value))
    return out


def _whole(total: Decimal) -> int | None:
    return int(total) if total == total.to_integral_value() else None


def _assert_lineage_adds_up_to_the_mart(con) -> int:
    """Every metric of every mart_agency_year row: its lineage value is the mart's, a count is the
    sum of its facts, a rate the mart's expression of its counts' facts. How many figures it checked."""
    rows, lineage = _mart_rows(con), _lineage(con)
    assert rows
    metrics = [c for c in rows[0] if c not in MART_IDENTITY]
    assert {m for _, _, m in lineage} == set(metrics)
    checked = 0
    for row in rows:
        for metric in metrics:
            facts = lineage.get((row["agency_id"], row["year"], metric), [])
            mart = row[metric]
            assert facts, (row["agency"], row["year"], metric)
            assert {v for v, *_ in facts} == {None if mart is None else Decimal(str(mart)).quantize(Decimal("0.000001"))}, metric
            if metric in RATES:
                numerators, denominator = RATES[metric]
                cells = {(t, r) for _, t, r, _ in facts}
                inputs = [f for m in (*numerators, denominator) for f in lineage[(row["agency_id"], row["year"], m)]]
                assert cells == {(t, r) for _, t, r, _ in inputs}, metric
                top = sum(f for m in numerators for *_, f in lineage[(row["agency_id"], row["year"], m)])
                bottom = sum(f for *_, f in lineage[(row["agency_id"], row["year"], denominator)])
                assert mart == (float(top) / float(bottom) if bottom else None), metric
            else:
                total = sum(f for *_, f in facts)
                assert mart == (total if metric == "fees_10k_yuan" else _whole(total)), metric
            checked += 1
    return checked


def test_every_figure_is_the_sum_or_expression_of_its_facts(bundled):
    with duckdb.connect(str(bundled), read_only=True) as con:
        assert _assert_lineage_adds_up_to_the_mart(con) == 5 * 17


def test_lineage_selects_exactly_the_cells_the_mart_sums(bundled, tmp_path):
    """Real reports have many zeros, so a sum that agrees proves little about which cells were summed.
    Here every cell of a table weighs a different power of two (a sum of them names its cells), and
    both models are rebuilt from their own SQL on those weights: each figure still adds up only if
    mart_lineage lists exactly the cells mart_agency_year sums."""
    copy = tmp_path / "weighted.duckdb"
    shutil.copy(bundled, copy)
    models = {m.name: m for m in discover()}
    with duckdb.connect(str(copy)) as con:
        con.execute(f"""CREATE OR REPLACE VIEW stg_report_facts AS
            WITH real AS ({models["stg_report_facts"].sql})
            SELECT * REPLACE (CAST(2 ** (dense_rank() OVER (PARTITION BY table_code ORDER BY row_code) - 1) AS DECIMAL(38, 6)) AS value)
            FROM real""")
        (widest,) = con.execute("SELECT max(value) FROM stg_report_facts").fetchone()
        assert widest >= 2**20  # every cell of a table weighs apart
        materialize(con, models["mart_agency_year"])
        materialize(con, models["mart_lineage"])
        assert _assert_lineage_adds_up_to_the_mart(con) == 5 * 17


def test_trace_prints_the_figure_and_the_line_it_was_read_from(bundled):
    raw_line = (RAW / "004_2b19c720d5f1c29d.txt").read_text(encoding="utf-8").splitlines()[92 - 1]
    assert raw_line.strip() == "2331"  # the 总计 cell of 三 一 本年新收
    out = xxgk("trace", "--agency", "北京市通州区", "--year", "2024", "--metric", "new_received", "--warehouse", str(bundled)).stdout
    lines = out.splitlines()
    assert lines[0] == "北京市通州区 2024 new_received = 2331"
    (fact,) = [ln.split() for ln in lines if ln.startswith("004_")]
    assert fact == ["004_2b19c720d5f1c29d.txt", "line", "92", "requests", "new_received", "total", "2331", "2331"]
    with duckdb.connect(str(bundled), read_only=True) as con:
        (report_id,) = con.execute("SELECT report_id FROM reports WHERE source_file = '004_2b19c720d5f1c29d.txt'").fetchone()
    by_report = xxgk("trace", "--report-id", report_id, "--metric", "new_received", "--warehouse", str(bundled)).stdout
    assert by_report == out


def test_trace_of_a_rate_lists_the_counts_it_divides(bundled):
    out = xxgk("trace", "--agency", "北京市通州区", "--year", "2024", "--metric", "grant_rate", "--warehouse", str(bundled)).stdout
    lines = out.splitlines()
    assert lines[0] == f"北京市通州区 2024 grant_rate = {(480 + 201) / 2337}"
    assert lines[1] == "(granted + partial) / handled; NULL when handled is 0."
    facts = [ln.split() for ln in lines if ln.startswith("004_")]
    assert [(f[2], f[4], f[6]) for f in facts] == [
        ("111", "result.granted", "480"),
        ("121", "result.partial", "201"),
        ("340", "result.total", "2337"),
    ]


def test_readme_trace_example_prints_what_the_readme_shows(bundled):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ((command, shown),) = re.findall(r"```\n\$ xxgk (trace [^\n]*)\n(.*?)```", readme, re.S)
    out = xxgk(*command.split(), "--warehouse", str(bundled)).stdout
    assert [ln.rstrip() for ln in out.splitlines()] == shown.splitlines()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--agency", "北京市通州区", "--year", "2024", "--metric", "bogus"],
            "xxgk trace: unknown metric 'bogus'; the metrics of mart_agency_year are carried_forward, carried_over, denial_rate, denied, ",
        ),
        (["--agency", "北京市朝阳区", "--year", "2024", "--metric", "handled"], "xxgk trace: unknown agency '北京市朝阳区'"),
        (["--agency", "北京市通州区", "--year", "2019", "--metric", "handled"], "xxgk trace: 北京市通州区 has no report for 2019"),
        (["--report-id", "0000000000000000", "--metric", "handled"], "xxgk trace: no report has the id 0000000000000000"),
        (["--agency", "北京市通州区", "--metric", "handled"], "xxgk trace: --agency needs --year"),
    ],
)
def test_trace_of_what_is_not_there_is_one_line_and_status_2(bundled, args, message):
    proc = xxgk("trace", *args, "--warehouse", str(bundled), check=False)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert len(proc.stderr.splitlines()) == 1 and proc.stderr.startswith(message), proc.stderr
