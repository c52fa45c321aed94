"""A sensor that requests a refresh when files in the raw folder are added, changed or removed.

Every XXGK_SENSOR_INTERVAL seconds (default 30) it lists the raw folder (names, sizes and
modification times only; no file is read) and compares the listing with the one the last
extraction saw. A difference requests one run, keyed by the change: the listing together with
the extraction it departs from (the manifest as last written). So the same change never queues
two runs, and a folder that returns to an earlier state (a file added, a run, the file removed)
is a new change and gets its run. The run itself decides which files really changed (by hash).
"""

from pathlib import Path

import dagster as dg

from pipeline.defs.jobs import refresh_warehouse
from pipeline.defs.resources import Warehouse
from pipeline.ingest.watch import departure, listing
from pipeline.settings import settings


@dg.sensor(
    name="raw_folder_changed",
    job=refresh_warehouse,
    minimum_interval_seconds=settings().sensor_interval,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a refresh when files in the raw folder are added, changed or removed.",
)
def raw_folder_changed(context: dg.SensorEvaluationContext, warehouse: Warehouse):
    raw_dir = Path(warehouse.raw_dir)
    if not raw_dir.is_dir():
        return dg.SkipReason(f"raw folder {raw_dir} does not exist")
    now = listing(raw_dir)
    if now.fingerprint == context.cursor:
        return dg.SkipReason("no change in the raw folder since the last request")
    context.update_cursor(now.fingerprint)
    change = departure(now, warehouse.files.work_dir)
    if change is None:
        return dg.SkipReason("the warehouse was last built from exactly these files")
    context.log.info(f"raw folder changed: {change.describe()}")
    return dg.RunRequest(run_key=change.key, tags={"xxgk/trigger": "sensor", "xxgk/raw_changes": change.describe()})
