"""Word .docx files written by hand (minimal WordprocessingML in a zip), so the tests need neither
python-docx nor a converter: cells with w:gridSpan and w:vMerge, nested tables, split runs, and a
whole synthetic report laid out on the official tables (pipeline.synth.layout)."""

from __future__ import annotations

import random
import zipfile
from dataclasses import dataclass
from io import BytesIO
from xml.sax.saxutils import escape

from pipeline.synth import layout
from pipeline.synth.document import Report, publication_line, section_five, section_one, section_six

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class TC:
    """One w:tc: its paragraphs (lines of `text`), its span, and its place in a vertical merge."""

    text: str = ""
    span: int = 1
    vmerge: str | None = None  # "restart", "continue" (written as a bare <w:vMerge/>) or None
    inner: str = ""  # a nested table's XML, after the cell's paragraphs


def runs(text: str, rng: random.Random | None = None) -> str:
    """Text as runs; with an rng, cut where Word cuts runs (spell-check, edits), even inside a number."""
    if not text:
        return ""
    pieces = [text]
    if rng is not None and len(text) > 1:
        cuts = sorted(rng.sample(range(1, len(text)), k=min(len(text) - 1, rng.randint(1, 3))))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
    return "".join(f'<w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r>' for p in pieces)


def paragraph(text: str, rng: random.Random | None = None) -> str:
    """`\\n` in text is a w:br (a line break inside the paragraph), `\\t` a w:tab."""
    body = "<w:r><w:br/></w:r>".join("<w:r><w:tab/></w:r>".join(runs(part, rng) for part in line.split("\t")) for line in text.split("\n"))
    return f"<w:p>{body}</w:p>"


def table(rows: list[list[TC]], rng: random.Random | None = None) -> str:
    width = max(sum(c.span for c in row) for row in rows)
    out = ["<w:tbl><w:tblPr/><w:tblGrid>", '<w:gridCol w:w="800"/>' * width, "</w:tblGrid>"]
    for row in rows:
        out.append("<w:tr>")
        for cell in row:
            props = (f'<w:gridSpan w:val="{cell.span}"/>' if cell.span > 1 else "") + (
                "" if cell.vmerge is None else '<w:vMerge w:val="restart"/>' if cell.vmerge == "restart" else "<w:vMerge/>"
            )
            paragraphs = "".join(paragraph(line, rng) for line in cell.text.split("\n")) or "<w:p/>"
            out.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraphs}{cell.inner}</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def docx(body: str) -> bytes:
    """A .docx holding `body` (paragraph and table XML); the same bytes on every run."""
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_NS}">'
        f"<w:body>{body}<w:sectPr/></w:body></w:document>"
    )
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _RELS), ("word/document.xml", xml)):
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), text, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def grid(rows: list[layout.Row], rng: random.Random, wrap: bool, fullwidth: bool) -> list[list[TC]]:
    """The layout's merged cells as Word stores them: a rowspan is a w:vMerge restart and a bare
    w:vMerge in each row below, a colspan a w:gridSpan."""
    out: list[list[TC]] = []
    pending: dict[int, tuple[int, int]] = {}  # start column → (rows still covered, span)
    for row in rows:
        cells, tcs, column = iter(row), [], 0
        width = sum(c.colspan for c in row) + sum(span for _, span in pending.values())
        while column < width:
            if column in pending:
                left, span = pending[column]
                tcs.append(TC(span=span, vmerge="continue"))
                pending[column] = (left - 1, span)
                column += span
                continue
            cell = next(cells)
            text = cell.text
            if cell.is_value:
                text = text.translate(_FULLWIDTH) if fullwidth else text
            elif wrap and len(text) == 4:
                text = text[:2] + "\n" + text[2:]  # a narrow header cell wraps into two paragraphs
            if cell.rowspan > 1:
                pending[column] = (cell.rowspan - 1, cell.colspan)
            tcs.append(TC(text, cell.colspan, "restart" if cell.rowspan > 1 else None))
            column += cell.colspan
        pending = {c: v for c, v in pending.items() if v[0]}
        out.append(tcs)
    return out


def report_body(
    report: Report,
    rng: random.Random,
    *,
    split_runs: bool = False,
    wrap: bool = False,
    fullwidth: bool = False,
    two_line_title: bool = False,
) -> str:
    """A whole report: title paragraph(s) first, then the six sections with the three tables."""
    split = rng if split_runs else None
    p = lambda text: paragraph(text, split)  # noqa: E731
    if two_line_title:
        title = [f"{report.agency}{report.year}年政府信息公开", "工作年度报告"]
    else:
        title = [f"{report.agency}{report.year}年政府信息公开工作年度报告"]
    parts = [
        *map(p, title),
        p(publication_line(report)),
        p("依据《中华人民共和国政府信息公开条例》第五十条规定，编制本报告。"),
        p("一、总体情况"),
        *map(p, section_one(report)),
    ]
    headings = ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况")
    for heading, rows in zip(headings, (layout.proactive(report), layout.requests(report), layout.appeals(report))):
        parts += [p(heading), table(grid(rows, rng, wrap, fullwidth), split)]
    parts += [p("五、存在的主要问题及改进情况"), *map(p, section_five()), p("六、其他需要报告的事项"), *map(p, section_six(report))]
    return "".join(parts)


def framed(body: str) -> str:
    """The body inside one outer table of one cell, as Word exports of web forms wrap it."""
    return f"<w:tbl><w:tblPr/><w:tblGrid><w:gridCol/></w:tblGrid><w:tr><w:tc>{body}<w:p/></w:tc></w:tr></w:tbl>"
