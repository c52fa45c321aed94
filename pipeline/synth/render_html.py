"""A report as the HTML page an agency publishes: prose paragraphs and bordered tables with the
official merged cells; and the same report as a page pasted from Word into a site's template."""

from __future__ import annotations

import random
from html import escape

from pipeline.synth import deviations, layout, pages
from pipeline.synth.document import Report, publication_date, publication_line, section_five, section_one, section_six, title

_SECTIONS = (
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
)
_FONTS = ("仿宋_GB2312", "宋体", "方正仿宋_GBK", "微软雅黑")
_NAVIGATION = ("首页", "政务公开", "政务服务", "互动交流", "走进本区", "政府信息公开", "政府信息公开年报")


_OPEN_TABLE = '<table border="1" cellspacing="0" cellpadding="2">'


def _table(rows: layout.Table) -> str:
    out = [_OPEN_TABLE]
    for row in rows:
        if isinstance(row, layout.Break):
            # A page break cuts the table in two, its page furniture between.
            out.extend(("</table>", *(f"<p>{escape(line)}</p>" for line in row.lines), _OPEN_TABLE))
            continue
        cells = []
        for cell in row:
            cells.append(f"<td{_spans(cell)}>{escape(cell.text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _spans(cell: layout.Cell) -> str:
    return (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")


def render(report: Report) -> str:
    if report.deviation == "not-a-report":
        return pages.html(report)
    p = lambda text: f"<p>{escape(text)}</p>"  # noqa: E731
    tables = deviations.tables(report)
    prose = {0: section_one(report), 4: section_five(), 5: section_six(report)}
    body = [
        # LibreOffice leaves the page's first element out of the PDF; an index number, which
        # readers skip like the date, goes first so the date reaches the PDF renderings too.
        p(f"索引号：{_index_number(report)}"),
        p(publication_line(report)),
        # LibreOffice's default heading font has no CJK glyphs and would drop the title from the PDF.
        f"<h1 style=\"font-family:'Noto Sans CJK SC'\">{escape(title(report))}</h1>",
        p("依据《中华人民共和国政府信息公开条例》第五十条规定，编制本报告。"),
    ]
    for index, heading in enumerate(_SECTIONS):
        body.append(f"<h2>{heading}</h2>")
        body.extend([_table(tables[index])] if index in tables else map(p, prose[index]))
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>' + escape(title(report)) + "</title>"
        "</head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _index_number(report: Report) -> str:
    return f"{sum(map(ord, report.agency)) % 10**6:06d}/{report.year + 1}-00001"


# -- pasted from Word ------------------------------------------------------------------------------


def _runs(rng: random.Random, text: str, font: str) -> str:
    """Word splits a paragraph into runs wherever an edit, a spell check or a font change fell,
    even inside a word or a number: 总计 may be `<span>总</span><span>计</span>`."""
    out, i = [], 0
    while i < len(text):
        n = rng.choice((1, 2, 3, 8, 40))
        chunk = escape(text[i : i + n])
        i += n
        if rng.random() < 0.3:
            out.append(f'<span style="font-family:{font}"><font face="{font}">{chunk}</font></span>')
        else:
            out.append(f"<span style='font-size:12.0pt;font-family:{font}'>{chunk}</span>")
    return "".join(out)


def _word_paragraph(rng: random.Random, text: str, font: str, align: str = "left") -> str:
    """A cell's or a page's paragraph; an empty one holds only `&nbsp;` or Word's `<o:p>` marker."""
    if not text:
        blank = rng.choice(("&nbsp;", "<o:p>&nbsp;</o:p>", "<o:p></o:p>"))
        return f'<p class="MsoNormal" align="{align}"><span lang="EN-US">{blank}</span></p>'
    return (
        f'<p class="MsoNormal" align="{align}" style="text-indent:0;line-height:22pt">'
        f'{_runs(rng, text, font)}<span lang="EN-US"><o:p></o:p></span></p>'
    )


_OPEN_WORD_TABLE = (
    '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse;border:none">'
)


def _word_table(rng: random.Random, rows: layout.Table, font: str) -> str:
    out = [_OPEN_WORD_TABLE, "<tbody>"]
    for row in rows:
        if isinstance(row, layout.Break):
            out.extend(
                ("</tbody>", "</table>", *(_word_paragraph(rng, line, font, "center") for line in row.lines), _OPEN_WORD_TABLE, "<tbody>")
            )
            continue
        out.append("<tr>")
        for cell in row:
            out.append(f'<td{_spans(cell)} valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">')
            out.append(_word_paragraph(rng, cell.text, font, "center"))
            out.append("</td>")
        out.append("</tr>")
    out.extend(("</tbody>", "</table>"))
    return "\n".join(out)


def _site_header(report: Report, date: str) -> str:
    links = "".join(f'<li><a href="/col/{i}/index.html" target="_blank">{name}</a></li>' for i, name in enumerate(_NAVIGATION))
    return (
        f'<div class="header"><div class="top"><span id="today">{date[:4]}年{date[5:7]}月{date[8:]}日</span>'
        '<a href="javascript:;">无障碍</a><a href="javascript:;">繁體版</a></div>'
        '<div class="logo"><img src="/images/logo.png" alt="政府门户网站"></div>'
        f'<ul class="nav">{links}</ul>'
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/5/index.html">政府信息公开</a>'
        ' &gt; <a href="/col/6/index.html">政府信息公开年报</a></div></div>'
    )


def _metadata_table(report: Report, name: str, date: str) -> str:
    rows = (
        ("名称", name, None, None),
        ("索引号", _index_number(report), "分类", "政府信息公开年报"),
        ("发布机构", report.agency, "公开日期", date),
        ("文号", "", "有效性", ""),
    )
    out = ['<table class="table_content" width="100%">', "<tbody>"]
    for label, value, label2, value2 in rows:
        if label2 is None:
            out.append(f'<tr><td class="c1">{label}</td><td class="c4" colspan="3">{escape(value)}</td></tr>')
        else:
            out.append(
                f'<tr><td class="c1">{label}</td><td class="c2">{escape(value)}</td>'
                f'<td class="c1">{label2}</td><td class="c3">{escape(value2)}</td></tr>'
            )
    out.extend(("</tbody>", "</table>"))
    return "\n".join(out)


def render_word(report: Report, rng: random.Random) -> bytes:
    """The page as a site publishes a report pasted from Word: navigation, a metadata table
    (名称, 索引号, 发布机构, 公开日期), the title, then the report inside an outer layout table, with
    Word's split runs, `<o:p>` markers and `&nbsp;` for blank cells. Some titles leave the agency
    to the metadata's 发布机构; the page is in UTF-8 or, as many sites still are, GB2312."""
    if report.deviation == "not-a-report":
        return pages.html(report).encode("utf-8")
    font = rng.choice(_FONTS)
    name = title(report) if rng.random() < 0.7 else f"{report.year}年政府信息公开工作年度报告"
    date = publication_date(report)
    charset = rng.choice(("utf-8", "utf-8", "gb2312"))
    tables = deviations.tables(report)
    prose = {0: section_one(report), 4: section_five(), 5: section_six(report)}
    content = [_word_paragraph(rng, "依据《中华人民共和国政府信息公开条例》第五十条规定，编制本报告。", font)]
    for index, heading in enumerate(_SECTIONS):
        content.append(f'<p class="MsoNormal"><b>{_runs(rng, heading, "黑体")}</b></p>')
        if index in tables:
            content.append(_word_table(rng, tables[index], font))
        else:
            content.extend(_word_paragraph(rng, text, font) for text in prose[index])
    page = [
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">',
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>',
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">',
        f"<title>{escape(name)}-政府信息公开专栏</title>",
        "<style>.table_content td{border:1px solid #ccc;padding:8px}</style></head><body>",
        _site_header(report, date),
        '<div class="article">',
        _metadata_table(report, name, date),
        f'<h1 class="article-title">{escape(name)}</h1>',
        '<div class="article-content" id="zoom">',
        '<table width="100%" border="0" cellspacing="0" cellpadding="0"><tbody><tr><td>',
        *content,
        "</td></tr></tbody></table>",
        "</div></div>",
        '<div class="footer"><p>主办单位：政府办公室 联系电话：010-12345678</p>'
        "<p>网站标识码：1100000088 京ICP备05060933号 京公网安备11010102000001号</p></div>",
        "</body></html>",
    ]
    # GB18030 writes every character of GB2312 as GB2312 does.
    return ("\n".join(page) + "\n").encode("gb18030" if charset == "gb2312" else "utf-8")
