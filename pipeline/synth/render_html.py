"""A report as the HTML page an agency publishes: prose paragraphs and bordered tables with the
official merged cells."""

from __future__ import annotations

from html import escape

from pipeline.synth import layout
from pipeline.synth.document import Report, publication_line, section_five, section_one, section_six


def _table(rows: list[layout.Row]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="2">']
    for row in rows:
        cells = []
        for cell in row:
            span = (f' colspan="{cell.colspan}"' if cell.colspan > 1 else "") + (
                f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "")
            cells.append(f"<td{span}>{escape(cell.text)}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def render(report: Report) -> str:
    p = lambda text: f"<p>{escape(text)}</p>"  # noqa: E731
    title = f"{report.agency}{report.year}年政府信息公开工作年度报告"
    body = [
        # LibreOffice leaves the page's first element out of the PDF; an index number, which
        # readers skip like the date, goes first so the date reaches the PDF renderings too.
        p(f"索引号：{sum(map(ord, report.agency)) % 10**6:06d}/{report.year + 1}-00001"),
        p(publication_line(report)),
        # LibreOffice's default heading font has no CJK glyphs and would drop the title from the PDF.
        f'<h1 style="font-family:\'Noto Sans CJK SC\'">{escape(title)}</h1>',
        p("依据《中华人民共和国政府信息公开条例》第五十条规定，编制本报告。"),
        "<h2>一、总体情况</h2>", *map(p, section_one(report)),
        "<h2>二、主动公开政府信息情况</h2>", _table(layout.proactive(report)),
        "<h2>三、收到和处理政府信息公开申请情况</h2>", _table(layout.requests(report)),
        "<h2>四、政府信息公开行政复议、行政诉讼情况</h2>", _table(layout.appeals(report)),
        "<h2>五、存在的主要问题及改进情况</h2>", *map(p, section_five()),
        "<h2>六、其他需要报告的事项</h2>", *map(p, section_six(report)),
    ]
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>' + escape(title)
            + "</title>"
            "</head><body>\n" + "\n".join(body) + "\n</body></html>\n")
