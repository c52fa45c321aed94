"""A report as text exported from Word, the style of the bundled reports: one tab-prefixed line per
cell, a blank line after each table row, vertically merged cells repeated as empty cells; or, for
the `one-number-per-line` deviation, each cell's text on a line of its own as `pdftotext -raw`
writes some PDFs."""

from __future__ import annotations

import random

from pipeline.synth import deviations, layout, pages
from pipeline.synth.document import Report, publication_line, section_five, section_one, section_six

_CN = "一二三四五六"
_HEADINGS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
# Word wraps narrow header cells inside the cell: `商业` / `企业`.
_WRAPPED = {
    "商业企业": "商业\n企业",
    "科研机构": "科研\n机构",
    "结果纠正": "结果\n纠正",
    "其他结果": "其他\n结果",
    "尚未审结": "尚未\n审结",
}


def _heading(style: str, index: int) -> str:
    text = _HEADINGS[index]
    return {"cn": f"{_CN[index]}、{text}", "digit": f"{index + 1}、 {text}", "paren": f"（{_CN[index]}）{text}", "bare": text}[style]


def _grid_lines(rows: layout.Table, rng: random.Random, fullwidth: bool) -> list[str]:
    lines: list[str] = []
    pending: dict[int, int] = {}  # column → rows still covered by a rowspan from above
    for row in rows:
        if isinstance(row, layout.Break):
            lines.extend((*row.lines, ""))
            continue
        cells = iter(row)
        column, width = 0, sum(c.colspan for c in row) + len(pending)
        while column < width:
            if pending.get(column):
                pending[column] -= 1
                lines.append("\t")
                column += 1
                continue
            cell = next(cells)
            if cell.rowspan > 1:
                for c in range(column, column + cell.colspan):
                    pending[c] = cell.rowspan - 1
            text = _WRAPPED.get(cell.text, cell.text)
            if cell.is_value:
                pad = rng.choice(("", "", "\u00a0", "\u3000", " "))
                text = pad + (text.translate(_FULLWIDTH) if fullwidth else text)
            lines.append("\t" + text)
            column += cell.colspan
        pending = {c: n for c, n in pending.items() if n}
        lines.append("")
    return lines


def _cell_lines(rows: layout.Table) -> list[str]:
    """Every cell that holds text on a line of its own, a blank line after each, as `pdftotext -raw`
    writes some PDFs: a blank cell and a merged cell's continuation leave no line."""
    lines: list[str] = []
    for row in rows:
        texts = row.lines if isinstance(row, layout.Break) else [c.text for c in row if c.text]
        for text in texts:
            lines.extend((text, ""))
    return lines


def render(report: Report, rng: random.Random) -> str:
    if report.deviation == "not-a-report":
        return pages.text(report)
    style = rng.choice(("cn", "cn", "digit", "paren", "bare"))
    fullwidth = rng.random() < 0.15
    if rng.random() < 0.5:
        head = [f"{report.agency}{report.year}年政府信息公开", "工作年度报告"]
    else:
        head = [report.agency, "", f"{report.year}年政府信息公开工作年度报告"]
    lines = ["", publication_line(report), *head, "", "依据《中华人民共和国政府信息公开条例》第五十条规定，编制本报告。"]
    lines += [_heading(style, 0), *section_one(report), ""]
    for index, rows in deviations.tables(report).items():
        cells = _cell_lines(rows) if report.deviation == "one-number-per-line" else _grid_lines(rows, rng, fullwidth)
        lines += [_heading(style, index), "", *cells, "", ""]
    lines += [_heading(style, 4), *section_five(), _heading(style, 5), *section_six(report)]
    return "\n".join(lines) + "\n"
