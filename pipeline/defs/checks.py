"""One Dagster asset check per consistency rule, on the table in sql/checks that lists its findings.

Government data failing a rule is a failed check of WARN severity: it shows in the UI with the
number of findings and a sample, and it never blocks the run (blocking=False). A check that cannot
run (the table is missing or its SQL fails) raises, which fails the run: that is our error, not the
data's. The checks read the build file while a run is under way and the published file after it
(WarehouseFiles.reading), so they see the tables whether they run before or after publication.
"""

import dagster as dg

from pipeline.defs.resources import Warehouse
from pipeline.warehouse.models import SqlModel, discover
from pipeline.warehouse.sqlfiles import execute

# check_results unions the others for users; it is not a rule of its own.
RULE_TABLES = [m for m in discover() if m.layer == "checks" and m.name != "check_results"]
SAMPLE_ROWS = 10


def _sample_markdown(columns: list[str], rows: list[tuple]) -> str:
    def cell(v: object) -> str:
        return "" if v is None else str(v).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _rule_check(model: SqlModel) -> dg.AssetChecksDefinition:
    rule = model.name.removeprefix("check_")

    @dg.asset_check(
        asset=dg.AssetKey(model.name),
        name=rule,
        blocking=False,
        description=model.description,
    )
    def _check(warehouse: Warehouse) -> dg.AssetCheckResult:
        with warehouse.files.reading() as con:
            cur = execute(con, "queries/check_findings.sql", table=model.name, sample=SAMPLE_ROWS)
            columns = [d[0] for d in cur.description]
            rows = cur.fetchall()
        failing = rows[0][0] if rows else 0
        sample = [r[1:] for r in rows]
        severities = sorted({r[columns.index("severity") - 1] for r in sample})
        return dg.AssetCheckResult(
            passed=failing == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "failing_rows": failing,
                "finding_severity": ", ".join(severities) or "none",
                "sample": dg.MetadataValue.md(_sample_markdown(columns[1:], sample) if sample else "no findings"),
            },
        )

    return _check


rule_checks = [_rule_check(m) for m in RULE_TABLES]
