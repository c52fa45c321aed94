"""Downstream access: a BI tool over SQLAlchemy (duckdb-engine, read-only) and the Parquet copy."""

import duckdb
import polars as pl
import pytest
import sqlalchemy as sa
from conftest import build_bundled

from pipeline.warehouse.models import discover
from pipeline.warehouse.parquet import WHOLE_TABLES


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    _, target = build_bundled(tmp_path_factory.mktemp("bi"))
    return target


def test_sqlalchemy_read_only_connection_reads_a_mart(warehouse):
    url = f"duckdb:///{warehouse.resolve()}?access_mode=read_only"  # duckdb:////abs/path/xxgk.duckdb?...
    assert url.startswith("duckdb:////")
    engine = sa.create_engine(url)
    try:
        with engine.connect() as con:
            assert "mart_agency_year" in sa.inspect(con).get_table_names()
            rows = con.execute(
                sa.text("SELECT agency, year, new_received FROM mart_agency_year WHERE agency = :a"), {"a": "北京市通州区"}
            ).all()
            assert [(a, y, int(n)) for a, y, n in rows] == [("北京市通州区", 2024, 2331)]
            with pytest.raises(Exception, match="read-only"):
                con.execute(sa.text("CREATE TABLE x (i INTEGER)"))
    finally:
        engine.dispose()


def test_parquet_copy_matches_the_warehouse(warehouse):
    folder = warehouse.parent / "parquet"
    assert folder.is_symlink() and folder.is_dir()
    marts = [m.name for m in discover() if m.layer == "marts"] + list(WHOLE_TABLES)
    assert {"check_results", "agencies", "codebook"} <= set(marts)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reports = con.execute("SELECT * FROM reports ORDER BY source_file").pl()
        facts = con.execute("SELECT f.*, r.year FROM facts f JOIN reports r USING (report_id) ORDER BY ALL").pl()
        mart_frames = {m: con.execute(f"SELECT * FROM {m} ORDER BY ALL").pl() for m in marts}
    assert pl.read_parquet(folder / "reports.parquet").sort("source_file").equals(reports)
    years = sorted(p.name for p in (folder / "facts").iterdir())
    assert years == sorted(f"year={y}" for y in facts["year"].unique().to_list())
    with duckdb.connect() as con:
        back = con.execute(
            f"SELECT * FROM read_parquet('{folder}/facts/*/*.parquet', hive_partitioning = true, "
            "hive_types = {'year': INTEGER}) ORDER BY ALL"
        ).pl()
        assert back.select(facts.columns).equals(facts)
        for m, frame in mart_frames.items():
            assert con.execute(f"SELECT * FROM read_parquet('{folder}/{m}.parquet') ORDER BY ALL").pl().equals(frame), m
    # Polars reads the partitioned facts too.
    assert pl.scan_parquet(folder / "facts", hive_partitioning=True).select(pl.len()).collect().item() == facts.height
