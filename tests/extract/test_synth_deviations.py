"""`xxgk synth --deviate`: the ways real reports bend the form (issue 13), each written into a
share of the corpus with the status an honest extractor must give and the facts it must read;
then extraction measured against them."""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from decimal import Decimal

import pytest

from pipeline.cli import build_parser
from pipeline.extract.report import extract_bytes
from pipeline.form.codebook import expected_keys, rows_of
from pipeline.synth import accuracy, convert, corpus, deviations, layout, render_docx, render_html
from pipeline.synth.values import CLASSES, result_codes

KINDS = deviations.DEVIATION_KINDS
SUB_ROWS = deviations.SUB_ROWS


def _deviated(kind: str, rendering: str = "docx-text", n: int = 40, seed: int = 0, form: str = "both"):
    """The reports of a corpus that got `kind`."""
    built = corpus.build(corpus.Options(n, seed, (rendering,), form, 1, (), False, (kind,)))
    return [report for report, _, _ in built if report.deviation == kind]


def _render(report, rendering: str) -> bytes:
    (data,) = corpus.render_files([(report, rendering, [])], random.Random(report.deviation_seed)).values()
    return data


def _label_cells(rows: layout.Table) -> list[str]:
    return [c.text for row in rows if isinstance(row, list) for c in row if not c.is_value]


def _value_cells(rows: layout.Table) -> list[str]:
    return [c.text for row in rows if isinstance(row, list) for c in row if c.is_value]


def _plain(report) -> dict[int, layout.Table]:
    return deviations.tables(replace(report, deviation=""))


# -- the generator ----------------------------------------------------------------------------------


def test_without_deviate_no_report_deviates_and_with_it_about_half_of_the_unplanted_do():
    plain = corpus.build(corpus.Options(60, 1, ("docx-text",), "both", 3, ("balance",)))
    assert {r.deviation for r, _, _ in plain} == {""}
    built = corpus.build(corpus.Options(300, 1, ("docx-text", "html"), "both", 3, ("balance",), False, KINDS))
    # the same reports, values and plants, whether or not other reports deviate
    assert [r.agency for r, _, _ in built[:60]] == [r.agency for r, _, _ in plain]
    unplanted = [r for r, _, found in built if not found]
    assert all(r.deviation == "" for r, _, found in built if found)
    share = sum(1 for r in unplanted if r.deviation) / len(unplanted)
    assert 0.4 < share < 0.6
    assert {r.deviation for r in unplanted} == {"", *KINDS}


def test_one_other_row_prints_the_three_sub_rows_as_one_zero_or_not():
    reports = _deviated("one-other-row", n=60, form="2021")
    zero = [r for r in reports if deviations.expected_status(r) == "ok"]
    numbers = [r for r in reports if deviations.expected_status(r) == "incomplete"]
    assert zero and numbers
    for report in reports:
        labels = _label_cells(deviations.tables(report)[2])
        assert "（六）其他处理" in labels and not any("逾期不补正" in t or t == "3.其他" for t in labels)
        for cls in (*CLASSES, "total"):
            other = report.values[("requests", "result.other", cls)]
            assert other == sum(report.values[("requests", code, cls)] for code in SUB_ROWS)
            # the form's sums still hold
            results = sum(report.values[("requests", code, cls)] for code in result_codes("2021"))
            assert results == report.values[("requests", "result.total", cls)]
    for report in zero:
        assert deviations.truth_keys(report) == expected_keys("2021")
        assert all(report.values[("requests", code, cls)] == 0 for code in SUB_ROWS for cls in CLASSES)
    for report in numbers:
        keys = deviations.truth_keys(report)
        assert ("requests", "result.other", "total") in keys and not [k for k in keys if k[1] in SUB_ROWS]
        assert len(keys) == len(expected_keys("2021")) - 14
    # 2019-form reports print 其他处理 as one row anyway: the deviation is for 2021 reports only
    assert not deviations.applies("one-other-row", "2019", "docx-text")


