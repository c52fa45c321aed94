"""The warehouse's base tables, one asset per SQL model, and the published file."""

import dagster as dg

from pipeline.defs.ingest import extracted_reports
from pipeline.defs.resources import Warehouse
from pipeline.warehouse.load import load
from pipeline.warehouse.models import SqlModel, discover, load_tables, materialize

BASE_TABLES = load_tables()
MODELS = discover()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(t, group_name="warehouse", deps=[extracted_reports], kinds={"duckdb"}, description=f"warehouse table {t}")
        for t in BASE_TABLES
    ],
)
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: Warehouse):
    """Loads a fresh build file from extraction's Parquet."""
    files = warehouse.files
    files.start_build()
    with files.building() as con:
        counts = load(con, files.work_dir / "reports.parquet", sorted((files.work_dir / "batches").glob("facts-*.parquet")))
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
    def _build(warehouse: Warehouse) -> dg.MaterializeResult:
        with warehouse.files.building() as con:
            rows = materialize(con, model)
        return dg.MaterializeResult(
            metadata={"rows": rows, "materialized_as": model.kind.lower(), "sql": dg.MetadataValue.md(f"```sql\n{model.sql}\n```")}
        )

    return _build


model_assets = [_model_asset(m) for m in MODELS]


@dg.asset(
    group_name="warehouse",
    deps=[*BASE_TABLES, *(m.name for m in MODELS)],
    kinds={"duckdb"},
)
def published_warehouse(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """The build file, renamed over the published path in one atomic step."""
    files = warehouse.files
    if not files.publish():
        raise dg.Failure(f"no build file at {files.build} to publish; materialize the tables first")
    return dg.MaterializeResult(metadata={"path": str(files.published.resolve())})
