"""The official tables with their merged cells (docs/form.md "Table layouts"), filled with one report's cells.

Every rendering starts from this: HTML prints the merges as colspan/rowspan, the Word export as
empty continuation cells.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.form.codebook import APPLICANT_CLASSES, FormRow, rows_of
from pipeline.synth.document import Report


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    is_value: bool = False


Row = list[Cell]


@dataclass(frozen=True)
class Break:
    """Lines printed between two rows of a table, outside it, as a page break leaves a page
    number or a running header."""

    lines: tuple[str, ...]


Table = list[Row | Break]

_ORG_CLASSES = ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")
_GROUPS_2021 = {
    "第二十条第（一）项": ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数"),
    "第二十条第（五）项": ("信息内容", "本年处理决定数量"),
    "第二十条第（六）项": ("信息内容", "本年处理决定数量"),
    "第二十条第（八）项": ("信息内容", "本年收费金额（单位：万元）"),
}
_GROUPS_2019 = {
    "第二十条第（一）项": ("信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"),
    "第二十条第（五）项": ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
    "第二十条第（六）项": ("信息内容", "上一年项目数量", "本年增/减", "处理决定数量"),
    "第二十条第（八）项": ("信息内容", "上一年项目数量", "本年增/减"),
    "第二十条第（九）项": ("信息内容", "采购项目数量", "采购总金额"),
}
_GROUP_ROWS = {
    "第二十条第（一）项": ("regulations", "normative_documents"),
    "第二十条第（五）项": ("licensing", "other_services"),
    "第二十条第（六）项": ("penalty", "enforcement"),
    "第二十条第（八）项": ("fees",),
    "第二十条第（九）项": ("procurement",),
}
_APPEAL_HEADS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def _spread(texts: list[str], width: int, is_value: bool) -> Row:
    """Cells filling `width` columns; the last one spans what is left, as the forms print
    a single 本年处理决定数量 across the table."""
    cells = [Cell(t, is_value=is_value) for t in texts[:-1]]
    return cells + [Cell(texts[-1], colspan=width - len(texts) + 1, is_value=is_value)]


def proactive(report: Report) -> list[Row]:
    groups = _GROUPS_2021 if report.form_version == "2021" else _GROUPS_2019
    form_rows = {r.cells[0].split(".")[0]: r for r in rows_of(report.form_version, "proactive")}
    table: list[Row] = []
    for article, head in groups.items():
        table.append([Cell(article, colspan=4)])
        table.append(_spread(list(head), 4, False))
        for stem in _GROUP_ROWS[article]:
            if stem not in form_rows:
                continue
            row = form_rows[stem]
            texts = [report.cells[("proactive", code, None)] for code in row.cells]
            table.append([Cell(row.label), *_spread(texts, 3, True)])
    return table


def requests(report: Report, rows: tuple[FormRow, ...] | None = None) -> list[Row]:
    """Section 三's table; `rows` are the form rows as printed (default: the form's)."""
    table: list[Row] = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", colspan=3, rowspan=3), Cell("申请人情况", colspan=7)],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(t) for t in _ORG_CLASSES],
    ]
    rows = rows or rows_of(report.form_version, "requests")
    results = [r for r in rows if r.cells[0].startswith("result.")]
    groups = _result_groups([r.cells[0] for r in results])
    for row in rows:
        code = row.cells[0]
        values = [Cell(report.cells[("requests", code, c)], is_value=True) for c in APPLICANT_CLASSES]
        if not code.startswith("result."):
            number = "一、" if code == "new_received" else "二、" if code == "carried_over" else "四、"
            table.append([Cell(number + row.label, colspan=3), *values])
            continue
        labels: Row = []
        if row is results[0]:
            labels.append(Cell("三、本年度办理结果", rowspan=len(results)))
        group, position, size = groups[code]
        if size == 1:
            labels.append(Cell(group, colspan=2))
        else:
            if position == 0:
                labels.append(Cell(group, rowspan=size))
            labels.append(Cell(f"{position + 1}.{row.label}"))
        table.append(labels + values)
    return table


def _result_groups(codes: list[str]) -> dict[str, tuple[str, int, int]]:
    """result row code → (its printed group label, position in the group, group size)."""
    heads = {
        "granted": "（一）予以公开",
        "partial": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        "denied": "（三）不予公开",
        "unable": "（四）无法提供",
        "not_processed": "（五）不予处理",
        "other": "（六）其他处理",
        "total": "（七）总计",
    }
    by_group: dict[str, list[str]] = {}
    for code in codes:
        by_group.setdefault(code.split(".")[1], []).append(code)
    return {code: (heads[g], i, len(members)) for g, members in by_group.items() for i, code in enumerate(members)}


def appeals(report: Report) -> list[Row]:
    (row,) = rows_of(report.form_version, "appeals")
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [*(Cell(t, rowspan=2) for t in _APPEAL_HEADS), Cell("未经复议直接起诉", colspan=5), Cell("复议后起诉", colspan=5)],
        [Cell(t) for t in _APPEAL_HEADS * 2],
        [Cell(report.cells[("appeals", code, None)], is_value=True) for code in row.cells],
    ]
