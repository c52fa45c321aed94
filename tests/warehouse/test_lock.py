"""The writer lock on its own, without a pipeline run: who holds it, waiting and giving up, re-entry,
and the lock file's identity (a file removed or replaced is not the lock any more)."""

import fcntl
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.warehouse.lock import LockLost, WarehouseBusy, check_held, lock_path, writer_lock

HOLDER = """
import sys
from pathlib import Path
from pipeline.warehouse.lock import writer_lock
with writer_lock(Path(sys.argv[1]), who="the test's writer"):
    print("held", flush=True)
    sys.stdin.readline()
"""

TRY = """
import sys
from pathlib import Path
from pipeline.warehouse.lock import WarehouseBusy, writer_lock
try:
    with writer_lock(Path(sys.argv[1]), who="a second writer", wait=False):
        print("got it")
except WarehouseBusy as err:
    print(err)
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    return tmp_path / "w" / "xxgk.duckdb"


@pytest.fixture
def held(warehouse: Path):
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(warehouse)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    yield holder
    if holder.poll() is None:
        holder.stdin.close()
        holder.wait(10)


def _second_writer(warehouse: Path) -> str:
    """What another process trying the lock without waiting says."""
    return subprocess.run([sys.executable, "-c", TRY, str(warehouse)], capture_output=True, text=True, check=True).stdout.strip()


def test_a_second_writer_is_told_who_holds_it(warehouse: Path, held):
    with pytest.raises(WarehouseBusy) as busy:
        with writer_lock(warehouse, who="me", wait=False):
            pass
    message = str(busy.value)
    assert message.startswith(f"the warehouse {warehouse} is being written by the test's writer (pid {held.pid} on ")
    assert ", since 20" in message and "waiting" not in message


def test_waiting_says_so_then_gives_up_after_the_timeout(warehouse: Path, held):
    said = []
    with pytest.raises(WarehouseBusy) as busy:
        with writer_lock(warehouse, who="me", timeout=1, on_wait=said.append, poll=0.05):
            pass
    assert len(said) == 1 and "is being written by the test's writer" in said[0]
    assert said[0].endswith("; waiting for it to finish")
    assert str(busy.value).endswith("; gave up after waiting 1 s") and "is being written by the test's writer" in str(busy.value)


def test_a_waiting_writer_gets_the_lock_when_the_holder_finishes(warehouse: Path, held):
    def finish_the_holder(message: str) -> None:
        held.stdin.close()

    with writer_lock(warehouse, who="the waiting writer", on_wait=finish_the_holder, poll=0.05):
        assert held.wait(10) == 0
        assert "is being written by the waiting writer (pid " in _second_writer(warehouse)


def test_a_killed_holder_leaves_no_stale_lock(warehouse: Path, held):
    held.send_signal(signal.SIGKILL)
    held.wait(10)
    assert lock_path(warehouse).exists()
    assert _second_writer(warehouse) == "got it"


def test_reentry_in_one_process_and_no_note_left_after(warehouse: Path):
    with writer_lock(warehouse, who="xxgk run"):
        with writer_lock(warehouse, who="its job, at a step"):
            check_held(warehouse)
        assert "is being written by xxgk run (pid " in _second_writer(warehouse)  # still held after the inner block
    assert lock_path(warehouse).read_text(encoding="utf-8") == ""  # the file stays; its note goes
    assert lock_path(warehouse) == warehouse.with_name(".xxgk.duckdb-lock")
    assert _second_writer(warehouse) == "got it"


@pytest.mark.parametrize("how", ["removed", "replaced"])
def test_a_lock_file_removed_or_replaced_while_held_is_noticed(warehouse: Path, how: str):
    with writer_lock(warehouse, who="a run"):
        path = lock_path(warehouse)
        if how == "removed":
            path.unlink()
        else:
            path.with_name("new").write_text("")
            os.replace(path.with_name("new"), path)
        assert _second_writer(warehouse) == "got it"  # what a lost lock file allows: so the holder must stop
        with pytest.raises(LockLost, match=f"the lock file {path} was removed while this run held it"):
            check_held(warehouse)
        with pytest.raises(LockLost):
            with writer_lock(warehouse, who="the same run, at its next step"):
                pass


def test_a_file_moved_away_as_it_was_locked_is_not_the_lock(warehouse: Path, monkeypatch):
    """Between opening the path and locking the file, the file there was renamed away and a new one
    put in its place: the lock taken is on the file at the path, which a second writer also tries."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True)
    path.write_text("")
    flock = fcntl.flock
    moved = []

    def moving_first(fd, operation):
        if not moved and operation & fcntl.LOCK_EX:
            moved.append(os.fstat(fd).st_ino)
            os.rename(path, path.with_name("moved-away"))
            path.write_text("")
        return flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", moving_first)
    with writer_lock(warehouse, who="the writer"):
        monkeypatch.undo()
        assert moved and path.with_name("moved-away").stat().st_ino == moved[0] != path.stat().st_ino
        assert "is being written by the writer (pid " in _second_writer(warehouse)
        check_held(warehouse)
