"""Web pages read from their markup: the real saved page, and hand-made pages of the shapes
Word-exported and site-wrapped reports take."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.extract import readers
from pipeline.extract.report import extract_bytes

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "real"


def expected(name: str) -> dict[tuple[str, str, str | None], Decimal]:
    with (REAL / f"{name}.expected.csv").open(encoding="utf-8", newline="") as f:
        return {(r["table_code"], r["row_code"], r["applicant_class"] or None): Decimal(r["value"]) for r in csv.DictReader(f)}


def test_real_saved_page_reads_every_cell_exactly():
    data = (REAL / "shuyang_fgj_2023.html").read_bytes()
    ex = extract_bytes(data)
    assert (ex.status, ex.agency, ex.year, ex.form_version, ex.rendering) == ("ok", "沭阳县发展和改革局", 2023, "2021", "html")
    assert ex.published_on == "2024-01-17"  # the metadata table's 公开日期, not the report year
    got = {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts}
    assert got == expected("shuyang_fgj_2023")
    lines = data.decode("utf-8").split("\n")
    for fact in ex.facts:
        assert fact.source_page is None and fact.doubt is None
        # the cell's text stands on the line the fact names (blank cells: their <td>'s line)
        assert fact.raw_text.replace(" ", "") in lines[fact.source_line - 1].replace(" ", "").replace("&nbsp;", "")
    # 法人或其他组织 cells are blank in the page: 0 with empty text
    blank = next(f for f in ex.facts if f.row_code == "new_received" and f.applicant_class == "research_institution")
    assert (blank.value, blank.raw_text) == (0, "")


def _page(title: str, body: str, charset: str = "utf-8", head: str = "") -> str:
    return f'<html><head><meta charset="{charset}"><title>{title}</title>{head}</head><body>{body}</body></html>'


def _requests_table(cell_row: str) -> str:
    """Section 三 with every body row given `cell_row`'s seven cells (the real form's merged label
    cells), so a test changes one row and knows every other."""
    from pipeline.form.codebook import rows_of

    rows = [
        '<tr><td colspan="3" rowspan="3">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</td>'
        '<td colspan="7">申请人情况</td></tr>',
        '<tr><td rowspan="2">自然人</td><td colspan="5">法人或其他组织</td><td rowspan="2">总计</td></tr>',
        "<tr><td>商业企业</td><td>科研机构</td><td>社会公益组织</td><td>法律服务机构</td><td>其他</td></tr>",
    ]
    for form_row in rows_of("2021", "requests"):
        rows.append(f'<tr><td colspan="3">{form_row.label}</td>{cell_row}</tr>')
    return "<table border=1>" + "".join(rows) + "</table>"


_PROACTIVE = (
    "<table border=1><tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
    "<tr><td>规章</td><td>0</td><td>0</td><td>0</td></tr>"
    "<tr><td>行政规范性文件</td><td>1</td><td>0</td><td>5</td></tr>"
    "<tr><td>信息内容</td><td>本年处理决定数量</td></tr><tr><td>行政许可</td><td>3</td></tr>"
    "<tr><td>行政处罚</td><td>0</td></tr><tr><td>行政强制</td><td>0</td></tr>"
    "<tr><td>信息内容</td><td>本年收费金额（单位：万元）</td></tr><tr><td>行政事业性收费</td><td>0</td></tr></table>"
)
_APPEALS = (
    "<table border=1><tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>"
    "<tr><td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>"
    "<td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr>"
    "<tr>" + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + "</tr>"
    "<tr>" + "<td>0</td>" * 15 + "</tr></table>"
)


def _report(
    cell_row: str = "<td>1</td>" + "<td></td>" * 5 + "<td>1</td>",
    title: str = "某区某局2023年政府信息公开工作年度报告",
    before: str = "",
    after: str = "<p>六、其他需要报告的事项</p><p>无。</p>",
) -> str:
    return (
        f"{before}<h1>{title}</h1><p>一、总体情况</p><p>本年度新收政府信息公开申请1件。</p>"
        f"<p>二、主动公开政府信息情况</p>{_PROACTIVE}<p>三、收到和处理政府信息公开申请情况</p>"
        f"{_requests_table(cell_row)}<p>四、政府信息公开行政复议、行政诉讼情况</p>{_APPEALS}"
        f"<p>五、存在的主要问题及改进情况</p><p>无。</p>{after}"
    )


def test_hand_made_page_is_ok_with_blank_cells_as_zero():
    ex = extract_bytes(_page("x", _report()).encode())
    assert ex.status == "ok", ex.message
    assert (ex.agency, ex.year) == ("某区某局", 2023)
    cells = {(f.row_code, f.applicant_class): f.value for f in ex.facts if f.table_code == "requests"}
    assert cells[("new_received", "natural_person")] == 1 and cells[("new_received", "other_org")] == 0


def test_word_runs_and_placeholders_join_into_one_cell():
    split = "<td><span>1</span><o:p></o:p></td>" + "<td>&nbsp;<o:p></o:p></td>" * 5 + "<td><span>1</span></td>"
    body = _report(split).replace("<td>总计</td>", "<td><span>总</span><span>计</span></td>")
    ex = extract_bytes(_page("x", body).encode())
    assert ex.status == "ok", ex.message
    assert {f.value for f in ex.facts if f.row_code == "new_received"} == {0, 1}


def test_a_value_cell_spanning_two_columns_is_not_filled():
    """A merged value cell leaves its row a cell short: unreadable, never a 0 at a guessed column."""
    merged = "<td>1</td>" + '<td colspan="2"></td>' + "<td></td>" * 3 + "<td>1</td>"
    ex = extract_bytes(_page("x", _report(merged)).encode())
    assert ex.status == "incomplete"
    assert "6 cells where the form has 7" in ex.message
    assert not [f for f in ex.facts if f.table_code == "requests"]


def test_site_wrapping_and_metadata_table_are_left_out():
    site = (
        "<div class=nav><a href=/>首页</a><a>政务公开</a></div>"
        "<table><tr><td>名称</td><td>2023年政府信息公开工作年度报告</td></tr>"
        "<tr><td>索引号</td><td>0001/2024-1</td><td>发布机构</td><td>某县交通运输局</td></tr>"
        "<tr><td>公开日期</td><td>2024年1月20日</td></tr></table>"
    )
    page = _page("2023年政府信息公开工作年度报告_某县人民政府", _report(title="2023年政府信息公开工作年度报告", before=site))
    ex = extract_bytes(page.encode())
    assert ex.status == "ok", ex.message
    assert (ex.agency, ex.year, ex.published_on) == ("某县交通运输局", 2023, "2024-01-20")
    assert "发布机构" in ex.message  # the note says where the agency came from


def test_layout_table_around_the_form_tables_is_read_through():
    page = _page("x", f"<table><tr><td>{_report()}</td></tr></table>")
    ex = extract_bytes(page.encode())
    assert ex.status == "ok", ex.message
    assert len(ex.facts) == 200


def test_a_cell_is_at_the_line_of_its_first_text():
    """A cell's line is its first text's element's (a tail's: the element holding the tail), found
    element by element from the cell: text in a script, and the tail after it, are passed over;
    an option's text in a select is not. A cell without text is at its own `<td>`."""
    page = """<html><body>
<table>
<tr><td>
<p>
<span>a</span></p></td>
<td>
<script>x</script>
b</td>
<td>
<p>
<i></i>
c</p></td>
<td><select>
<option>o</option></select></td>
<td>
<b>
<i>
X</i>
</b>Y</td>
<td>
</td>
<td colspan="2"
>z</td></tr>
</table>
</body></html>"""
    doc = readers.read("html", page.encode())
    assert [(c.text, c.line, c.covered) for b in doc.blocks for c in b.cells] == [
        ("a", 5, None),
        ("x b", 6, None),
        ("c", 10, None),
        ("o", 14, None),
        ("X Y", 15, None),
        ("", 20, None),
        ("z", 23, None),
        ("", 23, "covered"),
    ]


