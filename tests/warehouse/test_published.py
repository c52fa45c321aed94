"""published.json: what the published warehouse was built from, trusted only while the published
file and its Parquet are as they were published."""

import os

import polars as pl

from pipeline.warehouse.files import WarehouseFiles
from pipeline.warehouse.plan import BuildPlan
from pipeline.warehouse.published import PublishedRecord


def _published(tmp_path) -> tuple[WarehouseFiles, PublishedRecord, BuildPlan]:
    files = WarehouseFiles(tmp_path / "xxgk.duckdb")
    files.current.mkdir()
    files.published.write_bytes(b"a warehouse")
    (files.parquet / "facts").mkdir(parents=True)
    (files.parquet / "facts" / "part-0.parquet").write_bytes(b"1234")
    frame = pl.DataFrame({"source_file": ["a.txt"], "agency_id": ["x"]})
    frame.write_parquet(files.published_input)
    plan = BuildPlan("fresh", "inputs-1", "code-1", frame.clear())
    record = PublishedRecord(files)
    record.note(plan)
    return files, record, plan


def test_a_published_warehouse_as_recorded_is_known(tmp_path):
    files, record, plan = _published(tmp_path)
    published = record.published("code-1")
    assert (published.fingerprint, published.code) == ("inputs-1", "code-1")
    assert published.input.equals(pl.read_parquet(files.published_input))
    assert record.published("code-2").input is None  # other code: nothing to update from
    assert record.recorded()["fingerprint"] == "inputs-1"


def test_a_truncated_parquet_file_makes_the_inputs_unknown_but_keeps_the_code(tmp_path):
    files, record, _ = _published(tmp_path)
    (files.parquet / "facts" / "part-0.parquet").write_bytes(b"12")
    published = record.published("code-1")
    assert published.fingerprint is None and published.code == "code-1" and published.input is not None


def test_a_published_file_overwritten_in_place_is_not_the_one_recorded(tmp_path):
    files, record, _ = _published(tmp_path)
    st = files.published.stat()
    files.published.write_bytes(b"another one")
    os.utime(files.published, ns=(st.st_atime_ns, st.st_mtime_ns))
    published = record.published("code-1")
    assert (published.fingerprint, published.code, published.input) == (None, None, None)


def test_no_record_is_nothing_known(tmp_path):
    files = WarehouseFiles(tmp_path / "xxgk.duckdb")
    published = PublishedRecord(files).published("code-1")
    assert (published.fingerprint, published.code, published.input) == (None, None, None)
