"""`xxgk run`: the same job the Dagster UI and schedule run, executed in this process.

The warehouse's writer lock is taken before the job starts and held until it ends, so a
scheduled or sensor-triggered Dagster run (or another `xxgk run`) never interleaves with it.

What goes wrong is said in one line, with what to do; Dagster's traces go to its log (and to the
terminal with --verbose). Ctrl-C and SIGTERM stop the run at once: exit 130 or 143.
"""

from __future__ import annotations

import os
import shlex
import signal
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import dagster as dg
import duckdb

from pipeline import signals
from pipeline.definitions import defs
from pipeline.settings import settings
from pipeline.warehouse.build import BuildFile
from pipeline.warehouse.files import FolderTaken, WarehouseFiles
from pipeline.warehouse.lock import WarehouseBusy, writer_lock
from pipeline.warehouse.sqlfiles import execute

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3
NOT_OK = ("incomplete", "rejected", "duplicate")
SHOWN_NOT_OK = 5  # files named in the summary; `xxgk reports` lists them all
MESSAGE_CHARS = 100

# (text in the error, what it means and what to do); {folder} is the warehouse's folder
_CAUSES = (
    ("No space left on device", "the disk holding {folder} is full: free space there, or give a --warehouse on another disk"),
    ("Disk quota exceeded", "the disk quota for {folder} is used up: free space there, or give a --warehouse on another disk"),
    ("Read-only file system", "{folder} is on a read-only file system: mount it read-write, or give a --warehouse elsewhere"),
    ("Permission denied", "this user may not write in {folder}: give it write permission there, or give a --warehouse elsewhere"),
    (
        "Operation not permitted",
        "{folder} cannot be written (is it immutable? `lsattr -d` shows an i, `chattr -i` clears it), or give a --warehouse elsewhere",
    ),
)


def run_pipeline(raw: Path, warehouse: Path, out=sys.stdout, wait: bool = True, progress: bool = True, verbose: bool = False) -> int:
    started = time.monotonic()
    files = WarehouseFiles(warehouse)
    before = _published_version(files)
    with signals.noted(), ExitStack() as lock:
        try:
            lock.enter_context(
                writer_lock(
                    warehouse,
                    who=f"xxgk run (pid {os.getpid()})",
                    wait=wait,
                    on_wait=lambda msg: print(f"xxgk run: {msg}", file=sys.stderr, flush=True),
                )
            )
            files.claim_folder()
        except WarehouseBusy as err:
            _say(f"{err}; not started (run again later, or without --no-wait to wait)")
            return EXIT_BUSY
        except FolderTaken as err:
            _say(f"{err}; not started")
            return EXIT_USAGE
        except OSError as err:  # the lock file or the folder's marker cannot be made
            _say(f"cannot write the warehouse: {_explained(str(err), warehouse.parent)}; not started")
            return EXIT_FAILED
        except KeyboardInterrupt:  # while waiting for another writer
            return _interrupted(signals.received(), files, before)
        try:
            result = _execute(raw, warehouse, progress, verbose)
        except KeyboardInterrupt:  # between Dagster's own handling of signals
            result = None
        # The lock is still held: no other writer's build is removed with this one.
        if signals.received() or result is None:
            BuildFile(files).discard()
            return _interrupted(signals.received(), files, before)
        if not result.success:
            BuildFile(files).discard()
            step, cause = _failure(result)
            _say(
                f"the run failed in {step}: {_explained(cause, warehouse.parent)}; the build was removed, "
                + _published_state(files, before)
                + ("" if verbose else " (--verbose shows the trace)")
            )
            return EXIT_FAILED
    _summary(warehouse, result, out, time.monotonic() - started)
    return 0


def _say(line: str) -> None:
    print(f"xxgk run: {line}", file=sys.stderr, flush=True)


def _explained(cause: str, folder: Path) -> str:
    for text, advice in _CAUSES:
        if text in cause:
            return f"{advice.format(folder=folder)} ({cause})"
    return cause


def _failure(result: dg.ExecuteInProcessResult) -> tuple[str, str]:
    """The first failed step and the error at the root of its failure, in one line."""
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.user_failure_data and data.user_failure_data.description:  # a dg.Failure: already in words
            return event.step_key, data.user_failure_data.description
        error = data.error
        while error is not None and error.cause is not None:
            error = error.cause
        message = error.message.strip().splitlines()[0] if error and error.message.strip() else "unknown error"
        return event.step_key, message
    failure = result.get_run_failure_event()
    return "the run", (failure.message or "unknown error") if failure else "unknown error"


def _published_version(files: WarehouseFiles) -> str | None:
    try:
        return os.readlink(files.current)
    except OSError:
        return None


def _interrupted(received: list[signal.Signals], files: WarehouseFiles, before: str | None) -> int:
    signum = received[0] if received else signal.SIGINT
    name = "Ctrl-C (SIGINT)" if signum == signal.SIGINT else signum.name
    _say(f"interrupted by {name}: stopped; {_published_state(files, before)}")
    return 128 + signum


def _published_state(files: WarehouseFiles, before: str | None) -> str:
    # Publication is one rename: the run stopped either before it or after it.
    if _published_version(files) == before:
        return "the published warehouse is unchanged"
    return "its new warehouse was published before it stopped"


def _execute(raw: Path, warehouse: Path, progress: bool, verbose: bool) -> dg.ExecuteInProcessResult:
    # DAGSTER_HOME makes the run visible in `dagster dev`; without it nothing is left behind.
    instance = dg.DagsterInstance.get() if settings().dagster_home else dg.DagsterInstance.ephemeral()
    job = defs().resolve_job_def("refresh_warehouse")
    return job.execute_in_process(
        run_config={
            "resources": {"warehouse": {"config": {"raw_dir": str(raw), "path": str(warehouse), "progress": progress}}},
            # A failure's trace is in the Dagster log; on the terminal only when asked for.
            "loggers": {"console": {"config": {"log_level": "WARNING" if verbose else "CRITICAL"}}},
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
    print(
        f"checks: {len(evaluations)} evaluated, {len(failed)} failed"
        + (": " + ", ".join(sorted(e.check_name for e in failed)) if failed else ""),
        file=out,
    )
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
