"""One writer at a time: an exclusive lock on a file beside the warehouse, held for a whole run.

Whoever writes takes it: `xxgk run` around the whole job, and a Dagster-launched run (schedule,
sensor, the UI) through the `writer_lock` resource, which Dagster's in-process executor sets up
before the first step and tears down after the last. The lock is filelock's native `flock(2)` on
`.<warehouse>-lock`: the kernel drops it when the holder exits, however it exits, so a killed run
never leaves a stale lock behind (and a forked extraction worker does not inherit it). The file
also says who holds it, for the message a second writer prints.

A lock on a file is only as good as the file: once it is removed, a second writer creates a new
one and locks that. So its name is outside what cleaning the warehouse removes (`make clean`:
`xxgk.duckdb*`, `.xxgk.duckdb.*`), and a holder checks, each time it is asked again (every step
of a run), that the file it locked is still the one at that path (`LockLost` if not). A file
removed or renamed away while this process waited for it is not the lock any more: filelock's
acquisition is tried again on whatever is at the path then.

Within one process the lock is re-entrant (`xxgk run` holds it and the job it runs asks again);
a second process waits, or gives up with `WarehouseBusy`.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

NOTE_EVERY = 60  # seconds between the "waiting for it to finish" messages


class WarehouseBusy(RuntimeError):
    """Another process is writing this warehouse."""


class LockLost(RuntimeError):
    """The lock file this process holds was removed or replaced: another writer may be in."""


class _NotAtPath(Exception):
    """The file just locked was renamed away meanwhile: lock what is at the path instead."""


@dataclass
class _Hold:
    """This process's hold on one lock file: the file locked (device, inode), and the note."""

    path: Path
    who: str
    poll: float
    identity: tuple[int, int] | None = None
    lock: FileLock = field(init=False)

    def __post_init__(self) -> None:
        # thread_local=False: the run may be torn down by another thread than the one that took
        # the lock; preserve_lock_file: waiters share the file's inode, so it stays on release.
        self.lock = FileLock(
            self.path,
            mode=0o644,
            thread_local=False,
            poll_interval=self.poll,
            fallback_to_soft=False,
            preserve_lock_file=True,
            on_acquired=self._acquired,
        )

    def _acquired(self, fd: int) -> None:
        held = _identity(os.fstat(fd))
        if _identity_at(self.path) != held:
            raise _NotAtPath
        note = {
            "who": self.who,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(note).encode(), 0)
        self.identity = held

    def check(self) -> None:
        if _identity_at(self.path) != self.identity:
            raise LockLost(
                f"the lock file {self.path} was removed while this run held it, so another writer may have started: "
                "stopped before writing more; run again (and leave that file alone while a run is going)"
            )

    def attempt(self, seconds: float) -> bool:
        """Try to lock for up to `seconds` (0: once); False when another process still holds it."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.lock.acquire(timeout=max(deadline - time.monotonic(), 0), blocking=seconds > 0)
                return True
            except Timeout:
                return False
            except _NotAtPath:
                continue

    def release(self) -> None:
        try:
            if self.identity is not None and _identity_at(self.path) == self.identity:
                os.truncate(self.path, 0)  # no note of a writer that is gone
        finally:
            self.lock.release()


_held: dict[str, _Hold] = {}  # lock path → this process's hold, for re-entry
_guard = threading.Lock()


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(f".{warehouse.name}-lock")


def _identity(st: os.stat_result) -> tuple[int, int]:
    return st.st_dev, st.st_ino


def _identity_at(path: Path) -> tuple[int, int] | None:
    try:
        return _identity(os.stat(path))
    except FileNotFoundError:
        return None


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
    with _guard:
        hold = _held.get(_key(lock_path(warehouse)))
    if hold:
        hold.check()


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
        hold = _held.get(key)
    if hold is not None:
        hold.check()
        yield
        return

    path.parent.mkdir(parents=True, exist_ok=True)
    hold = _Hold(path, who, poll)
    _acquire(hold, warehouse, wait, timeout, on_wait)
    try:
        with _guard:
            _held[key] = hold
        try:
            yield
        finally:
            with _guard:
                del _held[key]
    finally:
        hold.release()


def _acquire(hold: _Hold, warehouse: Path, wait: bool, timeout: float | None, on_wait) -> None:
    if hold.attempt(0):
        return
    busy = f"the warehouse {warehouse} is being written by {holder(hold.path)}"
    if not wait:
        raise WarehouseBusy(busy)
    started = time.monotonic()
    while True:
        left = None if timeout is None else timeout - (time.monotonic() - started)
        if left is not None and left <= 0:
            raise WarehouseBusy(f"{busy}; gave up after waiting {timeout:.0f} s")
        if on_wait:
            on_wait(f"{busy}; waiting for it to finish")
        if hold.attempt(NOTE_EVERY if left is None else min(NOTE_EVERY, left)):
            return
