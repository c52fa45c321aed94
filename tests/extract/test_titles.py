"""The agency and year from wherever a report states them: a title over lines, a crawler's or
site's `标题：` line, the signature at the end; never the publication date."""

from __future__ import annotations

from pipeline.extract.header import read_header
from pipeline.text.normalize import fold


def header(text: str):
    return read_header([fold(x) for x in text.split("\n")])


def test_title_broken_over_lines():
    h = header("北京市东城区人民政府国有资产监督管理委员会\n2023年政府信息公开\n工作年度报告\n一、总体情况")
    assert (h.agency, h.year, h.own_title) == ("北京市东城区人民政府国有资产监督管理委员会", 2023, True)


def test_title_from_a_crawler_block():
    text = (
        "标题：沭阳县发展和改革局2023年政府信息公开年度报告-沭阳县发改局\n单位：沭阳县发改局\n"
        "来源：http://www.shuyang.gov.cn/x.shtml\n采集时间：2025-12-30T21:37:37+08:00\n"
        "首页 > 政务公开 > 政府信息公开年报\n根据《条例》要求，现向社会公布本年度报告。\n一、总体情况"
    )
    h = header(text)
    assert (h.agency, h.year) == ("沭阳县发展和改革局", 2023)


def test_agency_from_the_signature_when_the_title_names_none():
    text = "2023年政府信息公开工作年度报告\n一、总体情况\n本年度……\n六、其他需要报告的事项\n无。\n沭阳县发展和改革局\n2024年1月17日\n"
    h = header(text)
    assert (h.agency, h.year) == ("沭阳县发展和改革局", 2023)  # the year is the title's, not the date's


def test_no_signature_no_agency():
    h = header("2023年政府信息公开工作年度报告\n一、总体情况\n本年度工作取得进展。\n2024年1月17日\n")
    assert (h.agency, h.year) == (None, 2023)
