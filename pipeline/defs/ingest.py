"""The raw folder as a whole, and the reports and facts extracted from it (incrementally)."""

import sys
import time
from pathlib import Path

import dagster as dg
import polars as pl

from pipeline.defs.jobs import refuse_partial_run
from pipeline.defs.progress import RunningLine, say
from pipeline.defs.resources import Warehouse
from pipeline.ingest import incremental
from pipeline.ingest.batch import RawFile, scan
from pipeline.ingest.copies import mark_copies


def _inventory_path(warehouse: Warehouse) -> Path:
    return warehouse.files.work_dir / "inventory.parquet"


@dg.asset(group_name="ingest", kinds={"python"})
def raw_reports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Every non-hidden file under the raw folder (one asset for the folder, not one per file)."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    raw_dir = Path(warehouse.raw_dir)
    if not raw_dir.is_dir():
        raise dg.Failure(f"raw folder {raw_dir} does not exist")
    started = time.monotonic()
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
        metadata={
            "files": len(files),
            "bytes": int(inventory["size"].clip(0).sum() or 0),
            "raw_dir": str(raw_dir),
            "scan_seconds": round(time.monotonic() - started, 3),
        }
    )


class Progress:
    """Files done / total and the rate, in the Dagster log (and on stderr for `xxgk run`)."""

    def __init__(self, context: dg.AssetExecutionContext, to_stderr: bool, every: float = 5.0):
        self.context, self.to_stderr, self.every = context, to_stderr, every
        self.started = time.monotonic()
        self.last = -1e9
        self.line = RunningLine()
        self.tty = to_stderr and self.line.redraws

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        final = done == total
        if done == 0 and total:
            say(self.context, self.to_stderr, f"extracting {total:,} new or changed files")
            return
        if total == 0 or (now - self.last < (0.5 if self.tty else self.every) and not final):
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        eta = f", about {(total - done) / rate:,.0f} s left" if rate > 0 and not final else ""
        line = f"extracted {done:,}/{total:,} files ({done / total:.0%}, {rate:,.0f} files/s{eta})"
        if final:
            line += f" in {elapsed:,.1f} s"
        self.context.log.info(line)
        if self.to_stderr:
            self.line.show(line, final)


@dg.asset(group_name="ingest", deps=[raw_reports], kinds={"python", "polars"})
def extracted_reports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Reports and their facts in Parquet batches beside the warehouse. Only new and changed files
    are extracted (see pipeline/ingest/incremental.py); removed files' rows leave."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    inventory = pl.read_parquet(_inventory_path(warehouse))
    files = [RawFile(*row) for row in inventory.select("source_file", "size", "mtime_ns").iter_rows()]
    work_dir = warehouse.files.work_dir
    outcome = incremental.update(Path(warehouse.raw_dir), work_dir, files, warehouse.worker_count, Progress(context, warehouse.progress))
    if outcome.damage:
        # Not progress: said even with --quiet (info, not warning, so `xxgk run` shows it once).
        context.log.info(outcome.damage)
        print(outcome.damage, file=sys.stderr, flush=True)
    say(context, warehouse.progress, f"extraction: {outcome.describe()} in {outcome.seconds:,.1f} s")
    reports = mark_copies(pl.read_parquet(incremental.live_files(work_dir, "reports"))).sort("source_file")
    reports.write_parquet(work_dir / "reports.parquet")
    by_status = dict(reports.group_by("status").len().sort("status").iter_rows())
    return dg.MaterializeResult(
        metadata={
            "reports": reports.height,
            "facts": int(reports.filter(pl.col("status") != "duplicate")["fact_count"].sum() or 0),
            **{f"status_{k}": v for k, v in by_status.items()},
            "extracted": outcome.extracted,
            "unchanged": outcome.unchanged,
            "new": outcome.new,
            "changed": outcome.changed,
            "removed": outcome.removed,
            "full_extraction": outcome.full,
            "seconds": outcome.seconds,
        }
    )
