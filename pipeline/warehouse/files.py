"""Where a warehouse's files are (WarehouseFiles), and their publication (publish).

A run builds a new DuckDB file (and Parquet folder) next to the published ones. Publication moves
both into a new version folder and then switches one link, `.<name>.current`, to it; the user's
paths `xxgk.duckdb` and `parquet/` are fixed links through it. That one rename is the only moment
anything changes, so a reader or a killed run sees either the old pair or the new pair, never the
new file beside the old Parquet. Readers that hold the old file open keep reading their snapshot
(the old version's inode stays theirs).

The build itself is pipeline/warehouse/build.py's. What the published file was built from is
remembered beside it (pipeline/warehouse/published.py), so a run whose inputs did not change skips
the build and publication altogether. Each version keeps the reports frame it was loaded from
(`input-reports.parquet`), so the next build, when the code is the same, can start from a copy of
the published file and replace only what changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import duckdb

from pipeline.settings import settings
from pipeline.warehouse import divisions
from pipeline.warehouse.sqlfiles import execute

# DuckDB's own default lets one sort or join take 80% of the machine's memory. The build sorts and
# joins every fact (20 million rows at national scale), so its connections get a fixed budget and
# spill to disk beyond it (`<file>.tmp/`), which keeps a run's footprint known whatever the corpus.
# XXGK_DUCKDB_MEMORY overrides it (a DuckDB size such as `4GB`).
DUCKDB_CONFIG = {"memory_limit": settings().duckdb_memory}


class FolderTaken(RuntimeError):
    """The warehouse's folder holds another warehouse's files."""


@dataclass(frozen=True)
class WarehouseFiles:
    """The paths of one warehouse's files, all beside `published`, and the claim on their folder."""

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


def publish(files: WarehouseFiles) -> bool:
    """Atomically replace the published file, Parquet and site with the build's. False if there is no
    complete build (file and Parquet export) to publish."""
    if not files.build.exists() or not files.staged_parquet.is_dir():
        return False
    with duckdb.connect(str(files.build), config=DUCKDB_CONFIG) as con:
        execute(con, "build/drop_build_scope.sql")
        con.execute("CHECKPOINT")
    _fsync(files.build)
    version = files.versions / (time.strftime("v-%Y%m%dT%H%M%S-", time.gmtime()) + f"{time.time_ns() % 10**9:09d}")
    version.mkdir(parents=True)
    os.rename(files.build, version / files.published.name)
    wal(files.build).unlink(missing_ok=True)
    os.rename(files.staged_parquet, version / files.parquet.name)
    if files.staged_input.exists():
        os.rename(files.staged_input, version / files.published_input.name)
    if files.staged_site.is_dir():
        os.rename(files.staged_site, version / files.site.name)
    _fsync(version)
    _relink(files.current, version.relative_to(files.current.parent))
    # Once per warehouse (or over a file or folder of an older layout): the user's paths
    # become links through `current`; after that they never change again.
    for path in (files.published, files.parquet, files.site):
        target = Path(files.current.name) / path.name
        if not path.is_symlink() or Path(os.readlink(path)) != target:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            _relink(path, target)
    _drop_old_versions(files, keep=version)
    return True


def _drop_old_versions(files: WarehouseFiles, keep: Path) -> None:
    """Keep the new version and the one before, so a reader that resolved the old paths just
    before the switch can still open them."""
    old = sorted(p for p in files.versions.iterdir() if p != keep)
    for stale in old[:-1]:
        shutil.rmtree(stale, ignore_errors=True)


def code_fingerprint(*parts: str) -> str:
    """A hash of the code that decides what a build makes of its input: the extractor version
    (parts), and the SQL, the column docs (sql/schema.toml), warehouse code and reference data, the
    division dataset among them, and the site's code and templates."""
    h = hashlib.sha256()
    for part in (*parts, f"{divisions.DATASET}=={version(divisions.DATASET)}"):
        h.update(b"\0" + part.encode())
    package = Path(__file__).resolve().parents[1]
    sources = (
        sorted((package / "warehouse").glob("*.py"))
        + sorted(p for p in (package.parent / "sql").rglob("*") if p.suffix in (".sql", ".toml"))
        + sorted(p for p in (package / "reference").rglob("*") if p.is_file())
    )
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


def wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
