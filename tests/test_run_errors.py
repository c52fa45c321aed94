"""What `xxgk run` says when it cannot go on: one line naming the cause and what to do, the build
removed, the published warehouse as it was, a non-zero exit; Dagster's trace only with --verbose.
Ctrl-C and SIGTERM stop it at once (exit 130 and 143), however many files are queued.

The folders that cannot be written are made so for real where the sandbox allows it (a tmpfs of a
few megabytes for a full disk, a read-only bind mount, `chattr +i`), as root; a test that cannot
make its folder says so and skips."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import RAW

from pipeline.warehouse.files import WarehouseFiles
from pipeline.warehouse.lock import lock_path

TONGZHOU = RAW / "004_2b19c720d5f1c29d.txt"


def _variants(folder: Path, n: int) -> Path:
    """n distinct reports (Tongzhou's with another fee each), enough to keep extraction busy."""
    folder.mkdir(parents=True, exist_ok=True)
    text = TONGZHOU.read_text(encoding="utf-8")
    for i in range(n):
        (folder / f"fee_{i:05d}.txt").write_text(text.replace("\t28983.0794\n", f"\t{i}.25\n"), encoding="utf-8")
    return folder


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "XXGK_"))}


def _run(raw: Path, warehouse: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--warehouse", str(warehouse), "--quiet", *extra],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )


def _published(warehouse: Path) -> tuple[str, str]:
    files = WarehouseFiles(warehouse)
    return os.readlink(files.current), hashlib.sha256(warehouse.read_bytes()).hexdigest()


def _build_left(warehouse: Path) -> list[str]:
    files = WarehouseFiles(warehouse)
    return [p.name for p in (files.build, Path(f"{files.build}.wal"), files.staged_parquet, files.staged_input) if p.exists()]


def _batches(warehouse: Path) -> set[str]:
    return {p.name for p in (WarehouseFiles(warehouse).work_dir / "batches").iterdir()}


def _session_processes(sid: int, grace: float = 3.0) -> list[str]:
    """Processes still alive in the session `xxgk run` led (its extraction workers, say), once
    those that are exiting (multiprocessing's resource tracker follows its parent) had time to."""
    deadline = time.monotonic() + grace
    while True:
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[3]) == sid and fields[0] != "Z":
                    alive.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode())
            except OSError:
                continue
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, Path]:
    """A warehouse built from the bundled reports, and a folder of 2,000 other reports."""
    work = tmp_path_factory.mktemp("interrupt")
    warehouse = work / "w" / "xxgk.duckdb"
    assert _run(RAW, warehouse).returncode == 0
    return warehouse, _variants(work / "many", 2000)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_extraction_at_once(published, signum):
    warehouse, many = published
    before, batches = _published(warehouse), _batches(warehouse)
    err_path = warehouse.parent.parent / f"stderr-{signum}.txt"
    with err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "run", "--raw", str(many), "--warehouse", str(warehouse)],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env=_env(),
            start_new_session=True,
        )
        deadline = time.monotonic() + 120
        while "extracting 2,000" not in err_path.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, err_path.read_text()
            time.sleep(0.02)
        time.sleep(0.3)
        proc.send_signal(signum)
        sent = time.monotonic()
        proc.wait(timeout=60)
        took = time.monotonic() - sent
    stderr = err_path.read_text()
    assert "extraction: 2,000 files" not in stderr, "extraction finished before the run stopped"
    assert took < 5, f"stopped {took:.1f} s after the signal"
    assert proc.returncode == 128 + signum
    name = "Ctrl-C (SIGINT)" if signum == signal.SIGINT else "SIGTERM"
    assert stderr.splitlines()[-1] == f"xxgk run: interrupted by {name}: stopped; the published warehouse is unchanged"
    assert "Traceback" not in stderr and "Stack Trace" not in stderr and len(stderr.splitlines()) <= 3
    assert _published(warehouse) == before and _build_left(warehouse) == []
    assert _session_processes(proc.pid) == [], "extraction workers outlived the run"
    assert _batches(warehouse) == batches, "the interrupted run's batches were left behind"


def _one_line(proc: subprocess.CompletedProcess) -> str:
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


@contextmanager
def _mounted(*args: str):
    """A folder with something mounted on it, or a skip saying why not."""
    target = Path(args[-1])
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here ({done.stderr.strip() or 'not root'})")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True)