def test_label_typos_are_one_edit_from_their_own_label_and_two_from_any_other():
    reports = _deviated("label-typos", n=80)
    assert len(reports) > 10
    ways = set()
    for report in reports:
        changed = [
            (a, b)
            for index in (1, 2)
            for a, b in zip(_label_cells(_plain(report)[index]), _label_cells(deviations.tables(report)[index]))
            if a != b
        ]
        assert 1 <= len(changed) <= 3
        for official, printed in changed:
            prefix, core = deviations._core(official)
            if printed.endswith(core):
                ways.add("number")
                assert printed[: -len(core)] in (prefix.replace(".", "、"), f"（{prefix[:-1]}）")
                continue
            new = printed[len(prefix) :]
            ways.add("drop" if len(new) < len(core) else "change")
            assert deviations.edit_distance(new, core) == 1
            labels = {r.label for t in ("proactive", "requests") for r in rows_of(report.form_version, t)}
            assert all(deviations.edit_distance(new, other) >= 2 for other in labels - {core})
    assert ways == {"drop", "change", "number"}


def test_a_misprint_that_comes_near_another_label_is_not_made():
    labels = {"甲乙丙丁戊己", "甲乙丙丁戊庚"}
    made = [deviations._misprint(random.Random(seed), "1.", "甲乙丙丁戊己", labels) for seed in range(200)]
    assert None in made
    for printed in filter(None, made):
        core = printed.removeprefix("1.").removeprefix("1、").removeprefix("（1）")
        assert core == "甲乙丙丁戊己" or deviations.edit_distance(core, "甲乙丙丁戊庚") >= 2


def test_page_footers_stand_between_rows_where_no_merged_cell_spans():
    reports = _deviated("page-footers", n=60)
    assert reports
    for report in reports:
        tables = deviations.tables(report)
        breaks = [(index, i, row) for index, rows in tables.items() for i, row in enumerate(rows) if isinstance(row, layout.Break)]
        assert 1 <= len(breaks) <= 2
        for index, i, row in breaks:
            rest = [r for r in tables[index] if not isinstance(r, layout.Break) or r is row]
            assert i in deviations.safe_points(rest)
            assert row.lines[0].strip("-— ").isdigit() and row.lines[1:] in ((), (render_html.title(report),))
        text = render_docx.render(report, random.Random(0))
        assert f"\n{breaks[0][2].lines[0]}\n" in text  # a line of its own, not a tab-prefixed cell
        page = render_html.render(report)
        assert f"</table>\n<p>{breaks[0][2].lines[0]}</p>" in page
    assert any(
        len(row.lines) == 2
        for report in reports
        for rows in deviations.tables(report).values()
        for row in rows
        if isinstance(row, layout.Break)
    )


def test_safe_points_avoid_rows_a_merged_cell_spans():
    rows = [[layout.Cell("a", rowspan=2), layout.Cell("1")], [layout.Cell("2")], [layout.Cell("b"), layout.Cell("3")]]
    assert deviations.safe_points(rows) == [2]


def test_note_rows_span_the_whole_table():
    for report in _deviated("note-rows", n=40):
        notes = [
            (index, row)
            for index, rows in deviations.tables(report).items()
            for row in rows
            if isinstance(row, list) and row[0].text.startswith("注：")
        ]
        ((index, row),) = notes
        width = max(sum(c.colspan for c in r) for r in _plain(report)[index])
        assert len(row) == 1 and row[0].colspan == width and not row[0].is_value


def test_cell_notes_follow_counts_of_section_two():
    reports = _deviated("cell-notes", n=60)
    assert reports
    for report in reports:
        changed = [(a, b) for a, b in zip(_value_cells(_plain(report)[1]), _value_cells(deviations.tables(report)[1])) if a != b]
        assert 1 <= len(changed) <= 3
        for number, printed in changed:
            assert printed.startswith(number) and printed[len(number) :] in {
                *(f"（其中修订{k}件）" for k in range(1, 10)),
                *(f"（含自然失效{k}件）" for k in range(1, 10)),
                "件",
            }
        assert _plain(report)[2] == deviations.tables(report)[2]


