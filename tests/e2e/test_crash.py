"""A run killed with SIGKILL at any point leaves the published warehouse and its parquet/ folder
exactly as the previous run left them, readable; the next run completes normally.

Kill points are found from outside, without hooks in the pipeline: `xxgk run` runs in its own
process group with DAGSTER_HOME set, the test polls the run's event log (the SQLite file Dagster
writes as each step starts and ends) and SIGKILLs the group as soon as the step it waits for has
started (for extraction: once the first batch of this run is written, so the kill leaves part of
the extraction behind). Afterwards the event log must show that step started and had not
finished; a kill that lands too late, on a loaded machine, is checked all the same and then aimed
again."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import EDITED, RAW, golden_facts

from pipeline.extract.values import format_value
from pipeline.warehouse.files import WarehouseFiles
from pipeline.warehouse.models import discover

MODEL_STEPS = {m.name for m in discover() if m.layer == "marts"}
TONGZHOU = RAW / "004_2b19c720d5f1c29d.txt"
VARIANTS = 40  # more reports in the killed runs, so their extraction takes a moment


def _batches(warehouse: Path) -> set[Path]:
    return set((WarehouseFiles(warehouse).work_dir / "batches").glob("facts-*.parquet"))


# (what the run is doing, the steps that mark it, when to kill once one of them has started)
KILL_POINTS = [
    ("extraction", {"extracted_reports"}, lambda warehouse, before: _batches(warehouse) - before),
    ("loading", {"warehouse_tables"}, lambda warehouse, _: WarehouseFiles(warehouse).build.exists()),
    ("model builds", MODEL_STEPS, None),
    ("publishing", {"published_warehouse"}, None),
]


def _env(home: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "XXGK_"))}
    if home:
        env["DAGSTER_HOME"] = str(home)
    return env


def _start(raw: Path, warehouse: Path, home: Path | None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--warehouse", str(warehouse), "--quiet"],
        cwd=warehouse.parent.parent,
        env=_env(home),
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run(raw: Path, warehouse: Path, home: Path) -> str:
    proc = _start(raw, warehouse, home)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def _run_logs(home: Path) -> set[Path]:
    return {p for p in (home / "history" / "runs").glob("*-*.db")}


class _EventLog:
    """The step starts and successes of one run, read from its SQLite event log as they come."""

    def __init__(self, db: Path):
        self.db, self.con, self.last_id, self.events = db, None, 0, []

    def poll(self) -> list[tuple[str, str]]:
        try:
            self.con = self.con or sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=0.05)
            rows = self.con.execute(
                "SELECT id, dagster_event_type, step_key FROM event_logs WHERE id > ? "
                "AND dagster_event_type IN ('STEP_START', 'STEP_SUCCESS') ORDER BY id",
                [self.last_id],
            ).fetchall()
        except sqlite3.Error:  # not created yet, or busy: try again on the next poll
            return self.events
        for id_, kind, step in rows:
            self.last_id = id_
            self.events.append((kind, step))
        return self.events

    def close(self) -> None:
        if self.con:
            self.con.close()


def _kill_during(raw: Path, warehouse: Path, home: Path, steps: set[str], ready) -> str | None:
    """Start a run, SIGKILL its process group once one of `steps` has started; the step it was
    in (None if, on a loaded machine, the kill came only after that step had finished)."""
    before, batches = _run_logs(home), _batches(warehouse)
    proc = _start(raw, warehouse, home)
    deadline = time.monotonic() + 120
    log = None
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the run ended before any of {sorted(steps)} started: {proc.stderr.read()}")
            if log is None:
                db = next(iter(_run_logs(home) - before), None)
                log = _EventLog(db) if db else None
            if log and any(kind == "STEP_START" and step in steps for kind, step in log.poll()):
                if ready is None or ready(warehouse, batches):
                    break
            time.sleep(0.005)
        else:
            pytest.fail(f"none of {sorted(steps)} started within two minutes")
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    events = log.poll()
    log.close()
    started = [step for kind, step in events if kind == "STEP_START"]
    finished = {step for kind, step in events if kind == "STEP_SUCCESS"}
    assert started
    return started[-1] if started[-1] in steps and started[-1] not in finished else None


def _published_state(warehouse: Path) -> dict[str, str]:
    """What a reader sees: the warehouse file's bytes and the parquet/ folder's files."""
    files = WarehouseFiles(warehouse)
    state = {"xxgk.duckdb": hashlib.sha256(warehouse.read_bytes()).hexdigest()}
    assert not Path(str(warehouse) + ".wal").exists()
    if files.parquet.exists():
        state["parquet ->"] = os.readlink(files.parquet) if files.parquet.is_symlink() else "(folder)"
        for path in sorted(files.parquet.resolve().rglob("*")):
            if path.is_file():
                state[f"parquet/{path.relative_to(files.parquet.resolve())}"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def _readable(warehouse: Path) -> tuple[int, int]:
    """(reports, facts) as a reader of the warehouse file and of parquet/ sees them; both must agree."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = con.execute("SELECT (SELECT count(*) FROM reports), (SELECT count(*) FROM facts)").fetchone()
    parquet = WarehouseFiles(warehouse).parquet
    if parquet.exists():
        with duckdb.connect() as con:
            in_parquet = con.execute(
                "SELECT (SELECT count(*) FROM read_parquet($r)), (SELECT count(*) FROM read_parquet($f, hive_partitioning = true))",
                {"r": str(parquet / "reports.parquet"), "f": str(parquet / "facts" / "**" / "*.parquet")},
            ).fetchone()
        assert in_parquet == counts, "the warehouse file and parquet/ come from different runs"
    return counts


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    work = tmp_path_factory.mktemp("crash")
    home = work / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    # The first run publishes the bundled reports; the killed runs and the last one read the
    # same reports with a byte added to each, one report more, and copies of Tongzhou's with
    # other fees (other numbers, so none is a duplicate).
    first, second = work / "raw_first", work / "raw_second"
    shutil.copytree(RAW, first)
    second.mkdir()
    for path in sorted(RAW.glob("*.txt")):
        (second / path.name).write_bytes(path.read_bytes() + b"\n")
    shutil.copy(EDITED / "tongzhou_distinct.txt", second)
    text = TONGZHOU.read_text(encoding="utf-8")
    assert text.count("\t28983.0794\n") == 1
    for i in range(VARIANTS):
        (second / f"fee_{i:03d}.txt").write_text(text.replace("\t28983.0794\n", f"\t{i}.25\n"), encoding="utf-8")
    warehouse = work / "out" / "xxgk.duckdb"
    _run(first, warehouse, home)
    return home, second, warehouse


