"""What a sensor asks of ingest: the raw folder's listing now, and how it departs from what the
last extraction saw. Names, sizes and modification times only: no file is read."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.ingest.batch import RawFile, scan
from pipeline.ingest.incremental import manifest_path, read_manifest, scan_fingerprint


@dataclass(frozen=True)
class Listing:
    files: list[RawFile]
    fingerprint: str  # scan_fingerprint of the files


@dataclass(frozen=True)
class Departure:
    """How a listing differs from the last extraction's."""

    new: int
    changed: int
    removed: int
    key: str  # the listing together with the extraction it departs from

    def describe(self) -> str:
        return f"{self.new} new, {self.changed} changed, {self.removed} removed"


def listing(raw_dir: Path) -> Listing:
    files = scan(raw_dir)
    return Listing(files, scan_fingerprint([(f.source_file, f.size, f.mtime_ns) for f in files]))


def departure(now: Listing, work_dir: Path) -> Departure | None:
    """How `now` departs from the files the last extraction saw; None when it saw exactly these.
    The key tells two visits of the same listing apart: the manifest is rewritten by every run
    that extracts, so its modification time names the extraction departed from."""
    manifest = read_manifest(work_dir)
    before = {} if manifest is None else {s: (z, m) for s, z, m in manifest.select("source_file", "size", "mtime_ns").iter_rows()}
    if manifest is not None and now.fingerprint == scan_fingerprint([(s, z, m) for s, (z, m) in before.items()]):
        return None
    current = {f.source_file: (f.size, f.mtime_ns) for f in now.files}
    try:
        since = str(os.stat(manifest_path(work_dir)).st_mtime_ns)
    except FileNotFoundError:
        since = "no extraction"
    return Departure(
        new=sum(1 for s in current if s not in before),
        changed=sum(1 for s, v in current.items() if s in before and before[s] != v),
        removed=sum(1 for s in before if s not in current),
        key=hashlib.sha256(f"{since}\0{now.fingerprint}".encode()).hexdigest()[:32],
    )
