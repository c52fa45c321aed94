"""A web page → a Document: the report's own heading, its paragraphs and its `<table>` cells.

A saved government page holds much besides the report: the site's header and navigation, a
crawler's block (标题：… 采集时间：…) and the page's metadata table (名称, 索引号, 发布机构, 公开日期).
The report is the part of the page that holds the form's tables; the page's metadata gives the
publisher (used when the title names no agency) and the publication date, never the report year.

Each `<td>` is one cell, its text the markup's runs joined (`<span>总</span><span>计</span>` is
`总计`); an empty cell is a cell at a known column, so it reads as 0. `colspan` and `rowspan` are
expanded into the table's grid: the positions a span covers are marked covered, never blank, and
a row with fewer cells than its table ends in absent positions, so the walker reads neither as 0.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from datetime import date

import lxml.etree
import regex

from pipeline.extract.document import Document
from pipeline.extract.header import TITLE_TAIL
from pipeline.extract.model import ABSENT, COVERED, Cell, new_cell
from pipeline.text.decode import decode
from pipeline.text.normalize import fold

_SKIP = frozenset({"script", "style", "head", "noscript", "template", "select", "button", "iframe", "svg", "object", "textarea"})
_BLOCK = frozenset(
    {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "dl",
        "dt",
        "dd",
        "center",
        "form",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "address",
        "hr",
        "caption",
    }
)
_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w]+)""", regex.IGNORECASE)
_XML_DECLARATION = regex.compile(r"^\s*<\?xml[^>]*\?>")
# Text every form table holds one of: the tables of the report, not the page's.
_FORM_TABLE = ("信息内容", "本年新收", "申请人情况", "行政复议", "本年制发件数", "上一年项目数量")
_META_PUBLISHER = ("发布机构", "发文机关", "发布单位", "来源单位")
_META_DATE = ("公开日期", "发布日期", "成文日期", "发文日期", "发布时间")
_DATE = regex.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_YEAR = regex.compile(r"(?:19|20)\d{2}")
# A site's name after the page title: `…年度报告-沭阳县发改局`, `…报告_南京市人民政府`.
_SITE_SUFFIX = regex.compile(r"\s*[-_|—–]+\s*[^-_|—–]*$")
# Plain elements, not lxml.html's classes: looking a class up for every element visited costs more
# than parsing the page.
_PARSER = lxml.etree.HTMLParser(remove_comments=True, remove_pis=True, encoding="utf-8")


def read(data: bytes) -> Document | str:
    text, utf8 = _decode(data)
    if text is None:
        return "an HTML page whose encoding cannot be read (neither its declared charset, UTF-8 nor GB18030)"
    try:
        root = _parse(data, text, utf8)
    except (lxml.etree.LxmlError, ValueError) as err:
        return f"an HTML page that cannot be parsed ({err})"
    if root is None:
        return "an HTML page without any element"
    doc = Document(kind="html")
    table_texts = {t: fold(_text(t)) for t in root.iter("table")}
    meta_tables = [t for t, text in table_texts.items() if _is_metadata(text)]
    form_tables = [t for t, text in table_texts.items() if any(m in text for m in _FORM_TABLE) and not _is_metadata(text)]
    doc.publisher, doc.published_on = _metadata(root, meta_tables)
    title = _title(root)
    if title is not None:
        doc.prose(*title)
    _Walker(doc, set(meta_tables)).walk(_report_root(root, form_tables))
    return doc


def _parse(data: bytes, text: str, utf8: bool) -> lxml.etree._Element | None:
    """The page's tree. libxml2 parses UTF-8 bytes faster than a Python string (which lxml hands
    it as UTF-16 or UCS-4), so the text goes in as UTF-8: the file's own bytes when they are the
    text (`utf8`), else the text encoded."""
    declaration = _XML_DECLARATION.match(text)
    if declaration is None:
        return lxml.etree.fromstring(data if utf8 else text.encode("utf-8"), _PARSER)
    return lxml.etree.fromstring(text[declaration.end() :].encode("utf-8"), _PARSER)


