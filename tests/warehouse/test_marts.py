"""The marts on the bundled reports plus a 2023 Tongzhou report (tests/fixtures/marts/quiet), and
on the planted folder for what they leave out; the README's example questions run as written."""

import csv
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import GOLDEN, MART_IDENTITY, ROOT, xxgk

MARTS = ROOT / "tests" / "fixtures" / "marts"
D = Decimal


@pytest.fixture(scope="module")
def quiet(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("marts") / "out" / "x.duckdb"
    xxgk("run", "--raw", str(MARTS / "quiet"), "--warehouse", str(target), cwd=target.parent.parent)
    return target


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("marts_planted") / "out" / "x.duckdb"
    xxgk("run", "--raw", str(MARTS / "planted"), "--warehouse", str(target), cwd=target.parent.parent)
    return target


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def golden_totals(name: str) -> dict[str, Decimal]:
    """mart_agency_year's figures summed from a golden file by hand-written rules."""
    with (GOLDEN / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        cells = {(r["table_code"], r["row_code"], r["applicant_class"]): D(r["value"]) for r in csv.DictReader(f)}
    req = {row: v for (t, row, cls), v in cells.items() if t == "requests" and cls == "total"}
    app = {row: v for (t, row, _), v in cells.items() if t == "appeals"}
    return {
        "new_received": req["new_received"],
        "carried_over": req["carried_over"],
        "granted": req["result.granted"],
        "partial": req["result.partial"],
        "denied": sum(v for k, v in req.items() if k.startswith("result.denied.")),
        "unable": sum(v for k, v in req.items() if k.startswith("result.unable.")),
        "not_processed": sum(v for k, v in req.items() if k.startswith("result.not_processed.")),
        "other": sum(v for k, v in req.items() if k.startswith("result.other")),
        "handled": req["result.total"],
        "carried_forward": req["carried_forward"],
        "review_total": app["review.total"],
        "review_corrected": app["review.corrected"],
        "suit_total": app["suit_direct.total"] + app["suit_after_review.total"],
        "suit_corrected": app["suit_direct.corrected"] + app["suit_after_review.corrected"],
        "fees_10k_yuan": cells[("proactive", "fees.amount_10k_yuan", "")],
    }


def test_agency_year_figures_match_the_report(quiet):
    g = golden_totals("004_2b19c720d5f1c29d")
    cols = list(g)
    (row,) = query(
        quiet, f"SELECT {', '.join(cols)}, grant_rate, denial_rate FROM mart_agency_year WHERE agency = '北京市通州区' AND year = 2024"
    )
    assert dict(zip(cols, row[:-2])) == g
    assert g["fees_10k_yuan"] == D("28983.0794")
    assert row[-2] == pytest.approx(float((g["granted"] + g["partial"]) / g["handled"]))
    assert row[-1] == pytest.approx(float(g["denied"] / g["handled"]))


def test_one_row_per_agency_year_and_rates_null_when_nothing_handled(quiet):
    rows = query(quiet, "SELECT agency_id, year, count(*) FROM mart_agency_year GROUP BY ALL HAVING count(*) > 1")
    assert rows == []
    assert query(quiet, "SELECT count(*) FROM mart_agency_year") == [(8,)]
    assert query(quiet, "SELECT handled, grant_rate, denial_rate FROM mart_agency_year WHERE agency = '北京市西城区人民政府办公室'") == [
        (D(0), None, None)
    ]


def test_yoy_only_between_consecutive_years(quiet):
    metrics = [
        c
        for c in (r[0] for r in query(quiet, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'mart_agency_year'"))
        if c not in MART_IDENTITY
    ]
    assert len(metrics) == 17
    rows = query(quiet, "SELECT agency, year, prior_year, metric, value, prior_value, change FROM mart_yoy ORDER BY metric")
    # Dongcheng's liaison office reported 2022 and 2024: not consecutive, not compared
    assert {(a, y, p) for a, y, p, *_ in rows} == {("北京市通州区", 2024, 2023)}
    assert query(quiet, "SELECT list(year ORDER BY year) FROM mart_agency_year WHERE agency = '北京市东城区对外联络服务办公室'") == [
        ([2022, 2024],)
    ]
    assert sorted(r[3] for r in rows) == sorted(metrics)
    by_metric = {r[3]: r[4:] for r in rows}
    assert by_metric["new_received"] == (D(2331), D(2337), D(-6))
    assert by_metric["carried_forward"] == (D(126), D(132), D(-6))
    relative = query(quiet, "SELECT relative_change FROM mart_yoy WHERE metric = 'new_received'")[0][0]
    assert relative == pytest.approx(-6 / 2337)


def test_cross_agency_ranks_within_level(quiet):
    rows = query(
        quiet,
        "SELECT year, level, agency, value, rank, agencies, percentile FROM mart_cross_agency "
        "WHERE metric = 'new_received' ORDER BY year, level, rank",
    )
    assert rows == [
        (2022, "department", "北京市东城区对外联络服务办公室", D(1), 1, 1, 1.0),
        (2023, "aggregate", "北京市通州区", D(2337), 1, 1, 1.0),
        (2023, "department", "北京市东城区人民政府国有资产监督管理委员会", D(9), 1, 2, 1.0),
        (2023, "department", "北京市西城区对外联络服务办公室", D(2), 2, 2, 0.5),
        (2023, "unregistered", "测试区", D(20661), 1, 1, 1.0),
        (2024, "aggregate", "北京市通州区", D(2331), 1, 1, 1.0),
        (2024, "department", "北京市东城区对外联络服务办公室", D(1), 1, 2, 1.0),
        (2024, "department", "北京市西城区人民政府办公室", D(0), 2, 2, 0.5),
    ]
    assert query(quiet, "SELECT count(*) FROM mart_cross_agency WHERE metric = 'grant_rate' AND agency = '北京市西城区人民政府办公室'") == [
        (0,)
    ]


def test_conflicting_files_are_left_out_and_same_facts_counted_once(planted):
    names = {r[0] for r in query(planted, "SELECT agency FROM mart_agency_year")}
    assert "测试区重复局" not in names
    assert "测试区缺项局" not in names  # incomplete: listed by completeness, never counted
    assert query(planted, "SELECT new_received FROM mart_agency_year WHERE agency = '北京市东城区对外联络服务办公室'") == [(D(1),)]
    assert query(
        planted,
        "SELECT count(*) FROM facts JOIN reports USING (report_id) "
        "WHERE reports.agency_id = (SELECT agency_id FROM agencies WHERE name = '北京市东城区对外联络服务办公室')",
    ) == [(200,)]
    dup = query(
        planted,
        "SELECT d.status, o.source_file FROM reports d JOIN reports o ON o.report_id = d.duplicate_of "
        "WHERE d.source_file = 'zz_dongcheng_alias.txt'",
    )
    assert dup == [("duplicate", "000_1acaab7e8820b83a.txt")]


def _readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Questions across years", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def test_readme_example_questions_are_answered(quiet):
    queries = _readme_queries()
    assert len(queries) == 5
    answers = [query(quiet, q) for q in queries]
    assert all(answers[:4]) and answers[4] == [("测试区", ["测试区"], ["test_district_2023.txt"])]
    assert answers[1][2][:5] == ("北京市通州区", "new_received", D(2337), D(2331), D(-6))
    assert answers[3] == [r for r in answers[3] if r[0] == "narrative"] and len(answers[3]) == 1
