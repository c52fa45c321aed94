"""Variants of the form that real 2021-form reports print: （六）其他处理 as one row."""

from __future__ import annotations

from markdown_report import markdown_report

from pipeline.extract.report import extract_text

SUB_ROWS = ("result.other.no_correction", "result.other.unpaid_fee", "result.other.other")


def _one_other_row(values: list[str]):
    """Section 三 with its three （六） sub-rows printed as the one row `（六）其他处理` of the 2019 form."""

    def printed(form_row, cells):
        code = form_row.cells[0]
        if code == SUB_ROWS[0]:
            return [("（六）其他处理", values)]
        return [] if code in SUB_ROWS else [(form_row.label, cells)]

    return markdown_report(requests=printed)


def test_one_row_of_zeros_stands_for_the_three_sub_rows():
    text, truth = _one_other_row(["0", "", "0", "0", "—", "0", "0"])
    ex = extract_text(text)
    assert ex.status == "ok", ex.message
    got = {(f.table_code, f.row_code, f.applicant_class): f for f in ex.facts}
    for code in SUB_ROWS:
        for cls in ("natural_person", "research_institution", "total"):
            fact = got[("requests", code, cls)]
            assert fact.value == 0 and fact.doubt is None
    # each keeps the printed row's text and line
    line = text.split("\n").index(next(ln for ln in text.split("\n") if ln.startswith("| （六）其他处理"))) + 1
    assert {got[("requests", c, "legal_service_org")].raw_text for c in SUB_ROWS} == {"—"}
    assert {got[("requests", c, "total")].source_line for c in SUB_ROWS} == {line}
    assert ("requests", "result.other", "total") not in got
    others = {k: v for k, v in truth.items() if k[1] not in SUB_ROWS}
    assert {k: got[k].value for k in others} == others


def test_one_row_with_numbers_is_kept_whole_and_the_report_incomplete():
    text, _ = _one_other_row(["2", "0", "0", "0", "0", "1", "3"])
    ex = extract_text(text)
    assert ex.status == "incomplete"
    assert (
        "requests row 其他处理: printed as one row, as in the 2019 form, with numbers that are not all 0, so its "
        "rows result.other.no_correction, result.other.unpaid_fee, result.other.other are not given"
    ) in ex.message
    other = {f.applicant_class: f.value for f in ex.facts if f.row_code == "result.other"}
    assert other == {
        "natural_person": 2,
        "commercial_enterprise": 0,
        "research_institution": 0,
        "social_welfare_org": 0,
        "legal_service_org": 0,
        "other_org": 1,
        "total": 3,
    }
    assert not [f for f in ex.facts if f.row_code in SUB_ROWS]


