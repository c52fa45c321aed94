"""The BuildPlan on small reports frames: when a run builds nothing, an update or from scratch,
and what it replaces. No extraction, no Dagster."""

import polars as pl
import pytest

from pipeline.ingest.batch import REPORT_SCHEMA
from pipeline.warehouse.changes import published_input
from pipeline.warehouse.plan import UPDATE_AT_MOST, Published, inputs_fingerprint, plan_build

CODE = "code-1"


def _reports(n: int, message: str = "") -> pl.DataFrame:
    rows = [
        {k: None for k in REPORT_SCHEMA}
        | {"report_id": f"r{i}", "source_file": f"{i:03d}.txt", "sha256": f"s{i}", "agency": f"机关{i}", "status": "ok", "message": message}
        for i in range(n)
    ]
    return pl.DataFrame(rows, schema=REPORT_SCHEMA)


def _published(reports: pl.DataFrame, code: str = CODE, intact: bool = True) -> Published:
    fingerprint = inputs_fingerprint(reports.write_csv().encode(), code) if intact else None
    agency_ids = reports.select("source_file", agency_id=pl.lit("a") + pl.col("report_id"))
    return Published(fingerprint=fingerprint, code=code, input=published_input(reports, agency_ids))


def test_the_same_reports_and_code_build_nothing():
    reports = _reports(8)
    plan = plan_build(reports, CODE, _published(reports))
    assert plan.mode == "unchanged" and plan.changed.height == 0 and plan.changed_files == 0
    assert plan.fingerprint == inputs_fingerprint(reports.write_csv().encode(), CODE)
    assert "not rebuilding" in plan.describe()


def test_a_published_file_changed_since_it_was_recorded_is_built_again():
    """Its record names other inputs, or the file or its Parquet is not as published: no skip."""
    reports = _reports(8)
    plan = plan_build(reports, CODE, _published(reports, intact=False))
    assert plan.mode == "update" and plan.changed.height == 0


def test_a_few_changed_reports_update_a_copy_and_replace_only_them():
    old = _reports(8)
    new = old.with_columns(sha256=pl.when(pl.col("report_id") == "r3").then(pl.lit("changed")).otherwise("sha256"))
    plan = plan_build(new, CODE, _published(old))
    assert plan.mode == "update" and plan.changed_files == 1
    # both versions of the changed report: the new row, and the old one with its published agency
    assert sorted(plan.changed.select("sha256", "published", "agency_id").rows()) == [("changed", False, None), ("s3", True, "ar3")]
    assert plan.describe() == "a copy of the published warehouse (1 files changed)"


def test_a_changed_message_counts_as_a_change():
    old = _reports(8)
    new = pl.concat([old.head(7), _reports(8, message="now incomplete").tail(1)])
    plan = plan_build(new, CODE, _published(old))
    assert plan.mode == "update" and plan.changed_files == 1
    assert plan.changed.filter(~pl.col("published"))["message"].to_list() == ["now incomplete"]


@pytest.mark.parametrize("changed", [2, 3])
def test_past_update_at_most_the_build_starts_from_scratch(changed):
    old = _reports(8)
    new = old.with_columns(
        sha256=pl.when(pl.col("report_id").is_in([f"r{i}" for i in range(changed)])).then(pl.lit("x")).otherwise("sha256")
    )
    plan = plan_build(new, CODE, _published(old))
    if changed <= UPDATE_AT_MOST * 8:
        assert plan.mode == "update" and plan.changed_files == changed
    else:
        assert plan.mode == "fresh" and plan.changed.height == 8 and not plan.changed["published"].any()
        assert plan.describe() == "an empty file"


def test_other_code_or_no_published_input_builds_from_scratch():
    reports = _reports(4)
    old = _published(reports.head(3))
    for published in (Published(), Published(code="code-0", input=old.input), Published(code=CODE, input=None)):
        plan = plan_build(reports, CODE, published)
        assert plan.mode == "fresh" and plan.changed.height == 4, published
    # the fingerprint names the code: the same reports under other code are not current
    assert plan_build(reports, "code-2", _published(reports)).mode == "fresh"