def _decode(data: bytes) -> tuple[str | None, bool]:
    """The page's text, and whether the file's bytes are exactly that text in UTF-8."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(encoding, "replace"), False
    declared = _CHARSET.search(data[:4096])
    if declared:
        name = declared.group(1).decode("ascii", "ignore").lower()
        # Pages that say gb2312 or gbk are written in their superset as often as not.
        name = "gb18030" if name in ("gb2312", "gbk", "gb18030", "x-gbk") else name
        try:
            return data.decode(name), codecs.lookup(name).name == "utf-8"
        except (LookupError, UnicodeDecodeError):
            pass
    decoded = decode(data)
    # Text decoding drops a character cut off at the end of the file: then the bytes are more.
    return decoded.text, decoded.encoding == "utf-8" and data[-1:] < b"\x80"


_tostring = lxml.etree.tostring


def _text(el: lxml.etree._Element) -> str:
    # libxml2 serializes an element's text in C: several times faster than joining itertext()
    return " ".join(lxml.etree.tostring(el, method="text", encoding="unicode", with_tail=False).split())


def _first_text_line(el: lxml.etree._Element) -> int | None:
    """The line of the element's first text in the file: a cell's `<td>` may open lines before
    its text."""
    text = el.text
    if text and not text.isspace():
        return el.sourceline
    # An element's tag is a new string each time it is read: it is looked at only for text found.
    for child in el.iterdescendants():
        text = child.text
        if text and not text.isspace():
            tag = child.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue  # neither its text nor its tail
            return child.sourceline
        text = child.tail
        if text and not text.isspace():
            tag = child.tag
            if tag in _SKIP or not isinstance(tag, str):
                continue
            return child.getparent().sourceline
    return el.sourceline


def _is_metadata(text: str) -> bool:
    """Whether a table's folded text is the page's metadata (索引号, 发布机构 …), not the report's."""
    return "索引号" in text or ("发布机构" in text and not any(m in text for m in _FORM_TABLE))


def _metadata(root: lxml.etree._Element, tables: list[lxml.etree._Element]) -> tuple[str | None, str | None]:
    """发布机构 and 公开日期 from the page's metadata table, or from a `名称：值` line."""
    publisher = published = None
    for key, value in _pairs(root, tables):
        if publisher is not None and published is not None:
            # The first of each counts: the page's lines need not be searched when its table has both.
            break
        key = key.rstrip(":：")
        if publisher is None and key in _META_PUBLISHER and value:
            publisher = value
        if published is None and key in _META_DATE:
            m = _DATE.search(value)
            if m:
                try:
                    published = date(int(m[1]), int(m[2]), int(m[3])).isoformat()
                except ValueError:
                    pass
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").lower()
        if published is None and name in ("pubdate", "publishdate", "firstpublishedtime"):
            m = _DATE.search(meta.get("content") or "")
            if m:
                published = date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    return publisher, published


def _pairs(root: lxml.etree._Element, tables: list[lxml.etree._Element]) -> Iterator[tuple[str, str]]:
    """(name, value) pairs of the metadata tables' rows, then of the page's `名称：值` lines."""
    for table in tables:
        for tr in table.iter("tr"):
            cells = [fold(_text(td)) for td in tr.iterchildren("td", "th")]
            yield from zip(cells[0::2], cells[1::2])
    # `<strong>发布机构：</strong>某局` and crawlers' `标题：…` lines: a short key ending in a colon.
    for el in root.iter("strong", "b", "span", "div", "p", "td", "th", "label", "li", "font"):
        own = el.text
        if own is None or not own.rstrip().endswith((":", "：")):
            continue
        parent = el.getparent()
        if len(own.strip()) <= 8 and parent is not None:
            key, _, value = fold(_text(parent)).replace("：", ":").partition(":")
            yield key, value


def _title(root: lxml.etree._Element) -> tuple[str, int | None] | None:
    """The report's own title: the first heading that names a report and a year, else the
    page's `<title>` without the site's name after it."""
    for el in root.iter("h1", "h2", "h3", "title"):
        text = _text(el)
        if el.tag == "title":
            text = _SITE_SUFFIX.sub("", text) if TITLE_TAIL.search(fold(_SITE_SUFFIX.sub("", text))) else text
        folded = fold(text)
        if TITLE_TAIL.search(folded) and _YEAR.search(folded):
            return text, el.sourceline
    return None


def _report_root(root: lxml.etree._Element, tables: list[lxml.etree._Element]) -> lxml.etree._Element:
    """The smallest element holding every form table, or the body when there are none."""
    body = root.find("body")
    if not tables:
        return body if body is not None else root
    common = list(tables[0].iterancestors())
    for t in tables[1:]:
        ancestors = set(t.iterancestors())
        common = [a for a in common if a in ancestors]
    start = common[0] if common else root
    # The report's prose starts above its first table: climb while the element is one table's
    # frame (a layout cell) rather than the report's text.
    while start.tag in ("td", "tr", "tbody", "table", "th") and start.getparent() is not None:
        start = start.getparent()
    return start


