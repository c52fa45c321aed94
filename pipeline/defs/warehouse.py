"""The warehouse's base tables, one asset per SQL model, the published file and its Parquet copy.

A run whose inputs are exactly those of the published file (nothing in the raw folder, the
extractor or the SQL changed) builds and publishes nothing: the steps note it and return.
"""

import shutil

import dagster as dg
import polars as pl

from pipeline.defs.ingest import extracted_reports
from pipeline.defs.resources import Warehouse
from pipeline.extract.incremental import extractor_version, live_files
from pipeline.warehouse import parquet
from pipeline.warehouse.files import inputs_fingerprint
from pipeline.warehouse.load import load
from pipeline.warehouse.models import SqlModel, discover, load_tables, materialize

BASE_TABLES = load_tables()
MODELS = discover()
MARTS = [m.name for m in MODELS if m.layer == "marts"]


def _fingerprint(warehouse: Warehouse) -> str:
    reports = pl.read_parquet(warehouse.files.work_dir / "reports.parquet")
    return inputs_fingerprint(reports.write_csv().encode(), extractor_version())


@dg.multi_asset(
    specs=[
        dg.AssetSpec(t, group_name="warehouse", deps=[extracted_reports], kinds={"duckdb"}, description=f"warehouse table {t}")
        for t in BASE_TABLES
    ],
)
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Loads a fresh build file from extraction's Parquet (unless the published file is current)."""
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    if files.is_current(_fingerprint(warehouse)):
        files.discard_build()
        files.mark_run(context.run.run_id, unchanged=True)
        context.log.info("nothing changed since the published warehouse was built: not rebuilding it")
        for table in BASE_TABLES:
            yield dg.MaterializeResult(asset_key=table, metadata={"unchanged": True})
        return
    files.mark_run(context.run.run_id, unchanged=False)
    files.start_build()
    with files.building() as con:
        counts = load(
            con,
            files.work_dir / "reports.parquet",
            live_files(files.work_dir, "facts"),
            live_files(files.work_dir, "narrative"),
        )
    for table in BASE_TABLES:
        yield dg.MaterializeResult(asset_key=table, metadata={"rows": counts[table]})


def _model_asset(model: SqlModel) -> dg.AssetsDefinition:
    known = set(BASE_TABLES) | {m.name for m in MODELS}

    @dg.asset(
        name=model.name,
        group_name=model.layer,
        deps=model.references(known),
        kinds={"duckdb", "sql"},
        description=model.description,
    )
    def _build(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
        warehouse.hold_writer_lock(context)
        if warehouse.files.run_unchanged(context.run.run_id):
            return dg.MaterializeResult(metadata={"unchanged": True})
        with warehouse.files.building() as con:
            rows = materialize(con, model)
        metadata = {"materialized_as": model.kind.lower(), "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```")}
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
    """reports, facts (partitioned by year) and every mart as Parquet, written from the build file
    into a new folder; published_warehouse makes it the `parquet/` folder beside the warehouse."""
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    if files.run_unchanged(context.run.run_id):
        return dg.MaterializeResult(metadata={"unchanged": True})
    if not files.build.exists():
        raise dg.Failure(f"no build file at {files.build} to export; materialize the tables first")
    staged = files.staged_parquet
    shutil.rmtree(staged, ignore_errors=True)
    counts = parquet.export(files.build, staged, MARTS)
    return dg.MaterializeResult(metadata={f"rows_{k}": v for k, v in counts.items()})


@dg.asset(group_name="warehouse", deps=[parquet_export], kinds={"duckdb", "parquet"})
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The build file and its Parquet export published together by one atomic rename of a link."""
    warehouse.hold_writer_lock(context)
    files = warehouse.files
    meta = {"path": str(files.published.resolve()), "parquet": str(files.parquet)}
    if files.run_unchanged(context.run.run_id):
        return dg.MaterializeResult(metadata={**meta, "unchanged": True})
    if not files.publish():
        raise dg.Failure(
            f"nothing complete to publish (build {files.build}, Parquet {files.staged_parquet}); "
            "materialize the tables and parquet_export first"
        )
    files.record(_fingerprint(warehouse))
    return dg.MaterializeResult(metadata=meta)
