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
        ("2024年新收政府信息公开申请数量1件，上年结转政府信息公开申请数量0件。",
         [("new_received", Decimal(1), "requests", "new_received", "total"), ("carried_over", Decimal(0), "requests", "carried_over", "total")]),
        ("2024年全区收到依申请公开总数为2333件，已到期限的申请全部按期答复。", [("new_received", Decimal(2333), "requests", "new_received", "total")]),
        ("共受理政府信息公开申请859件。", [("new_received", Decimal(859), "requests", "new_received", "total")]),
        ("办结政府信息公开申请850件，结转下年度继续办理9件。",
         [("handled", Decimal(850), "requests", "result.total", "total"), ("carried_forward", Decimal(9), "requests", "carried_forward", "total")]),
        ("发生政府信息公开行政复议案件3件，行政诉讼案件2件。",
         [("review_total", Decimal(3), "appeals", "review.total", None),
          ("suit_total", Decimal(2), "appeals", "suit_direct.total+suit_after_review.total", None)]),
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
