"""The SQL models (sql/staging, intermediate, marts, review, checks) on a few hand-made rows of the
base tables in an in-memory DuckDB: no extraction, no Dagster. Every expected value is worked out
by hand from the rows below, and a per-agency refresh of one changed agency gives what a build
from scratch gives."""

from decimal import Decimal

import duckdb
import pytest

from pipeline.warehouse.load import slice_changed_agencies
from pipeline.warehouse.models import define_macros, dependency_order, discover, materialize, refresh_changed_agencies

D = Decimal
GOV, DEPT, UNKNOWN = "aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"

BASE_TABLES = """
CREATE TABLE agencies (
    agency_id VARCHAR, name VARCHAR, level VARCHAR, region VARCHAR, parent_id VARCHAR, in_registry BOOLEAN,
    spellings VARCHAR[], division_code VARCHAR, province VARCHAR, city VARCHAR, county VARCHAR,
    division_level VARCHAR, kind VARCHAR, candidates VARCHAR[], probable_name VARCHAR
);
CREATE TABLE reports (
    report_id VARCHAR, source_file VARCHAR, sha256 VARCHAR, bytes BIGINT, agency VARCHAR, agency_id VARCHAR,
    year INTEGER, form_version VARCHAR, rendering VARCHAR, published_on DATE, status VARCHAR,
    duplicate_of VARCHAR, message VARCHAR, fact_count BIGINT
);
CREATE TABLE facts (
    report_id VARCHAR, table_code VARCHAR, row_code VARCHAR, applicant_class VARCHAR, value DECIMAL(38, 6),
    unit VARCHAR, source_line INTEGER, raw_text VARCHAR, doubt VARCHAR, source_page INTEGER,
    source_box VARCHAR, source_cell VARCHAR
);
CREATE TABLE narrative_figures (
    report_id VARCHAR, kind VARCHAR, value DECIMAL(38, 6), source_line INTEGER, raw_text VARCHAR,
    table_code VARCHAR, row_code VARCHAR, applicant_class VARCHAR, source_page INTEGER
);
CREATE TABLE agency_year_duplicates (
    report_id VARCHAR, source_file VARCHAR, agency_id VARCHAR, year INTEGER, facts_md5 VARCHAR,
    same_as VARCHAR, same_as_file VARCHAR, conflict BOOLEAN
);
CREATE TABLE codebook (
    table_code VARCHAR, row_code VARCHAR, form_version VARCHAR, section VARCHAR, item VARCHAR,
    label_zh VARCHAR, unit VARCHAR
);
CREATE TABLE changed_agencies (agency_id VARCHAR);
"""

AGENCIES = [
    (
        GOV,
        "甲县人民政府",
        "aggregate",
        "甲县",
        None,
        True,
        ["甲县人民政府"],
        "110112",
        "北京市",
        None,
        "甲县",
        "county",
        "government",
        None,
        None,
    ),
    (
        DEPT,
        "甲县财政局",
        "department",
        "甲县",
        GOV,
        True,
        ["甲县财政局"],
        "110112",
        "北京市",
        None,
        "甲县",
        "county",
        "department",
        None,
        None,
    ),
    (UNKNOWN, "某某办", None, None, None, False, ["某某办"], None, None, None, None, None, None, None, None),
]
# report → (agency_id, year, status, message)
REPORTS = {
    "1gov2023": (GOV, 2023, "ok", None),
    "2gov2024": (GOV, 2024, "ok", None),
    "3dept2024": (DEPT, 2024, "ok", None),
    "4unknown2024": (UNKNOWN, 2024, "incomplete", "missing requests cells: result.total"),
}
# Section 三, the same figures for natural persons and in the 总计 column (so row totals hold):
# new_received, carried_over, result.granted, result.total, carried_forward; result.partial is 0
# and no request was denied (so denial_rate is NULL: no denied cell, not zero denied).
REQUESTS = {
    "1gov2023": (8, 0, 7, 7, 2),  # 8 + 0 − 2 = 6, not 7: a balance finding
    "2gov2024": (10, 2, 9, 9, 3),  # 10 + 2 − 3 = 9; carried over 2 = 2023's carried forward 2
    "3dept2024": (12, 0, 12, 12, 0),  # more new requests than its government: aggregate_coverage
}
ROWS = ("new_received", "carried_over", "result.granted", "result.total", "carried_forward")


