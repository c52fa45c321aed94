"""The published tables as Parquet, for tools that read Parquet rather than DuckDB files.

Layout, beside the warehouse file:

    parquet/                         the current version's Parquet (pipeline/warehouse/files.py)
        reports.parquet
        facts/year=2024/data_0.parquet   facts partitioned by their report's year (hive style)
        <mart>.parquet                   one file per table in sql/marts

Each export is written into a staging folder; publication moves it, with the DuckDB file built in
the same run, into a new version and switches both in one rename.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.warehouse.files import DUCKDB_CONFIG
from pipeline.warehouse.sqlfiles import execute



def export(warehouse_file: Path, dest: Path, marts: list[str]) -> dict[str, int]:
    """Write reports, facts (by year) and the marts from the warehouse file into dest; row counts."""
    dest.mkdir(parents=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse_file), read_only=True, config=DUCKDB_CONFIG) as con:
        execute(con, "export/reports.sql", path=str(dest / "reports.parquet"))
        execute(con, "export/facts.sql", path=str(dest / "facts"))
        for table in ("reports", "facts"):
            counts[table] = con.table(table).shape[0]
        for mart in marts:
            mart_rows = con.table(mart)
            mart_rows.write_parquet(str(dest / f"{mart}.parquet"))
            counts[mart] = mart_rows.shape[0]
    return counts
