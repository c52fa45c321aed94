"""The environment variables xxgk reads: each declared once, with its default and what it does.

pydantic-settings reads them, and its typed fields turn a bad value (XXGK_LOCK_TIMEOUT=abc) into
one line naming the variable and what it takes (`SettingsError`). Every use asks `settings()`,
which reads the environment as it is at that moment: a test, or `dagster dev` reloading its code,
sees a variable changed since the process started.

They are environment variables rather than Dagster config (`EnvVar`) because most of them are
needed where no run config exists: the command line's defaults before Dagster loads, the
schedule's cron and the sensor's interval when the definitions are built. The `warehouse`
resource takes its defaults from here; a launched run's config can still override them.

The README's table of them (`markdown_table`) and `xxgk run --help` (`run_help`) are made from
these declarations; tests/test_settings.py holds the README to them.
"""

from __future__ import annotations

import shlex
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

RUN = "xxgk run"
DAGSTER = "launched runs"  # the schedule, the sensor and the UI (`dagster dev`)


class SettingsError(ValueError):
    """An environment variable has a value xxgk cannot use; the message is one line."""


def _variable(name: str, default, doc: str, expected: str, read_by: tuple[str, ...], **constraints):
    return Field(
        default,
        validation_alias=name,
        description=doc,
        json_schema_extra={"expected": expected, "read_by": list(read_by)},
        **constraints,
    )


class Settings(BaseSettings):
    # An empty variable (`XXGK_WAREHOUSE= xxgk run`) counts as unset.
    model_config = SettingsConfigDict(case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True)

    raw_dir: str = _variable("XXGK_RAW_DIR", "data/raw", "the raw report folder, read recursively (`--raw`)", "a folder", (RUN, DAGSTER))
    warehouse: str = _variable(
        "XXGK_WAREHOUSE",
        "data/warehouse/xxgk.duckdb",
        "the DuckDB file runs publish and `xxgk checks`/`xxgk reports` read (`--warehouse`)",
        "a file path",
        (RUN, DAGSTER),
    )
    duckdb_memory: str = _variable(
        "XXGK_DUCKDB_MEMORY",
        "1GB",
        "memory limit of the build's DuckDB connections (DuckDB spills beyond it)",
        "a DuckDB memory size such as 1GB or 512MB",
        (RUN, DAGSTER),
    )
    follow_links: bool = _variable(
        "XXGK_FOLLOW_LINKS",
        False,
        "1: read the files that symbolic links in the raw folder point to outside it",
        "1 or 0",
        (RUN, DAGSTER),
    )
    lock_timeout: int = _variable(
        "XXGK_LOCK_TIMEOUT",
        3600,
        "seconds a launched run waits for another writer before it fails",
        "a whole number of seconds, 0 or more",
        (DAGSTER,),
        ge=0,
    )
    sensor_interval: int = _variable(
        "XXGK_SENSOR_INTERVAL",
        30,
        "seconds between two looks of the sensor `raw_folder_changed` at the raw folder",
        "a whole number of seconds, 1 or more",
        (DAGSTER,),
        ge=1,
    )
    schedule_cron: str = _variable(
        "XXGK_SCHEDULE_CRON",
        "0 2 * * *",
        "when the schedule `daily_refresh` runs",
        'a cron string such as "0 */6 * * *"',
        (DAGSTER,),
    )
    schedule_timezone: str = _variable(
        "XXGK_SCHEDULE_TIMEZONE",
        "UTC",
        "the time zone of XXGK_SCHEDULE_CRON",
        "a time zone name such as Asia/Shanghai",
        (DAGSTER,),
    )
    dagster_home: str | None = _variable(
        "DAGSTER_HOME",
        None,
        "a Dagster instance folder: `xxgk run`'s runs then show in `dagster dev` (`make dev` sets the repository)",
        "a folder",
        (RUN, DAGSTER),
    )

    @field_validator("schedule_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ValueError("not a time zone name") from err
        return value


def default(field: str):
    """A setting's declared default, whatever the environment says (for a config field's default)."""
    return Settings.model_fields[field].default


def settings() -> Settings:
    """The environment's settings now; SettingsError (one line) if a variable's value is unusable."""
    try:
        return Settings()
    except ValidationError as err:
        raise SettingsError("; ".join(_explained(e) for e in err.errors())) from None


def _explained(error: dict) -> str:
    name = error["loc"][0]
    extra = next(f.json_schema_extra for f in Settings.model_fields.values() if f.validation_alias == name)
    return f"{name}={shlex.quote(str(error['input']))} is not usable: expected {extra['expected']}"


def variables() -> list[tuple[str, object, str, list[str]]]:
    """(name, default, doc, read by) of every variable, in declaration order."""
    return [(f.validation_alias, f.default, f.description, f.json_schema_extra["read_by"]) for f in Settings.model_fields.values()]


def _shown(default) -> str:
    if default is None:
        return "unset"
    if isinstance(default, bool):
        return str(int(default))
    return str(default)


def markdown_table() -> str:
    """The README's table of the variables."""
    lines = ["| variable | default | what it sets | read by |", "|---|---|---|---|"]
    for name, default, doc, read_by in variables():
        lines.append(f"| `{name}` | `{_shown(default)}` | {doc} | {', '.join(read_by)} |")
    return "\n".join(lines) + "\n"


def run_help(now: Settings) -> str:
    """The environment part of `xxgk run --help`: the variables a run reads, with their values now."""
    lines = ["environment:"]
    for field_name, f in Settings.model_fields.items():
        if RUN not in f.json_schema_extra["read_by"]:
            continue
        value, default = getattr(now, field_name), f.default
        current = "" if value == default else f"; now: {_shown(value)}"
        lines.append(f"  {f.validation_alias:<19} {f.description} (default {_shown(default)}{current})")
    return "\n".join(lines)
