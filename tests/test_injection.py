"""Nothing from the data is ever executed: report text, agency titles, file and folder names and
the warehouse path full of quotes, semicolons and SQL reach DuckDB only as bound parameters or
Arrow/Parquet data, and come back verbatim."""

from __future__ import annotations

import re

import duckdb
import pytest

from conftest import ROOT
from bad_corpus import SQL_CELL, SQL_FOLDER, SQL_NAME, SQL_TITLE_AGENCY, facts_of, shared_run
from pipeline.warehouse.models import discover, load_tables


@pytest.fixture(scope="module")
def run():
    return shared_run()


def test_the_run_completes_with_every_table_intact(run):
    assert "warehouse:" in run.stdout and "facts loaded:" in run.stdout
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert set(load_tables()) | {m.name for m in discover()} <= present
        # Every file has its row, and every fact of a loaded report is there.
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == len(run.cli["names"])
        expected = con.execute("SELECT sum(fact_count) FROM reports WHERE status NOT IN ('duplicate', 'rejected')").fetchone()[0]
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == expected > 1000


def test_file_and_folder_names_are_stored_verbatim(run):
    for name in (SQL_NAME, f"{SQL_FOLDER}/title.txt", f"{SQL_FOLDER}/cell.txt"):
        assert run.reports[name]["source_file"] == name
    assert run.reports[SQL_NAME]["status"] == "ok"
    assert len(facts_of(run.warehouse, SQL_NAME)) == 200
    # and on the command line
    assert run.cli["facts"][SQL_NAME] == 200


def test_agency_title_is_stored_verbatim(run):
    row = run.reports[f"{SQL_FOLDER}/title.txt"]
    # `agency` is the title's text with white space removed (README); nothing else is changed.
    assert row["agency"] == SQL_TITLE_AGENCY.replace(" ", "")
    assert row["status"] == "ok" and row["fact_count"] == 200
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports WHERE agency = ?", [row["agency"]]).fetchone() == (1,)


def test_sql_in_a_cell_is_only_a_cell_that_holds_no_number(run):
    """A cell is read only as a number; text in its place leaves that one cell missing."""
    row = run.reports[f"{SQL_FOLDER}/cell.txt"]
    assert row["status"] == "incomplete"
    assert "missing proactive cells: fees.amount_10k_yuan" in row["message"]
    facts = facts_of(run.warehouse, f"{SQL_FOLDER}/cell.txt")
    assert len(facts) == 199 and all(SQL_CELL not in str(f) for f in facts)
    assert "missing proactive cells: fees.amount_10k_yuan" in run.cli["stderr"][f"{SQL_FOLDER}/cell.txt"]


def test_readers_connect_read_only():
    """Only the build file under way is opened for writing; everything else that opens a DuckDB
    file (summaries, checks, exports, readers of the published file) opens it read-only."""
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "duckdb.connect(" in line and "read_only=True" not in line and "duckdb.connect()" not in line:
                # the build file, as WarehouseFiles names it (self.build there, files.build elsewhere)
                assert re.search(r"\b(self|files)\.build\)", line), (
                    f"{path.relative_to(ROOT)}:{n} opens a DuckDB file for writing: {line.strip()}"
                )
