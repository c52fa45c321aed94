import dagster as dg

# Everything, extraction to publication: what `xxgk run`, the schedule and the sensor run.
refresh_warehouse = dg.define_asset_job("refresh_warehouse", selection=dg.AssetSelection.all())