def test_short_rows_lose_one_written_number_with_its_cell():
    reports = _deviated("short-rows", n=40)
    assert reports
    for report in reports:
        plain, short = _plain(report), deviations.tables(report)
        lost = [(index, i) for index in plain for i, (a, b) in enumerate(zip(plain[index], short[index])) if a != b]
        ((index, i),) = lost
        assert len(short[index][i]) == len(plain[index][i]) - 1
        assert deviations.expected_status(report) == "incomplete"
    # only renderings that mark every cell
    assert {r for r in corpus.RENDERINGS if deviations.applies("short-rows", "2021", r)} == set(deviations.CELL_MARKING)


def test_cut_marked_cell_removes_one_number_and_its_bar():
    text = "| 规章 | 3 | 41 | 7 |\n│ 总计 │ 5 │ │"
    cut = deviations.cut_marked_cell(text, 1)
    assert sum(a != b for a, b in zip(text.split("\n"), cut.split("\n"))) == 1
    assert cut.count("|") + cut.count("│") == text.count("|") + text.count("│") - 1
    assert {deviations.cut_marked_cell(text, seed) for seed in range(30)} == {
        "| 规章 | 41 | 7 |\n│ 总计 │ 5 │ │",
        "| 规章 | 3 | 7 |\n│ 总计 │ 5 │ │",
        "| 规章 | 3 | 41 |\n│ 总计 │ 5 │ │",
        "| 规章 | 3 | 41 | 7 |\n│ 总计 │ │",
    }


def test_one_number_per_line_writes_every_cell_on_a_line_of_its_own():
    reports = _deviated("one-number-per-line", n=40)
    assert reports
    for report in reports:
        text = render_docx.render(report, random.Random(0))
        assert "\t" not in text
        lines = text.split("\n")
        for rows in deviations.tables(report).values():
            for cell in (c for row in rows if isinstance(row, list) for c in row if c.text):
                at = lines.index(cell.text)
                assert lines[at + 1] == ""
        blank = any(report.cells[k] == "" for k in expected_keys(report.form_version))
        assert deviations.expected_status(report) == ("incomplete" if blank else "ok")
    assert {r for r in corpus.RENDERINGS if deviations.applies("one-number-per-line", "2021", r)} == {"docx-text"}


def test_not_a_report_is_a_news_or_list_page_with_no_facts(tmp_path):
    reports = _deviated("not-a-report", n=60)
    texts = [render_docx.render(r, random.Random(0)) for r in reports]
    assert any("部署" in t.split("\n")[0] for t in texts) and any(t.startswith("政府信息公开年报") for t in texts)
    for report, text in zip(reports, texts):
        assert "\t" not in text and report.agency in text and f"{report.year}年" in text
        assert "<table" not in render_html.render(report)
        assert deviations.truth_keys(report) == () and deviations.expected_status(report) == "rejected"
        assert corpus.header(report) == ("", "", "")


def test_pre_2019_reports_are_reports_of_an_earlier_year_with_no_facts():
    reports = _deviated("pre-2019", n=40)
    assert reports and {r.year for r in reports} <= set(range(2015, 2019))
    for report in reports:
        assert render_html.title(report) in render_html.render(report)
        assert deviations.truth_keys(report) == () and deviations.expected_status(report) == "rejected"
        assert corpus.header(report) == (report.agency, report.year, "")


def test_a_rejected_report_breaks_the_series_so_no_carry_over_is_planted_after_it():
    built = corpus.build(corpus.Options(400, 2, ("docx-text",), "both", 4, ("carryover",), False, ("pre-2019",)))
    after = [b for a, b in zip(built, built[1:]) if a[0].deviation == "pre-2019" and a[0].agency == b[0].agency]
    assert after and not [found for _, _, found in after if any(v.check_name == "carryover" for v in found)]


def test_manifest_records_each_files_deviation_and_truth_has_no_rejected_facts(tmp_path):
    corpus.write(corpus.Options(60, 3, ("docx-text", "html"), "both", 2, (), False, KINDS), tmp_path)
    with (tmp_path / "manifest.csv").open(encoding="utf-8", newline="") as f:
        manifest = list(csv.DictReader(f))
    with (tmp_path / "ground_truth.csv").open(encoding="utf-8", newline="") as f:
        with_facts = {row["source_file"] for row in csv.DictReader(f)}
    assert list(manifest[0]) == list(corpus.MANIFEST_HEADER)
    assert {e["deviation"] for e in manifest} - {""} and "" in {e["deviation"] for e in manifest}
    for e in manifest:
        assert (e["source_file"] in with_facts) == (e["deviation"] not in deviations.REJECTED)
        if e["deviation"] in deviations.REJECTED:
            assert e["expected_status"] == "rejected" and e["form_version"] == ""