def test_the_2021_sub_rows_under_their_group_label_are_read_as_themselves():
    """The same label heads the sub-rows of the 2021 form (a vertical merged cell): not the variant."""

    def printed(form_row, cells):
        if form_row.cells[0] == SUB_ROWS[0]:
            return [(f"（六）其他处理 | {form_row.label}", cells[:-1] + [cells[-1]])]
        return [(form_row.label, cells)]

    text, truth = markdown_report(requests=printed)
    text = text.replace("| 申请情况 |", "| 申请情况 | 项 |").replace(
        "| --- | --- | --- | --- | --- | --- | --- | --- |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    )
    ex = extract_text(text)
    got = {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts}
    assert got[("requests", SUB_ROWS[0], "total")] == truth[("requests", SUB_ROWS[0], "total")]
    assert ("requests", "result.other", "total") not in got


def _relabelled(new_labels: dict[str, str]):
    def printed(form_row, cells):
        return [(new_labels.get(form_row.label, form_row.label), cells)]

    return markdown_report(requests=printed)


def test_misprinted_labels_are_read_as_the_row_they_resemble():
    """Real reports drop and change characters of the form's labels (洪泽区 2023 prints
    `2.其他法律行政止公开`), and number sub-items `1、` or `（1）`."""
    text, truth = _relabelled(
        {
            "其他法律行政法规禁止公开": "2.其他法律行政止公开",  # three characters lost
            "本机关不掌握相关政府信息": "1、本机关不掌握相关政府息",  # one lost, 、 numbering
            "属于行政执法案卷": "（7）属于行政执法卷",
            "要求提供公开出版物": "3.要求提供公开出板物",  # one changed
        }
    )
    ex = extract_text(text)
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def test_a_label_that_could_be_two_rows_is_not_guessed():
    from pipeline.extract.tables import resembled
    from pipeline.form.codebook import FormRow

    rows = (FormRow("requests", "甲乙丙丁", None, ("a",)), FormRow("requests", "甲乙丙戊", None, ("b",)))
    assert resembled(rows, "甲乙丙己") is None  # one changed character from each
    assert resembled(rows, "甲乙丙丁").cells == ("a",)
    # too far from every row: not read, never taken for the row at its place
    text, _ = _relabelled({"属于三类内部事务信息": "属于类事信息"})
    ex = extract_text(text)
    assert ex.status == "incomplete"
    assert not [f for f in ex.facts if f.row_code == "result.denied.internal_affairs"]


def _blocks(text: str) -> tuple[list[str], dict[str, tuple[int, int]]]:
    lines = text.split("\n")
    starts = {k: next(i for i, ln in enumerate(lines) if ln.startswith(k)) for k in ("二、", "三、", "四、", "五、")}
    return lines, starts


def test_sections_in_another_order_are_read():
    text, truth = markdown_report()
    lines, at = _blocks(text)
    two, three, four, rest = (
        lines[at["二、"] : at["三、"]],
        lines[at["三、"] : at["四、"]],
        lines[at["四、"] : at["五、"]],
        lines[at["五、"] :],
    )
    reordered = "\n".join(lines[: at["二、"]] + four + two + three + rest)
    ex = extract_text(reordered)
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def test_section_two_tables_in_another_order_are_read():
    text, truth = markdown_report()
    lines = text.split("\n")
    first = next(i for i, ln in enumerate(lines) if ln.startswith("| 规章 "))
    moved = lines[first : first + 2]  # 规章 and 行政规范性文件 after the other rows
    end = next(i for i, ln in enumerate(lines) if ln.startswith("| 行政事业性收费 "))
    reordered = lines[:first] + lines[first + 2 : end + 1] + moved + lines[end + 1 :]
    ex = extract_text("\n".join(reordered))
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def test_renamed_and_missing_headings():
    text, truth = markdown_report()
    renamed = text.replace("五、存在的主要问题及改进情况", "五、存在的主要问题及整改措施").replace(
        "三、收到和处理政府信息公开申请情况\n", "\n"
    )
    ex = extract_text(renamed)
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth
    from pipeline.extract.sections import find_sections
    from pipeline.text.normalize import fold

    assert "problems" in find_sections([fold(x) for x in renamed.split("\n")])


def test_page_furniture_notes_and_a_repeated_header_inside_tables():
    """A table split over pages: a page number, a running header, the column headings printed
    again (their 总计 is no 总计 row), and a note row, between the rows of section 三 and above
    section 四's numbers."""
    text, truth = markdown_report()
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("| 予以公开 "))
    furniture = [
        "",
        "-3-",
        "",
        "某区某局2023年政府信息公开工作年度报告",
        "",
        "| 申请情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |",
        "|" + " --- |" * 8,
        "| 注：本表数据截至2023年12月31日 |",
    ]
    lines[at:at] = furniture
    four = next(i for i, ln in enumerate(lines) if ln.startswith("| 行政复议、行政诉讼 |"))
    lines[four:four] = ["4", ""]
    ex = extract_text("\n".join(lines))
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def _one_number_per_line(text: str, drop: tuple[str, int] | None = None) -> str:
    """The Markdown report as `pdftotext -raw` writes some PDFs: each row's label on a line, then
    each of its numbers on a line of its own, blank lines between."""
    out = []
    for line in text.split("\n"):
        if not line.startswith("|") or set(line) <= set("|- "):
            out.append(line)
            continue
        label, *cells = [c.strip() for c in line.strip("|").split("|")]
        if drop and label == drop[0]:
            del cells[drop[1]]
        out.extend([label, ""] if label else [])
        for cell in cells:
            out.extend([cell, ""])
    return "\n".join(out)


