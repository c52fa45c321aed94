"""The daily refresh. XXGK_SCHEDULE_CRON (default "0 2 * * *", 02:00 every day) and
XXGK_SCHEDULE_TIMEZONE (default UTC) set when; it is on as soon as `dagster dev` starts."""

import dagster as dg

from pipeline.defs.jobs import refresh_warehouse
from pipeline.settings import settings

daily_refresh = dg.ScheduleDefinition(
    name="daily_refresh",
    job=refresh_warehouse,
    cron_schedule=settings().schedule_cron,
    execution_timezone=settings().schedule_timezone,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    tags={"xxgk/trigger": "schedule"},
    description="Refresh the warehouse from data/raw (incremental: unchanged files are not read again).",
)