# -- extraction meets the manifest ------------------------------------------------------------------

_RENDERINGS = ("docx-text", "html", "html-word", "w3m", "html2text")


def _running_header_in_section_two(report) -> bool:
    """A running header (the report's own title) inside section 二's table: found by this
    measurement, once taken for a second report."""
    return any(isinstance(row, layout.Break) and len(row.lines) > 1 for row in deviations.tables(report)[1])


def _cases():
    for kind in KINDS:
        for rendering in _RENDERINGS:
            if deviations.applies(kind, "2021", rendering):
                yield pytest.param(kind, rendering, id=f"{kind}-{rendering}")


@pytest.mark.parametrize("kind, rendering", list(_cases()))
def test_extraction_meets_the_manifest(kind, rendering):
    why = convert.missing(rendering)
    if why:
        pytest.skip(f"converter not installed: {why}")
    reports = _deviated(kind, rendering, n=16, seed=5)[:4]
    assert reports
    for report in reports:
        result = extract_bytes(_render(replace(report, source_file="x"), rendering))
        truth = {k: report.values[k] for k in deviations.truth_keys(report)}
        status = corpus.expected_status(report, rendering)
        assert result.status == status, result.message
        expected = corpus.header(report)
        assert (result.agency or "", result.year or "", result.form_version or "") == expected
        got = {(f.table_code, f.row_code, f.applicant_class): f.value for f in result.facts}
        wrong = [f for f in result.facts if f.doubt is None and truth.get((f.table_code, f.row_code, f.applicant_class)) != f.value]
        assert not wrong, wrong[:3]
        if status == "ok":
            assert got == truth
        else:
            assert result.message


def test_running_header_inside_section_two_keeps_the_report_ok():
    report = next(r for seed in range(20) for r in _deviated("page-footers", n=30, seed=seed) if _running_header_in_section_two(r))
    result = extract_bytes(_render(report, "docx-text"))
    assert result.status == "ok", result.message


# -- accuracy ---------------------------------------------------------------------------------------


def test_accuracy_reports_per_deviation_and_counts_wrong_cells(tmp_path, capsys):
    parser = build_parser()  # the `xxgk` command line's own
    args = parser.parse_args(
        ["synth", "--n", "30", "--out", str(tmp_path), "--seed", "4", "--form", "both", "--deviate", "pre-2019,note-rows,cell-notes"]
    )
    assert args.func(args) == 0
    by_rendering, by_deviation = accuracy.score_by(tmp_path)
    assert set(by_deviation) == {"none", "pre-2019", "note-rows", "cell-notes"}
    assert all(s.status_right == s.reports and s.cells_wrong == 0 and s.cells_exact == s.cells_total for s in by_deviation.values())
    assert by_deviation["pre-2019"].cells_total == 0
    # a fact that differs from the ground truth is a wrong cell, and not an exact one
    path = tmp_path / "ground_truth.csv"
    rows = path.read_text(encoding="utf-8").split("\n")
    source, *rest = rows[1].split(",")
    rows[1] = ",".join([source, *rest[:-1], str(Decimal(rest[-1]) + 1)])
    path.write_text("\n".join(rows), encoding="utf-8")
    by_rendering, by_deviation = accuracy.score_by(tmp_path)
    assert by_rendering["docx-text"].cells_wrong == 1
    assert by_rendering["docx-text"].cells_exact == by_rendering["docx-text"].cells_total - 1
    capsys.readouterr()
    args = parser.parse_args(["accuracy", str(tmp_path)])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    rendering_table, deviation_table = out.split("\n\n")
    assert rendering_table.split("\n")[0].split()[:2] == ["rendering", "reports"]
    assert " wrong " in rendering_table.split("\n")[0]
    assert [line.split()[0] for line in deviation_table.strip().split("\n")] == ["deviation", "cell-notes", "none", "note-rows", "pre-2019"]
