import dagster as dg

from pipeline.warehouse.models import discover, load_tables

# Everything, extraction to publication: what `xxgk run`, the schedule and the sensor run.
refresh_warehouse = dg.define_asset_job("refresh_warehouse", selection=dg.AssetSelection.all())

# Every asset of the pipeline (tests/defs/test_dagster.py checks this against the definitions).
EVERY_ASSET = frozenset(
    dg.AssetKey(name)
    for name in (
        "raw_reports",
        "extracted_reports",
        "build_plan",
        *load_tables(),
        *(m.name for m in discover()),
        "parquet_export",
        "static_site",
        "published_warehouse",
    )
)


def refuse_partial_run(context) -> None:
    """The warehouse is built and published as a whole, by one run of every asset: a run of some
    assets only (materializing mart_yoy alone in the UI) would build into a file that nothing
    publishes, or publish a warehouse missing tables. Such a run fails here, saying so, before
    anything is written."""
    refuse_partial_selection(context.run.asset_selection)


def refuse_partial_selection(selected) -> None:
    """refuse_partial_run, for the assets a run selects."""
    if not selected or selected >= EVERY_ASSET:
        return
    names = sorted(k.to_user_string() for k in selected)
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise dg.Failure(
        f"refused: this run selects {shown} ({len(names)} of {len(EVERY_ASSET)} assets), but the warehouse is "
        "built and published as a whole, so nothing was built. Materialize all assets instead "
        '(the job refresh_warehouse, "Materialize all" in the UI, or `xxgk run`).'
    )
