"""The raw folder as a whole, and the reports and facts extracted from it."""

import shutil
import time
from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.defs.resources import Warehouse
from pipeline.extract.batch import extract_to_parquet, mark_duplicates, scan


def _inventory_path(warehouse: Warehouse) -> Path:
    return warehouse.files.work_dir / "inventory.parquet"


@dg.asset(group_name="ingest", kinds={"python"})
def raw_reports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every non-hidden file under the raw folder (one asset for the folder, not one per file)."""
    raw_dir = Path(warehouse.raw_dir)
    if not raw_dir.is_dir():
        raise dg.Failure(f"raw folder {raw_dir} does not exist")
    files = scan(raw_dir)
    inventory = pl.DataFrame(
        {
            "source_file": [f.source_file for f in files],
            "size": [f.size for f in files],
            "mtime_ns": [f.mtime_ns for f in files],
        },
        schema={"source_file": pl.String, "size": pl.Int64, "mtime_ns": pl.Int64},
    )
    warehouse.files.work_dir.mkdir(parents=True, exist_ok=True)
    inventory.write_parquet(_inventory_path(warehouse))
    return dg.MaterializeResult(
        metadata={"files": len(files), "bytes": int(inventory["size"].clip(0).sum() or 0), "raw_dir": str(raw_dir)}
    )


@dg.asset(group_name="ingest", deps=[raw_reports], kinds={"python", "polars"})
def extracted_reports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Reports and their facts, extracted in parallel batches into Parquet beside the warehouse."""
    files = pl.read_parquet(_inventory_path(warehouse))["source_file"].to_list()
    batch_dir = warehouse.files.work_dir / "batches"
    shutil.rmtree(batch_dir, ignore_errors=True)
    started = time.monotonic()
    last_log = [started]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last_log[0] >= 5 or done == total:
            last_log[0] = now
            rate = done / max(now - started, 1e-9)
            context.log.info(f"extracted {done:,}/{total:,} files ({rate:,.0f} files/s)")

    report_files, fact_files = extract_to_parquet(
        Path(warehouse.raw_dir), files, batch_dir, warehouse.worker_count, progress
    )
    reports = mark_duplicates(pl.read_parquet(report_files))
    reports.write_parquet(warehouse.files.work_dir / "reports.parquet")
    by_status = dict(reports.group_by("status").len().sort("status").iter_rows())
    return dg.MaterializeResult(
        metadata={
            "reports": reports.height,
            "facts": int(reports.filter(pl.col("status") != "duplicate")["fact_count"].sum() or 0),
            **{f"status_{k}": v for k, v in by_status.items()},
            "seconds": round(time.monotonic() - started, 2),
        }
    )
