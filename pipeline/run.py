"""`xxgk run`: the same job the Dagster UI and schedule run, executed in this process.

The warehouse's writer lock is taken before the job starts and held until it ends, so a
scheduled or sensor-triggered Dagster run (or another `xxgk run`) never interleaves with it.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb

from pipeline.definitions import defs
from pipeline.warehouse.files import WarehouseFiles
from pipeline.warehouse.lock import WarehouseBusy, writer_lock
from pipeline.warehouse.sqlfiles import execute

EXIT_BUSY = 3
NOT_OK = ("incomplete", "rejected", "duplicate")
SHOWN_NOT_OK = 5  # files named in the summary; `xxgk reports` lists them all
MESSAGE_CHARS = 100


def run_pipeline(raw: Path, warehouse: Path, out=sys.stdout, wait: bool = True, progress: bool = True) -> int:
    started = time.monotonic()
    try:
        with writer_lock(
            warehouse,
            who=f"xxgk run (pid {os.getpid()})",
            wait=wait,
            on_wait=lambda msg: print(f"xxgk run: {msg}", file=sys.stderr, flush=True),
        ):
            result = _execute(raw, warehouse, progress)
    except WarehouseBusy as err:
        print(f"xxgk run: {err}; not started (run again later, or without --no-wait to wait)", file=sys.stderr)
        return EXIT_BUSY
    if not result.success:
        print("xxgk run: the pipeline failed; see the errors above", file=sys.stderr)
        return 1
    _summary(warehouse, result, out, time.monotonic() - started)
    return 0


def _execute(raw: Path, warehouse: Path, progress: bool) -> dg.ExecuteInProcessResult:
    # DAGSTER_HOME makes the run visible in `dagster dev`; without it nothing is left behind.
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    job = defs().resolve_job_def("refresh_warehouse")
    return job.execute_in_process(
        run_config={
            "resources": {
                "warehouse": {"config": {"raw_dir": str(raw), "path": str(warehouse), "progress": progress}}
            },
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        },
        instance=instance,
        tags={"xxgk/trigger": "xxgk run"},
        raise_on_error=False,
    )


def _summary(warehouse: Path, result: dg.ExecuteInProcessResult, out, seconds: float) -> None:
    published = WarehouseFiles(warehouse).published
    with duckdb.connect(str(published), read_only=True) as con:
        rows = execute(con, "queries/reports_by_status.sql").fetchall()
        not_ok = execute(con, "queries/reports.sql", statuses=list(NOT_OK)).fetchall()
    total = sum(r[1] for r in rows)
    facts = sum(r[2] or 0 for r in rows)
    print(f"warehouse: {published}", file=out)
    print(f"reports: {total} (" + ", ".join(f"{status} {n}" for status, n, _ in rows) + ")", file=out)
    _files_needing_attention(warehouse, not_ok, out)
    print(f"facts loaded: {facts}", file=out)
    evaluations = result.get_asset_check_evaluations()
    failed = [e for e in evaluations if not e.passed]
    print(f"checks: {len(evaluations)} evaluated, {len(failed)} failed" + (": " + ", ".join(sorted(e.check_name for e in failed)) if failed else ""), file=out)
    extraction = _metadata(result, "extracted_reports")
    scope = _metadata(result, "changed_agencies")
    if scope.get("unchanged"):
        build = "; warehouse unchanged, not rebuilt"
    elif scope.get("build") == "update":
        n = scope.get("rows", 0)
        build = f"; warehouse updated: {n} {'agency' if n == 1 else 'agencies'} recomputed"
    else:
        build = "; warehouse built from scratch"
    if extraction:
        print(
            f"extraction: {extraction.get('extracted', 0)} extracted, {extraction.get('unchanged', 0)} unchanged, "
            f"{extraction.get('removed', 0)} removed" + build,
            file=out,
        )
    print(f"time: {seconds:.1f} s", file=out)


def _files_needing_attention(warehouse: Path, not_ok: list[tuple], out) -> None:
    """The first files that are not ok, with the beginning of their message, and the command that
    lists them all."""
    if not not_ok:
        return
    from pipeline.cli import DEFAULT_WAREHOUSE, plural

    statuses = ",".join(s for s in NOT_OK if any(r[0] == s for r in not_ok))
    where = "" if str(warehouse) == DEFAULT_WAREHOUSE else f" --warehouse {shlex.quote(str(warehouse))}"
    print(f"not ok: {plural(len(not_ok), 'file')}; list them all with: xxgk reports{where} --status {statuses}", file=out)
    for status, source_file, _agency, _year, message in not_ok[:SHOWN_NOT_OK]:
        text = " ".join((message or "").split())
        if len(text) > MESSAGE_CHARS:
            text = text[: MESSAGE_CHARS - 1] + "…"
        print(f"  {status}: {source_file}: {text}", file=out)
    if len(not_ok) > SHOWN_NOT_OK:
        print(f"  … and {plural(len(not_ok) - SHOWN_NOT_OK, 'more file')}", file=out)


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        if mat.asset_key == dg.AssetKey(asset):
            return {k: getattr(v, "value", v) for k, v in mat.metadata.items()}
    return {}
