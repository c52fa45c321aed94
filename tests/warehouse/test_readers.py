"""Readers never block the pipeline, and the pipeline never breaks readers; one writer at a time."""

import io
import os
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from conftest import RAW, ROOT, build_bundled, xxgk

from pipeline.run import EXIT_BUSY, run_pipeline
from pipeline.warehouse.lock import lock_path, writer_lock


def _real_duckdb_cli() -> str:
    """The CLI binary itself (bin/duckdb is a Python wrapper that starts it as a child)."""
    from duckdb_cli.__main__ import _find_binary

    return _find_binary()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    raw, target = build_bundled(tmp_path_factory.mktemp("readers"))
    return raw, target


def _count(target: Path) -> int:
    with duckdb.connect(str(target), read_only=True) as con:
        return con.execute("SELECT count(*) FROM reports").fetchone()[0]


def _readline(stream, timeout: float = 20) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, "the reader did not answer"
    return stream.readline().strip()


def _add_report(raw: Path, name: str) -> None:
    (raw / name).write_bytes((RAW / "001_12656899dbde5e36.txt").read_bytes() + f"\n{name}\n".encode())


def test_duckdb_cli_session_held_open_during_a_run(site):
    raw, target = site
    before = _count(target)
    cli = subprocess.Popen(
        [_real_duckdb_cli(), "-readonly", "-csv", "-noheader", str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    try:
        cli.stdin.write("SELECT count(*) FROM reports;\n")
        cli.stdin.flush()
        assert _readline(cli.stdout) == str(before)
        open_files = {os.path.realpath(f"/proc/{cli.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{cli.pid}/fd")}
        assert str(target.resolve()) in open_files  # the session really holds the warehouse open

        _add_report(raw, "cli-reader.txt")
        proc = xxgk("run", "--raw", str(raw), "--warehouse", str(target), check=False)
        assert proc.returncode == 0, proc.stderr
        assert f"reports: {before + 1} " in proc.stdout

        # The open session still reads its snapshot; a new connection sees the new data.
        cli.stdin.write("SELECT count(*) FROM reports;\n")
        cli.stdin.flush()
        assert _readline(cli.stdout) == str(before)
        assert cli.poll() is None
        assert _count(target) == before + 1
    finally:
        cli.stdin.close()
        cli.wait(10)


READERS = {
    "duckdb": """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
q = "SELECT count(*) FROM reports"
""",
    # what a BI tool does: SQLAlchemy with duckdb-engine, read-only
    "sqlalchemy": """
import sys, sqlalchemy as sa
con = sa.create_engine(f"duckdb:///{sys.argv[1]}?access_mode=read_only").connect()
q = sa.text("SELECT count(*) FROM reports")
""",
}
ASK_TWICE = """
print(con.execute(q).fetchone()[0], flush=True)
sys.stdin.readline()
print(con.execute(q).fetchone()[0], flush=True)
"""


@pytest.mark.parametrize("client", sorted(READERS))
def test_read_only_connection_in_another_process_during_a_run(site, client):
    raw, target = site
    before = _count(target)
    reader = subprocess.Popen(
        [sys.executable, "-c", READERS[client] + ASK_TWICE, str(target.resolve())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    try:
        assert _readline(reader.stdout) == str(before)
        _add_report(raw, f"{client}-reader.txt")
        assert run_pipeline(raw, target, out=io.StringIO(), progress=False) == 0
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert _readline(reader.stdout) == str(before)
        assert _count(target) == before + 1
    finally:
        reader.stdin.close()
        reader.wait(10)


HOLDER = """
import sys
from pathlib import Path
from pipeline.warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1]), who="the test's writer"):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def held_lock(site):
    _, target = site
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert _readline(holder.stdout) == "held"
    yield holder
    if holder.poll() is None:
        holder.stdin.close()
        holder.wait(10)


def test_second_writer_exits_or_waits_never_interleaves(site, held_lock):
    raw, target = site
    busy = xxgk("run", "--raw", str(raw), "--warehouse", str(target), "--no-wait", check=False)
    assert busy.returncode == EXIT_BUSY
    assert "is being written by the test's writer" in busy.stderr and "not started" in busy.stderr

    waiting = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--raw", str(raw), "--warehouse", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = _readline(waiting.stderr)
    assert line.startswith("starting: ")  # said at once, before Dagster's start-up
    line = _readline(waiting.stderr)
    assert "is being written by the test's writer" in line and "waiting for it to finish" in line
    published = target.stat().st_ino
    time.sleep(0.5)
    assert waiting.poll() is None and target.stat().st_ino == published  # nothing written meanwhile
    held_lock.stdin.close()
    held_lock.wait(10)
    out, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, err
    assert "reports: " in out


def test_dagster_launched_run_waits_then_fails_clearly(site, held_lock):
    """A run the daemon launches (schedule, sensor, UI) takes the same lock in its first asset."""
    from pipeline.definitions import defs

    raw, target = site
    result = (
        defs()
        .resolve_job_def("refresh_warehouse")
        .execute_in_process(
            run_config={"resources": {"warehouse": {"config": {"raw_dir": str(raw), "path": str(target), "lock_timeout": 1}}}},
            instance=dg.DagsterInstance.ephemeral(),
            raise_on_error=False,
        )
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    assert "is being written by the test's writer" in str(failure.event_specific_data.error)
    assert "gave up after waiting 1 s" in str(failure.event_specific_data.error)


def _make_clean(folder: Path) -> list[str]:
    """What `make clean` removes from the warehouse folder, as its recipe says (the globs are read
    from the Makefile, so a change there is tested too); the names removed."""
    recipe = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nclean:", 1)[1]
    globs = re.findall(r"data/warehouse/(\S+)", recipe)
    assert "xxgk.duckdb*" in globs
    removed = []
    for pattern in globs:
        for path in folder.glob(pattern):
            removed.append(path.name)
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    return removed


def test_make_clean_during_a_run_lets_no_second_writer_in(tmp_path: Path):
    target = tmp_path / "data" / "warehouse" / "xxgk.duckdb"
    target.parent.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(target)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert _readline(holder.stdout) == "held"
        (target.parent / "xxgk.duckdb.build").write_bytes(b"half a build")
        assert "xxgk.duckdb.build" in _make_clean(target.parent)
        busy = xxgk("run", "--raw", str(RAW), "--warehouse", str(target), "--no-wait", check=False)
        assert busy.returncode == EXIT_BUSY, busy.stderr
        assert "is being written by the test's writer" in busy.stderr
    finally:
        holder.stdin.close()
        holder.wait(10)


def test_a_lock_file_removed_during_a_run_stops_it(tmp_path: Path, monkeypatch, capsys):
    """Removed by hand (rm, or a clean-up wider than `make clean`), the lock no longer keeps a
    second writer out: the run notices at its next step and stops before writing more."""
    from pipeline.defs import ingest
    from pipeline.warehouse.lock import LockLost

    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    target = tmp_path / "w" / "xxgk.duckdb"
    update = ingest.incremental.update

    def removing_the_lock(*args, **kwargs):
        lock_path(target).unlink()
        return update(*args, **kwargs)

    monkeypatch.setattr(ingest.incremental, "update", removing_the_lock)
    assert run_pipeline(raw, target, out=io.StringIO(), progress=False) == 1
    line = capsys.readouterr().err.strip()
    assert line.startswith("xxgk run: the run failed in warehouse_tables: the lock file ") and "\n" not in line
    assert "was removed while this run held it, so another writer may have started" in line
    assert not target.exists()
    with pytest.raises(LockLost):  # the same check, as the command line's own hold of the lock sees it
        with writer_lock(target, who="a run"):
            lock_path(target).unlink()
            with writer_lock(target, who="the same run, at its next step"):
                pass
