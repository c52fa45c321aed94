"""The DuckDB file a run builds beside the published one (WarehouseFiles.build), and connections
to it. The build starts only when a run's plan says so (start), from an empty file or a copy of
the published one; a write connection with no build under way is refused, never made by copying
the published file behind the user's back."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from pipeline.warehouse.files import DUCKDB_CONFIG, WarehouseFiles, wal


class NoBuild(RuntimeError):
    """A step that writes the build found none under way."""


class BuildFile:
    def __init__(self, files: WarehouseFiles):
        self.files = files

    def discard(self) -> None:
        files = self.files
        for stale in (files.build, wal(files.build), files.staged_input):
            stale.unlink(missing_ok=True)
        shutil.rmtree(files.staged_parquet, ignore_errors=True)
        shutil.rmtree(files.staged_site, ignore_errors=True)

    def start(self, from_published: bool) -> None:
        """A new build file, empty or a copy of the published one; a leftover from a killed run
        is discarded."""
        files = self.files
        files.published.parent.mkdir(parents=True, exist_ok=True)
        self.discard()
        if from_published:
            shutil.copyfile(files.published, files.build)
        else:
            duckdb.connect(str(files.build)).close()

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection to the build file; NoBuild when no build is under way."""
        if not self.files.build.exists():
            raise NoBuild(
                f"no build under way at {self.files.build}: a build starts with the base tables "
                "(warehouse_tables) of a run of all assets; materialize all assets (the job refresh_warehouse, "
                '"Materialize all" in the UI, or `xxgk run`)'
            )
        con = duckdb.connect(str(self.files.build), config=DUCKDB_CONFIG)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection: to the build under way if there is one, else the published file."""
        files = self.files
        path = files.build if files.build.exists() else files.published
        con = duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
        try:
            yield con
        finally:
            con.close()
