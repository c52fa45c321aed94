"""`xxgk run`: the same job the Dagster UI and schedule run, executed in this process."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.definitions import defs
from pipeline.warehouse.files import WarehouseFiles
from pipeline.warehouse.sqlfiles import execute


def run_pipeline(raw: Path, warehouse: Path, out=sys.stdout) -> int:
    # DAGSTER_HOME makes the run visible in `dagster dev`; without it nothing is left behind.
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    job = defs().resolve_job_def("refresh_warehouse")
    result = job.execute_in_process(
        run_config={
            "resources": {"warehouse": {"config": {"raw_dir": str(raw), "path": str(warehouse)}}},
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        },
        instance=instance,
        raise_on_error=False,
    )
    if not result.success:
        print("xxgk run: the pipeline failed; see the errors above", file=sys.stderr)
        return 1
    _summary(WarehouseFiles(warehouse).published, result, out)
    return 0


def _summary(published: Path, result: dg.ExecuteInProcessResult, out) -> None:
    with duckdb.connect(str(published), read_only=True) as con:
        rows = execute(con, "queries/reports_by_status.sql").fetchall()
    total = sum(r[1] for r in rows)
    facts = sum(r[2] or 0 for r in rows)
    print(f"warehouse: {published}", file=out)
    print(f"reports: {total} (" + ", ".join(f"{status} {n}" for status, n, _ in rows) + ")", file=out)
    print(f"facts loaded: {facts}", file=out)
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    print(f"checks: {len(evaluations)} evaluated, {len(failed)} failed" + (": " + ", ".join(sorted(e.check_name for e in failed)) if failed else ""), file=out)
