"""Word .docx files → a Document, read from the body of word/document.xml in order.

Paragraphs are prose (a line break starts another block); every table row is a row of cells laid
on the table's grid: a cell spanning N grid columns (w:gridSpan) gives its text to the first
position and '' to the others, and a cell continuing a vertical merge (w:vMerge) is '' below the
merge's first cell, so every position is certain and a blank cell is a blank at a known place.
A table nested in a cell is text of that cell; a table of one column whose cells hold tables is
the page's frame around the form (Word-exported reports often have one), so its content is read
as the body. `place` is `table T row R cell C`: T counts the tables whose rows are read, in order,
R the table's rows and C the grid column where the cell starts, all from 1.
"""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO

from lxml import etree

from pipeline.extract.document import Document
from pipeline.extract.model import ABSENT, COVERED, Cell

# A report's document.xml is a few hundred kilobytes as Word writes it (the file's size is mostly
# its images, elsewhere in the zip); 16 MiB is a document of hundreds of pages, or a zip bomb. Parsed
# whole, 16 MiB of it takes about 250 MB of memory and 3 s.
MAX_XML_BYTES = 16 * 1024 * 1024
# No table of the form is 20 columns wide; a row spanning more than this is damaged, and expanding
# its spans would only cost memory.
MAX_GRID_COLUMNS = 1000
_PART = "word/document.xml"
_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)  # Transitional and Strict
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class _Damaged(Exception):
    pass


def read(data: bytes) -> Document | str:
    xml = _document_xml(data)
    if isinstance(xml, str):
        return xml
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as e:
        return f"a damaged Word file: its {_PART} is not well-formed XML ({e})"
    if root.getroottree().docinfo.doctype:
        # Word never writes one; its entities (left unexpanded, against entity bombs) would drop text.
        return f"a damaged Word file: its {_PART} declares a DTD, which Word never writes"
    namespace = etree.QName(root).namespace
    if namespace not in _NAMESPACES:
        return f"a zip holding a {_PART} that is not a Word document (its root is {etree.QName(root).localname!r})"
    body = root.find(f"{{{namespace}}}body")
    if body is None:
        return f"a damaged Word file: its {_PART} has no body"
    doc = Document(kind="docx")
    try:
        _Walker(namespace, doc, root).blocks(body)
    except _Damaged as e:
        return f"a damaged Word file: {e}"
    return doc


