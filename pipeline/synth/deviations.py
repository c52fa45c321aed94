"""Ways real reports bend the form (issue 13), applied to a share of a synthetic corpus so that
`xxgk accuracy` measures how the extractor reads them, with the status an honest reader must give.

With `--deviate KINDS`, half of the reports that carry no planted error get one deviation, drawn
evenly from the listed kinds that fit the report: `one-other-row` needs a 2021-form report,
`short-rows` a rendering that marks every cell, `one-number-per-line` the `docx-text` rendering
(the generator writes that text itself). A report keeps one deviation in every rendering it is
written in, so its facts are the same in each file.
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import regex

from pipeline.form.codebook import APPLICANT_CLASSES, FormRow, expected_keys, rows_of, variants_of
from pipeline.synth import layout
from pipeline.synth.document import Report, title
from pipeline.synth.values import Key, result_codes

DEVIATION_KINDS = (
    "one-other-row",
    "label-typos",
    "page-footers",
    "note-rows",
    "cell-notes",
    "short-rows",
    "one-number-per-line",
    "not-a-report",
    "pre-2019",
)
REJECTED = ("not-a-report", "pre-2019")
SHARE = 0.5
# Only where each cell is marked (a tab line, a box border, a pipe, a native grid) is a removed
# cell told from a blank one; lynx, pandoc and pdftotext align cells by spaces. LibreOffice fills a
# short HTML row out to the table's width, so its PDF and .docx show a blank cell there, not a
# missing one (their readers' own tests remove cells from the files themselves).
CELL_MARKING = ("docx-text", "w3m", "html2text", "html", "html-word")
# w3m too draws a short row out to the table's width: there the cell is cut from the text it writes.
CUT_IN_TEXT = ("w3m",)
_ONLY_IN = {"short-rows": CELL_MARKING, "one-number-per-line": ("docx-text",)}
SUB_ROWS = ("result.other.no_correction", "result.other.unpaid_fee", "result.other.other")
_PREFIX = regex.compile(r"^(?:[一二三四]、|（[一二三四五六七]）|\d+\.)")
_MIN_TYPO_LABEL = 6
_WRONG_CHARACTERS = "止息板部门的工作"
_NOTES = (
    "注：本表数据统计期限为{year}年1月1日至{year}年12月31日。",
    "注：申请人情况按申请人类型分别统计。",
    "注：表中“0”表示本年度无此类情况。",
)
_PAGE_NUMBERS = ("-{n}-", "— {n} —", "- {n} -")
_CELL_NOTES = ("（其中修订{k}件）", "（含自然失效{k}件）", "件")
_COUNT_TEXT = regex.compile(r"^[0-9０-９,]+$")
_NUMBER_TEXT = regex.compile(r"^[0-9,.元—/无-]+$")
_BAR = regex.compile(r"[│|]")


def applies(kind: str, form_version: str, rendering: str) -> bool:
    if kind == "one-other-row" and form_version != "2021":
        return False
    return rendering in _ONLY_IN.get(kind, (rendering,))


def choose(rng: random.Random, kinds: tuple[str, ...], form_version: str, renderings: tuple[str, ...]) -> str:
    """The deviation a report gets, or '' (half of the reports keep the form exactly)."""
    if not kinds or rng.random() >= SHARE:
        return ""
    fitting = [k for k in kinds if any(applies(k, form_version, r) for r in renderings)]
    return rng.choice(fitting) if fitting else ""


def change_values(rng: random.Random, report: Report) -> None:
    """Before the cells are written: the values and year a deviation needs."""
    if report.deviation == "pre-2019":
        report.year = rng.randint(2015, 2018)
    elif report.deviation == "one-other-row":
        _one_other_row_values(rng, report.values)


def _one_other_row_values(rng: random.Random, values: dict[Key, Decimal]) -> None:
    """About half of the rows are all zeros (the sub-rows' requests counted as granted instead),
    the rest carry a number; each column's sums stay true. The one row's values are the sums."""
    get = lambda code, cls: values[("requests", code, cls)]  # noqa: E731
    if rng.random() < 0.5:
        for cls in APPLICANT_CLASSES:
            moved = sum((get(code, cls) for code in SUB_ROWS), Decimal(0))
            values[("requests", "result.granted", cls)] += moved
            for code in SUB_ROWS:
                values[("requests", code, cls)] = Decimal(0)
    elif not any(get(code, "total") for code in SUB_ROWS):
        donors = [(code, cls) for code in result_codes("2021") for cls in APPLICANT_CLASSES[:-1] if get(code, cls)]
        if donors:
            code, cls = rng.choice(donors)
            for c in (cls, "total"):
                values[("requests", code, c)] -= 1
                values[("requests", "result.other.other", c)] += 1
    for cls in APPLICANT_CLASSES:
        values[("requests", "result.other", cls)] = sum((get(code, cls) for code in SUB_ROWS), Decimal(0))


def _other_row_is_zero(report: Report) -> bool:
    return not any(report.values[("requests", "result.other", cls)] for cls in APPLICANT_CLASSES)


def requests_rows(report: Report) -> tuple[FormRow, ...]:
    """Section 三's rows as the report prints them: one 其他处理 row for the 2021 sub-rows."""
    rows = rows_of(report.form_version, "requests")
    if report.deviation != "one-other-row":
        return rows
    (variant,) = variants_of("2021", "requests")
    out = [variant if r.cells[0] == SUB_ROWS[0] else r for r in rows]
    return tuple(r for r in out if r.cells[0] not in SUB_ROWS)


def truth_keys(report: Report) -> tuple[Key, ...]:
    """The facts an honest extractor gives: none for a text that is not a report of the form; a
    one 其他处理 row of zeros as the three sub-rows, 0 each; one with numbers as itself."""
    if report.deviation in REJECTED:
        return ()
    if report.deviation == "one-other-row" and not _other_row_is_zero(report):
        printed = (*rows_of("2021", "proactive"), *requests_rows(report), *rows_of("2021", "appeals"))
        return tuple(k for row in printed for k in row.facts_keys)
    return expected_keys(report.form_version)


def expected_status(report: Report) -> str:
    """The status the deviation alone calls for."""
    kind = report.deviation
    if kind in REJECTED:
        return "rejected"
    if kind == "short-rows" or (kind == "one-other-row" and not _other_row_is_zero(report)):
        return "incomplete"
    if kind == "one-number-per-line" and any(report.cells[key] == "" for key in expected_keys(report.form_version)):
        # A blank cell leaves no line, so its row's numbers cannot be placed.
        return "incomplete"
    return "ok"


# -- the tables as printed ---------------------------------------------------------------------------


def tables(report: Report) -> dict[int, layout.Table]:
    """Sections 二, 三 and 四's tables (by section index) with the report's deviation printed."""
    out: dict[int, layout.Table] = {
        1: layout.proactive(report),
        2: layout.requests(report, requests_rows(report)),
        3: layout.appeals(report),
    }
    change = _TABLE_CHANGES.get(report.deviation)
    if change:
        change(random.Random(report.deviation_seed), report, out)
    return out


def _label_typos(rng: random.Random, report: Report, tables: dict[int, layout.Table]) -> None:
    """One to three labels of sections 二 and 三 lose or change a character, or a sub-item is numbered
    `1、` or `（1）`; only where the misprint is one edit from its own label and at least two from
    every other label of the table, so which row it is stays certain."""
    places = [
        (index, i, j)
        for index in (1, 2)
        for i, row in enumerate(tables[index])
        if isinstance(row, list)
        for j, cell in enumerate(row)
        if not cell.is_value and _core(cell.text)[1] in _labels(report, index) and len(_core(cell.text)[1]) >= _MIN_TYPO_LABEL
    ]
    for index, i, j in rng.sample(places, min(len(places), rng.randint(1, 3))):
        cell = tables[index][i][j]
        prefix, core = _core(cell.text)
        new = _misprint(rng, prefix, core, _labels(report, index))
        if new is not None:
            tables[index][i][j] = replace(cell, text=new)


def _core(text: str) -> tuple[str, str]:
    m = _PREFIX.match(text)
    return (m.group(), text[m.end() :]) if m else ("", text)


def _labels(report: Report, index: int) -> set[str]:
    return {r.label for r in rows_of(report.form_version, "proactive" if index == 1 else "requests")}


def _misprint(rng: random.Random, prefix: str, core: str, labels: set[str]) -> str | None:
    way = rng.choice(("drop", "change", "number") if regex.match(r"\d+\.", prefix) else ("drop", "change"))
    if way == "number":
        n = prefix[:-1]
        return rng.choice((f"{n}、", f"（{n}）")) + core
    at = rng.randrange(len(core))
    if way == "drop":
        new = core[:at] + core[at + 1 :]
    else:
        new = core[:at] + rng.choice([c for c in _WRONG_CHARACTERS if c != core[at]]) + core[at + 1 :]
    if any(edit_distance(new, other) < 2 for other in labels - {core}):
        return None
    return prefix + new


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]


