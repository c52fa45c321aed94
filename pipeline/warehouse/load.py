"""Extraction's Parquet files → the warehouse's base tables, one SQL file per table in sql/load."""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.warehouse.models import load_tables
from pipeline.warehouse.sqlfiles import execute

# Reference data shipped in the package (users extend it there), bound as $reference_dir.
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference"


def load(con: duckdb.DuckDBPyConnection, reports: Path, facts: list[Path], narrative: list[Path]) -> dict[str, int]:
    """Create every base table; returns each one's row count."""
    params = {
        "reports": str(reports),
        "facts": [str(p) for p in facts],
        "narrative": [str(p) for p in narrative],
        "reference_dir": str(REFERENCE_DIR),
    }
    counts = {}
    for table in load_tables():
        execute(con, f"load/{table}.sql", **params)
        counts[table] = con.table(table).shape[0]
    return counts
