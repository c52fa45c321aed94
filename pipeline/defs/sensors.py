"""A sensor that requests a refresh when files in the raw folder are added, changed or removed.

Every XXGK_SENSOR_INTERVAL seconds (default 30) it lists the raw folder (names, sizes and
modification times only; no file is read) and compares the listing with the one the last
extraction saw. A difference requests one run, keyed by the change: the listing together with
the extraction it departs from (the manifest as last written). So the same change never queues
two runs, and a folder that returns to an earlier state (a file added, a run, the file removed)
is a new change and gets its run. The run itself decides which files really changed (by hash).
"""

import hashlib
import os
from pathlib import Path

import dagster as dg

from pipeline.defs.jobs import refresh_warehouse
from pipeline.defs.resources import Warehouse
from pipeline.ingest.batch import scan
from pipeline.ingest.incremental import manifest_path, read_manifest, scan_fingerprint


def _difference(files, manifest) -> str:
    now = {f.source_file: (f.size, f.mtime_ns) for f in files}
    before = {} if manifest is None else {s: (z, m) for s, z, m in manifest.select("source_file", "size", "mtime_ns").iter_rows()}
    new = sum(1 for s in now if s not in before)
    removed = sum(1 for s in before if s not in now)
    changed = sum(1 for s, v in now.items() if s in before and before[s] != v)
    return f"{new} new, {changed} changed, {removed} removed"


def _change_key(listing: str, work_dir: Path) -> str:
    """The listing and the extraction it is compared with: the manifest is rewritten by every run
    that extracts, so its modification time tells two visits of the same listing apart."""
    try:
        since = str(os.stat(manifest_path(work_dir)).st_mtime_ns)
    except FileNotFoundError:
        since = "no extraction"
    return hashlib.sha256(f"{since}\0{listing}".encode()).hexdigest()[:32]


@dg.sensor(
    name="raw_folder_changed",
    job=refresh_warehouse,
    minimum_interval_seconds=int(os.environ.get("XXGK_SENSOR_INTERVAL", "30")),
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a refresh when files in the raw folder are added, changed or removed.",
)
def raw_folder_changed(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    raw_dir = Path(warehouse.raw_dir)
    if not raw_dir.is_dir():
        return dg.SkipReason(f"raw folder {raw_dir} does not exist")
    files = scan(raw_dir)
    listing = scan_fingerprint([(f.source_file, f.size, f.mtime_ns) for f in files])
    if listing == context.cursor:
        return dg.SkipReason("no change in the raw folder since the last request")
    manifest = read_manifest(warehouse.files.work_dir)
    if manifest is not None and listing == scan_fingerprint(list(manifest.select("source_file", "size", "mtime_ns").iter_rows())):
        context.update_cursor(listing)
        return dg.SkipReason("the warehouse was last built from exactly these files")
    context.update_cursor(listing)
    what = _difference(files, manifest)
    context.log.info(f"raw folder changed: {what}")
    return dg.RunRequest(run_key=_change_key(listing, warehouse.files.work_dir), tags={"xxgk/trigger": "sensor", "xxgk/raw_changes": what})
