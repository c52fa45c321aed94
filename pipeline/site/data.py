"""What the site shows, read from the warehouse through the queries in sql/site, grouped the way
the pages use it (per agency, per rule, per metric and year)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import duckdb

from pipeline.site.metrics import shown
from pipeline.warehouse.sqlfiles import execute


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


@dataclass
class SiteData:
    agencies: dict[str, dict]
    departments: dict[str, list[str]]  # government agency_id → its departments' ids
    years: dict[str, list[dict]]  # agency_id → its mart_agency_year rows, oldest first
    reports: dict[str, list[dict]]  # agency_id → its files, newest first
    findings: list[dict]  # newest first, each with its "cells"
    rules: list[dict]
    reports_by_status_year: list[dict]
    agencies_by_kind_region: list[dict]
    headline: list[dict]
    rankings: dict[tuple[str, int], list[dict]]  # (metric, year) → ranks
    by_agency: dict[str | None, list[dict]] = field(default_factory=dict)
    by_rule: dict[str, list[dict]] = field(default_factory=dict)


def read(con: duckdb.DuckDBPyConnection) -> SiteData:
    agencies = {a["agency_id"]: a for a in _rows(execute(con, "site/agencies.sql"))}
    departments: dict[str, list[str]] = defaultdict(list)
    for a in agencies.values():
        if a["parent_id"] in agencies:
            departments[a["parent_id"]].append(a["agency_id"])
    years: dict[str, list[dict]] = defaultdict(list)
    for row in _rows(execute(con, "site/agency_years.sql")):
        years[row["agency_id"]].append(row)
    reports: dict[str, list[dict]] = defaultdict(list)
    for row in _rows(execute(con, "site/agency_reports.sql")):
        reports[row["agency_id"]].append(row)
    execute(con, "site/findings.sql")
    findings = _rows(execute(con, "site/finding_rows.sql"))
    cells: dict[str, list[dict]] = defaultdict(list)
    for cell in _rows(execute(con, "site/finding_cells.sql")):
        cell["value_text"] = shown(cell["value"], "count")
        cells[cell["finding_id"]].append(cell)
    for f in findings:
        f["cells"] = cells.get(f["finding_id"], [])
        f["expected_text"], f["actual_text"] = shown(f["expected"], "count"), shown(f["actual"], "count")
    rankings: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for row in _rows(execute(con, "site/rankings.sql")):
        rankings[(row["metric"], row["year"])].append(row)
    data = SiteData(
        agencies=agencies,
        departments=dict(departments),
        years=dict(years),
        reports=dict(reports),
        findings=findings,
        rules=_rows(execute(con, "site/checks.sql")),
        reports_by_status_year=_rows(execute(con, "site/reports_by_status_year.sql")),
        agencies_by_kind_region=_rows(execute(con, "site/agencies_by_kind_region.sql")),
        headline=_rows(execute(con, "site/headline.sql")),
        rankings=dict(rankings),
    )
    by_agency: dict[str | None, list[dict]] = defaultdict(list)
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_agency[f["agency_id"] if f["agency_id"] in agencies else None].append(f)
        by_rule[f["check_name"]].append(f)
    data.by_agency, data.by_rule = dict(by_agency), dict(by_rule)
    return data
