"""One Dagster asset check per consistency rule, on the table in sql/checks that lists its findings.

Government data failing a rule is a failed check whose severity is the rule's (ERROR for error
rules, WARN for warnings): it shows in the UI with the number of findings and a sample table, and
it never blocks the run (blocking=False). A check that cannot
run (the table is missing or its SQL fails) raises, which fails the run: that is our error, not the
data's. The checks read the build file while a run is under way and the published file after it
(BuildFile.reading), so they see the tables whether they run before or after publication.
"""

from decimal import Decimal

import dagster as dg

from pipeline.defs.progress import step_of_stage, timed
from pipeline.defs.resources import Warehouse
from pipeline.warehouse.build import BuildFile
from pipeline.warehouse.models import SqlModel, discover
from pipeline.warehouse.sqlfiles import execute

# check_results unions the others for users; it is not a rule of its own.
RULE_TABLES = [m for m in discover() if m.layer == "checks" and m.name != "check_results"]
SAMPLE_ROWS = 10


def _cell(value: object) -> str | int | float | bool | None:
    """A value as a table record holds it: decimals as the report writes them (2331, 28983.0794)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def _sample_table(columns: list[str], rows: list[tuple]) -> dg.TableMetadataValue:
    return dg.MetadataValue.table(
        records=[dg.TableRecord({c: _cell(v) for c, v in zip(columns, row)}) for row in rows],
        schema=dg.TableSchema(columns=[dg.TableColumn(c) for c in columns]),
    )


def _rule_check(model: SqlModel) -> dg.AssetChecksDefinition:
    rule = model.name.removeprefix("check_")

    @dg.asset_check(
        asset=dg.AssetKey(model.name),
        name=rule,
        blocking=False,
        description=model.description,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
        with timed() as seconds, BuildFile(warehouse.files).reading() as con:
            cur = execute(con, "queries/check_findings.sql", table=model.name, sample=SAMPLE_ROWS)
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
        failing = rows[0][0] if rows else 0
        step_of_stage(context, warehouse.progress, "checks", len(RULE_TABLES), seconds(), "evaluated", rule if failing else None)
        sample = [r[1:] for r in rows]
        severities = sorted({r[columns.index("severity") - 1] for r in sample})
        return dg.AssetCheckResult(
            passed=failing == 0,
            severity=dg.AssetCheckSeverity.ERROR if "error" in severities else dg.AssetCheckSeverity.WARN,
            metadata={
                "failing_rows": failing,
                "finding_severity": ", ".join(severities) or "none",
                "sample": _sample_table(columns[1:], sample),
            },
        )

    return _check


rule_checks = [_rule_check(m) for m in RULE_TABLES]