class _Walker:
    """Element tree → blocks in document order: block elements and `<br>` end a prose line,
    tables become rows, the page's metadata tables are left out."""

    def __init__(self, doc: Document, skip_tables: set) -> None:
        self.doc = doc
        self.skip_tables = skip_tables
        self.text: list[str] = []
        self.line: int | None = None

    def walk(self, el: lxml.etree._Element) -> None:
        self._element(el)
        self._flush()

    def _flush(self) -> None:
        if not self.text:
            return  # nothing added since the last flush, so no line either
        text = " ".join("".join(self.text).split())
        if text:
            self.doc.prose(text, self.line)
        self.text, self.line = [], None

    def _add(self, text: str | None, el: lxml.etree._Element) -> None:
        """Text at `el`'s line: its own text, or the tail that follows it."""
        if text:
            if self.line is None and not text.isspace():
                self.line = el.sourceline
            self.text.append(text)

    def _element(self, el: lxml.etree._Element) -> None:
        tag = el.tag  # a new string each time it is read
        if not isinstance(tag, str) or tag in _SKIP:
            return
        if tag == "table":
            self._flush()
            if el not in self.skip_tables:
                self._table(el)
            return
        if tag == "br":
            self._flush()
            return
        block = tag in _BLOCK
        if block:
            self._flush()
        # Most text and tails of a Word page are absent: _add is called only for those present.
        text = el.text
        if text:
            self._add(text, el)
        for child in el:
            self._element(child)
            text = child.tail
            if text:
                self._add(text, child)
        if block:
            self._flush()

    def _table(self, table: lxml.etree._Element) -> None:
        rows = _rows(table)
        if table.find(".//table") is not None and any(td.find(".//table") is not None for tr in rows for td in _cells(tr)):
            # A layout table around the report's own tables: read what is inside its cells.
            for td in (td for tr in rows for td in _cells(tr)):
                self._element(td)
                self._flush()
            return
        for cells in _grid(rows):
            self.doc.row(cells)


def _cells(tr: lxml.etree._Element) -> list[lxml.etree._Element]:
    return list(tr.iterchildren("td", "th"))


def _span(value: str | None) -> int:
    if value is None:
        return 1
    try:
        return max(1, min(int(value.strip()), 1000))
    except ValueError:
        return 1


def _grid(rows: list[lxml.etree._Element]) -> list[list[Cell]]:
    """The table's rows with every grid position: a cell where a `<td>` starts, covered where a
    span lies over the position, absent past the row's last cell when the table is wider."""
    grid: list[list[Cell | None]] = [[] for _ in rows]
    for r, tr in enumerate(rows):
        row = grid[r]
        col = 0
        for td in tr.iterchildren("td", "th"):
            while col < len(row) and row[col] is not None:
                col += 1
            # _text, inline: a page has hundreds of cells.
            text = " ".join(_tostring(td, method="text", encoding="unicode", with_tail=False).split())
            # A cell without text has no first text line to look for.
            origin = new_cell((text, _first_text_line(td) if text else td.sourceline, None, None, None, None))
            colspan, rowspan = td.get("colspan"), td.get("rowspan")
            if colspan is None and rowspan is None:
                # Most cells span nothing; col is the row's end or a free position before it.
                if col == len(row):
                    row.append(origin)
                else:
                    row[col] = origin
                col += 1
                continue
            colspan, rowspan = _span(colspan), min(_span(rowspan), len(rows) - r)
            cover = new_cell(("", origin.line, None, None, None, COVERED)) if colspan > 1 or rowspan > 1 else None
            for dr in range(rowspan):
                target = grid[r + dr]
                target.extend([None] * (col + colspan - len(target)))
                for dc in range(colspan):
                    target[col + dc] = origin if dr == dc == 0 else cover
            col += colspan
    width = max((len(row) for row in grid), default=0)
    out = []
    for row in grid:
        last = next((c for c in reversed(row) if c is not None), None)
        absent = new_cell(("", last.line if last else None, None, None, None, ABSENT))
        out.append([c if c is not None else absent for c in row] + [absent] * (width - len(row)))
    return out


def _rows(table: lxml.etree._Element) -> list[lxml.etree._Element]:
    """The table's own rows, not those of tables nested in its cells."""
    rows = []
    for child in table:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child if c.tag == "tr")
    return rows