def test_killed_runs_leave_the_last_good_warehouse(setup):
    home, second, warehouse = setup
    before = _published_state(warehouse)
    counts = _readable(warehouse)
    assert counts == (5, 1000)
    for label, steps, ready in KILL_POINTS:
        step = _kill_during(second, warehouse, home, steps, ready)
        if step is None:  # too late: the state below must hold all the same, then aim again
            assert _published_state(warehouse) == before
            step = _kill_during(second, warehouse, home, steps, ready)
        assert step, f"two kills meant for {label} both landed after it"
        after = _published_state(warehouse)
        if label == "publishing" and after != before:
            # The kill came after the rename: the new warehouse, whole, with its own parquet/.
            assert _readable(warehouse) != counts, f"killed in {step}: published changed but not to the new run"
            break
        assert after == before, f"killed during {label} ({step}): the published warehouse changed"
        assert _readable(warehouse) == counts
    # The next run completes normally, and every fact is the report's, once.
    out = _run(second, warehouse, home)
    n = 6 + VARIANTS
    assert f"reports: {n} (ok {n})" in out and f"facts loaded: {200 * n}" in out
    assert _readable(warehouse) == (n, 200 * n)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for path in sorted(second.iterdir()):
            got = con.execute(
                """SELECT f.table_code, f.row_code, coalesce(f.applicant_class, ''), f.value, f.source_line
                   FROM facts f JOIN reports r USING (report_id) WHERE r.source_file = ?""",
                [path.name],
            ).fetchall()
            expected = golden_facts(path.stem if not path.name.startswith("fee_") else TONGZHOU.stem)
            if path.name.startswith("fee_"):
                fee = f"{int(path.stem[4:])}.25"
                expected = [(t, c, a, fee if c == "fees.amount_10k_yuan" else v, ln) for t, c, a, v, ln in expected]
            assert sorted((t, c, a, format_value(v), ln) for t, c, a, v, ln in got) == sorted(expected)
