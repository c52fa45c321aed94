"""The model runner's dependency graph (pipeline/warehouse/models.py): a model depends on the
tables its SQL reads, found by parsing it, never on a word that only looks like a table."""

import pytest

from pipeline.warehouse.models import dependency_order, functions_called, tables_read


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
