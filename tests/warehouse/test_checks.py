"""Consistency checks end to end: `xxgk run` on edited copies of the bundled reports (each rule
planted once, in an agency of its own: tests/fixtures/marts/make.py), on a folder where every rule
holds, and on the bundled reports themselves; then check_results, the Dagster checks and `xxgk checks`."""

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, ROOT, xxgk

MARTS = ROOT / "tests" / "fixtures" / "marts"
RULES = (
    "balance",
    "row_total",
    "result_total",
    "appeals_total",
    "value_domain",
    "carryover",
    "regdoc_stock",
    "narrative",
    "completeness",
    "duplicate",
)
# every check table: the form's rules, and the government reports set against their departments'
CHECKS = (*RULES, "aggregate_coverage")
D = Decimal

# (check_name, severity, agency, year, source_file, table_code, row_code, applicant_class, expected, actual)
PLANTED = {
    "balance": {
        ("balance", "error", "测试区平衡局", 2024, "balance.txt", "requests", "result.total", "natural_person", D(3376), D(3381)),
        ("balance", "error", "测试区平衡局", 2024, "balance.txt", "requests", "result.total", "total", D(20596), D(20601)),
    },
    "row_total": {
        ("row_total", "error", "测试区合计局", 2024, "row_total.txt", "requests", "new_received", "total", D(20661), D(20668)),
        ("row_total", "error", "测试区合计局", 2024, "row_total.txt", "requests", "carried_forward", "total", D(1461), D(1468)),
    },
    "result_total": {
        ("result_total", "error", "测试区结果局", 2024, "result_total.txt", "requests", "result.total", "natural_person", D(3384), D(3381)),
        ("result_total", "error", "测试区结果局", 2024, "result_total.txt", "requests", "result.total", "total", D(20604), D(20601)),
    },
    "appeals_total": {
        ("appeals_total", "error", "测试区复议局", 2024, "appeals_total.txt", "appeals", "review.total", None, D(1209), D(1210)),
    },
    "value_domain": {
        ("value_domain", "error", "测试区数值局", 2024, "value_domain.txt", "proactive", "licensing.decisions", None, None, D("17.5")),
        ("value_domain", "error", "测试区数值局", 2024, "value_domain.txt", "proactive", "penalty.decisions", None, None, D(-18)),
    },
    "carryover": {
        ("carryover", "error", "测试区结转局", 2024, "carryover_2024.txt", "requests", "carried_over", "natural_person", D(231), D(235)),
        ("carryover", "error", "测试区结转局", 2024, "carryover_2024.txt", "requests", "carried_over", "total", D(1401), D(1405)),
    },
    "regdoc_stock": {
        ("regdoc_stock", "warning", "测试区文件局", 2024, "regdoc_2024.txt", "proactive", "regulations.in_force", None, D(19), D(13)),
    },
    "narrative": {
        ("narrative", "warning", "测试区叙述局", 2024, "narrative.txt", "appeals", "review.total", None, D(1200), D(1210)),
    },
    "completeness": {
        ("completeness", "warning", "测试区缺项局", 2024, "incomplete.txt", None, None, None, None, None),
        ("completeness", "warning", None, None, "notes.txt", None, None, None, None, None),
        ("completeness", "warning", "北京市东城区对外联络服务办公室", 2024, "zz_dongcheng_alias.txt", None, None, None, None, None),
    },
    "duplicate": {
        ("duplicate", "error", "测试区重复局", 2024, None, None, None, None, None, None),
    },
}
# Checked by hand: Tongzhou 2024's prose (line 11) says 2333 requests were received, its table 2331;
# the five bundled reports satisfy rules 1-5 and every other prose figure matches its cell.
BUNDLED = {
    ("narrative", "warning", "北京市通州区", 2024, "004_2b19c720d5f1c29d.txt", "requests", "new_received", "total", D(2333), D(2331)),
}

FINDINGS_SQL = """
SELECT c.check_name, c.severity, c.agency, c.year, r.source_file, c.table_code, c.row_code, c.applicant_class, c.expected, c.actual
FROM check_results c LEFT JOIN reports r USING (report_id)
"""


def _run(raw: Path, target: Path) -> tuple[Path, str]:
    proc = xxgk("run", "--raw", str(raw), "--warehouse", str(target), cwd=target.parent.parent)
    return target, proc.stdout


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> tuple[Path, str]:
    return _run(MARTS / "planted", tmp_path_factory.mktemp("planted") / "out" / "x.duckdb")


