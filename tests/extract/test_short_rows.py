"""A row with fewer cells than its table: borders mark the cells that are there, not the missing
ones, so such a row is read only when its cells can be placed with certainty (issue: "a wrong
number that looks certain"). Markdown tables as PDF-to-Markdown converters write them."""

from __future__ import annotations

from decimal import Decimal

from pipeline.extract.report import extract_text
from pipeline.form.codebook import rows_of

_HEADERS = {"proactive": "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |"}


def _markdown(skip: tuple[int, int] | None = None) -> tuple[str, dict]:
    """A 2021-form report as GFM tables with a distinct value in every cell; `skip` = (row, cell)
    leaves that value cell out together with its separator."""
    truth: dict = {}
    lines = ["# 某区某局2023年政府信息公开工作年度报告", "", "一、总体情况", "", "本年度新收政府信息公开申请若干件。", ""]
    counter = iter(range(1, 10_000))
    row_no = 0

    def table(head: str, width: int, form_rows, label_of) -> None:
        nonlocal row_no
        lines.extend([head, "|" + " --- |" * width])
        for form_row in form_rows:
            cells = []
            for key in form_row.facts_keys():
                value = next(counter)
                truth[key] = Decimal(value)
                cells.append(str(value))
            if skip and skip[0] == row_no:
                del cells[skip[1] % len(cells)]
            lines.append("| " + " | ".join([label_of(form_row), *cells]) + " |")
            row_no += 1
        lines.append("")

    lines += ["二、主动公开政府信息情况", ""]
    table(_HEADERS["proactive"], 4, rows_of("2021", "proactive"), lambda r: r.label)
    lines += ["三、收到和处理政府信息公开申请情况", ""]
    table("| 申请情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |", 8,
          rows_of("2021", "requests"), lambda r: r.label)
    lines += ["四、政府信息公开行政复议、行政诉讼情况", ""]
    table("| 行政复议、行政诉讼 |" + " 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |" * 3, 16,
          rows_of("2021", "appeals"), lambda r: "")
    lines += ["五、存在的主要问题及改进情况", "", "无。", "", "六、其他需要报告的事项", "", "无。"]
    return "\n".join(lines) + "\n", truth


def test_markdown_report_reads_ok():
    text, truth = _markdown()
    ex = extract_text(text)
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def test_short_markdown_row_is_not_zero_filled():
    """`| 规章 | 3 | 41 |` under a four-column header was read 3, 41 and 0 with no doubt."""
    text, truth = _markdown(skip=(0, 2))
    ex = extract_text(text)
    assert ex.status == "incomplete"
    assert "proactive row 规章: the row has fewer cells than its table" in ex.message
    assert not [f for f in ex.facts if f.row_code.startswith("regulations.")]


def test_any_one_cell_removed_with_its_separator_is_never_ok_nor_wrong():
    _, truth = _markdown()
    rows = len(rows_of("2021", "proactive")) + len(rows_of("2021", "requests")) + 1
    for row in range(rows):
        for cell in range(15 if row == rows - 1 else 7):
            text, _ = _markdown(skip=(row, cell))
            ex = extract_text(text)
            assert ex.status != "ok", (row, cell)
            wrong = [f for f in ex.facts if f.doubt is None and f.value != truth[(f.table_code, f.row_code, f.applicant_class)]]
            assert not wrong, (row, cell, wrong[:3])


def test_blank_cell_beside_a_label_is_not_taken_for_a_spacer_in_a_bordered_table():
    """A pipe table (html2text) row with eight cells after its label, two of them blank: one more
    than the form's seven, so one blank is extra, and which one (a spacer beside the label, or a
    cell split in two) a border-cut row cannot tell. It was read as if the first were a spacer."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "renderings" / "reports" / "0009_html2text.txt"
    text = fixture.read_text(encoding="utf-8")
    line = next(ln for ln in text.split("\n") if ln.startswith("一、本年新收政府信息公开申请数量|"))
    assert line.rstrip() == "一、本年新收政府信息公开申请数量| 39| 4| 2| 32| 0| 4| 81"
    assert extract_text(text).status == "ok"
    ex = extract_text(text.replace(line, "一、本年新收政府信息公开申请数量| | 39| 4| 2| | 0| 4| 81"))
    assert ex.status == "incomplete"
    assert "本年新收政府信息公开申请数量: 8 cells where the form has 7" in ex.message
    assert not [f for f in ex.facts if f.row_code == "new_received"]
