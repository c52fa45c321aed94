"""The published warehouse file, its Parquet copy, and the build beside them.

A run builds a new DuckDB file (and Parquet folder) next to the published ones. Publication moves
both into a new version folder and then switches one link, `.<name>.current`, to it; the user's
paths `xxgk.duckdb` and `parquet/` are fixed links through it. That one rename is the only moment
anything changes, so a reader or a killed run sees either the old pair or the new pair, never the
new file beside the old Parquet. Readers that hold the old file open keep reading their snapshot
(the old version's inode stays theirs).

The work folder also remembers what the published file was built from (a fingerprint of the
extracted reports, the extractor and the SQL), so a run whose inputs did not change skips the
build and publication altogether, and which run decided that. Each version keeps the reports
frame it was loaded from (`input-reports.parquet`), so the next build, when the code is the
same, can start from a copy of the published file and replace only what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from pipeline.warehouse import divisions
from pipeline.warehouse.sqlfiles import execute

# DuckDB's own default lets one sort or join take 80% of the machine's memory. The build sorts and
# joins every fact (20 million rows at national scale), so its connections get a fixed budget and
# spill to disk beyond it (`<file>.tmp/`), which keeps a run's footprint known whatever the corpus.
# XXGK_DUCKDB_MEMORY overrides it (a DuckDB size such as `4GB`).
DUCKDB_CONFIG = {"memory_limit": os.environ.get("XXGK_DUCKDB_MEMORY", "1GB")}


class FolderTaken(RuntimeError):
    """The warehouse's folder holds another warehouse's files."""


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

    @property
    def parquet(self) -> Path:
        """The Parquet copy of the published tables (a link into the current version)."""
        return self.published.with_name("parquet")

    @property
    def site(self) -> Path:
        """The static site of the published tables (a link into the current version)."""
        return self.published.with_name("site")

    @property
    def staged_site(self) -> Path:
        """The site of the build under way (pipeline/site), until publication swaps it in."""
        return self.published.with_name(f".{self.site.name}.build")

    @property
    def current(self) -> Path:
        """The link whose one rename publishes a version: file and Parquet together."""
        return self.published.with_name(f".{self.published.name}.current")

    @property
    def versions(self) -> Path:
        return self.published.with_name(f".{self.published.name}.versions")

    @property
    def staged_parquet(self) -> Path:
        """The Parquet export of the build under way, until publication swaps it in."""
        return self.published.with_name(f".{self.parquet.name}.build")

    @property
    def staged_input(self) -> Path:
        """The reports frame the build under way was loaded from, until publication."""
        return self.published.with_name(f".{self.published.name}.build-input.parquet")

    @property
    def published_input(self) -> Path:
        """The reports frame the published file was loaded from."""
        return self.current / "input-reports.parquet"

    @property
    def changed_reports(self) -> Path:
        """The report rows the build under way replaces (pipeline/warehouse/changes.py)."""
        return self.work_dir / "changed_reports.parquet"

    @property
    def folder_marker(self) -> Path:
        """Names the one warehouse this folder holds: `parquet/` and the build beside it are its."""
        return self.published.with_name(".xxgk-warehouse")

    def claim_folder(self) -> None:
        """Make the folder this warehouse's, or FolderTaken: a folder holds one warehouse, since
        `parquet/` and the staged builds beside it keep fixed names. Call with the writer lock held."""
        folder, name = self.published.parent, self.published.name
        # Warehouses published before the marker existed are known by their links and folders.
        found = {p.name[1:].rsplit(".", 1)[0] for p in folder.glob(".*.*") if p.suffix in (".current", ".work", ".versions")}
        others = sorted(found - {name})
        owner = others[0] if others else self._marked_owner()
        if owner != name:
            raise FolderTaken(
                f"{folder} already holds the warehouse {owner} (and its parquet/ folder); a folder holds one "
                f"warehouse: give {name} a folder of its own (if {owner} is gone for good, remove {self.folder_marker})"
            )

    def _marked_owner(self) -> str:
        """The name in the folder's marker, written as this warehouse's if there is none yet (created
        exclusively, so of two warehouses started together in one folder only one gets it)."""
        try:
            fd = os.open(self.folder_marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return self.folder_marker.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(self.published.name + "\n")
        return self.published.name

    @property
    def state(self) -> Path:
        return self.work_dir / "published.json"

    @property
    def run_marker(self) -> Path:
        return self.work_dir / "run.json"

    def _published_stat(self) -> list[int] | None:
        """The published file's identity. Its ctime too: any write to the file sets it, and unlike
        the modification time it cannot be set back, so a file overwritten in place with its old
        size and time is not taken for the one that was published."""
        try:
            st = self.published.stat()
        except OSError:
            return None
        return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]

    def _parquet_listing(self) -> str:
        """A hash of every published Parquet file's path and size: a file removed or truncated
        changes it."""
        h = hashlib.sha256()
        for path in sorted(self.parquet.rglob("*.parquet")):
            h.update(f"{path.relative_to(self.parquet)}\0{path.stat().st_size}\n".encode())
        return h.hexdigest()[:16]

    def recorded(self) -> dict:
        """What the published file was built from, as last recorded ({} if unknown)."""
        try:
            return json.loads(self.state.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _published_as_recorded(self) -> dict:
        state = self.recorded()
        return state if state.get("published") == self._published_stat() and self.parquet.is_dir() else {}

    def is_current(self, fingerprint: str) -> bool:
        """True when the published file and its Parquet were built from exactly these inputs, and
        the Parquet files are all there as published. (An update checks each file it links from
        the previous export: pipeline/warehouse/parquet.py.)"""
        state = self._published_as_recorded()
        return state.get("fingerprint") == fingerprint and state.get("parquet") == self._parquet_listing()

    def can_update(self, code: str) -> bool:
        """True when a build may start from a copy of the published file: the same extractor,
        SQL and warehouse code built it, and its input reports frame is there to compare with."""
        return self._published_as_recorded().get("code") == code and self.published_input.is_file()

    def mark_run(self, run_id: str, mode: str, fingerprint: str, code: str) -> None:
        """Tell the later steps of this run what it builds, `unchanged` (nothing), `update` (from a
        copy of the published file) or `fresh` (from an empty file), and from what inputs."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(
            self.run_marker, json.dumps({"run_id": run_id, "mode": mode, "fingerprint": fingerprint, "code": code})
        )

    def _marker(self, run_id: str) -> dict:
        try:
            marker = json.loads(self.run_marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return marker if marker.get("run_id") == run_id else {}

    def run_mode(self, run_id: str) -> str | None:
        """What this run builds (mark_run); None when no run decided it (one asset materialized
        on its own, from the UI)."""
        return self._marker(run_id).get("mode")

    def record_run(self, run_id: str) -> None:
        """Note that the published file and its Parquet were just built from this run's inputs. A
        publication no run decided (one asset materialized from the UI) is not noted, so the next
        run builds afresh."""
        marker = self._marker(run_id)
        if marker:
            _write_atomic(
                self.state,
                json.dumps(
                    {
                        "fingerprint": marker["fingerprint"],
                        "code": marker["code"],
                        "published": self._published_stat(),
                        "parquet": self._parquet_listing(),
                    }
                ),
            )

    def discard_build(self) -> None:
        for stale in (self.build, _wal(self.build), self.staged_input):
            stale.unlink(missing_ok=True)
        shutil.rmtree(self.staged_parquet, ignore_errors=True)
        shutil.rmtree(self.staged_site, ignore_errors=True)

    def start_build(self, from_published: bool) -> None:
        """A new build file, empty or a copy of the published one; a leftover from a killed run
        is discarded."""
        self.published.parent.mkdir(parents=True, exist_ok=True)
        self.discard_build()
        if from_published:
            shutil.copyfile(self.published, self.build)
        else:
            duckdb.connect(str(self.build)).close()

    @contextmanager
    def building(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A write connection to the build file. Materializing one model from the UI, with no
        run under way, starts the build from a copy of the published file."""
        if not self.build.exists() and self.published.exists():
            self.published.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.published, self.build)
        con = duckdb.connect(str(self.build), config=DUCKDB_CONFIG)
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection: to the build under way if there is one, else the published file."""
        path = self.build if self.build.exists() else self.published
        con = duckdb.connect(str(path), read_only=True, config=DUCKDB_CONFIG)
        try:
            yield con
        finally:
            con.close()

    def publish(self) -> bool:
        """Atomically replace the published file, Parquet and site with the build's. False if there is no
        complete build (file and Parquet export) to publish."""
        if not self.build.exists() or not self.staged_parquet.is_dir():
            return False
        with duckdb.connect(str(self.build), config=DUCKDB_CONFIG) as con:
            execute(con, "publish/drop_build_scope.sql")
            con.execute("CHECKPOINT")
        _fsync(self.build)
        version = self.versions / (time.strftime("v-%Y%m%dT%H%M%S-", time.gmtime()) + f"{time.time_ns() % 10**9:09d}")
        version.mkdir(parents=True)
        os.rename(self.build, version / self.published.name)
        _wal(self.build).unlink(missing_ok=True)
        os.rename(self.staged_parquet, version / self.parquet.name)
        if self.staged_input.exists():
            os.rename(self.staged_input, version / self.published_input.name)
        if self.staged_site.is_dir():
            os.rename(self.staged_site, version / self.site.name)
        _fsync(version)
        _relink(self.current, version.relative_to(self.current.parent))
        # Once per warehouse (or over a file or folder of an older layout): the user's paths
        # become links through `current`; after that they never change again.
        for path in (self.published, self.parquet, self.site):
            target = Path(self.current.name) / path.name
            if not path.is_symlink() or Path(os.readlink(path)) != target:
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                _relink(path, target)
        self._drop_old_versions(keep=version)
        return True

    def _drop_old_versions(self, keep: Path) -> None:
        """Keep the new version and the one before, so a reader that resolved the old paths just
        before the switch can still open them."""
        old = sorted(p for p in self.versions.iterdir() if p != keep)
        for stale in old[:-1]:
            shutil.rmtree(stale, ignore_errors=True)


def inputs_fingerprint(reports_csv: bytes, code: str) -> str:
    """A hash of what a build reads: every report row (so statuses and messages count too) and the
    code (code_fingerprint)."""
    return hashlib.sha256(reports_csv + b"\0" + code.encode()).hexdigest()[:16]


def code_fingerprint(*parts: str) -> str:
    """A hash of the code that decides what a build makes of its input: the extractor version
    (parts), and the SQL, the column docs (sql/schema.toml), warehouse code and reference data, the
    division dataset among them, and the site's code and templates."""
    h = hashlib.sha256()
    for part in (*parts, f"{divisions.DATASET}=={version(divisions.DATASET)}"):
        h.update(b"\0" + part.encode())
    package = Path(__file__).resolve().parents[1]
    sources = sorted((package / "warehouse").glob("*.py")) + sorted(
        p for p in (package.parent / "sql").rglob("*") if p.suffix in (".sql", ".toml")
    ) + sorted(p for p in (package / "reference").rglob("*") if p.is_file())
    # The site is published with the build: new templates or site code must make a new one.
    sources += sorted(p for p in (package / "site").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sources:
        h.update(b"\0" + str(path.relative_to(package.parent)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _relink(link: Path, target: Path) -> None:
    """Point `link` at `target` with one atomic rename."""
    tmp = link.with_name(f".{link.name}.link-tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, link)
    _fsync(link.parent)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
