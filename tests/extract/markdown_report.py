"""A whole 2021-form report as GFM tables, as PDF-to-Markdown converters write one, with a distinct
value in every cell: tests change one row and know every other cell's value."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from pipeline.form.codebook import FormRow, rows_of

Key = tuple[str, str, str | None]


def markdown_report(
    skip: tuple[int, int] | None = None, requests: Callable[[FormRow, list[str]], list[tuple[str, list[str]]]] | None = None
) -> tuple[str, dict[Key, Decimal]]:
    """The report's text and its cells' values. `skip` = (row, cell) leaves that value cell out with
    its separator; `requests` maps each section 三 row (form row, its cells) to the printed rows."""
    truth: dict[Key, Decimal] = {}
    lines = ["# 某区某局2023年政府信息公开工作年度报告", "", "一、总体情况", "", "本年度新收政府信息公开申请若干件。", ""]
    counter = iter(range(1, 10_000))
    row_no = 0

    def table(head: str, width: int, form_rows: tuple[FormRow, ...], label_of, printed=None) -> None:
        nonlocal row_no
        lines.extend([head, "|" + " --- |" * width])
        for form_row in form_rows:
            cells = []
            for key in form_row.facts_keys:
                truth[key] = Decimal(next(counter))
                cells.append(str(truth[key]))
            if skip and skip[0] == row_no:
                del cells[skip[1] % len(cells)]
            for label, shown in printed(form_row, cells) if printed else [(label_of(form_row), cells)]:
                lines.append("| " + " | ".join([label, *shown]) + " |")
            row_no += 1
        lines.append("")

    lines += ["二、主动公开政府信息情况", ""]
    table("| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |", 4, rows_of("2021", "proactive"), lambda r: r.label)
    lines += ["三、收到和处理政府信息公开申请情况", ""]
    table(
        "| 申请情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
        8,
        rows_of("2021", "requests"),
        lambda r: r.label,
        requests,
    )
    lines += ["四、政府信息公开行政复议、行政诉讼情况", ""]
    table(
        "| 行政复议、行政诉讼 |" + " 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |" * 3, 16, rows_of("2021", "appeals"), lambda r: ""
    )
    lines += ["五、存在的主要问题及改进情况", "", "无。", "", "六、其他需要报告的事项", "", "无。"]
    return "\n".join(lines) + "\n", truth
