"""One writer at a time: an exclusive lock on a file beside the warehouse, held for a whole run.

Whoever writes takes it: `xxgk run` around the whole job, and a Dagster-launched run (schedule,
sensor, the UI) through the `writer_lock` resource, which Dagster's in-process executor sets up
before the first step and tears down after the last. The lock is `flock(2)` on
`.<warehouse>-lock`: the kernel drops it when the holder exits, however it exits, so a killed run
never leaves a stale lock behind. The file also says who holds it, for the message a second
writer prints.

A lock on a file is only as good as the file: once it is removed, a second writer creates a new
one and locks that. So its name is outside what cleaning the warehouse removes (`make clean`:
`xxgk.duckdb*`, `.xxgk.duckdb.*`), and a holder checks, each time it is asked again (every step
of a run), that the file it locked is still the one at that path (`LockLost` if not).

Within one process the lock is re-entrant (`xxgk run` holds it and the job it runs asks again);
a second process waits, or gives up with `WarehouseBusy`.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another process is writing this warehouse."""


class LockLost(RuntimeError):
    """The lock file this process holds was removed or replaced: another writer may be in."""


_held: dict[str, tuple[int, int]] = {}  # lock path → (fd, depth), for re-entry in this process
_guard = threading.Lock()


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}-lock")


def _is_at(fd: int, path: Path) -> bool:
    """True when the file open as fd is the one at path (not removed, not replaced)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (held.st_dev, held.st_ino) == (st.st_dev, st.st_ino)


def _check_still_held(fd: int, path: Path) -> None:
    if not _is_at(fd, path):
        raise LockLost(
            f"the lock file {path} was removed while this run held it, so another writer may have started: "
            "stopped before writing more; run again (and leave that file alone while a run is going)"
        )


def holder(path: Path) -> str:
    """Who holds (or last held) the lock, in words."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    if not info:
        return "another process"
    return f"{info.get('who', 'a writer')} (pid {info.get('pid')} on {info.get('host')}, since {info.get('since')})"


def _key(path: Path) -> str:
    return str(path.resolve()) if path.parent.exists() else str(path.absolute())


def check_held(warehouse: Path) -> None:
    """LockLost if the lock this process holds on warehouse is no longer the file at its path."""
    path = lock_path(warehouse)
    with _guard:
        held = _held.get(_key(path))
    if held:
        _check_still_held(held[0], path)


@contextmanager
def writer_lock(
    warehouse: Path,
    who: str,
    wait: bool = True,
    timeout: float | None = None,
    on_wait: Callable[[str], None] | None = None,
    poll: float = 0.5,
) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block.

    wait=False raises WarehouseBusy at once if someone else holds it; otherwise waits up to
    `timeout` seconds (None: for ever), calling on_wait(message) when it starts waiting and
    every minute after.
    """
    path = lock_path(warehouse)
    key = _key(path)
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            _check_still_held(fd, path)
            yield
        finally:
            with _guard:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _locked(path, warehouse, wait, timeout, on_wait, poll)
    try:
        os.ftruncate(fd, 0)
        info = {
            "who": who,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        os.pwrite(fd, json.dumps(info).encode(), 0)
        with _guard:
            _held[key] = (fd, 1)
        try:
            yield
        finally:
            with _guard:
                del _held[key]
            os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _locked(path: Path, warehouse: Path, wait: bool, timeout: float | None, on_wait, poll: float) -> int:
    """A descriptor of the lock file at path, flocked. A file removed while this process waited
    for its lock is not the lock any more: open the path again."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _acquire(fd, path, warehouse, wait, timeout, on_wait, poll)
        except BaseException:
            os.close(fd)
            raise
        if _is_at(fd, path):
            return fd
        os.close(fd)


def _acquire(fd: int, path: Path, warehouse: Path, wait: bool, timeout: float | None, on_wait, poll: float) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    busy = f"the warehouse {warehouse} is being written by {holder(path)}"
    if not wait:
        raise WarehouseBusy(busy)
    started = time.monotonic()
    next_note = started
    while True:
        now = time.monotonic()
        if timeout is not None and now - started >= timeout:
            raise WarehouseBusy(f"{busy}; gave up after waiting {timeout:.0f} s")
        if on_wait and now >= next_note:
            on_wait(f"{busy}; waiting for it to finish")
            next_note = now + 60
        time.sleep(poll)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            continue