def _fill(con: duckdb.DuckDBPyConnection, requests: dict[str, tuple[int, ...]]) -> None:
    con.executemany("INSERT INTO agencies VALUES (" + ", ".join("?" * 15) + ")", AGENCIES)
    con.executemany(
        "INSERT INTO reports VALUES (?, ?, NULL, 100, ?, ?, ?, '2021', 'text', NULL, ?, NULL, ?, ?)",
        [
            (rid, f"{rid}.txt", next(a[1] for a in AGENCIES if a[0] == agency), agency, year, status, message, 10)
            for rid, (agency, year, status, message) in REPORTS.items()
        ],
    )
    _insert_facts(con, _facts_rows(requests))


def _facts_rows(requests: dict[str, tuple[int, ...]]) -> list[tuple]:
    return [
        (rid, "requests", row, cls, D(value), "count", line, str(value))
        for rid, values in requests.items()
        for line, (row, value) in enumerate([*zip(ROWS, values), ("result.partial", 0)], start=1)
        for cls in ("natural_person", "total")
    ]


def _insert_facts(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    con.executemany("INSERT INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, NULL)", rows)


def _build(path: str, per_agency: bool = False) -> None:
    """Every model in dependency order, each on a connection of its own as the Dagster assets
    open them; per_agency: refresh the per-agency models for changed_agencies only."""
    models = {m.name: m for m in discover()}
    for name in dependency_order({n: set(m.references(set(models))) for n, m in models.items()}, "models"):
        with duckdb.connect(path) as c:
            if per_agency and models[name].per_agency:
                refresh_changed_agencies(c, models[name])
            else:
                materialize(c, models[name])


def _warehouse(path: str, requests: dict[str, tuple[int, ...]]) -> str:
    with duckdb.connect(path) as c:
        c.execute(BASE_TABLES)
        _fill(c, requests)
    _build(path)
    return path


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    with duckdb.connect(_warehouse(str(tmp_path_factory.mktemp("models") / "x.duckdb"), REQUESTS)) as c:
        yield c


def test_mart_agency_year_sums_the_total_column(con):
    rows = con.execute(
        "SELECT agency_id, year, new_received, carried_over, granted, handled, carried_forward, grant_rate, denial_rate, kind "
        "FROM mart_agency_year ORDER BY agency_id, year"
    ).fetchall()
    assert rows == [
        (GOV, 2023, 8, 0, 7, 7, 2, 1.0, None, "government"),
        (GOV, 2024, 10, 2, 9, 9, 3, 1.0, None, "government"),
        (DEPT, 2024, 12, 0, 12, 12, 0, 1.0, None, "department"),
    ]  # the incomplete report of the unknown agency is never counted


def test_int_agency_metrics_holds_every_metric_with_nulls(con):
    assert con.execute("SELECT count(DISTINCT metric) FROM int_agency_metrics").fetchone() == (17,)
    assert con.execute("SELECT count(*) FROM int_agency_metrics").fetchone() == (3 * 17,)
    assert con.execute(
        "SELECT value FROM int_agency_metrics "
        "WHERE agency_id = ? AND year = 2024 AND metric IN ('new_received', 'review_total') ORDER BY metric",
        [GOV],
    ).fetchall() == [(D(10),), (None,)]


def test_mart_yoy_compares_consecutive_years(con):
    assert con.execute(
        "SELECT agency_id, year, metric, unit, value, prior_year, prior_value, change, relative_change FROM mart_yoy "
        "WHERE metric IN ('new_received', 'grant_rate') ORDER BY metric"
    ).fetchall() == [
        (GOV, 2024, "grant_rate", "rate", D(1), 2023, D(1), D(0), 0.0),
        (GOV, 2024, "new_received", "count", D(10), 2023, D(8), D(2), 0.25),
    ]


def test_mart_division_year_sets_the_government_beside_its_departments(con):
    assert con.execute(
        "SELECT division_code, year, metric, government_value, departments_sum, departments_reporting FROM mart_division_year "
        "WHERE metric IN ('new_received', 'carried_over', 'review_total', 'grant_rate') ORDER BY year, metric"
    ).fetchall() == [
        ("110112", 2023, "carried_over", D(0), None, 0),
        ("110112", 2023, "new_received", D(8), None, 0),
        ("110112", 2024, "carried_over", D(2), D(0), 1),
        ("110112", 2024, "new_received", D(10), D(12), 1),
    ]  # no rates and no metric without a value (review_total)


def test_mart_cross_agency_ranks_each_kind_apart(con):
    assert con.execute(
        "SELECT year, kind, agency_id, value, rank, agencies, percentile FROM mart_cross_agency "
        "WHERE metric = 'new_received' ORDER BY year, kind"
    ).fetchall() == [
        (2023, "government", GOV, D(8), 1, 1, 1.0),
        (2024, "department", DEPT, D(12), 1, 1, 1.0),
        (2024, "government", GOV, D(10), 1, 1, 1.0),
    ]


def test_check_results_is_the_union_of_every_check(con):
    assert con.execute(
        "SELECT check_name, severity, agency_id, year, report_id, row_code, applicant_class, expected, actual FROM check_results"
    ).fetchall() == [
        ("balance", "error", GOV, 2023, "1gov2023", "result.total", "natural_person", D(6), D(7)),
        ("balance", "error", GOV, 2023, "1gov2023", "result.total", "total", D(6), D(7)),
        # the department granted and handled 12, its government 9; it received 12, the government 10
        ("aggregate_coverage", "warning", GOV, 2024, "2gov2024", "granted", None, D(12), D(9)),
        ("aggregate_coverage", "warning", GOV, 2024, "2gov2024", "handled", None, D(12), D(9)),
        ("aggregate_coverage", "warning", GOV, 2024, "2gov2024", "new_received", None, D(12), D(10)),
        ("completeness", "warning", UNKNOWN, 2024, "4unknown2024", None, None, None, None),
    ]
    assert con.execute("SELECT detail FROM check_results WHERE check_name = 'completeness'").fetchone() == (
        "4unknown2024.txt: incomplete: missing requests cells: result.total",
    )
    checks = {m.name for m in discover() if m.layer == "checks"} - {"check_results"}
    for table in checks:  # every finding of every rule is in the union, and nothing else
        (n,) = con.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert con.execute("SELECT count(*) FROM check_results WHERE 'check_' || check_name = ?", [table]).fetchone() == (n,)


def test_unknown_agencies_lists_the_unregistered_agency_of_unknown_kind(con):
    assert con.execute("SELECT agency_id, name, reports, source_files FROM unknown_agencies").fetchall() == [
        (UNKNOWN, "某某办", 1, ["4unknown2024.txt"])
    ]


def _contents(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {m.name: con.execute(f"SELECT * FROM {m.name} ORDER BY ALL").fetchall() for m in discover()}


def test_a_per_agency_refresh_gives_what_a_build_from_scratch_gives(tmp_path):
    """The department's 2024 report changes (new requests 12 → 4, so the aggregate_coverage
    finding goes away): refreshing the per-agency models for it alone, and rebuilding the others
    whole, gives the tables a build from scratch gives."""
    changed = dict(REQUESTS, **{"3dept2024": (4, 0, 4, 4, 0)})
    fresh = _warehouse(str(tmp_path / "fresh.duckdb"), changed)
    updated = _warehouse(str(tmp_path / "updated.duckdb"), REQUESTS)
    with duckdb.connect(updated) as c:
        before = _contents(c)
        c.execute("DELETE FROM facts WHERE report_id = '3dept2024'")
        _insert_facts(c, [r for r in _facts_rows(changed) if r[0] == "3dept2024"])
        c.execute("INSERT INTO changed_agencies VALUES (?)", [DEPT])
        slice_changed_agencies(c)
    _build(updated, per_agency=True)
    with duckdb.connect(updated) as u, duckdb.connect(fresh) as f:
        u.execute("DROP SCHEMA build_scope CASCADE")
        got, want = _contents(u), _contents(f)
    assert before["check_aggregate_coverage"] != [] and got["check_aggregate_coverage"] == []
    assert got["mart_agency_year"] != before["mart_agency_year"]
    assert got == want


# Joins DuckDB runs by comparing every row with every row: harmless on these few rows, hours on a
# national warehouse (a LEFT JOIN matching a list of row codes made check_narrative one at 20,000
# reports). A model needing one must say why and be listed here.
ROW_BY_ROW_JOINS = ("NESTED_LOOP_JOIN", "BLOCKWISE_NL_JOIN", "CROSS_PRODUCT")


@pytest.mark.parametrize("model", discover(), ids=lambda m: m.name)
def test_no_model_joins_row_by_row(con, model):
    define_macros(con)
    plan = "\n".join(row[1] for row in con.execute(f"EXPLAIN {model.sql}").fetchall())
    assert not [join for join in ROW_BY_ROW_JOINS if join in plan], plan
