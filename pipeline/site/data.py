"""What the site shows, read from the warehouse through the queries in sql/site, grouped the way
the pages use it (per agency, per rule, per metric and year). Only what the pages being rendered
show is read (pages.py says which): an update reads one agency's figures, not the country's."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa

from pipeline.site.metrics import shown
from pipeline.site.pages import Pages
from pipeline.warehouse.sqlfiles import execute


def rows(cur: duckdb.DuckDBPyConnection) -> list[dict]:
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, row)) for row in cur.fetchall()]


@dataclass(frozen=True)
class Agencies:
    """Every agency (the index lists them all; a page links to its government and departments)."""

    by_id: dict[str, dict]
    departments: dict[str, list[str]]  # government agency_id → its departments' ids


def read_agencies(con: duckdb.DuckDBPyConnection) -> Agencies:
    by_id = {a["agency_id"]: a for a in rows(execute(con, "site/agencies.sql"))}
    departments: dict[str, list[str]] = defaultdict(list)
    for a in by_id.values():
        if a["parent_id"] in by_id:
            departments[a["parent_id"]].append(a["agency_id"])
    return Agencies(by_id, dict(departments))


@dataclass(frozen=True)
class FindingCounts:
    """Every finding counted, whichever pages are rendered: the index's figures."""

    total: int
    errors: int
    by_agency: Counter  # agency_id (of a known agency) → findings
    errors_by_agency: Counter
    by_rule: Counter  # check_name → findings
    without_agency: int  # findings files.html shows


@dataclass
class SiteData:
    agencies: dict[str, dict]
    departments: dict[str, list[str]]
    years: dict[str, list[dict]]  # agency_id → its mart_agency_year rows, oldest first (pages rendered)
    reports: dict[str, list[dict]]  # agency_id → its files, newest first (pages rendered)
    findings: list[dict]  # the findings the rendered pages show, newest first, each with its "cells"
    counts: FindingCounts
    rules: list[dict]
    reports_by_status_year: list[dict]
    agencies_by_kind_region: list[dict]
    headline: list[dict]
    rankings: dict[tuple[str, int], list[dict]]  # (metric, year) → ranks (ranking pages rendered)
    by_agency: dict[str | None, list[dict]] = field(default_factory=dict)
    by_rule: dict[str, list[dict]] = field(default_factory=dict)


def prepare_findings(con: duckdb.DuckDBPyConnection) -> None:
    """site_findings: every finding with its stable id (sql/site/findings.sql), which the page
    fingerprints and the reads below use."""
    execute(con, "site/findings.sql")


def _count_findings(con: duckdb.DuckDBPyConnection) -> FindingCounts:
    by_agency, errors_by_agency, by_rule = Counter(), Counter(), Counter()
    total = errors = without_agency = 0
    for r in rows(execute(con, "site/finding_counts.sql")):
        n = r["findings"]
        total += n
        by_rule[r["check_name"]] += n
        is_error = r["severity"] == "error"
        errors += n if is_error else 0
        if r["known_agency"]:
            by_agency[r["agency_id"]] += n
            errors_by_agency[r["agency_id"]] += n if is_error else 0
        else:
            without_agency += n
    return FindingCounts(total, errors, by_agency, errors_by_agency, by_rule, without_agency)


def read(con: duckdb.DuckDBPyConnection, agencies: Agencies, rules: list[dict], pages: Pages) -> SiteData:
    """What `pages` show (prepare_findings first); `rules`: sql/site/checks.sql's rows."""
    # Registered as Arrow, not bound as a list: DuckDB converts a bound list element by element
    # (3.5 s for 20,000 ids), an Arrow column at once.
    con.register("site_agency_ids", pa.table({"agency_id": pa.array(sorted(pages.agencies), pa.string())}))
    try:
        execute(con, "site/agency_pages.sql")
    finally:
        con.unregister("site_agency_ids")
    execute(con, "site/shown_findings.sql", rules=sorted(pages.rules), files=pages.files)
    years: dict[str, list[dict]] = defaultdict(list)
    for row in rows(execute(con, "site/agency_years.sql")):
        years[row["agency_id"]].append(row)
    reports: dict[str, list[dict]] = defaultdict(list)
    for row in rows(execute(con, "site/agency_reports.sql")):
        reports[row["agency_id"]].append(row)
    findings = rows(execute(con, "site/finding_rows.sql"))
    cells: dict[str, list[dict]] = defaultdict(list)
    for cell in rows(execute(con, "site/finding_cells.sql")):
        cell["value_text"] = shown(cell["value"], "count")
        cells[cell["finding_id"]].append(cell)
    for f in findings:
        f["cells"] = cells.get(f["finding_id"], [])
        f["expected_text"], f["actual_text"] = shown(f["expected"], "count"), shown(f["actual"], "count")
    rankings: dict[tuple[str, int], list[dict]] = defaultdict(list)
    wanted = sorted(f"{metric}-{year}" for metric, year in pages.rankings)
    for row in rows(execute(con, "site/rankings.sql", pages=wanted)):
        rankings[(row["metric"], row["year"])].append(row)
    data = SiteData(
        agencies=agencies.by_id,
        departments=agencies.departments,
        years=dict(years),
        reports=dict(reports),
        findings=findings,
        counts=_count_findings(con),
        rules=rules,
        reports_by_status_year=rows(execute(con, "site/reports_by_status_year.sql")),
        agencies_by_kind_region=rows(execute(con, "site/agencies_by_kind_region.sql")),
        headline=rows(execute(con, "site/headline.sql")),
        rankings=dict(rankings),
    )
    by_agency: dict[str | None, list[dict]] = defaultdict(list)
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for f in findings:
        by_agency[f["agency_id"] if f["known_agency"] else None].append(f)
        by_rule[f["check_name"]].append(f)
    data.by_agency, data.by_rule = dict(by_agency), dict(by_rule)
    return data
