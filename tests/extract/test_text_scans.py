"""The report-wide scans search the joined text of a report's folded lines at once; each must
find exactly what a search line by line finds, whatever the lines hold."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import header, sections

# Pieces of headings, titles, periods and division names, and characters that cut them apart:
# lines made of them hold many near-misses. Folded lines hold no white space.
_PIECES = [
    "二、",
    "(三)",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
    "主动公开政府信息",
    "行政诉讼",
    "某区2023年",
    "政府信息公开工作年度报告",
    "信息公开年报告",
    "2023年1月1日至2023年12月31日",
    "2022年1月1日起至",
    "北京市",
    "朝阳区",
    "自治区",
    "自治",
    "地区",
    "州",
    "旗",
    "省",
    "县",
    "局",
    "。",
    ",",
    "#",
    "*",
    "1",
    "a",
    "中华人民共和国",
]
_LINE = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)
_LINES = st.lists(_LINE, max_size=40)


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_headings_are_the_lines_a_line_by_line_search_finds(lines):
    expected = {
        key: [i for i, line in enumerate(lines) if sections._NEEDLE[key] in line and sections._HEADING_RE[key].match(line)]
        for key in sections.SECTION_ORDER
    }
    assert sections._headings(lines) == expected


@settings(max_examples=300, deadline=None)
@given(_LINES, st.integers(min_value=0, max_value=45))
def test_lines_matching_a_title_are_the_lines_a_line_by_line_search_finds(lines, start):
    expected = [i for i in range(start, len(lines)) if header.TITLE_TAIL.search(lines[i])]
    assert list(sections.lines_matching(header.TITLE_TAIL, lines, start)) == expected


@settings(max_examples=300, deadline=None)
@given(_LINES)
def test_the_period_is_the_first_line_by_line(lines):
    first = next((m for line in lines if (m := header._PERIOD.search(line))), None)
    assert header.period_year(lines) == (int(first["year"]) if first else None)


@settings(max_examples=500, deadline=None)
@given(_LINE)
def test_division_words_are_found_up_to_the_last_possible_ending(line):
    assert header._DIVISION_WORD.findall(header._to_last_suffix(line)) == header._DIVISION_WORD.findall(line)
