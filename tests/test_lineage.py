"""mart_lineage on the bundled reports: every figure of mart_agency_year with the facts it is
computed from, and proof that the lineage's declared metric → facts mapping selects exactly the
cells the mart sums, so the two cannot drift apart."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import build_bundled
from pipeline.warehouse.models import discover, materialize

# mart_agency_year's columns that say whose figures a row holds; every other column is a metric.
IDENTITY = {"agency_id", "agency", "level", "region", "kind", "division_level", "division_code", "year", "form_version",
            "report_id", "source_file"}
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
    metrics = [c for c in rows[0] if c not in IDENTITY]
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
            WITH real AS ({models['stg_report_facts'].sql})
            SELECT * REPLACE (CAST(2 ** (dense_rank() OVER (PARTITION BY table_code ORDER BY row_code) - 1) AS DECIMAL(38, 6)) AS value)
            FROM real""")
        (widest,) = con.execute("SELECT max(value) FROM stg_report_facts").fetchone()
        assert widest >= 2 ** 20  # every cell of a table weighs apart
        materialize(con, models["mart_agency_year"])
        materialize(con, models["mart_lineage"])
        assert _assert_lineage_adds_up_to_the_mart(con) == 5 * 17
