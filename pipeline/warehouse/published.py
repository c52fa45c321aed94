"""What the published warehouse was built from, remembered across runs (`published.json` in the
work folder): the fingerprint of its inputs and of the code, and the identity of the published
file and its Parquet as they were published, so a file changed or replaced since is not taken for
the one that was built. A run's BuildPlan (pipeline/warehouse/plan.py) starts from it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import polars as pl

from pipeline.warehouse.files import WarehouseFiles
from pipeline.warehouse.plan import BuildPlan, Published


class PublishedRecord:
    def __init__(self, files: WarehouseFiles):
        self.files = files

    @property
    def path(self) -> Path:
        return self.files.work_dir / "published.json"

    def recorded(self) -> dict:
        """What the published file was built from, as last recorded ({} if unknown)."""
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def published(self, code: str) -> Published:
        """The published warehouse as a run starts from it: its inputs' fingerprint when the file
        and every Parquet file are as published, the code that built it when the file is, and the
        reports frame it was loaded from when that code is `code` (an update compares with it; an
        update also checks each file it links from the previous export: pipeline/warehouse/parquet.py)."""
        state = self._published_as_recorded()
        intact = state and state.get("parquet") == self._parquet_listing()
        built_by = state.get("code")
        frame = self.files.published_input
        return Published(
            fingerprint=state.get("fingerprint") if intact else None,
            code=built_by,
            input=pl.read_parquet(frame) if built_by == code and frame.is_file() else None,
        )

    def note(self, plan: BuildPlan) -> None:
        """Remember that the published file and its Parquet were just built as `plan` says."""
        _write_atomic(
            self.path,
            json.dumps(
                {
                    "fingerprint": plan.fingerprint,
                    "code": plan.code,
                    "published": self._published_stat(),
                    "parquet": self._parquet_listing(),
                }
            ),
        )

    def _published_as_recorded(self) -> dict:
        state = self.recorded()
        return state if state.get("published") == self._published_stat() and self.files.parquet.is_dir() else {}

    def _published_stat(self) -> list[int] | None:
        """The published file's identity. Its ctime too: any write to the file sets it, and unlike
        the modification time it cannot be set back, so a file overwritten in place with its old
        size and time is not taken for the one that was published."""
        try:
            st = self.files.published.stat()
        except OSError:
            return None
        return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]

    def _parquet_listing(self) -> str:
        """A hash of every published Parquet file's path and size: a file removed or truncated
        changes it."""
        h = hashlib.sha256()
        parquet = self.files.parquet
        for path in sorted(parquet.rglob("*.parquet")):
            h.update(f"{path.relative_to(parquet)}\0{path.stat().st_size}\n".encode())
        return h.hexdigest()[:16]


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