def safe_points(rows: layout.Table) -> list[int]:
    """Indices i where something can stand between rows i-1 and i: no merged cell spans across."""
    reach, out = 0, []
    for i, row in enumerate(rows):
        if i and reach <= i:
            out.append(i)
        if isinstance(row, list):
            reach = max([reach, *(i + cell.rowspan for cell in row)])
    return out


def _page_footers(rng: random.Random, report: Report, tables: dict[int, layout.Table]) -> None:
    """One or two page breaks inside tables: a page number, and on some pages the report's title
    as a running header, between two rows."""
    page = rng.randint(2, 4)
    for index in sorted(rng.sample(sorted(tables), rng.randint(1, 2))):
        lines = [rng.choice(_PAGE_NUMBERS).format(n=page)]
        if rng.random() < 0.5:
            lines.append(title(report))
        at = rng.choice(safe_points(tables[index]))
        tables[index].insert(at, layout.Break(tuple(lines)))
        page += 1


def _note_rows(rng: random.Random, report: Report, tables: dict[int, layout.Table]) -> None:
    """A `注：…` row across the whole table, between two of its rows."""
    index = rng.choice(sorted(tables))
    rows = tables[index]
    width = max(sum(c.colspan for c in row) for row in rows if isinstance(row, list))
    note = rng.choice(_NOTES).format(year=report.year)
    rows.insert(rng.choice(safe_points(rows)), [layout.Cell(note, colspan=width)])


