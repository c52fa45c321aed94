"""The warehouse's base tables, one asset per SQL model, the published file and its Parquet copy.

A run whose inputs are exactly those of the published file (nothing in the raw folder, the
extractor or the SQL changed) builds and publishes nothing: the steps note it and return. A run
where only reports changed, under the same code, builds from a copy of the published file and
replaces the rows of the agencies whose reports changed (pipeline/warehouse/load.py, models.py);
any other run builds from an empty file.
"""

import shutil

import dagster as dg
import polars as pl

from pipeline.defs.ingest import extracted_reports
from pipeline.defs.jobs import refuse_partial_run
from pipeline.defs.progress import say, step_of_stage, timed
from pipeline.defs.resources import Warehouse
from pipeline.extract.incremental import extractor_version, live_files
from pipeline.warehouse import parquet
from pipeline.warehouse.changes import changed_reports, published_input
from pipeline.warehouse.files import code_fingerprint, inputs_fingerprint
from pipeline.warehouse.load import load, slice_changed_agencies
from pipeline.warehouse.models import SqlModel, discover, load_tables, materialize, refresh_changed_agencies
from pipeline.warehouse.schema import table_docs

BASE_TABLES = load_tables()
MODELS = discover()
MARTS = [m.name for m in MODELS if m.layer == "marts"]
# Past this share of changed reports, building from scratch is as quick as replacing rows, and it
# leaves a compact file instead of one with many deleted rows.
UPDATE_AT_MOST = 0.25
COLUMN_SCHEMA = "dagster/column_schema"


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


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            t,
            group_name="warehouse",
            deps=[extracted_reports],
            kinds={"duckdb"},
            description=table_docs()[t].description,
            metadata={COLUMN_SCHEMA: _declared_schema(t)},
        )
        for t in BASE_TABLES
    ],
)
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Loads the build file from extraction's Parquet (unless the published file is current)."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    reports_path = files.work_dir / "reports.parquet"
    reports = pl.read_parquet(reports_path)
    code = code_fingerprint(extractor_version())
    fingerprint = inputs_fingerprint(reports.write_csv().encode(), code)
    if files.is_current(fingerprint):
        files.discard_build()
        files.mark_run(context.run.run_id, "unchanged", fingerprint, code)
        say(context, warehouse.progress, "loading: nothing changed since the published warehouse was built; not rebuilding it")
        for table in BASE_TABLES:
            yield dg.MaterializeResult(asset_key=table, metadata={"unchanged": True})
        return
    update = files.can_update(code)
    changed = changed_reports(reports, pl.read_parquet(files.published_input) if update else None)
    if update and changed["source_file"].n_unique() > UPDATE_AT_MOST * max(reports.height, 1):
        update, changed = False, changed_reports(reports, None)
    changed.write_parquet(files.changed_reports)
    mode = "update" if update else "fresh"
    files.mark_run(context.run.run_id, mode, fingerprint, code)
    into = (
        f"a copy of the published warehouse ({changed['source_file'].n_unique():,} files changed)"
        if update
        else "an empty file"
    )
    context.log.info(f"loading into {into}")
    with timed() as seconds:
        files.start_build(from_published=update)
        counts = _load(files, reports_path, reports, update)
    say(context, warehouse.progress, f"loading: {counts['facts']:,} facts of {counts['reports']:,} files into {into} in {seconds():,.1f} s")
    with files.building() as con:
        schemas = {table: _built_schema(con, table) for table in BASE_TABLES}
    for table in BASE_TABLES:
        yield dg.MaterializeResult(
            asset_key=table, metadata={"rows": counts[table], "build": mode, COLUMN_SCHEMA: schemas[table]}
        )


def _load(files, reports_path, reports: pl.DataFrame, update: bool) -> dict[str, int]:
    with files.building() as con:
        counts = load(
            con,
            reports_path,
            files.changed_reports,
            live_files(files.work_dir, "facts"),
            live_files(files.work_dir, "narrative"),
        )
        if update:
            slice_changed_agencies(con)
        published_input(reports, con.execute("SELECT source_file, agency_id FROM reports").pl()).write_parquet(
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
    )
    def _build(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        refuse_partial_run(context)
        warehouse.hold_writer_lock(context)
        mode = warehouse.files.run_mode(context.run.run_id)
        if mode == "unchanged":
            return dg.MaterializeResult(metadata={"unchanged": True})
        per_agency = mode == "update" and model.per_agency
        with timed() as seconds, warehouse.files.building() as con:
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


@dg.asset(
    group_name="warehouse",
    deps=[*BASE_TABLES, *(m.name for m in MODELS)],
    kinds={"parquet"},
)
def parquet_export(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """reports, facts (partitioned by year), every mart, the findings, the agencies and the
    codebook as Parquet, written from the build file into a new folder; published_warehouse makes
    it the `parquet/` folder beside the warehouse."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    mode = files.run_mode(context.run.run_id)
    if mode == "unchanged":
        return dg.MaterializeResult(metadata={"unchanged": True})
    if not files.build.exists() or not files.changed_reports.exists():
        raise dg.Failure(f"no build file at {files.build} to export; materialize the tables first")
    staged = files.staged_parquet
    shutil.rmtree(staged, ignore_errors=True)
    with timed() as seconds:
        counts = parquet.export(
            files.build, staged, MARTS, files.changed_reports, previous=files.parquet if mode == "update" else None
        )
    reused = f", {counts['facts_files_reused']:,} facts files kept from the previous version" if "facts_files_reused" in counts else ""
    say(context, warehouse.progress, f"Parquet: {len(counts) - bool(reused)} tables written{reused} in {seconds():,.1f} s")
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in counts.items()})


@dg.asset(group_name="warehouse", deps=[parquet_export, dg.AssetKey("static_site")], kinds={"duckdb", "parquet"})
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The build file, its Parquet export and its site published together by one atomic rename of a link."""
    refuse_partial_run(context)
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    if files.run_mode(context.run.run_id) == "unchanged":
        return dg.MaterializeResult(metadata={**_published_paths(files), "unchanged": True})
    with timed() as seconds:
        if not files.publish():
            raise dg.Failure(
                f"nothing complete to publish (build {files.build}, Parquet {files.staged_parquet}); "
                "materialize the tables and parquet_export first"
            )
        files.record_run(context.run.run_id)
    meta = _published_paths(files)
    say(context, warehouse.progress, f"publish: {meta['path']} in {seconds():,.1f} s")
    return dg.MaterializeResult(metadata=meta)


def _published_paths(files) -> dict[str, str]:
    """Where the published version is, read after publication so it names the new version."""
    return {"path": str(files.published.resolve()), "parquet": str(files.parquet), "site": str(files.site)}
