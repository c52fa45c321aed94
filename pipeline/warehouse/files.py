"""The published warehouse file and the build file beside it.

A run builds a new file next to the published one and renames it over the published path only
when everything in it is built. Readers that hold the old file open keep reading their snapshot
(the rename does not touch the inode they have open), and a run killed half way leaves the
published file exactly as it was.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class WarehouseFiles:
    published: Path

    @property
    def build(self) -> Path:
        return self.published.with_name(self.published.name + ".build")

    @property
    def work_dir(self) -> Path:
        """Intermediate Parquet from extraction; never read by users."""
        return self.published.with_name(f".{self.published.name}.work")

    def start_build(self) -> None:
        """A fresh build file; a leftover from a killed run is discarded."""
        self.published.parent.mkdir(parents=True, exist_ok=True)
        for stale in (self.build, _wal(self.build)):
            stale.unlink(missing_ok=True)

    @contextmanager
    def building(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection to the build file. Materializing one model from the UI, with no
        run under way, starts the build from a copy of the published file."""
        if not self.build.exists() and self.published.exists():
            self.published.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.published, self.build)
        con = duckdb.connect(str(self.build))
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection: to the build under way if there is one, else the published file."""
        path = self.build if self.build.exists() else self.published
        con = duckdb.connect(str(path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    def publish(self) -> bool:
        """Atomically replace the published file with the build. False if there was no build."""
        if not self.build.exists():
            return False
        with duckdb.connect(str(self.build)) as con:
            con.execute("CHECKPOINT")
        _fsync(self.build)
        os.replace(self.build, self.published)
        _wal(self.build).unlink(missing_ok=True)
        _fsync(self.published.parent)
        return True


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
