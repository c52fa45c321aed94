"""Figures stated in the prose: which phrases are read, and which cell each is compared with."""

from decimal import Decimal

import pytest

from pipeline.extract.narrative import narrative_figures
from pipeline.text.normalize import fold

HEAD = ["某区2024年政府信息公开工作年度报告", "一、总体情况"]
TABLES = ["二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
TAIL = ["五、存在的主要问题及改进情况", "全年收到政府信息公开申请99件。", "六、其他需要报告的事项"]


def read(sentence: str, where: str = "一") -> list[tuple]:
    lines = HEAD + ([sentence] if where == "一" else []) + TABLES + TAIL + ([sentence] if where == "六" else [])
    return [(f.kind, f.value, f.table_code, f.row_code, f.applicant_class) for f in narrative_figures([fold(x) for x in lines])]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "2024年新收政府信息公开申请数量1件，上年结转政府信息公开申请数量0件。",
            [
                ("new_received", Decimal(1), "requests", "new_received", "total"),
                ("carried_over", Decimal(0), "requests", "carried_over", "total"),
            ],
        ),
        (
            "2024年全区收到依申请公开总数为2333件，已到期限的申请全部按期答复。",
            [("new_received", Decimal(2333), "requests", "new_received", "total")],
        ),
        ("共受理政府信息公开申请859件。", [("new_received", Decimal(859), "requests", "new_received|new_received+carried_over", "total")]),
        (
            "办结政府信息公开申请850件，结转下年度继续办理9件。",
            [
                ("handled", Decimal(850), "requests", "result.total", "total"),
                ("carried_forward", Decimal(9), "requests", "carried_forward", "total"),
            ],
        ),
        (
            "发生政府信息公开行政复议案件3件，行政诉讼案件2件。",
            [
                ("review_total", Decimal(3), "appeals", "review.total", None),
                ("suit_total", Decimal(2), "appeals", "suit_direct.total+suit_after_review.total", None),
            ],
        ),
        ("主动公开政府信息21条。", [("proactive_published", Decimal(21), None, None, None)]),
    ],
)
def test_phrases_that_name_their_cell(sentence, expected):
    assert read(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "其中通过网上收到政府信息公开申请5件。",  # a part of the whole
        "自然人收到政府信息公开申请5件。",
        "较上年收到政府信息公开申请增加5件。",
        "政府网站“领导信箱”全年共接收网民留言、咨询、建议等信件2293件。",  # not requests
        "我办承办依申请公开工作2件。",  # 承办: received or handled? not said
        "行政复议和行政诉讼共5件。",  # two cells at once
        "受理和办结政府信息公开申请5件。",
    ],
)
def test_phrases_that_do_not_clearly_name_a_cell_are_not_compared(sentence):
    assert [f for f in read(sentence) if f[2] is not None] == []


def test_only_sections_one_and_six_are_read():
    # section 五's "全年收到政府信息公开申请99件" (in TAIL) is never read
    assert read("无。") == []
    assert read("发出收费通知的件数为4件，总金额为50990元，实际收取的总金额为930元。", where="六") == [
        ("fee_notices", Decimal(4), None, None, None),
        ("fee_collected_yuan", Decimal(930), None, None, None),
        ("fee_notice_amount_yuan", Decimal(50990), None, None, None),
    ]


def test_no_headings_no_figures():
    assert narrative_figures([fold("收到政府信息公开申请5件。")]) == []


def _narrative_findings(stated: int, new: int, carried: int, phrase: str) -> list[tuple]:
    """The narrative check on one report's tables and one prose figure, on fixture tables."""
    import duckdb

    from pipeline.warehouse.sqlfiles import execute, read_sql

    [figure] = [f for f in narrative_figures([fold(x) for x in HEAD + [phrase.format(stated)] + TABLES + TAIL]) if f.table_code]
    con = duckdb.connect()
    execute(con, "macros/plain_number.sql")
    con.execute("CREATE TABLE reports AS SELECT 'r1' AS report_id, 'a.txt' AS source_file, 'x' AS agency_id, 2024 AS year")
    con.execute("CREATE TABLE agencies AS SELECT 'x' AS agency_id, '某区' AS name")
    con.execute(
        """CREATE TABLE stg_report_facts AS SELECT 'r1' AS report_id, 'requests' AS table_code, row_code,
                   'total' AS applicant_class, CAST(v AS DECIMAL(38, 6)) AS value, 'line ' || l AS source_place,
                   l AS source_line, NULL AS source_page, NULL AS source_cell
                   FROM (VALUES ('new_received', ?, 20), ('carried_over', ?, 21)) t(row_code, v, l)""",
        [new, carried],
    )
    con.execute(
        """CREATE TABLE narrative_figures AS SELECT 'r1' AS report_id, ? AS kind, CAST(? AS DECIMAL(38, 6)) AS value,
                   3 AS source_line, NULL AS source_page, ? AS raw_text, ? AS table_code, ? AS row_code,
                   ? AS applicant_class""",
        [figure.kind, figure.value, figure.raw_text, figure.table_code, figure.row_code, figure.applicant_class],
    )
    return con.execute(read_sql("checks/check_narrative.sql")).fetchall()


@pytest.mark.parametrize("stated, finding", [(100, False), (105, False), (103, True)])
def test_shouli_is_new_requests_or_new_plus_carried_over(stated, finding):
    """ "共受理政府信息公开申请N件": N is 新收 (100) or 新收 plus 上年结转 (105); either is no finding."""
    found = _narrative_findings(stated, 100, 5, "共受理政府信息公开申请{}件。")
    assert bool(found) is finding
    if finding:
        [row] = found
        assert row[6:11] == ("requests", "new_received", "total", Decimal(103), Decimal(100))
        assert row[11] == "a.txt line 3: the prose says '受理政府信息公开申请103件'; the table (line 20) says 100"


@pytest.mark.parametrize("stated, finding", [(100, False), (105, True)])
def test_xinshou_means_new_requests_only(stated, finding):
    assert bool(_narrative_findings(stated, 100, 5, "新收政府信息公开申请{}件。")) is finding
