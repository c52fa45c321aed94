"""Write the site into a folder from a read connection to a built warehouse.

Page paths are stable, to be cited: `index.html`, `agency/<agency_id>.html`,
`rule/<check_name>.html`, `files.html` (findings about files without an agency),
`rank/index.html` and `rank/<metric>-<year>.html`. Every page is rendered by Jinja2 with
autoescaping, so report text (titles, cells as printed, messages) is always escaped.

Built incrementally like the warehouse: given the previous version's folder and the agencies the
build recomputed, pages.py says which pages may show something new; only those are read from the
warehouse and rendered, and every other page is hard-linked from the previous version.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from importlib.resources import files as package_files
from pathlib import Path

import duckdb
import jinja2
from markupsafe import Markup, escape

from pipeline.site import charts, pages
from pipeline.site.data import SiteData, prepare_findings, read, read_agencies, rows
from pipeline.site.metrics import METRICS, exact, shown
from pipeline.warehouse.sqlfiles import execute

HEADLINE_COLUMNS = (
    ("agencies", "count"),
    ("new_received", "count"),
    ("handled", "count"),
    ("granted_in_whole_or_part", "count"),
    ("denied", "count"),
    ("grant_rate", "rate"),
    ("denial_rate", "rate"),
    ("review_total", "count"),
    ("suit_total", "count"),
    ("fees_10k_yuan", "10k_yuan"),
)
MOST_FINDINGS = 20


@dataclass(frozen=True)
class SiteCounts:
    agency_pages: int
    rendered: int  # agency pages rendered this time (the rest linked from the previous version)
    pages_rendered: int  # every page rendered this time, the indexes included
    pages_linked: int
    rule_pages: int
    rank_pages: int
    findings: int


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(package_files("pipeline.site") / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates do not change during a build: no stat per page
    )
    # The macros are made once, not at every page that imports them (thousands of pages).
    env.globals["macros"] = env.get_template("macros.html").module
    return env


def build_site(
    con: duckdb.DuckDBPyConnection, out: Path, previous: Path | None = None, rewrite: set[str | None] | None = None
) -> SiteCounts:
    """Write the site into `out` (a new or empty folder). With `previous` (the folder of the
    site published before) and `rewrite` (the agency_ids the build recomputed), the pages that
    cannot have changed are linked from `previous` instead of rendered."""
    env = _environment()
    for folder in ("agency", "rule", "rank"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    shutil.copytree(package_files("pipeline.site") / "static", out / "static", dirs_exist_ok=True)

    agencies = read_agencies(con)
    prepare_findings(con)
    rules = rows(execute(con, "site/checks.sql"))
    incremental = previous is not None and rewrite is not None
    plan = pages.plan(
        agencies.by_id,
        agencies.departments,
        [r["check_name"] for r in rules],
        [m.column for m in METRICS],
        [r["year"] for r in rows(execute(con, "site/years.sql"))],
        rows(execute(con, "site/page_fingerprints.sql")),
        pages.read_manifest(previous) if incremental else None,
        rewrite,
    )
    linked = 0
    if incremental:
        plan, linked = _link_unchanged(previous, out, plan)
    data = read(con, agencies, rules, plan)

    template = env.get_template("agency.html")
    for agency_id in plan.agencies:
        _write(out / pages.agency_page(agency_id), template.render(**_agency_context(data, agency_id), root="../"))
    rule_template = env.get_template("rule.html")
    for rule in data.rules:
        if rule["check_name"] in plan.rules:
            findings = data.by_rule.get(rule["check_name"], [])
            _write(out / pages.rule_page(rule["check_name"]), rule_template.render(rule=rule, findings=findings, root="../"))
    if plan.files:
        _write(out / pages.FILES_PAGE, env.get_template("files.html").render(findings=data.by_agency.get(None, []), root=""))
    _rankings(env, data, plan, out / "rank")
    _write(out / "index.html", env.get_template("index.html").render(**_index_context(data), root=""))
    pages.write_manifest(out, plan)
    return SiteCounts(
        agency_pages=len(agencies.by_id),
        rendered=len(plan.agencies),
        pages_rendered=len(plan.render) + 2,  # and the two indexes
        pages_linked=linked,
        rule_pages=len(data.rules),
        rank_pages=len(METRICS) * len(plan.years) + 1,
        findings=data.counts.total,
    )


def _link_unchanged(previous: Path, out: Path, plan: pages.Pages) -> tuple[pages.Pages, int]:
    """Link every page the plan does not render from the previous site; a page that cannot be
    linked (missing there) is rendered instead. The plan as it now is, and the pages linked."""
    missing = {path for path in plan.kept if not _link(os.path.join(previous, path), os.path.join(out, path))}
    return plan.rendering_also(missing), len(plan.kept) - len(missing)


def _link(source: str, target: str) -> bool:
    try:
        os.link(source, target)
    except FileNotFoundError:
        return False
    except OSError:  # another file system, or links not allowed: a copy
        try:
            shutil.copy2(source, target)
        except OSError:
            return False
    return True


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _agency_context(data: SiteData, agency_id: str) -> dict:
    a = data.agencies[agency_id]
    years = []
    for row in data.years.get(agency_id, []):
        years.append(
            {
                "year": row["year"],
                "source_file": row["source_file"],
                "shown": {m.column: shown(row[m.column], m.unit) for m in METRICS},
                "exact": {m.column: exact(row[m.column]) for m in METRICS},
            }
        )
    departments = sorted((data.agencies[d] for d in data.departments.get(agency_id, [])), key=lambda d: (d["name"], d["agency_id"]))
    return {
        "a": a,
        "parent": data.agencies.get(a["parent_id"]),
        "departments": departments,
        "years": years,
        "charts": charts.agency_charts(data.years.get(agency_id, [])),
        "metrics": METRICS,
        "findings": data.by_agency.get(agency_id, []),
        "reports": data.reports.get(agency_id, []),
    }


def _rankings(env: jinja2.Environment, data: SiteData, plan: pages.Pages, folder: Path) -> None:
    page = env.get_template("rank.html")
    years = list(plan.years)
    for metric in METRICS:
        for year in years:
            if (metric.column, year) not in plan.rankings:
                continue
            groups: dict[tuple, list[dict]] = {}
            for r in data.rankings.get((metric.column, year), []):
                groups.setdefault((r["kind"], r["division_level"]), []).append(r)
            context = [
                {"kind": k, "division_level": d, "count": len(rows), "rows": _rank_rows(rows, metric.unit)}
                for (k, d), rows in groups.items()
            ]
            _write(folder / f"{metric.column}-{year}.html", page.render(metric=metric, year=year, years=years, groups=context, root="../"))
    every = {(m.column, y) for m in METRICS for y in years}
    _write(folder / "index.html", env.get_template("rank_index.html").render(metrics=METRICS, years=years, pages=every, root="../"))


def _rank_rows(rows: list[dict], unit: str) -> Markup:
    """A ranking's table rows. Every agency of a year is on every metric's page (hundreds of
    thousands of rows at national scale), too many for a template loop, so the rows are written
    here, every value passed through escape() as the template would."""
    return Markup(
        "\n".join(
            f'<tr><td>{r["rank"]}</td><td data-sort="{r["percentile"]}">{r["percentile"] * 100:.1f}%</td>'
            f'<td><a href="../agency/{escape(r["agency_id"])}.html">{escape(r["agency"])}</a></td>'
            f'<td data-value="{exact(r["value"])}">{shown(r["value"], unit)}</td></tr>'
            for r in rows
        )
    )


def _index_context(data: SiteData) -> dict:
    status_years = sorted({r["year"] for r in data.reports_by_status_year}, key=lambda y: (y is None, y or 0))
    by_status: dict[str, dict] = {}
    for r in data.reports_by_status_year:
        by_status.setdefault(r["status"], {})[r["year"]] = r["files"]
    headline = [
        {**h, "shown": {k: shown(h[k], unit) for k, unit in HEADLINE_COLUMNS}, "exact": {k: exact(h[k]) for k, _ in HEADLINE_COLUMNS}}
        for h in data.headline
    ]
    counts = data.counts
    agencies = [
        {**a, "findings": counts.by_agency.get(a["agency_id"], 0), "years_text": " ".join(map(str, a["years"] or []))}
        for a in data.agencies.values()
    ]
    rules = [{**r, "findings": counts.by_rule.get(r["check_name"], 0)} for r in data.rules]
    return {
        "files": sum(r["files"] for r in data.reports_by_status_year),
        "agencies": agencies,
        "findings": counts.total,
        "errors": counts.errors,
        "status_years": status_years,
        "by_status": sorted(by_status.items()),
        "headline": headline,
        "headline_columns": [k for k, _ in HEADLINE_COLUMNS],
        "headline_charts": _headline_charts(data),
        "by_kind": data.agencies_by_kind_region,
        "most_findings": [
            (data.agencies[i], n, counts.errors_by_agency.get(i, 0))
            for i, n in sorted(counts.by_agency.items(), key=lambda kv: (-kv[1], data.agencies[kv[0]]["name"], kv[0]))[:MOST_FINDINGS]
        ],
        "rules": rules,
        "file_findings": counts.without_agency,
    }


def _headline_charts(data: SiteData) -> list[charts.Chart]:
    """Requests received per year, one chart per kind (kinds are never added together)."""
    kinds = sorted({h["kind"] for h in data.headline})
    return [
        charts.grouped(f"{kind}: requests 申请", [h for h in data.headline if h["kind"] == kind], ("new_received", "handled"))
        for kind in kinds
    ]
