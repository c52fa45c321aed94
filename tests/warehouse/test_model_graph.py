"""The model runner's dependency graph (pipeline/warehouse/models.py): a model depends on the
tables its SQL reads, found by parsing it, never on a word that only looks like a table."""

import duckdb
import pytest

from pipeline.warehouse.models import dependency_order, discover, functions_called, tables_read


def test_a_cte_named_like_a_table_is_not_a_dependency():
    sql = """
        WITH reports AS (SELECT report_id FROM facts), agencies AS (SELECT * FROM reports)
        SELECT * FROM agencies JOIN reports USING (report_id)
    """
    assert tables_read(sql) == {"facts"}


def test_a_cte_body_reads_the_table_it_shadows():
    # A CTE's own body (not RECURSIVE) sees the table of its name, not itself.
    assert tables_read("WITH reports AS (SELECT * FROM reports WHERE status = 'ok') SELECT * FROM reports") == {"reports"}
    # A CTE of an inner query shadows only inside it.
    assert tables_read("SELECT * FROM (WITH facts AS (SELECT 1 AS x) SELECT * FROM facts) JOIN facts ON true") == {"facts"}


def test_columns_strings_comments_and_parameters_named_like_tables_are_not_dependencies():
    sql = """
        -- reads reports
        SELECT f.reports, 'agencies' AS label, $facts AS p /* codebook */
        FROM mart_agency_year AS f, read_parquet($narrative_figures)
    """
    assert tables_read(sql) == {"mart_agency_year"}


def test_schema_qualified_tables_and_dml_are_read():
    sql = """
        DELETE FROM facts WHERE report_id NOT IN (SELECT report_id FROM main.reports);
        INSERT INTO facts SELECT * FROM read_parquet($facts) WHERE report_id IN (SELECT report_id FROM build_scope.reports);
    """
    assert tables_read(sql) == {"facts", "reports"}


def test_macros_are_found_as_calls_not_tables():
    assert functions_called("SELECT plain_number(sum(value)), whole_count(x) FROM facts") == {"plain_number", "whole_count"}


def test_order_puts_each_name_after_what_it_reads_and_refuses_cycles():
    order = dependency_order({"mart": {"stg"}, "stg": {"facts"}, "facts": set(), "check": {"mart", "stg"}}, "models")
    assert order.index("facts") < order.index("stg") < order.index("mart") < order.index("check")
    with pytest.raises(ValueError, match="models read each other in a cycle: (a -> b -> a|b -> a -> b)"):
        dependency_order({"a": {"b"}, "b": {"a"}}, "models")


def _sql_dir(tmp_path, files: dict[str, str], settings: dict[str, str]):
    toml = ["[columns]"]
    for relative, sql in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(sql, encoding="utf-8")
        name = relative.rsplit("/", 1)[1].removesuffix(".sql")
        toml += [f"[tables.{name}]", 'description = "d"', settings.get(name, ""), f"[tables.{name}.columns]", 'x = "x"']
    (tmp_path / "schema.toml").write_text("\n".join(toml) + "\n", encoding="utf-8")
    return tmp_path


def test_check_results_reads_every_check_file_there_is(tmp_path):
    sql_dir = _sql_dir(
        tmp_path,
        {
            "checks/check_a.sql": "SELECT 'a' AS check_name",
            "checks/check_new_rule.sql": "SELECT 'new_rule' AS check_name",
            "checks/check_results.sql": "SELECT * FROM checks ORDER BY check_name",
        },
        {"check_results": 'union_of = "checks"'},
    )
    (results,) = [m for m in discover(sql_dir) if m.name == "check_results"]
    assert results.references({"check_a", "check_new_rule", "checks"}) == ["check_a", "check_new_rule"]
    con = duckdb.connect()
    for m in discover(sql_dir):
        con.execute(f"CREATE TABLE {m.name} AS {m.sql}")
    assert con.execute("SELECT * FROM check_results").fetchall() == [("a",), ("new_rule",)]


def test_a_per_agency_model_may_not_read_a_whole_table_even_through_a_view(tmp_path):
    sql_dir = _sql_dir(
        tmp_path,
        {
            "marts/mart_whole.sql": "SELECT 1 AS agency_id",
            "staging/stg_view.sql": "SELECT * FROM mart_whole",
            "checks/check_c.sql": "SELECT * FROM stg_view",
        },
        {"check_c": 'refresh = "per agency"'},
    )
    with pytest.raises(ValueError, match=r"check_c.sql: refreshed per agency, but reads \['mart_whole'\]"):
        discover(sql_dir)
