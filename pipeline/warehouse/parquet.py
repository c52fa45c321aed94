"""The published tables as Parquet, for tools that read Parquet rather than DuckDB files.

Layout, beside the warehouse file:

    parquet/                         a symbolic link to the current version's folder
        reports.parquet
        facts/year=2024/data_0.parquet   facts partitioned by their report's year (hive style)
        <mart>.parquet                   one file per table in sql/marts

Each publication writes a new hidden folder `.parquet-<time>` and then swaps the `parquet` link to
it with one rename, so a reader sees either the old set or the new set, never a mixture. The
previous version's folder is kept until the next publication, so a reader that listed the old
files just before the swap can still open them.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb

from pipeline.warehouse.files import DUCKDB_CONFIG

KEEP_PREVIOUS = 1


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


def new_version_dir(link: Path) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    base = link.with_name(f".{link.name}-{stamp}-{time.time_ns() % 1_000_000_000:09d}")
    return base


def swap(link: Path, version_dir: Path) -> None:
    """Point `link` at version_dir in one atomic rename; drop versions older than the previous."""
    if link.is_dir() and not link.is_symlink():
        # A real folder from an older layout: moved aside once (the only non-atomic moment).
        os.replace(link, new_version_dir(link))
    tmp = link.with_name(f".{link.name}.link-tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(version_dir.name, tmp)
    os.replace(tmp, link)
    fd = os.open(link.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    versions = sorted(p for p in link.parent.glob(f".{link.name}-*") if p.is_dir() and p != version_dir)
    for old in versions[: max(0, len(versions) - KEEP_PREVIOUS)]:
        shutil.rmtree(old, ignore_errors=True)
