"""Dagster for real: the webserver answers with the asset graph, checks, schedule and sensor; the
sensor notices raw-folder changes; the scheduled job runs; the run queue runs one run at a time."""

import importlib
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import dagster as dg
import duckdb
from conftest import BIN, RAW, ROOT

from pipeline.definitions import defs
from pipeline.defs.resources import Warehouse
from pipeline.ingest import incremental
from pipeline.ingest.batch import scan

QUERY = """{ repositoriesOrError { ... on RepositoryConnection { nodes {
  schedules { name cronSchedule scheduleState { status } }
  sensors { name sensorState { status } }
  assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } }
} } } }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


def test_webserver_shows_assets_checks_schedule_and_sensor(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(ROOT / "dagster.yaml", home)
    (home / "workspace.yaml").write_text(
        "load_from:\n  - python_module:\n      module_name: pipeline.definitions\n      location_name: xxgk\n"
    )
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "XXGK_RAW_DIR": str(tmp_path / "raw"), "XXGK_WAREHOUSE": str(tmp_path / "w.duckdb")}
    server = subprocess.Popen(
        [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", "workspace.yaml"],
        cwd=home,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            assert server.poll() is None, server.stderr.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the webserver did not answer"
            time.sleep(0.5)
        (repo,) = _graphql(port, QUERY)["data"]["repositoriesOrError"]["nodes"]
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    d = defs()
    assert {"/".join(n["assetKey"]["path"]) for n in repo["assetNodes"]} == {k.to_user_string() for k in d.resolve_all_asset_keys()}
    served_checks = {c["name"] for n in repo["assetNodes"] for c in n["assetChecksOrError"].get("checks", [])}
    assert served_checks == {k.name for k in d.resolve_asset_graph().asset_check_keys}
    assert {"raw_reports", "extracted_reports", "facts", "parquet_export", "published_warehouse"} <= {
        n["assetKey"]["path"][0] for n in repo["assetNodes"]
    }
    assert [(s["name"], s["scheduleState"]["status"]) for s in repo["schedules"]] == [("daily_refresh", "RUNNING")]
    assert [(s["name"], s["sensorState"]["status"]) for s in repo["sensors"]] == [("raw_folder_changed", "RUNNING")]


def test_run_queue_runs_one_materialization_at_a_time(tmp_path, monkeypatch):
    shutil.copy(ROOT / "dagster.yaml", tmp_path)
    monkeypatch.chdir(tmp_path)
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
        assert not instance.nux_enabled


def _tick(sensor, warehouse: Warehouse, cursor: str | None):
    with dg.build_sensor_context(cursor=cursor, resources={"warehouse": warehouse}) as ctx:
        result = sensor(ctx)
        return result, ctx.cursor


def test_sensor_requests_a_run_when_raw_files_change(tmp_path):
    from pipeline.defs.sensors import raw_folder_changed

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    warehouse = Warehouse(raw_dir=str(raw), path=str(tmp_path / "w" / "xxgk.duckdb"))
    work = warehouse.files.work_dir

    first, cursor = _tick(raw_folder_changed, warehouse, None)
    assert isinstance(first, dg.RunRequest) and first.tags["xxgk/raw_changes"] == "5 new, 0 changed, 0 removed"
    again, cursor = _tick(raw_folder_changed, warehouse, cursor)
    assert isinstance(again, dg.SkipReason)  # the same folder never queues a second run

    incremental.update(raw, work, scan(raw), workers=1)  # what the requested run does
    (raw / "new.txt").write_bytes((RAW / "000_1acaab7e8820b83a.txt").read_bytes() + b"\n")
    added, cursor = _tick(raw_folder_changed, warehouse, cursor)
    assert isinstance(added, dg.RunRequest) and added.tags["xxgk/raw_changes"] == "1 new, 0 changed, 0 removed"
    assert added.run_key != first.run_key

    incremental.update(raw, work, scan(raw), workers=1)
    (raw / "000_1acaab7e8820b83a.txt").unlink()
    removed, cursor = _tick(raw_folder_changed, warehouse, cursor)
    assert isinstance(removed, dg.RunRequest) and removed.tags["xxgk/raw_changes"] == "0 new, 0 changed, 1 removed"

    # A fresh sensor (empty cursor) over a warehouse built from exactly these files asks for nothing.
    incremental.update(raw, work, scan(raw), workers=1)
    fresh, _ = _tick(raw_folder_changed, warehouse, None)
    assert isinstance(fresh, dg.SkipReason) and "exactly these files" in str(fresh.skip_message)


def test_schedule_cron_is_configurable(monkeypatch):
    import pipeline.defs.schedules as schedules

    # Without the variables: 02:00 UTC every day, as the README's table of triggers says.
    monkeypatch.delenv("XXGK_SCHEDULE_CRON", raising=False)
    monkeypatch.delenv("XXGK_SCHEDULE_TIMEZONE", raising=False)
    try:
        default = importlib.reload(schedules).daily_refresh
        assert (default.cron_schedule, default.execution_timezone) == ("0 2 * * *", "UTC")
        assert default.default_status == dg.DefaultScheduleStatus.RUNNING
        monkeypatch.setenv("XXGK_SCHEDULE_CRON", "*/15 * * * *")
        monkeypatch.setenv("XXGK_SCHEDULE_TIMEZONE", "Asia/Shanghai")
        changed = importlib.reload(schedules).daily_refresh
        assert (changed.cron_schedule, changed.execution_timezone) == ("*/15 * * * *", "Asia/Shanghai")
    finally:
        monkeypatch.undo()
        importlib.reload(schedules)


def test_scheduled_job_runs_in_process(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    target = tmp_path / "w" / "xxgk.duckdb"
    d = defs()
    schedule = d.resolve_schedule_def("daily_refresh")
    (request,) = schedule.evaluate_tick(dg.build_schedule_context(scheduled_execution_time=None)).run_requests
    job = d.resolve_job_def(schedule.job_name)
    run_config = {**(request.run_config or {}), "resources": {"warehouse": {"config": {"raw_dir": str(raw), "path": str(target)}}}}
    result = job.execute_in_process(run_config=run_config, instance=dg.DagsterInstance.ephemeral(), tags=request.tags)
    assert result.success
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports WHERE status = 'ok'").fetchone() == (5,)
    assert (target.parent / "parquet" / "reports.parquet").is_file()
    # published_warehouse names the version it published, not the one before it
    published = result.asset_materializations_for_node("published_warehouse")[0].metadata
    assert published["path"].value == str(target.resolve()) and ".versions" in published["path"].value


def test_materializing_one_asset_alone_is_refused_with_a_message(tmp_path):
    """mart_yoy alone (as the UI's "Materialize selected" runs it) would build into a file that
    nothing publishes: the run fails saying why and how to run it, and nothing is written."""
    from conftest import build_bundled

    raw, target = build_bundled(tmp_path)
    inode = target.resolve().stat().st_ino
    job = defs().resolve_job_def("refresh_warehouse")
    run_config = {"resources": {"warehouse": {"config": {"raw_dir": str(raw), "path": str(target)}}}}
    result = job.execute_in_process(
        run_config=run_config,
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=[dg.AssetKey("mart_yoy")],
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    message = failure.step_failure_data.error.message
    assert "refused" in message and "mart_yoy" in message and "Materialize all" in message, message
    assert not Warehouse(path=str(target)).files.build.exists()
    assert target.resolve().stat().st_ino == inode


def test_nothing_tells_users_to_run_dg():
    """`dg` (dagster-dg-cli) is not installed: the project's own words name `dagster dev` only."""
    for path in [ROOT / "README.md", ROOT / "Makefile", *(ROOT / "pipeline").rglob("*.py")]:
        assert "dg dev" not in path.read_text(encoding="utf-8"), path


def test_every_asset_is_what_a_partial_run_is_checked_against():
    from pipeline.defs.jobs import EVERY_ASSET

    assert EVERY_ASSET == set(defs().resolve_all_asset_keys())


def test_sensor_runs_again_when_the_folder_returns_to_an_earlier_state(tmp_path):
    """A file added, a run, the file removed: the folder's listing is the first request's again, but
    the change is new (the warehouse now holds the added file), so its run key is new too; the
    daemon skips only run keys it has seen. The same change seen twice keeps its key."""
    from pipeline.defs.sensors import raw_folder_changed

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    warehouse = Warehouse(raw_dir=str(raw), path=str(tmp_path / "w" / "xxgk.duckdb"))
    work = warehouse.files.work_dir

    incremental.update(raw, work, scan(raw), workers=1)
    extra = raw / "extra.txt"
    extra.write_bytes((RAW / "000_1acaab7e8820b83a.txt").read_bytes() + b"\n")
    added_mtime = os.stat(extra).st_mtime_ns
    added, cursor = _tick(raw_folder_changed, warehouse, None)
    assert isinstance(added, dg.RunRequest)
    seen_again, _ = _tick(raw_folder_changed, warehouse, None)  # e.g. a fresh cursor, before the run
    assert seen_again.run_key == added.run_key

    incremental.update(raw, work, scan(raw), workers=1)  # the requested run
    extra.unlink()
    removed, cursor = _tick(raw_folder_changed, warehouse, cursor)
    assert isinstance(removed, dg.RunRequest) and removed.tags["xxgk/raw_changes"] == "0 new, 0 changed, 1 removed"
    assert removed.run_key != added.run_key

    # and back once more, to exactly the listing of the first request (same name, size and time)
    incremental.update(raw, work, scan(raw), workers=1)
    extra.write_bytes((RAW / "000_1acaab7e8820b83a.txt").read_bytes() + b"\n")
    os.utime(extra, ns=(added_mtime, added_mtime))
    again, _ = _tick(raw_folder_changed, warehouse, cursor)
    assert isinstance(again, dg.RunRequest)
    assert again.run_key not in {added.run_key, removed.run_key}


def test_the_build_plan_drives_every_step_after_extraction():
    """build_plan's value is each later step's input, so the lineage shows what drives a run, and
    nothing else carries the run's plan between steps (no run.json)."""
    graph = defs().resolve_asset_graph()
    plan = dg.AssetKey("build_plan")
    later = {k for k in graph.get_all_asset_keys() if k not in {plan, dg.AssetKey("raw_reports"), dg.AssetKey("extracted_reports")}}
    assert later and all(plan in graph.get(k).parent_keys for k in later), sorted(
        k.to_user_string() for k in later if plan not in graph.get(k).parent_keys
    )
    assert graph.get(plan).parent_keys == {dg.AssetKey("extracted_reports")}
    assert all("run.json" not in p.read_text(encoding="utf-8") for p in (ROOT / "pipeline").rglob("*.py"))
