"""Extraction's Parquet files → the warehouse's base tables, one SQL file per table in sql/sources
(and the build's changed_agencies, sql/build).

A build either starts from an empty file or from a copy of the published one. Either way the
load is the same: the small tables (agencies, reports, …) are rebuilt whole, and the facts and
prose figures of changed_agencies (the agencies with a new, changed or removed report; all of
them in an empty file) are replaced, so a build from a copy touches only what changed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import polars as pl

from pipeline.warehouse.agencies import resolve
from pipeline.warehouse.models import CHANGED_AGENCY_REPORTS, LOAD_FILES, load_tables, ordered_files
from pipeline.warehouse.schema import describe, table_docs
from pipeline.warehouse.sqlfiles import execute, read_sql

# Reference data shipped in the package (users extend it there): the agency registry.
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"
# The form's codebook, loaded as the table `codebook`, bound as $form_dir.
FORM_DIR = Path(__file__).resolve().parents[1] / "form"


def load(
    con: duckdb.DuckDBPyConnection,
    reports: Path,
    changed_reports: pl.DataFrame,
    facts: list[Path],
    narrative: list[Path],
) -> dict[str, int]:
    """Create or update every base table; returns each one's row count. changed_reports: the rows
    the build replaces (the BuildPlan's)."""
    with tempfile.TemporaryDirectory(prefix="xxgk-agencies-") as tmp:
        spellings, records = resolve(pl.read_parquet(reports), changed_reports, REFERENCE_DIR)
        changed_reports.write_parquet(Path(tmp) / "changed_reports.parquet")
        spellings.write_parquet(Path(tmp) / "spellings.parquet")
        records.write_parquet(Path(tmp) / "records.parquet")
        params = {
            "reports": str(reports),
            "changed_reports": str(Path(tmp) / "changed_reports.parquet"),
            "facts": [str(p) for p in facts],
            "narrative": [str(p) for p in narrative],
            "agency_spellings": str(Path(tmp) / "spellings.parquet"),
            "agency_records": str(Path(tmp) / "records.parquet"),
            "form_dir": str(FORM_DIR),
        }
        counts = {}
        for relative in ordered_files(*LOAD_FILES, CHANGED_AGENCY_REPORTS):
            execute(con, relative, **params)
            if relative != CHANGED_AGENCY_REPORTS:
                table = Path(relative).stem
                describe(con, table)
                counts[table] = con.table(table).shape[0]
    return counts


def slice_changed_agencies(con: duckdb.DuckDBPyConnection) -> None:
    """Keep changed_agencies' rows of the base tables sql/schema.toml marks sliced in the
    build_scope schema, for the models refreshed per agency (pipeline/warehouse/models.py)."""
    execute(con, "build/changed_agency_reports.sql")  # the reports of changed_agencies, on this connection
    con.execute("CREATE SCHEMA IF NOT EXISTS build_scope")
    for table in load_tables():
        if table_docs()[table].sliced:
            # The name is one of our own base tables, never report data; the table is bound.
            con.execute(f"CREATE OR REPLACE TABLE build_scope.{table} AS\n{read_sql('build/scope.sql')}", {"table": f"main.{table}"})
