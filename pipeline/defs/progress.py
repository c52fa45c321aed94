"""What a run is doing, as it does it: one line per stage (loading, models, checks, Parquet,
publish) with its time, in the Dagster log and, for `xxgk run`, on stderr.

The terminal lines go through rich, which redraws the extraction's running line in place on a
terminal and prints plain lines elsewhere (a pipe, a log file, the Dagster log).
"""

from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.text import Text

_console = Console(stderr=True, highlight=False, soft_wrap=True)
# Steps of one run that make up one stage: (run_id, stage) → [steps done, seconds, failed names].
_tallies: dict[tuple[str, str], list] = defaultdict(lambda: [0, 0.0, []])


def say(context, to_terminal: bool, line: str) -> None:
    context.log.info(line)
    if to_terminal:
        _console.print(Text(line))


@contextmanager
def timed():
    """Seconds spent in the block, read after it: `with timed() as seconds: …; seconds()`."""
    started = time.monotonic()
    ended: list[float] = []
    try:
        yield lambda: (ended[0] if ended else time.monotonic()) - started
    finally:
        ended.append(time.monotonic())


def step_of_stage(context, to_terminal: bool, stage: str, total: int, seconds: float, what: str, failed: str | None = None) -> None:
    """Count one of a stage's `total` steps (a model, a check); the last one prints the stage's
    line, with the steps' time added up."""
    key = (context.op_execution_context.run_id, stage)  # asset and asset-check contexts alike
    tally = _tallies[key]
    tally[0] += 1
    tally[1] += seconds
    if failed:
        tally[2].append(failed)
    if tally[0] == total:
        failures = f", {len(tally[2])} failed ({', '.join(sorted(tally[2]))})" if tally[2] else ""
        say(context, to_terminal, f"{stage}: {total} {what} in {tally[1]:,.1f} s{failures}")
        del _tallies[key]


class RunningLine:
    """A line that changes while a stage runs (files extracted so far): redrawn in place on a
    terminal, printed as it is elsewhere."""

    def __init__(self) -> None:
        self._live: Live | None = None

    @property
    def redraws(self) -> bool:
        return _console.is_terminal

    def show(self, line: str, final: bool) -> None:
        if not self.redraws:
            _console.print(Text(line))
            return
        if self._live is None:
            self._live = Live(Text(line), console=_console, auto_refresh=False, transient=False)
            self._live.start()
        self._live.update(Text(line), refresh=True)
        if final:
            self._live.stop()
            self._live = None
