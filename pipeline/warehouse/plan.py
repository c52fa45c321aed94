"""What a run builds, decided once from what it reads: a BuildPlan.

A run whose inputs are exactly those of the published file (nothing in the raw folder, the
extractor or the SQL changed) builds and publishes nothing (`unchanged`). A run where only reports
changed, under the same code, builds from a copy of the published file and replaces the rows of
the agencies whose reports changed (`update`); any other run builds from an empty file (`fresh`).
The plan is a value: the build_plan asset computes it and every later step of the run is given it
(pipeline/defs/warehouse.py), and after publication it is what published.json remembers
(pipeline/warehouse/published.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

import polars as pl

from pipeline.warehouse.changes import changed_reports

# Past this share of changed reports, building from scratch is as quick as replacing rows, and it
# leaves a compact file instead of one with many deleted rows.
UPDATE_AT_MOST = 0.25

Mode = Literal["unchanged", "update", "fresh"]


@dataclass(frozen=True)
class Published:
    """What is known of the published warehouse, as its record and files say."""

    fingerprint: str | None = None  # the inputs it was built from, when it and its Parquet are intact
    code: str | None = None  # the code that built it, when the file is the one recorded
    input: pl.DataFrame | None = None  # the reports frame it was loaded from, when the code is this run's


@dataclass(frozen=True)
class BuildPlan:
    mode: Mode
    fingerprint: str  # inputs_fingerprint of the reports and the code
    code: str  # code_fingerprint: extractor, SQL, warehouse code, reference data
    # The report rows the build replaces (pipeline/warehouse/changes.py): their agencies are the
    # changed agencies (sql/build/changed_agencies.sql). Every row in a fresh build, none unchanged.
    changed: pl.DataFrame

    @property
    def changed_files(self) -> int:
        return self.changed["source_file"].n_unique()

    def describe(self) -> str:
        if self.mode == "unchanged":
            return "nothing changed since the published warehouse was built; not rebuilding it"
        if self.mode == "update":
            return f"a copy of the published warehouse ({self.changed_files:,} files changed)"
        return "an empty file"


def inputs_fingerprint(reports_csv: bytes, code: str) -> str:
    """A hash of what a build reads: every report row (so statuses and messages count too) and the
    code (code_fingerprint)."""
    return hashlib.sha256(reports_csv + b"\0" + code.encode()).hexdigest()[:16]


def plan_build(reports: pl.DataFrame, code: str, published: Published) -> BuildPlan:
    """The plan for building from `reports` (the extracted reports frame) with this code."""
    fingerprint = inputs_fingerprint(reports.write_csv().encode(), code)
    if published.fingerprint == fingerprint:
        return BuildPlan("unchanged", fingerprint, code, changed_reports(reports, None).clear())
    old = published.input if published.code == code else None
    changed = changed_reports(reports, old)
    if old is not None and changed["source_file"].n_unique() > UPDATE_AT_MOST * max(reports.height, 1):
        old, changed = None, changed_reports(reports, None)
    return BuildPlan("update" if old is not None else "fresh", fingerprint, code, changed)