def test_one_number_per_line_is_read():
    text, truth = markdown_report()
    ex = extract_text(_one_number_per_line(text))
    assert (ex.status, ex.rendering) == ("ok", "number-lines"), ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def test_one_number_per_line_with_a_cell_lost_is_not_placed():
    text, truth = markdown_report()
    ex = extract_text(_one_number_per_line(text, drop=("予以公开", 3)))
    assert ex.status == "incomplete"
    assert not [f for f in ex.facts if f.row_code == "result.granted"]
    assert all(f.value == truth[(f.table_code, f.row_code, f.applicant_class)] for f in ex.facts)


def test_cells_with_a_note_are_read_as_their_number():
    text, truth = markdown_report()
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("| 规章 "))
    label, a, b, c = [x.strip() for x in lines[at].strip("|").split("|")]
    lines[at] = f"| {label} | {a}（其中修订5件） | {b}件 | {c}（含自然失效9件） |"
    ex = extract_text("\n".join(lines))
    assert ex.status == "ok", ex.message
    got = {f.row_code: f for f in ex.facts if f.row_code.startswith("regulations.")}
    assert [got[k].value for k in ("regulations.issued", "regulations.repealed", "regulations.in_force")] == [
        truth[("proactive", k, None)] for k in ("regulations.issued", "regulations.repealed", "regulations.in_force")
    ]
    assert got["regulations.issued"].raw_text == f"{a}（其中修订5件）"


def test_a_unit_a_gap_away_from_its_number_is_read():
    """A PDF's cell `251000 元` (the unit set apart) is 251000, as `251000元` is; two numbers in one
    cell are still no number."""
    from pipeline.extract.values import parse_value

    assert parse_value("251000 元") == parse_value("251000元") == 251000
    assert parse_value("3 件") == 3
    assert parse_value("20 30") is None


def _converted(label_cells: str):
    """A PDF-to-Markdown converter's section 三: cut into two tables, the second under invented
    column names; a stray digit between rows; one row's label and numbers on rows of their own,
    the label's row with `label_cells` after it."""
    text, truth = markdown_report()
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("| 部分公开"))
    invented = ["", "| Column1 | Column2 | Column3 | Column4 | Column5 | Column6 | Column7 | Column8 |", "|" + " --- |" * 8]
    lines[at:at] = invented + ["", "7", ""]
    row = next(i for i, ln in enumerate(lines) if "补正后申请内容仍不明确" in ln)
    label, *cells = [c.strip() for c in lines[row].strip("|").split("|")]
    lines[row : row + 1] = [f"| {label} |{label_cells}", "| | " + " | ".join(cells) + " |"]
    return "\n".join(lines), truth


def test_markdown_converter_splits_invents_headers_and_strays_digits():
    text, truth = _converted("")
    ex = extract_text(text)
    assert ex.status == "ok", ex.message
    assert {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts} == truth


def test_blank_cells_with_numbers_below_them_are_not_read_as_zeros():
    """The label's row left with empty cells and the numbers a row below: zeros, or those numbers?"""
    text, truth = _converted(" |" * 7)
    ex = extract_text(text)
    assert ex.status == "incomplete"
    assert "requests row 补正后申请内容仍不明确: its cells are blank and a row of numbers without a label" in ex.message
    assert all(f.value == truth[(f.table_code, f.row_code, f.applicant_class)] for f in ex.facts)
