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



def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(warehouse_file: Path, dest: Path, marts: list[str]) -> dict[str, int]:
    """Write reports, facts (by year) and the marts from the warehouse file into dest; row counts."""
    dest.mkdir(parents=True)
    counts: dict[str, int] = {}
    with duckdb.connect(str(warehouse_file), read_only=True, config=DUCKDB_CONFIG) as con:
        con.execute(f"COPY (SELECT * FROM reports ORDER BY source_file) TO {_quote(dest / 'reports.parquet')} (FORMAT parquet)")
        counts["reports"] = con.execute("SELECT count(*) FROM reports").fetchone()[0]
        con.execute(
            f"""COPY (SELECT f.*, r.year FROM facts AS f JOIN reports AS r USING (report_id)
                     ORDER BY r.year, f.report_id, f.source_line, f.table_code, f.row_code, f.applicant_class)
                TO {_quote(dest / 'facts')} (FORMAT parquet, PARTITION_BY (year))"""
        )
        counts["facts"] = con.execute("SELECT count(*) FROM facts").fetchone()[0]
        for mart in marts:
            con.execute(f"COPY {mart} TO {_quote(dest / (mart + '.parquet'))} (FORMAT parquet)")
            counts[mart] = con.execute(f"SELECT count(*) FROM {mart}").fetchone()[0]
    return counts
