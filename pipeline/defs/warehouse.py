"""The build plan, the warehouse's base tables, one asset per SQL model, the published file and its
Parquet copy.

build_plan decides what the run builds (pipeline/warehouse/plan.py): nothing, when the inputs are
exactly those of the published file (the steps note it and return); an update of a copy of the
published file, replacing the rows of the agencies whose reports changed (pipeline/warehouse/
load.py, models.py); or a build from an empty file. Every later step is given the plan as its
input, so the lineage shows what drives the run.
"""

import shutil

import dagster as dg
import polars as pl

from pipeline.defs.ingest import extracted_reports
from pipeline.defs.jobs import refuse_partial_run
from pipeline.defs.progress import say, step_of_stage, timed
from pipeline.defs.resources import Warehouse
from pipeline.ingest.incremental import extractor_version, live_files
from pipeline.warehouse import parquet
from pipeline.warehouse.build import BuildFile
from pipeline.warehouse.changes import published_input
from pipeline.warehouse.files import code_fingerprint, publish
from pipeline.warehouse.load import load, slice_changed_agencies
from pipeline.warehouse.models import SqlModel, discover, load_tables, materialize, refresh_changed_agencies
from pipeline.warehouse.plan import BuildPlan, plan_build
from pipeline.warehouse.published import PublishedRecord
from pipeline.warehouse.schema import table_docs

BASE_TABLES = load_tables()
MODELS = discover()
MARTS = [m.name for m in MODELS if m.layer == "marts"]
COLUMN_SCHEMA = "dagster/column_schema"
# Every step after build_plan takes the plan as this input.
PLAN = {"plan": dg.AssetIn("build_plan")}


def _declared_schema(table: str) -> dg.TableSchema:
    """The columns sql/schema.toml declares, for the asset's definition (types come with a build)."""
    return dg.TableSchema(columns=[dg.TableColumn(c, type="", description=d) for c, d in table_docs()[table].columns])


def _built_schema(con, table: str) -> dg.TableSchema:
    """The table's columns as built, with their DuckDB types and the comments the build stored."""
    rows = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return dg.TableSchema(columns=[dg.TableColumn(name, type=kind, description=comment) for name, kind, comment in rows])


@dg.asset(group_name="warehouse", deps=[extracted_reports], kinds={"python"}, io_manager_key="this_run")
def build_plan(context: dg.AssetExecutionContext, warehouse: Warehouse) -> BuildPlan:
    """What this run builds: nothing, an update of a copy of the published warehouse, or a build
    from an empty file, from the extracted reports and what the published file was built from.
    It writes nothing, so it leaves the writer lock's check to the step after it."""
    refuse_partial_run(context)
    files = warehouse.files
    code = code_fingerprint(extractor_version())
    plan = plan_build(pl.read_parquet(files.work_dir / "reports.parquet"), code, PublishedRecord(files).published(code))
    context.add_output_metadata(
        {"mode": plan.mode, "changed_files": plan.changed_files, "fingerprint": plan.fingerprint, "code": plan.code}
    )
    return plan


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            t,
            group_name="warehouse",
            deps=[extracted_reports, "build_plan"],
            kinds={"duckdb"},
            description=table_docs()[t].description,
            metadata={COLUMN_SCHEMA: _declared_schema(t)},
        )
        for t in BASE_TABLES
    ],
    ins=PLAN,
)
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: Warehouse, plan: BuildPlan):
    """Loads the build file from extraction's Parquet (unless the published file is current)."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    build = BuildFile(files)
    if plan.mode == "unchanged":
        build.discard()
        say(context, warehouse.progress, f"loading: {plan.describe()}")
        for table in BASE_TABLES:
            yield dg.MaterializeResult(asset_key=table, metadata={"unchanged": True})
        return
    into = plan.describe()
    context.log.info(f"loading into {into}")
    with timed() as seconds:
        build.start(from_published=plan.mode == "update")
        counts = _load(files, plan)
    say(context, warehouse.progress, f"loading: {counts['facts']:,} facts of {counts['reports']:,} files into {into} in {seconds():,.1f} s")
    with build.writing() as con:
        schemas = {table: _built_schema(con, table) for table in BASE_TABLES}
    for table in BASE_TABLES:
        yield dg.MaterializeResult(asset_key=table, metadata={"rows": counts[table], "build": plan.mode, COLUMN_SCHEMA: schemas[table]})


def _load(files, plan: BuildPlan) -> dict[str, int]:
    reports_path = files.work_dir / "reports.parquet"
    with BuildFile(files).writing() as con:
        counts = load(
            con,
            reports_path,
            plan.changed,
            live_files(files.work_dir, "facts"),
            live_files(files.work_dir, "narrative"),
        )
        if plan.mode == "update":
            slice_changed_agencies(con)
        published_input(pl.read_parquet(reports_path), con.execute("SELECT source_file, agency_id FROM reports").pl()).write_parquet(
            files.staged_input
        )
    return counts


def _model_asset(model: SqlModel) -> dg.AssetsDefinition:
    known = set(BASE_TABLES) | {m.name for m in MODELS}

    @dg.asset(
        name=model.name,
        group_name=model.layer,
        deps=model.references(known),
        kinds={"duckdb", "sql"},
        description=table_docs()[model.name].description,
        metadata={COLUMN_SCHEMA: _declared_schema(model.name)},
        ins=PLAN,
    )
    def _build(context: dg.AssetExecutionContext, warehouse: Warehouse, plan: BuildPlan) -> dg.MaterializeResult:
        refuse_partial_run(context)
        warehouse.hold_writer_lock(context)
        if plan.mode == "unchanged":
            return dg.MaterializeResult(metadata={"unchanged": True})
        per_agency = plan.mode == "update" and model.per_agency
        with timed() as seconds, BuildFile(warehouse.files).writing() as con:
            rows = refresh_changed_agencies(con, model) if per_agency else materialize(con, model)
            schema = _built_schema(con, model.name)
        step_of_stage(context, warehouse.progress, "models", len(MODELS), seconds(), "SQL models built")
        metadata = {
            COLUMN_SCHEMA: schema,
            "materialized_as": model.kind.lower(),
            "refreshed": "changed agencies" if per_agency else "whole",
            "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```"),
        }
        if rows is not None:  # views are not counted: that would compute them on every run
            metadata["rows"] = rows
        return dg.MaterializeResult(metadata=metadata)

    return _build


model_assets = [_model_asset(m) for m in MODELS]


def reading_the_build(context: dg.AssetExecutionContext, warehouse: Warehouse, plan: BuildPlan, purpose: str) -> bool:
    """How a step that writes what it reads from the finished build file (parquet_export,
    static_site) starts: a partial run is refused and the writer lock held; then False when the
    plan builds nothing (the step notes it unchanged and returns), and a failure when there is no
    build file to read."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    if plan.mode == "unchanged":
        return False
    if not warehouse.files.build.exists():
        raise dg.Failure(f"no build file at {warehouse.files.build} {purpose}; materialize the tables first")
    return True


