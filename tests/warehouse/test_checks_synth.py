"""check_results against `xxgk synth` series with planted errors (pipeline/synth's planted.csv):
every planted error is found, in the right file and applicant class, and nothing else is.

planted.csv follows check_results' conventions (the cell checked, expected by the rule, actual as
written), so every finding is compared cell for cell, with its values.
"""

import csv
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import xxgk

from pipeline.synth.corpus import PLANT_HEADER


@pytest.fixture(scope="module")
def series(tmp_path_factory) -> tuple[Path, Path]:
    work = tmp_path_factory.mktemp("synth")
    corpus = work / "corpus"
    xxgk(
        "synth",
        "--n",
        "40",
        "--out",
        str(corpus),
        "--seed",
        "1",
        "--years",
        "3",
        "--form",
        "both",
        "--plant",
        "row_total,result_total,balance,carryover,narrative",
    )
    target = work / "out" / "x.duckdb"
    proc = xxgk("run", "--raw", str(corpus / "reports"), "--warehouse", str(target), cwd=work)
    assert "checks: 11 evaluated" in proc.stdout
    return corpus / "planted.csv", target


def test_planted_errors_are_found_and_nothing_else(series):
    planted_csv, warehouse = series
    with planted_csv.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        planted = list(reader)
    assert reader.fieldnames == list(PLANT_HEADER)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = con.execute(
            """SELECT r.source_file, c.check_name, c.applicant_class, c.row_code, c.expected, c.actual
               FROM check_results c JOIN reports r USING (report_id)"""
        ).fetchall()
    assert planted, "the series has planted errors"
    assert {p["check_name"] for p in planted} >= {"carryover", "balance", "narrative"}
    assert {
        (p["source_file"], p["check_name"], p["applicant_class"] or None, p["row_code"], Decimal(p["expected"]), Decimal(p["actual"]))
        for p in planted
    } == set(found)
