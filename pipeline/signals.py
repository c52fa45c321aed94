"""Ctrl-C and SIGTERM during `xxgk run`: which signals came, for the exit status and for every
step, which must not start once one has (pipeline.run; defs/resources.py asks before each step).

Dagster installs one handler for both signals while a job runs, blind to which one came, and a
signal landing inside a DuckDB query surfaces as the query's own error, which Dagster takes for an
ordinary step failure and goes on with the steps that do not depend on it. So the signals are read
from a wakeup fd: the interpreter writes every signal's number to it, whichever handler runs.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

STOPPING = (signal.SIGINT, signal.SIGTERM)
_pipe: list[int] = []  # the read end, while noted() is active
_seen: list[int] = []


@contextmanager
def noted() -> Iterator[None]:
    """Note the signals that arrive in the block; SIGTERM stops it as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; nothing to note
        return
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    previous_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)
    _pipe.append(r)
    try:
        yield
    finally:
        _pipe.remove(r)
        _seen.clear()
        signal.signal(signal.SIGTERM, previous_term)
        signal.set_wakeup_fd(previous_fd)
        os.close(r)
        os.close(w)


def received() -> list[signal.Signals]:
    """Ctrl-C (SIGINT) and SIGTERM received so far in noted()'s block, in order."""
    for r in _pipe:
        try:
            _seen.extend(os.read(r, 64))
        except BlockingIOError:
            pass
    return [signal.Signals(s) for s in _seen if s in STOPPING]


def stop_if_received() -> None:
    """Called before each step: once a signal came, nothing more is started."""
    if received():
        raise KeyboardInterrupt
