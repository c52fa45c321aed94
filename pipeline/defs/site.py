"""The static site (pipeline/site) built from the build file into a staged folder, which
published_warehouse moves into the new version beside the file and its Parquet. An update renders
again only the pages of the agencies the build recomputed (and the pages that compare agencies);
a run with nothing changed builds nothing."""

import shutil

import dagster as dg

from pipeline.defs.progress import say, timed
from pipeline.defs.resources import Warehouse
from pipeline.defs.warehouse import PLAN, reading_the_build
from pipeline.site import build_site
from pipeline.warehouse.build import BuildFile
from pipeline.warehouse.models import discover, load_tables
from pipeline.warehouse.plan import BuildPlan
from pipeline.warehouse.sqlfiles import execute


@dg.asset(
    group_name="warehouse",
    deps=[*load_tables(), *(m.name for m in discover())],
    kinds={"html"},
    ins=PLAN,
)
def static_site(context: dg.AssetExecutionContext, warehouse: Warehouse, plan: BuildPlan) -> dg.MaterializeResult:
    """index.html, agency/<agency_id>.html, rule/<check_name>.html, files.html and rank/: the
    warehouse as pages, every figure with its file and line; published as data/warehouse/site."""
    if not reading_the_build(context, warehouse, plan, "to make the site from"):
        return dg.MaterializeResult(metadata={"unchanged": True})
    files = warehouse.files
    staged = files.staged_site
    shutil.rmtree(staged, ignore_errors=True)
    previous = files.site.resolve() if plan.mode == "update" and files.site.is_dir() else None
    with timed() as seconds, BuildFile(files).reading() as con:
        rewrite = {r[0] for r in execute(con, "site/changed_agencies.sql").fetchall()} if previous else None
        counts = build_site(con, staged, previous=previous, rewrite=rewrite)
    kept = counts.agency_pages - counts.rendered
    say(
        context,
        warehouse.progress,
        f"site: {counts.agency_pages:,} agency pages ({counts.rendered:,} written, {kept:,} kept), "
        f"{counts.rule_pages} rule and {counts.rank_pages} ranking pages; {counts.pages_rendered:,} pages written in all, "
        f"{counts.pages_linked:,} kept, in {seconds():,.1f} s",
    )
    return dg.MaterializeResult(
        metadata={
            "agency_pages": counts.agency_pages,
            "agency_pages_written": counts.rendered,
            "pages_written": counts.pages_rendered,
            "pages_kept": counts.pages_linked,
            "findings": counts.findings,
            "path": str(files.site),
        }
    )
