"""The warehouse explains itself: whole counts print as integers, long tables say their unit, the
codebook and facts_readable decode the codes, and every table and column carries the description
sql/schema.toml declares, in DuckDB (COMMENT ON) and in the Dagster assets' column schemas."""

import io

import dagster as dg
import duckdb
import polars as pl
import pytest
from conftest import ROOT

from pipeline.definitions import defs
from pipeline.defs.warehouse import COLUMN_SCHEMA, _built_schema
from pipeline.form.codebook import codebook
from pipeline.run import run_pipeline
from pipeline.warehouse.schema import table_docs

UNITS = {"count", "10k_yuan", "yuan", "rate"}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """The bundled reports with a 2023 Tongzhou report before them, so mart_yoy has rows."""
    target = tmp_path_factory.mktemp("schema") / "xxgk.duckdb"
    assert run_pipeline(ROOT / "tests" / "fixtures" / "marts" / "quiet", target, out=io.StringIO(), progress=False) == 0
    with duckdb.connect(str(target), read_only=True) as c:
        yield c


def _types(con, table: str) -> dict[str, str]:
    return dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?", [table]).fetchall())


def test_wide_marts_hold_counts_as_bigint_amounts_as_decimal_rates_as_double(con):
    types = _types(con, "mart_agency_year")
    counts = [
        "new_received",
        "carried_over",
        "granted",
        "partial",
        "denied",
        "unable",
        "not_processed",
        "other",
        "handled",
        "carried_forward",
        "review_total",
        "review_corrected",
        "suit_total",
        "suit_corrected",
    ]
    assert {c: types[c] for c in counts} == dict.fromkeys(counts, "BIGINT")
    assert types["fees_10k_yuan"] == "DECIMAL(38,6)"
    assert (types["grant_rate"], types["denial_rate"]) == ("DOUBLE", "DOUBLE")
    frame = con.execute("SELECT new_received, handled FROM mart_agency_year WHERE agency = '北京市通州区' AND year = 2024").pl()
    assert frame.schema == {"new_received": pl.Int64, "handled": pl.Int64}  # what pandas and BI tools get too
    assert frame.row(0) == (2331, 2337)


def test_long_tables_keep_decimal_values_and_say_their_unit(con):
    for table in ("facts", "mart_yoy", "mart_cross_agency"):
        types = _types(con, table)
        assert (types["value"], types["unit"]) == ("DECIMAL(38,6)", "VARCHAR"), table
        units = {u for (u,) in con.execute(f"SELECT DISTINCT unit FROM {table}").fetchall()}
        assert units and units <= UNITS, (table, units)
    assert con.execute("SELECT DISTINCT row_code, unit FROM facts WHERE unit <> 'count' ORDER BY 1").fetchall() == [
        ("fees.amount_10k_yuan", "10k_yuan")
    ]
    assert con.execute("SELECT DISTINCT metric, unit FROM mart_yoy WHERE unit <> 'count' ORDER BY 1").fetchall() == [
        ("denial_rate", "rate"),
        ("fees_10k_yuan", "10k_yuan"),
        ("grant_rate", "rate"),
    ]


def test_codebook_has_one_row_per_code_and_form(con):
    expected = sum(len(r["forms"].split(";")) for r in codebook())
    assert con.execute("SELECT count(*) FROM codebook").fetchone() == (expected,)
    assert con.execute(
        "SELECT form_version, section, item, label_zh, unit FROM codebook WHERE row_code = 'licensing.decisions' ORDER BY 1"
    ).fetchall() == [
        ("2019", "二", "第二十条第（五）项", "行政许可 / 处理决定数量", "count"),
        ("2021", "二", "第二十条第（五）项", "行政许可 / 本年处理决定数量", "count"),
    ]
    assert con.execute(
        "SELECT label_zh FROM codebook WHERE row_code = 'result.not_processed.reconfirm' AND form_version = '2021'"
    ).fetchall() == [("不予处理 / 要求行政机关确认或重新出具已获取信息",)]
    assert con.execute("SELECT DISTINCT unit FROM codebook WHERE row_code = 'procurement.amount'").fetchall() == [("yuan",)]


def test_facts_readable_prints_counts_as_integers_with_labels(con):
    types = _types(con, "facts_readable")
    assert (types["count"], types["amount"]) == ("BIGINT", "DECIMAL(38,6)")
    rows = con.execute(
        "SELECT agency, year, label_zh, count, amount FROM facts_readable "
        "WHERE source_file = '004_2b19c720d5f1c29d.txt' AND (row_code = 'fees.amount_10k_yuan' "
        "OR (row_code = 'new_received' AND applicant_class = 'total')) ORDER BY row_code"
    ).fetchall()
    assert [(a, y, lab, c, str(am) if am is not None else None) for a, y, lab, c, am in rows] == [
        ("北京市通州区", 2024, "行政事业性收费 / 本年收费金额（单位：万元）", None, "28983.079400"),
        ("北京市通州区", 2024, "本年新收政府信息公开申请数量", 2331, None),
    ]
    assert con.execute("SELECT count(*) FROM facts_readable").fetchone() == con.execute("SELECT count(*) FROM facts").fetchone()


def _warehouse_columns(con) -> dict[str, list[tuple[str, str | None]]]:
    out: dict[str, list[tuple[str, str | None]]] = {}
    for table, column, comment in con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() "
        "WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name, column_index"
    ).fetchall():
        out.setdefault(table, []).append((column, comment))
    return out


def test_every_table_and_column_has_the_declared_comment(con):
    built = _warehouse_columns(con)
    docs = table_docs()
    assert sorted(built) == sorted(docs)  # nothing undocumented, nothing documented that is not built
    for table, columns in built.items():
        assert [c for c, _ in columns] == [c for c, _ in docs[table].columns], table
        assert columns == list(docs[table].columns), table
    comments = dict(
        con.execute(
            "SELECT table_name, comment FROM duckdb_tables() WHERE database_name = current_database() "
            "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE database_name = current_database() AND NOT internal"
        ).fetchall()
    )
    assert comments == {t: d.description for t, d in docs.items()}
    assert all(comment for comment in comments.values())
    (missing,) = con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'mart_agency_year' AND coalesce(comment, '') = ''"
    ).fetchone()
    assert missing == 0


def test_dagster_assets_carry_the_column_schema(con):
    d = defs()
    graph = d.resolve_asset_graph()
    for table, doc in table_docs().items():
        node = graph.get(dg.AssetKey(table))
        schema = node.metadata[COLUMN_SCHEMA]
        assert [(c.name, c.description) for c in schema.columns] == list(doc.columns), table
        assert node.description == doc.description, table
    built = _built_schema(con, "mart_agency_year")
    assert {c.name: c.type for c in built.columns}["handled"] == "BIGINT"
    assert all(c.description for c in built.columns)
