"""Write the site into a folder from a read connection to a built warehouse.

Page paths are stable, to be cited: `index.html`, `agency/<agency_id>.html`,
`rule/<check_name>.html`, `files.html` (findings about files without an agency),
`rank/index.html` and `rank/<metric>-<year>.html`. Every page is rendered by Jinja2 with
autoescaping, so report text (titles, cells as printed, messages) is always escaped.

Built incrementally like the warehouse: given the previous version's folder and the agencies the
build recomputed, only their pages (and those of their governments, and of any agency whose
page's links changed) are rendered again; every other agency page is hard-linked from the
previous version (pages are written once and never changed in place, so a link is a copy). The
index, rule, files and ranking pages compare agencies and are always rendered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass
from importlib.resources import files as package_files
from pathlib import Path

import duckdb
import jinja2
from markupsafe import Markup, escape

from pipeline.site import charts
from pipeline.site.data import SiteData, read
from pipeline.site.metrics import METRICS, exact, shown

MANIFEST = ".pages.json"  # agency_id → what its page shows of other agencies (see _links)
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
    site published before) and `rewrite` (the agency_ids the build recomputed), agency pages
    outside that set are linked from `previous` instead of rendered."""
    data = read(con)
    env = _environment()
    (out / "agency").mkdir(parents=True, exist_ok=True)
    (out / "rule").mkdir(exist_ok=True)
    (out / "rank").mkdir(exist_ok=True)
    shutil.copytree(package_files("pipeline.site") / "static", out / "static", dirs_exist_ok=True)

    links = {agency_id: _links(data, agency_id) for agency_id in data.agencies}
    old_links = _previous_manifest(previous) if previous is not None and rewrite is not None else None
    template = env.get_template("agency.html")
    rendered = 0
    for agency_id in data.agencies:
        page = out / "agency" / f"{agency_id}.html"
        if old_links is not None and _reusable(data, agency_id, rewrite, links, old_links) and _link(previous / "agency" / page.name, page):
            continue
        _write(page, template.render(**_agency_context(data, agency_id), root="../"))
        rendered += 1
    (out / MANIFEST).write_text(json.dumps(links, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    rules = env.get_template("rule.html")
    for rule in data.rules:
        _write(
            out / "rule" / f"{rule['check_name']}.html",
            rules.render(rule=rule, findings=data.by_rule.get(rule["check_name"], []), root="../"),
        )
    _write(out / "files.html", env.get_template("files.html").render(findings=data.by_agency.get(None, []), root=""))
    rank_pages = _rankings(env, data, out / "rank")
    _write(out / "index.html", env.get_template("index.html").render(**_index_context(data), root=""))
    return SiteCounts(len(data.agencies), rendered, len(data.rules), rank_pages, len(data.findings))


def _links(data: SiteData, agency_id: str) -> str:
    """A hash of what an agency's page shows of other agencies: its government's name and its
    departments. A page whose links changed (a department added or gone) is rendered again."""
    a = data.agencies[agency_id]
    parent = data.agencies.get(a["parent_id"])
    shown_links = [
        a["name"],
        parent["name"] if parent else None,
        sorted((d, data.agencies[d]["name"]) for d in data.departments.get(agency_id, [])),
    ]
    return hashlib.sha256(json.dumps(shown_links, ensure_ascii=False).encode()).hexdigest()[:16]


def _previous_manifest(previous: Path) -> dict[str, str]:
    try:
        return json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _reusable(data: SiteData, agency_id: str, rewrite: set[str | None], links: dict[str, str], old_links: dict[str, str]) -> bool:
    """The previous page still shows what this build would: the agency was not recomputed, nor
    any of its departments (a government's findings compare it with them), and its links are
    the same."""
    if agency_id in rewrite or old_links.get(agency_id) != links[agency_id]:
        return False
    return not any(d in rewrite for d in data.departments.get(agency_id, []))


def _link(source: Path, target: Path) -> bool:
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


def _rankings(env: jinja2.Environment, data: SiteData, folder: Path) -> int:
    years = sorted({y for _, y in data.rankings} | {h["year"] for h in data.headline})
    page = env.get_template("rank.html")
    for metric in METRICS:
        for year in years:
            groups: dict[tuple, list[dict]] = {}
            for r in data.rankings.get((metric.column, year), []):
                groups.setdefault((r["kind"], r["division_level"]), []).append(r)
            context = [
                {"kind": k, "division_level": d, "count": len(rows), "rows": _rank_rows(rows, metric.unit)}
                for (k, d), rows in groups.items()
            ]
            _write(folder / f"{metric.column}-{year}.html", page.render(metric=metric, year=year, years=years, groups=context, root="../"))
    pages = {(m.column, y) for m in METRICS for y in years}
    _write(folder / "index.html", env.get_template("rank_index.html").render(metrics=METRICS, years=years, pages=pages, root="../"))
    return len(pages) + 1


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
    counts = Counter(f["agency_id"] for f in data.findings if f["agency_id"] in data.agencies)
    errors = Counter(f["agency_id"] for f in data.findings if f["agency_id"] in data.agencies and f["severity"] == "error")
    agencies = [
        {**a, "findings": counts.get(a["agency_id"], 0), "years_text": " ".join(map(str, a["years"] or []))} for a in data.agencies.values()
    ]
    rules = [{**r, "findings": len(data.by_rule.get(r["check_name"], []))} for r in data.rules]
    return {
        "files": sum(r["files"] for r in data.reports_by_status_year),
        "agencies": agencies,
        "findings": len(data.findings),
        "errors": sum(1 for f in data.findings if f["severity"] == "error"),
        "status_years": status_years,
        "by_status": sorted(by_status.items()),
        "headline": headline,
        "headline_columns": [k for k, _ in HEADLINE_COLUMNS],
        "headline_charts": _headline_charts(data),
        "by_kind": data.agencies_by_kind_region,
        "most_findings": [
            (data.agencies[i], n, errors.get(i, 0))
            for i, n in sorted(counts.items(), key=lambda kv: (-kv[1], data.agencies[kv[0]]["name"]))[:MOST_FINDINGS]
        ],
        "rules": rules,
        "file_findings": len(data.by_agency.get(None, [])),
    }


def _headline_charts(data: SiteData) -> list[charts.Chart]:
    """Requests received per year, one chart per kind (kinds are never added together)."""
    kinds = sorted({h["kind"] for h in data.headline})
    return [
        charts.grouped(f"{kind}: requests 申请", [h for h in data.headline if h["kind"] == kind], ("new_received", "handled"))
        for kind in kinds
    ]
