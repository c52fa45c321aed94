import os
from pathlib import Path

import dagster as dg

from pipeline.warehouse.files import WarehouseFiles


class Warehouse(dg.ConfigurableResource):
    """Where the raw reports are read from and where the warehouse file is published.

    Relative paths are relative to the working directory (the repository root under
    `dagster dev`). XXGK_RAW_DIR and XXGK_WAREHOUSE override the defaults.
    """

    raw_dir: str = "data/raw"
    path: str = "data/warehouse/xxgk.duckdb"
    workers: int = 0  # extraction processes; 0 means one per core

    @property
    def files(self) -> WarehouseFiles:
        return WarehouseFiles(Path(self.path))

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": Warehouse(
                raw_dir=os.environ.get("XXGK_RAW_DIR", "data/raw"),
                path=os.environ.get("XXGK_WAREHOUSE", "data/warehouse/xxgk.duckdb"),
            )
        },
        # Every step writes the one build file, and DuckDB allows one writer per file.
        executor=dg.in_process_executor,
    )
