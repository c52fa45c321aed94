"""The published tables as Parquet, for tools that read Parquet rather than DuckDB files.

Layout, beside the warehouse file:

    parquet/                         the current version's Parquet (pipeline/warehouse/files.py)
        reports.parquet
        facts/year=2024/part-3-0.parquet  facts partitioned by their report's year (hive style),
                                          16 files a year by the first hex digit of report_id
        <mart>.parquet                   one file per table in sql/marts
        check_results.parquet, agencies.parquet, codebook.parquet
                                         the findings, and what decodes agency_id and row_code

Each export is written into a staging folder; publication moves it, with the DuckDB file built in
the same run, into a new version and switches both in one rename. A build that replaced only
some agencies' rows rewrites only the facts files holding their reports (sql/export/parts.sql)
and hard-links the others from the previous version: published files are never modified, so
two versions can share them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import polars as pl

from pipeline.ingest.incremental import parquet_rows
from pipeline.warehouse.files import DUCKDB_CONFIG
from pipeline.warehouse.sqlfiles import execute

NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"  # DuckDB's folder name for a NULL year
# Small tables written whole beside the marts, so a Parquet-only reader sees the findings and can
# decode agency_id and row_code.
WHOLE_TABLES = ("check_results", "agencies", "codebook")


def export(
    warehouse_file: Path, dest: Path, marts: list[str], changed_reports: pl.DataFrame, previous: Path | None = None
) -> dict[str, int]:
    """Write reports, facts (by year), the marts and WHOLE_TABLES from the warehouse file into dest;
    row counts.
    With `previous` (the published Parquet folder), facts files of unchanged parts are taken
    from it instead of being written again; changed_reports (the BuildPlan's) says which parts of
    the facts changed."""
    dest.mkdir(parents=True)
    counts: dict[str, int] = {}
    with (
        duckdb.connect(str(warehouse_file), read_only=True, config=DUCKDB_CONFIG) as con,
        tempfile.TemporaryDirectory(prefix="xxgk-export-") as tmp,
    ):
        execute(con, "export/reports.sql", path=str(dest / "reports.parquet"))
        changed_reports.write_parquet(Path(tmp) / "changed_reports.parquet")
        execute(con, "build/changed_agency_reports.sql")  # the reports of changed_agencies, on this connection
        execute(con, "export/parts.sql", changed_reports=str(Path(tmp) / "changed_reports.parquet"))
        unfit = _unfit(con, previous / "facts") if previous is not None else {}
        rewrite = [k for k in unfit.values() if k is not None]
        if rewrite:
            con.executemany("INSERT INTO export_parts VALUES (?, ?)", rewrite)
        written = {(_year_folder(year), part) for year, part in con.table("export_parts").fetchall()}
        execute(con, "export/facts.sql", path=str(dest / "facts.partitions"))
        for table in ("reports", "facts"):
            counts[table] = con.table(table).shape[0]
        for table in (*marts, *WHOLE_TABLES):
            rows = con.table(table)
            rows.write_parquet(str(dest / f"{table}.parquet"))
            counts[table] = rows.shape[0]
    _name_files(dest / "facts.partitions", dest / "facts")
    if previous is not None:
        counts["facts_files_reused"] = _reuse(previous / "facts", dest / "facts", written | set(unfit))
    return counts


def _unfit(con: duckdb.DuckDBPyConnection, old: Path) -> dict[tuple[str, str], tuple[int | None, str] | None]:
    """The previous export's facts files that must not be linked as they are, by (year folder,
    part): missing, truncated or unreadable, or not holding the rows the build has for that part
    (a part the build no longer has maps to None, so it is only left out)."""
    expected = {(_year_folder(y), part): (n, (y, part)) for y, part, n in execute(con, "queries/facts_parts.sql").fetchall()}
    found: dict[tuple[str, str], int | None] = {}  # None: a file of the part is unreadable
    for path in old.glob("year=*/part-*.parquet"):
        key = (path.parent.name, path.name.split("-")[1])
        rows = parquet_rows(path)
        found[key] = None if rows is None or (key in found and found[key] is None) else found.get(key, 0) + rows
    unfit = {}
    for key in expected.keys() | found.keys():
        n, year_part = expected.get(key, (0, None))
        if found.get(key, 0) != n:
            unfit[key] = year_part
    return unfit


def _year_folder(year: int | None) -> str:
    return f"year={NULL_PARTITION if year is None else year}"


def _name_files(partitions: Path, facts: Path) -> None:
    """year=Y/part=P/data_N.parquet (DuckDB's hive layout) → year=Y/part-P-N.parquet, so part is
    not a column for readers."""
    facts.mkdir()
    for path in sorted(partitions.glob("year=*/part=*/data_*.parquet")):
        part = path.parent.name.removeprefix("part=")
        n = path.stem.removeprefix("data_")
        (facts / path.parent.parent.name).mkdir(exist_ok=True)
        os.rename(path, facts / path.parent.parent.name / f"part-{part}-{n}.parquet")
    shutil.rmtree(partitions)


def _reuse(old: Path, new: Path, skip: set[tuple[str, str]]) -> int:
    reused = 0
    for path in sorted(old.glob("year=*/part-*.parquet")):
        part = path.name.split("-")[1]
        if (path.parent.name, part) in skip:
            continue
        (new / path.parent.name).mkdir(exist_ok=True)
        os.link(path, new / path.parent.name / path.name)
        reused += 1
    return reused
