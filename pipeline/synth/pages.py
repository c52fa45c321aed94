"""Pages a crawl of agency sites brings that are not reports: a news item about an agency's report
and the list page of a site's 年报 column (links to many reports). Both name an agency, a year and
the report, and hold no table of the form."""

from __future__ import annotations

import random
from html import escape

from pipeline.synth.document import Report, title


def lines(report: Report) -> list[str]:
    """The page's text, headline first; news or a list page, drawn from the report's deviation seed."""
    rng = random.Random(report.deviation_seed)
    return _news(report, rng) if rng.random() < 0.5 else _list_page(report, rng)


def _news(report: Report, rng: random.Random) -> list[str]:
    y, agency = report.year, report.agency
    headline = rng.choice(
        (f"{agency}召开{y}年度政府信息公开工作年度报告编制部署会", f"{agency}部署{y}年度政府信息公开工作年度报告编制工作")
    )
    return [
        headline,
        f"发布时间：{y + 1}-01-{rng.randint(3, 12):02d}  来源：{agency}",
        f"近日，{agency}召开会议，部署{y}年度政府信息公开工作年度报告编制工作。",
        "会议要求各科室按照《中华人民共和国政府信息公开工作年度报告格式》，如实填报主动公开政府信息情况、"
        "收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况，确保数据准确、勾稽关系正确。",
        f"会议强调，年度报告须于{y + 1}年1月31日前在门户网站政府信息公开专栏发布。",
    ]


def _list_page(report: Report, rng: random.Random) -> list[str]:
    years = range(report.year, report.year - rng.randint(3, 6), -1)
    entries = [f"{title(report).replace(str(report.year), str(y), 1)}  {y + 1}-01-{rng.randint(15, 31)}" for y in years]
    return ["政府信息公开年报", "首页 > 政务公开 > 政府信息公开 > 政府信息公开年报", *entries, f"共{len(entries)}条 第1页/共1页"]


def html(report: Report) -> str:
    head, *rest = lines(report)
    # LibreOffice leaves a page's first element out of the PDF, and its default heading font has no
    # CJK glyphs (as render_html.render works around).
    body = [
        "<p>当前位置：首页 &gt; 政务公开</p>",
        f"<h1 style=\"font-family:'Noto Sans CJK SC'\">{escape(head)}</h1>",
        *(f"<p>{escape(text)}</p>" for text in rest),
    ]
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        + escape(head)
        + "</title></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def text(report: Report) -> str:
    return "\n".join(lines(report)) + "\n"