def test_a_full_disk_is_one_line_and_leaves_no_build(tmp_path: Path):
    """The bundled reports' warehouse fits in 6 MB; a second version beside it does not."""
    with _mounted("-t", "tmpfs", "-o", "size=6m", "tmpfs", str(tmp_path / "disk")) as disk:
        warehouse = disk / "xxgk.duckdb"
        assert _run(RAW, warehouse).returncode == 0
        before = _published(warehouse)
        raw = _variants(tmp_path / "raw", 40)
        proc = _run(raw, warehouse)
        line = _one_line(proc)
        assert proc.returncode == 1
        assert line.startswith("xxgk run: the run failed in ")
        assert f"the disk holding {disk} is full: free space there" in line and "No space left on device" in line
        assert line.endswith("the build was removed, the published warehouse is unchanged (--verbose shows the trace)")
        assert _published(warehouse) == before and _build_left(warehouse) == []
        verbose = _run(raw, warehouse, "--verbose")
        assert verbose.returncode == 1 and "Stack Trace" in verbose.stderr


def test_a_read_only_warehouse_folder_is_one_line(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    with _mounted("--bind", "-o", "ro", str(tmp_path / "empty"), str(tmp_path / "ro")) as ro:
        proc = _run(RAW, ro / "xxgk.duckdb")
    assert proc.returncode == 1
    assert _one_line(proc) == (
        f"xxgk run: cannot write the warehouse: {ro} is on a read-only file system: mount it read-write, "
        f"or give a --warehouse elsewhere ([Errno 30] Read-only file system: '{lock_path(ro / 'xxgk.duckdb')}'); not started"
    )


def test_an_immutable_warehouse_folder_is_one_line(tmp_path: Path):
    warehouse = tmp_path / "w" / "xxgk.duckdb"
    assert _run(RAW, warehouse).returncode == 0
    before = _published(warehouse)
    raw = _variants(tmp_path / "raw", 3)
    if subprocess.run(["chattr", "+i", str(warehouse.parent)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not possible here")
    try:
        proc = _run(raw, warehouse)
    finally:
        subprocess.run(["chattr", "-i", str(warehouse.parent)], check=True)
    line = _one_line(proc)
    assert proc.returncode == 1
    assert f"{warehouse.parent} cannot be written (is it immutable? `lsattr -d` shows an i, `chattr -i` clears it)" in line
    assert "Operation not permitted" in line and line.startswith("xxgk run: the run failed in ")
    assert _published(warehouse) == before


def test_a_folder_holds_one_warehouse(tmp_path: Path):
    """parquet/ and the staged build beside the warehouse have fixed names: a second warehouse in
    the same folder would publish its Parquet over the first's."""
    a, b = tmp_path / "d" / "a.duckdb", tmp_path / "d" / "b.duckdb"
    assert _run(RAW, a).returncode == 0
    before, parquet = _published(a), os.readlink(a.parent / "parquet")
    raw = _variants(tmp_path / "raw", 2)
    refused = _run(raw, b)
    assert refused.returncode == 2
    assert _one_line(refused) == (
        f"xxgk run: {a.parent} already holds the warehouse a.duckdb (and its parquet/ folder); a folder holds one "
        f"warehouse: give b.duckdb a folder of its own (if a.duckdb is gone for good, remove {a.parent}/.xxgk-warehouse); "
        "not started"
    )
    assert not b.exists() and _published(a) == before and os.readlink(a.parent / "parquet") == parquet
    assert "warehouse unchanged, not rebuilt" in _run(RAW, a).stdout
    # A folder a warehouse was published in before the marker existed is known by its files.
    (a.parent / ".xxgk-warehouse").unlink()
    assert _run(raw, b).returncode == 2 and not b.exists()
    # Elsewhere b is welcome.
    assert _run(raw, tmp_path / "e" / "b.duckdb").returncode == 0


def test_a_dagster_launched_run_refuses_a_taken_folder_too(tmp_path: Path):
    import dagster as dg

    from pipeline.definitions import defs

    a = tmp_path / "d" / "a.duckdb"
    assert _run(RAW, a).returncode == 0
    result = (
        defs()
        .resolve_job_def("refresh_warehouse")
        .execute_in_process(
            run_config={"resources": {"warehouse": {"config": {"raw_dir": str(RAW), "path": str(a.parent / "b.duckdb")}}}},
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    )
    assert not result.success and not (a.parent / "b.duckdb").exists()
    failure = result.get_step_failure_events()[0]
    assert failure.step_key == "raw_reports"
    assert f"{a.parent} already holds the warehouse a.duckdb" in failure.step_failure_data.user_failure_data.description