def _cell_notes(rng: random.Random, report: Report, tables: dict[int, layout.Table]) -> None:
    """One to three counts of section 二 with a note after the number: `12（其中修订5件）`, `3件`
    (not the fee and procurement amounts)."""
    places = [
        (i, j)
        for i, row in enumerate(tables[1])
        if isinstance(row, list) and not any(t in row[0].text for t in ("收费", "采购"))
        for j, cell in enumerate(row)
        if cell.is_value and _COUNT_TEXT.match(cell.text)
    ]
    for i, j in rng.sample(places, min(len(places), rng.randint(1, 3))):
        cell = tables[1][i][j]
        note = rng.choice(_CELL_NOTES).format(k=rng.randint(1, 9))
        tables[1][i][j] = replace(cell, text=cell.text + note)


def _short_rows(rng: random.Random, report: Report, tables: dict[int, layout.Table]) -> None:
    """One row loses one of its written numbers together with its cell (its border, its tab line)."""
    places = [
        (index, i, j)
        for index, rows in tables.items()
        for i, row in enumerate(rows)
        if isinstance(row, list) and sum(c.is_value for c in row) >= 2
        for j, cell in enumerate(row)
        if cell.is_value and cell.text != ""
    ]
    index, i, j = rng.choice(places)
    del tables[index][i][j]


def cut_marked_cell(text: str, seed: int) -> str:
    """The text with one written number removed together with the bar before it."""
    lines = text.split("\n")
    bars = [[m.start() for m in _BAR.finditer(line)] for line in lines]
    places = [
        (i, left, right)
        for i, line in enumerate(lines)
        for left, right in zip(bars[i], bars[i][1:])
        if _NUMBER_TEXT.match(line[left + 1 : right].strip())
    ]
    i, left, right = random.Random(seed).choice(places)
    lines[i] = lines[i][:left] + lines[i][right:]
    return "\n".join(lines)


_TABLE_CHANGES = {
    "label-typos": _label_typos,
    "page-footers": _page_footers,
    "note-rows": _note_rows,
    "cell-notes": _cell_notes,
    "short-rows": _short_rows,
}