@dg.asset(
    group_name="warehouse",
    deps=[*BASE_TABLES, *(m.name for m in MODELS)],
    kinds={"parquet"},
    ins=PLAN,
)
def parquet_export(context: dg.AssetExecutionContext, warehouse: Warehouse, plan: BuildPlan) -> dg.MaterializeResult:
    """reports, facts (partitioned by year), every mart, the findings, the agencies and the
    codebook as Parquet, written from the build file into a new folder; published_warehouse makes
    it the `parquet/` folder beside the warehouse."""
    if not reading_the_build(context, warehouse, plan, "to export"):
        return dg.MaterializeResult(metadata={"unchanged": True})
    files = warehouse.files
    staged = files.staged_parquet
    shutil.rmtree(staged, ignore_errors=True)
    with timed() as seconds:
        counts = parquet.export(files.build, staged, MARTS, plan.changed, previous=files.parquet if plan.mode == "update" else None)
    reused = f", {counts['facts_files_reused']:,} facts files kept from the previous version" if "facts_files_reused" in counts else ""
    say(context, warehouse.progress, f"Parquet: {len(counts) - bool(reused)} tables written{reused} in {seconds():,.1f} s")
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in counts.items()})


@dg.asset(group_name="warehouse", deps=[parquet_export, dg.AssetKey("static_site")], kinds={"duckdb", "parquet"}, ins=PLAN)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse, plan: BuildPlan) -> dg.MaterializeResult:
    """The build file, its Parquet export and its site published together by one atomic rename of a link."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    if plan.mode == "unchanged":
        return dg.MaterializeResult(metadata={**_published_paths(files), "unchanged": True})
    with timed() as seconds:
        if not publish(files):
            raise dg.Failure(
                f"nothing complete to publish (build {files.build}, Parquet {files.staged_parquet}); "
                "materialize the tables and parquet_export first"
            )
        PublishedRecord(files).note(plan)
    meta = _published_paths(files)
    say(context, warehouse.progress, f"publish: {meta['path']} in {seconds():,.1f} s")
    return dg.MaterializeResult(metadata=meta)


def _published_paths(files) -> dict[str, str]:
    """Where the published version is, read after publication so it names the new version."""
    return {"path": str(files.published.resolve()), "parquet": str(files.parquet), "site": str(files.site)}
