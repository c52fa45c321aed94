import os
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
from pydantic import PrivateAttr

from pipeline import signals
from pipeline.defs.jobs import refuse_partial_selection
from pipeline.settings import default, settings
from pipeline.warehouse.files import FolderTaken, WarehouseFiles
from pipeline.warehouse.lock import LockLost, WarehouseBusy, check_held, writer_lock


class Warehouse(dg.ConfigurableResource):
    """Where the raw reports are read from and where the warehouse file is published.

    Relative paths are relative to the working directory (the repository root under
    `dagster dev`). XXGK_RAW_DIR, XXGK_WAREHOUSE and XXGK_LOCK_TIMEOUT (pipeline/settings.py) set
    the values launched runs use.

    Every asset that writes calls `hold_writer_lock` first: the first one in a run takes the
    warehouse's writer lock (waiting up to lock_timeout seconds for another writer to finish),
    and the lock is released when Dagster tears the resource down after the run's last step
    (the in-process executor sets resources up once per run).
    """

    raw_dir: str = default("raw_dir")
    path: str = default("warehouse")
    workers: int = 0  # extraction processes; 0 means one per core
    lock_timeout: int = default("lock_timeout")  # seconds a run waits for another writer before failing
    progress: bool = False  # also print extraction progress on stderr (`xxgk run` does)

    _stack: ExitStack | None = PrivateAttr(default=None)
    _locked: bool = PrivateAttr(default=False)

    @property
    def files(self) -> WarehouseFiles:
        return WarehouseFiles(Path(self.path))

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        with ExitStack() as stack:
            self._stack = stack
            self._locked = False
            try:
                yield self
            finally:
                self._stack = None

    def hold_writer_lock(self, context) -> None:
        """Take the writer lock for the rest of this run (a no-op once taken). Every step that
        writes starts here, so this is also where a run that was told to stop stops."""
        signals.stop_if_received()
        if self._locked:
            try:
                check_held(Path(self.path))
            except LockLost as err:
                raise dg.Failure(str(err)) from err
            return
        run_id = getattr(getattr(context, "run", None), "run_id", None) or "?"
        tags = getattr(getattr(context, "run", None), "tags", None) or {}
        trigger = tags.get("dagster/schedule_name") or tags.get("dagster/sensor_name") or "launched"
        lock = writer_lock(
            Path(self.path),
            who=f"Dagster run {run_id[:8]} ({trigger})",
            timeout=self.lock_timeout,
            on_wait=context.log.warning,
        )
        try:
            if self._stack is not None:
                self._stack.enter_context(lock)
            else:  # used outside a run (a direct call in a test): held until the process exits
                lock.__enter__()
            self.files.claim_folder()
        except (WarehouseBusy, LockLost, FolderTaken) as err:
            raise dg.Failure(str(err)) from err
        self._locked = True


class _ThisRun(dg.IOManager):
    """Values a step hands to the later steps of the same run (the build_plan), kept in memory:
    the in-process executor runs every step in one process and sets this up once per run. A
    value is never taken from another run, so a step whose run did not compute its input (a run
    of some assets only) fails, saying why (refuse_partial_run)."""

    def __init__(self):
        self._values: dict[dg.AssetKey, object] = {}

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        self._values[context.asset_key] = obj

    def load_input(self, context: dg.InputContext) -> object:
        if context.asset_key not in self._values:
            refuse_partial_selection(context.step_context.dagster_run.asset_selection)
            raise dg.Failure(f"{context.asset_key.to_user_string()} was not computed in this run")
        return self._values[context.asset_key]


@dg.io_manager(description="Hands a run's build plan from step to step, within the run.")
def this_run(_context) -> _ThisRun:
    return _ThisRun()


@dg.definitions
def resources() -> dg.Definitions:
    now = settings()
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(
                raw_dir=now.raw_dir,
                path=now.warehouse,
                lock_timeout=now.lock_timeout,
            ),
            "this_run": this_run,
        },
        # Every step writes the one build file, and DuckDB allows one writer per file. In-process
        # also means resources are set up once per run, which is what keeps the lock for the run.
        executor=dg.in_process_executor,
    )