@pytest.fixture(scope="module")
def quiet(tmp_path_factory) -> tuple[Path, str]:
    return _run(MARTS / "quiet", tmp_path_factory.mktemp("quiet") / "out" / "x.duckdb")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> tuple[Path, str]:
    return _run(RAW, tmp_path_factory.mktemp("bundled") / "out" / "x.duckdb")


def findings(warehouse: Path, where: str = "true", params: list | None = None) -> set[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return set(con.execute(FINDINGS_SQL + f" WHERE {where}", params or []).fetchall())


@pytest.mark.parametrize("rule", RULES)
def test_rule_fires_on_its_planted_error(planted, rule):
    assert findings(planted[0], "c.check_name = ?", [rule]) == PLANTED[rule]


@pytest.mark.parametrize("rule", CHECKS)
def test_rule_is_quiet_when_the_reports_agree(quiet, rule):
    """The bundled reports plus a 2023 Tongzhou report the 2024 one follows without a break."""
    expected = BUNDLED if rule == "narrative" else set()
    assert findings(quiet[0], "c.check_name = ?", [rule]) == expected


@pytest.mark.parametrize(
    "run, expected, summary",
    [
        ("planted", set().union(*PLANTED.values()), f"checks: 11 evaluated, 10 failed: {', '.join(sorted(RULES))}"),
        ("quiet", BUNDLED, "checks: 11 evaluated, 1 failed: narrative"),
        ("bundled", BUNDLED, "checks: 11 evaluated, 1 failed: narrative"),
    ],
)
def test_a_runs_findings_are_exactly_its_errors_and_dagster_evaluates_every_check(run, expected, summary, request):
    """Every finding of the run and no other (the planted errors; the one the bundled reports
    hold), and the run's summary of the Dagster checks."""
    warehouse, stdout = request.getfixturevalue(run)
    assert findings(warehouse) == expected
    assert summary in stdout


def test_findings_say_where_and_why(planted):
    with duckdb.connect(str(planted[0]), read_only=True) as con:
        detail = dict(
            con.execute(
                "SELECT check_name || ':' || coalesce(r.source_file, ''), detail FROM check_results LEFT JOIN reports r USING (report_id)"
            ).fetchall()
        )
        message = con.execute("SELECT message FROM reports WHERE source_file = 'incomplete.txt'").fetchone()[0]
    assert (
        detail["duplicate:"]
        == "测试区重复局 2024 is reported by 2 files with different facts: conflict_a.txt, conflict_b.txt; remove the wrong one(s)"
    )
    assert detail["completeness:incomplete.txt"] == f"incomplete.txt: incomplete: {message}"
    assert detail["narrative:narrative.txt"] == "narrative.txt line 11: the prose says '行政复议案件1200件'; the table (line 397) says 1210"
    with duckdb.connect(str(planted[0]), read_only=True) as con:
        details = {r[0] for r in con.execute("SELECT detail FROM check_results").fetchall()}
    assert "carryover_2024.txt line 101: 上年结转 1405 ≠ 结转下年度 1401 in the 2023 report (carryover_2023.txt line 349)" in details
    assert "balance.txt line 340: 总计 20601 ≠ 新收 20661 + 上年结转 1401 − 结转下年度 1466" in details
    assert {"value_domain.txt line 41: '17.5' is not a whole number", "value_domain.txt line 49: '-18' is negative"} <= details


def test_check_results_columns(quiet):
    with duckdb.connect(str(quiet[0]), read_only=True) as con:
        cols = [c[0] for c in con.execute("SELECT * FROM check_results LIMIT 0").description]
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE table_name LIKE 'check_%'").fetchall()}
        schemas = {r[0] for r in con.execute("SELECT DISTINCT schema_name FROM duckdb_tables()").fetchall()}
    assert cols == [
        "check_name",
        "severity",
        "agency_id",
        "agency",
        "year",
        "report_id",
        "table_code",
        "row_code",
        "applicant_class",
        "expected",
        "actual",
        "detail",
    ]
    assert tables == {f"check_{r}" for r in CHECKS} | {"check_results"}
    assert schemas == {"main"}  # the build's scratch schema (build_scope) is never published


def test_narrative_figures_of_the_bundled_reports(bundled):
    with duckdb.connect(str(bundled[0]), read_only=True) as con:
        rows = con.execute(
            """SELECT r.source_file, n.kind, n.value, n.source_line, n.row_code FROM narrative_figures n JOIN reports r USING (report_id)
               ORDER BY 1, 4, 2"""
        ).fetchall()
    assert rows == [
        ("000_1acaab7e8820b83a.txt", "proactive_published", D(21), 10, None),
        ("000_1acaab7e8820b83a.txt", "carried_over", D(0), 11, "carried_over"),
        ("000_1acaab7e8820b83a.txt", "new_received", D(1), 11, "new_received"),
        ("003_85a44054a9ef54a3.txt", "proactive_published", D(21), 8, None),
        ("003_85a44054a9ef54a3.txt", "new_received", D(9), 10, "new_received"),
        ("004_2b19c720d5f1c29d.txt", "new_received", D(2333), 11, "new_received"),
        ("004_2b19c720d5f1c29d.txt", "fee_collected_yuan", D(930), 415, None),
        ("004_2b19c720d5f1c29d.txt", "fee_notice_amount_yuan", D(50990), 415, None),
        ("004_2b19c720d5f1c29d.txt", "fee_notices", D(4), 415, None),
    ]


def test_xxgk_checks_command(planted, quiet, tmp_path):
    table = xxgk("checks", "--warehouse", str(planted[0]))
    assert table.returncode == 0
    assert table.stdout.splitlines()[-1] == "17 findings (12 errors, 5 warnings)"
    csv_out = xxgk("checks", "--warehouse", str(quiet[0]), "--format", "csv").stdout.splitlines()
    assert csv_out == [
        "check_name,severity,agency_id,agency,year,report_id,table_code,row_code,applicant_class,expected,actual,detail",
        csv_out[1],
    ]
    assert ",北京市通州区,2024," in csv_out[1] and ",new_received,total,2333,2331," in csv_out[1]
    assert xxgk("checks", "--warehouse", str(planted[0]), "--fail-on", "error", check=False).returncode == 1
    assert xxgk("checks", "--warehouse", str(quiet[0]), "--fail-on", "error", check=False).returncode == 0
    assert xxgk("checks", "--warehouse", str(quiet[0]), "--fail-on", "warning", check=False).returncode == 1
    missing = xxgk("checks", "--warehouse", str(tmp_path / "none.duckdb"), check=False)
    assert missing.returncode == 2 and "no warehouse" in missing.stderr


def test_dagster_check_results_are_warnings_with_count_and_sample(planted, tmp_path):
    import dagster as dg

    from pipeline.defs.checks import rule_checks
    from pipeline.defs.resources import Warehouse

    by_name = {next(iter(c.check_specs)).name: c for c in rule_checks}
    assert set(by_name) == set(CHECKS)
    assert all(not spec.blocking for c in rule_checks for spec in c.check_specs)
    result = by_name["balance"](dg.build_op_context(), warehouse=Warehouse(path=str(planted[0])))
    # an error rule fails with ERROR severity, a warning rule with WARN; neither blocks the run
    assert (result.passed, result.severity) == (False, dg.AssetCheckSeverity.ERROR)
    assert result.metadata["failing_rows"].value == 2
    sample = result.metadata["sample"]
    assert isinstance(sample, dg.TableMetadataValue) and len(sample.records) == 2
    assert {r.data["agency"] for r in sample.records} == {"测试区平衡局"}
    assert sample.records[0].data["severity"] == "error" and isinstance(sample.records[0].data["actual"], str)
    narrative = by_name["narrative"](dg.build_op_context(), warehouse=Warehouse(path=str(planted[0])))
    assert (narrative.passed, narrative.severity) == (False, dg.AssetCheckSeverity.WARN)
    # a check that cannot run (here: no such view) raises, which fails the run
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    with pytest.raises(duckdb.CatalogException):
        by_name["balance"](dg.build_op_context(), warehouse=Warehouse(path=str(tmp_path / "empty.duckdb")))


def test_report_before_2019_is_rejected_and_no_finding(planted):
    warehouse, _ = planted
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute("SELECT status, agency, year, message FROM reports WHERE source_file = 'old_2017.txt'").fetchone()
    assert row[:3] == ("rejected", "测试区旧年局", 2017)
    assert row[3].startswith("a report for 2017: reports before 2019 follow no national form")
    assert not findings(warehouse, "r.source_file = 'old_2017.txt'")