def test_page_cut_inside_a_table_is_never_ok():
    page = _page("x", _report()).encode()
    cut = page[: page.index(b"<td>0</td>" * 15) + 40]
    ex = extract_bytes(cut)
    assert ex.status == "incomplete"


@pytest.mark.parametrize("charset", ["gbk", "gb2312", "GB18030"])
def test_declared_chinese_charset_is_decoded(charset):
    ex = extract_bytes(_page("x", _report(), charset=charset).encode("gb18030"))
    assert ex.status == "ok" and ex.agency == "某区某局", ex.message


def test_kind_comes_from_content_not_name():
    page = _page("x", _report()).encode()
    assert readers.sniff(page) == "html"
    assert readers.sniff(b"\n\n  " + page) == "html"
    # the same page after a crawler's text header is still a page
    assert readers.sniff("标题：某区某局\n采集时间：2025\n".encode() + page) == "html"
    # a Word text export that mentions a tag in its prose is not
    assert readers.sniff("某区2023年报告\n\t<p>是一个标签\n".encode()) is None


def _facts(page: str) -> dict[tuple[str, str, str | None], Decimal]:
    return {(f.table_code, f.row_code, f.applicant_class): f.value for f in extract_bytes(page.encode()).facts}


def test_deleting_any_one_cell_never_gives_a_wrong_number_or_ok():
    """Every cell of the form's numbers removed in turn with its borders (in a page the markup is
    the border): the report is never ok, and no fact read without doubt differs from the page's."""
    import re

    page = _page("x", _report(cell_row="<td></td>" + "<td>2</td>" * 5 + "<td>10</td>"))
    assert extract_bytes(page.encode()).status == "ok"
    truth = _facts(page)
    tds = [m.span() for m in re.finditer(r"<td>(?:\d*)</td>", page)]
    assert len(tds) == 200
    for start, end in tds:
        damaged = page[:start] + page[end:]
        ex = extract_bytes(damaged.encode())
        assert ex.status != "ok", damaged[start - 80 : start + 80]
        for f in ex.facts:
            if f.doubt is None:
                assert f.value == truth[(f.table_code, f.row_code, f.applicant_class)], damaged[start - 80 : start + 80]


def test_spacer_cell_beside_a_label_does_not_hide_a_lost_cell():
    """A row whose label area holds an empty cell, and that lost one number's cell: counted from
    the label, the empty cell would take the lost one's place."""
    whole = '<td colspan="3">本年新收政府信息公开申请数量</td>' + "<td>1</td>" * 6 + "<td>6</td>"
    spaced = '<td colspan="2">本年新收政府信息公开申请数量</td><td></td>' + "<td>1</td>" * 5 + "<td>6</td>"
    page = _page("x", _report("<td>1</td>" * 6 + "<td>6</td>"))
    assert whole in page
    ex = extract_bytes(page.replace(whole, spaced).encode())
    assert ex.status == "incomplete"
    assert not [f for f in ex.facts if f.row_code == "new_received"]
