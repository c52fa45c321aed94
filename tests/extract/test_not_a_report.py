"""Texts a crawl of agency sites brings that are not reports of the form: news of a report, a
column's list page, a notice that a report was published, the State Council's format notice (it
holds the empty form), and reports from before the first national form."""

from __future__ import annotations

from pathlib import Path

from pipeline.extract.report import extract_bytes, extract_text

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
SEED = (RAW / "004_2b19c720d5f1c29d.txt").read_text(encoding="utf-8")


def test_news_article_about_a_report_is_rejected():
    text = (
        "我区召开2023年度政府信息公开工作年度报告编制部署会\n发布时间：2024-01-05\n"
        "1月5日，区政务公开办召开会议，部署2023年度政府信息公开工作年度报告编制工作。"
        "会议要求各单位按照《中华人民共和国政府信息公开工作年度报告格式》，如实填报主动公开、"
        "政府信息公开申请、行政复议和行政诉讼等情况，于1月31日前发布。\n"
    )
    ex = extract_text(text)
    assert ex.status == "rejected"
    assert ex.message.startswith("not a report: its title is about a report")
    assert not ex.facts and ex.agency is None


def test_notice_that_a_report_was_published_is_rejected():
    text = (
        "关于发布北京市通州区2024年政府信息公开工作年度报告的公告\n"
        "现将《北京市通州区2024年政府信息公开工作年度报告》予以发布，全文见附件。报告包括主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况。\n附件：年度报告.pdf\n"
    )
    ex = extract_text(text)
    assert ex.status == "rejected" and "not a report" in ex.message


def test_list_page_of_a_report_column_is_rejected():
    lines = ["政府信息公开年报", "首页 > 政务公开 > 政府信息公开年报"]
    for year in (2019, 2020, 2021, 2022, 2023):
        lines.append(f"沭阳县发展和改革局{year}年政府信息公开工作年度报告 {year + 1}-01-20")
    lines.append("共5条 第1页")
    ex = extract_text("\n".join(lines) + "\n")
    assert ex.status == "rejected"
    assert "a page listing 5 report titles" in ex.message


def test_format_notice_with_the_empty_form_is_rejected():
    """The State Council's notice prints the form itself: every table, every cell blank."""
    blank = "\n".join(
        "\t".join("" if cell.strip().replace(".", "").isdigit() else cell for cell in line.split("\t")) if line.startswith("\t") else line
        for line in SEED.split("\n")[3:]
    )
    notice = "国务院办公厅政府信息公开办公室关于印发《中华人民共和国政府信息公开工作年度报告格式》的通知\n" + blank
    ex = extract_text(notice)
    assert ex.status == "rejected", ex.message
    assert "not a report" in ex.message


def test_a_report_is_still_a_report():
    assert extract_text(SEED).status == "ok"
    # and a report whose tables were lost stays a report, incomplete, not rejected
    title_only = "北京市通州区2024年政府信息公开工作年度报告\n一、总体情况\n本年度新收政府信息公开申请2331件。\n"
    ex = extract_text(title_only)
    assert (ex.status, ex.agency, ex.year) == ("incomplete", "北京市通州区", 2024)


def test_report_before_the_first_national_form_is_rejected_with_its_year():
    old = SEED.replace("2024年", "2017年", 1)
    ex = extract_bytes(old.encode())
    assert (ex.status, ex.agency, ex.year) == ("rejected", "北京市通州区", 2017)
    assert ex.message.startswith("a report for 2017: reports before 2019 follow no national form")
    assert not ex.facts
