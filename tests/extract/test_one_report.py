"""A file is one report: statuses that say when it is not, or when its years disagree."""

from __future__ import annotations

from pathlib import Path

from pipeline.extract.report import extract_text

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"
TONGZHOU = (RAW / "004_2b19c720d5f1c29d.txt").read_text(encoding="utf-8")
OTHER = (RAW / "000_1acaab7e8820b83a.txt").read_text(encoding="utf-8")


def test_two_reports_in_one_file_are_incomplete_naming_the_second():
    ex = extract_text(TONGZHOU + "\n" + OTHER)
    assert ex.status == "incomplete"
    second = len(TONGZHOU.split("\n")) + OTHER.split("\n").index("北京市东城区对外联络服务办公室") + 1
    assert (
        f"a second report follows in the file at line {second} (北京市东城区对外联络服务办公室2024年政府信息公开"
        "工作年度报告): only the first is read"
    ) in ex.message
    assert (ex.agency, ex.year) == ("北京市通州区", 2024)


def test_a_report_alone_is_not_two():
    assert extract_text(TONGZHOU).status == "ok"


def test_statistics_period_of_another_year_is_a_note():
    lines = TONGZHOU.split("\n")
    at = next(k for k, line in enumerate(lines) if line.startswith("一、"))
    text = "\n".join(lines[:at] + ["本报告所列数据的统计期限为2025年1月1日至2025年12月31日。"] + lines[at:])
    ex = extract_text(text)
    assert (ex.status, ex.year) == ("ok", 2024)
    assert "the statistics period is 2025, the title's year 2024: the report year is the title's" in ex.message


def test_a_row_repeated_many_times_is_one_problem():
    lines = TONGZHOU.split("\n")
    i = next(k for k, line in enumerate(lines) if "部分公开" in line) - 1
    row = lines[i : i + 10]
    ex = extract_text("\n".join(lines[:i] + row * 10_001 + lines[i + 10 :]))
    assert ex.status == "incomplete"
    assert ex.problems == [f"requests row 部分公开: appears again at line {i + 12} (and 9,999 more times)"]