def _document_xml(data: bytes) -> bytes | str:
    """The part's bytes, never more than MAX_XML_BYTES of them whatever the zip claims."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as z:
            try:
                info = z.getinfo(_PART)
            except KeyError:
                return f"a zip file without {_PART}: not a Word document"
            if info.file_size > MAX_XML_BYTES:
                return _too_large(info.file_size)
            with z.open(info) as part:
                xml = part.read(MAX_XML_BYTES + 1)
    # RuntimeError: a password-protected entry; NotImplementedError: a compression zipfile lacks.
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError) as e:
        return f"a damaged Word file: its {_PART} cannot be unpacked ({e})"
    return _too_large(len(xml)) if len(xml) > MAX_XML_BYTES else xml


def _too_large(size: int) -> str:
    return (
        f"a Word file whose {_PART} unpacks to more than {MAX_XML_BYTES:,} bytes "
        f"({size:,} claimed or read): a zip bomb or not a report, not read"
    )


class _Walker:
    def __init__(self, namespace: str, doc: Document, root: etree._Element):
        w = f"{{{namespace}}}"
        self.w, self.doc, self.tables = w, doc, 0
        self.p, self.tbl, self.tr, self.tc, self.r = w + "p", w + "tbl", w + "tr", w + "tc", w + "r"
        self.t, self.tab, self.breaks = w + "t", w + "tab", {w + "br", w + "cr"}
        # Not printed: a drawing's second copy for old readers, and text a tracked change moved away.
        for el in list(root.iter(_MC_FALLBACK, w + "moveFrom")):
            el.getparent().remove(el)
        self._unwrap(root)

    def _unwrap(self, root: etree._Element) -> None:
        """Content controls (w:sdt) and custom XML hold paragraphs, tables, rows or cells: their
        content takes their place, so every table is paragraphs, rows and cells directly."""
        w = self.w
        for el in list(root.iter(w + "sdt", w + "customXml")):
            if el.tag == w + "sdt":
                content = el.find(w + "sdtContent")
                kids = [] if content is None else list(content)
            else:
                kids = [child for child in el if child.tag != w + "customXmlPr"]
            parent = el.getparent()
            at = parent.index(el)
            parent[at : at + 1] = kids

    def blocks(self, parent: etree._Element) -> None:
        for el in parent.iterchildren(self.p, self.tbl):
            if el.tag == self.p:
                for line in self._lines(el):
                    self.doc.prose(line)
            elif el.tag == self.tbl:
                if self._is_frame(el):
                    for tc in self._cells_of(el):
                        self.blocks(tc)
                else:
                    self._table(el)

    def _rows(self, tbl: etree._Element) -> list[etree._Element]:
        return list(tbl.iterchildren(self.tr))

    def _row_cells(self, tr: etree._Element) -> list[etree._Element]:
        return list(tr.iterchildren(self.tc))

    def _cells_of(self, tbl: etree._Element) -> Iterator[etree._Element]:
        for tr in self._rows(tbl):
            yield from self._row_cells(tr)

    def _is_frame(self, tbl: etree._Element) -> bool:
        rows = [self._row_cells(tr) for tr in self._rows(tbl)]
        return bool(rows) and all(len(cells) == 1 for cells in rows) and any(cells[0].find(self.tbl) is not None for cells in rows)

    def _table(self, tbl: etree._Element) -> None:
        self.tables += 1
        rows: list[tuple[list[Cell], int]] = []  # a row's cells and the grid column it ends at
        for row_no, tr in enumerate(self._rows(tbl), 1):
            column = max(0, self._number(self._properties(tr, "trPr"), "gridBefore", 0))
            cells: list[Cell] = []
            for tc in self._row_cells(tr):
                props = self._properties(tc, "tcPr")
                span = max(1, self._number(props, "gridSpan", 1))
                if column + span > MAX_GRID_COLUMNS:
                    raise _Damaged(f"table {self.tables} row {row_no} is more than {MAX_GRID_COLUMNS} columns wide")
                place = f"table {self.tables} row {row_no} cell {column + 1}"
                # A bare w:vMerge continues the merge above; only val="restart" starts one.
                continues = self.w + "vMerge" in props and props[self.w + "vMerge"] != "restart"
                if continues:
                    cells.append(Cell("", None, place=place, covered=COVERED))
                else:
                    cells.append(Cell(self._cell_text(tc), None, place=place))
                cells.extend(Cell("", None, place=place, covered=COVERED) for _ in range(span - 1))
                column += span
            rows.append((cells, column))
        # A row that ends before its table's last grid column (w:gridAfter, a lost cell) ends in
        # absent positions: which of its columns is missing cannot be known.
        width = max((end for _, end in rows), default=0)
        for cells, end in rows:
            place = cells[-1].place if cells else None
            self.doc.row(cells + [Cell("", None, place=place, covered=ABSENT)] * (width - end))

    def _properties(self, el: etree._Element, name: str) -> dict[str, str | None]:
        """A row's or cell's properties (w:trPr, w:tcPr) as tag → w:val; the element comes first."""
        tag = self.w + name
        props = next((child for child in el if child.tag == tag), None)
        return {} if props is None else {child.tag: child.get(self.w + "val") for child in props}

    def _number(self, props: dict[str, str | None], name: str, default: int) -> int:
        value = props.get(self.w + name)
        try:
            return int(value) if value is not None else default
        except ValueError:
            raise _Damaged(f"a table's {name} is {value!r}, not a number") from None

    def _cell_text(self, tc: etree._Element) -> str:
        """The cell's paragraphs and nested tables, one line each: `20` and `30` in two paragraphs
        of one cell stay two numbers, never 2030."""
        lines: list[str] = []
        for el in tc.iterchildren(self.p, self.tbl):
            if el.tag == self.p:
                lines.extend(self._lines(el))
            elif el.tag == self.tbl:
                lines.extend(self._cell_text(inner) for inner in self._cells_of(el))
        return "\n".join(line for line in lines if line)

    def _lines(self, p: etree._Element) -> list[str]:
        """A paragraph's text as Word prints it: its runs joined, a tab as a space, a line break
        ending a line; field codes and deleted text are not printed."""
        lines, pieces = [], []
        for el in p.iter(self.t, self.tab, *self.breaks):
            if el.tag == self.t:
                pieces.append(el.text or "")
            elif el.getparent().tag != self.r:
                continue  # a tab stop of the paragraph's properties, not a tab in its text
            elif el.tag == self.tab:
                pieces.append(" ")
            else:
                lines.append("".join(pieces))
                pieces = []
        lines.append("".join(pieces))
        return lines
