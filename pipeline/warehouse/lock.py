"""One writer at a time: an exclusive lock on a file beside the warehouse, held for a whole run.

Whoever writes takes it: `xxgk run` around the whole job, and a Dagster-launched run (schedule,
sensor, the UI) through the `writer_lock` resource, which Dagster's in-process executor sets up
before the first step and tears down after the last. The lock is `flock(2)` on
`<warehouse>.lock`: the kernel drops it when the holder exits, however it exits, so a killed run
never leaves a stale lock behind. The file also says who holds it, for the message a second
writer prints.

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


_held: dict[str, tuple[int, int]] = {}  # lock path → (fd, depth), for re-entry in this process
_guard = threading.Lock()


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def holder(path: Path) -> str:
    """Who holds (or last held) the lock, in words."""
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    if not info:
        return "another process"
    return f"{info.get('who', 'a writer')} (pid {info.get('pid')} on {info.get('host')}, since {info.get('since')})"


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
    key = str(path.resolve()) if path.parent.exists() else str(path.absolute())
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                fd, depth = _held[key]
                _held[key] = (fd, depth - 1)
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait, timeout, on_wait, poll)
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


def _acquire(fd: int, path: Path, wait: bool, timeout: float | None, on_wait, poll: float) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        pass
    busy = f"the warehouse {path.with_suffix('')} is being written by {holder(path)}"
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
