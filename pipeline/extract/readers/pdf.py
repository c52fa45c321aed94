"""PDF files → a Document, read from what the page draws: characters with their boxes from pdfium's
text page, and the table grid from the ruling lines and thin rectangles drawn around the cells
(pdfplumber's lattice idea — lines → grid → cells — on pypdfium2's data, which is many times faster).

A cell is a region of the grid closed by lines on every side; the characters whose centres fall in
it are its text. Merged cells are expanded into the grid as a bordered text rendering prints them:
the text in the span's top-left position, '' in the others. Everything outside the tables is prose,
joined into paragraphs; page numbers and running headers or footers are dropped.

Coordinates are PDF points, origin at the page's bottom left, y upwards: a cell's `box` is
`x0,y0,x1,y1` in them.
"""

from __future__ import annotations

import ctypes
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as fpdf
import regex

from pipeline.extract.document import Document
from pipeline.extract.model import ABSENT, COVERED, UNREADABLE, Cell
from pipeline.extract.values import is_value_text
from pipeline.text.normalize import fold

SCANNED = "a scanned PDF without a text layer; xxgk does not read images (OCR it first, e.g. with ocrmypdf --language chi_sim)"
MAX_PAGES = 200
# The work a file may ask for is bounded by counts, never by time, so a file gets the same verdict
# on every machine. A 5-page report draws ~2,500 objects, ~2,600 characters, ~1,000 path segments.
MAX_OBJECTS = 400_000
MAX_CHARS = 1_000_000
MAX_SEGMENTS = 1_000_000
# Ruling lines and grid boxes on one page: finding the grid is quadratic in the lines.
MAX_PAGE_LINES = 3_000
MAX_PAGE_BOXES = 50_000
_FORM_DEPTH = 8  # form XObjects nested deeper than this are not searched for lines

_SNAP = 3.0  # lines this close are one ruling line (Word strokes a border beside each cell's fill)
_JOIN = 3.0  # collinear pieces this close are one line (Word draws each cell's border on its own)
_THIN = 3.0  # a drawing this thin (a stroked segment, a filled bar) is a ruling line
_AXIS = 0.5  # a segment that leans less than this is horizontal or vertical
_MIN_LINE = 3.0
_MARGIN = 0.12  # the page's top and bottom bands where headers, footers and page numbers sit

_PAGE_NUMBER = regex.compile(
    r"^(?:[-—–－―‒~·•]*\d{1,4}[-—–－―‒~·•]*|第\d{1,4}页(?:[,，/]?共\d{1,4}页)?|\d{1,4}/\d{1,4}"
    r"|(?i:page)\d{1,4}(?:(?i:of)\d{1,4})?)$"
)
# A line opening with a heading's or an item's numbering starts a paragraph, wherever it stands.
_NEW_PARAGRAPH = regex.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d)|第[一二三四五六七八九十\d]+[部章条])"
)
_DIGITS = regex.compile(r"\d+")
_INVISIBLE = frozenset("\u200b\ufeff\ufffe\uffff")


class _Refused(Exception):
    """A page cannot be read, or the file asks for more work than the bounds allow; the message
    is the rejection."""


class _Char(NamedTuple):
    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    spaced: bool  # white space came before it in the text
    line: int  # which of pdfium's lines it is on: pdfium breaks lines where the baseline moves


@dataclass
class _Line:
    """A line of prose: its text and its box."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


class _Row(NamedTuple):
    cells: list[Cell]
    columns: tuple[tuple[float, float], ...]  # each position's column lines


@dataclass
class _Budget:
    objects: int = 0
    chars: int = 0
    segments: int = 0

    def spend(self, what: str, n: int) -> None:
        total = getattr(self, what) + n
        setattr(self, what, total)
        bound = {"objects": MAX_OBJECTS, "chars": MAX_CHARS, "segments": MAX_SEGMENTS}[what]
        if total > bound:
            names = {"objects": "page objects", "chars": "characters", "segments": "path segments"}
            raise _Refused(f"a PDF drawing more than {bound:,} {names[what]}; xxgk reads at most that many")


@dataclass
class _Table:
    xs: list[float]  # column lines, left to right
    ys: list[float]  # row lines, top to bottom
    owner: list[list[int]]  # each grid box's cell, -1 outside the table
    anchors: list[tuple[int, int]]  # each cell's top-left box
    boxes: list[str]  # each cell's x0,y0,x1,y1

    def __post_init__(self) -> None:
        self._downwards = [-y for y in self.ys]  # ascending, for bisecting

    def cell_at(self, x: float, y: float) -> int:
        if not (self.xs[0] < x < self.xs[-1] and self.ys[-1] < y < self.ys[0]):
            return -1
        return self.owner[bisect_right(self._downwards, -y) - 1][bisect_right(self.xs, x) - 1]

    def rows(self, texts: list[str], page: int) -> list[tuple[float, _Row]]:
        """Each grid row with its top: a merged cell's text in its top-left position, covered in
        the others it spans; positions outside the table's outline are left out before the row's
        first cell and absent after it (no cell there: never a blank)."""
        rows = []
        for r, top in enumerate(self.ys[:-1]):
            first = next((c for c, cell in enumerate(self.owner[r]) if cell >= 0), None)
            if first is None:
                continue
            cells = []
            for c in range(first, len(self.owner[r])):
                cell = self.owner[r][c]
                if cell < 0:
                    cells.append(Cell("", None, page, None, covered=ABSENT))
                elif self.anchors[cell] == (r, c):
                    cells.append(Cell(texts[cell], None, page, self.boxes[cell]))
                else:
                    cells.append(Cell("", None, page, self.boxes[cell], covered=COVERED))
            columns = tuple((self.xs[c], self.xs[c + 1]) for c in range(first, len(self.owner[r])))
            rows.append((top, _Row(cells, columns)))
        return rows


@dataclass
class _Page:
    number: int
    height: float
    # (top, row) or (top, prose line), in reading order once sorted
    items: list[tuple[float, _Row | _Line]] = field(default_factory=list)
    unreadable: int = 0  # text drawn in a font whose characters cannot be read


def read(data: bytes) -> Document | str:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        return _unopened(error)
    try:
        if not fpdf.FPDF_DocumentHasValidCrossReferenceTable(pdf.raw) and b"%%EOF" not in data[-2048:]:
            return "a damaged PDF: it ends without its end marker (%%EOF) and its cross-reference table is broken, so the file was cut off"
        pages = len(pdf)
        if pages > MAX_PAGES:
            return f"a PDF of {pages} pages; xxgk reads at most {MAX_PAGES}"
        budget = _Budget()
        return _document([_read_page(pdf, i, budget) for i in range(pages)])
    except _Refused as error:
        return str(error)
    finally:
        pdf.close()


def _unopened(error: pdfium.PdfiumError) -> str:
    if error.err_code == fpdf.FPDF_ERR_PASSWORD:
        return "an encrypted PDF: it opens only with a password (decrypt it first, e.g. with qpdf --decrypt --password=… in.pdf out.pdf)"
    if error.err_code == fpdf.FPDF_ERR_SECURITY:
        return "an encrypted PDF whose security handler pdfium does not support"
    return f"a damaged PDF: pdfium cannot open it ({error})"


def _read_page(pdf: pdfium.PdfDocument, index: int, budget: _Budget) -> _Page:
    """One page's rows and prose lines; the page is closed before the next is opened, so memory
    stays that of one page whatever the file's length."""
    handle = fpdf.FPDF_LoadPage(pdf.raw, index)
    if not handle:
        raise _Refused(f"a damaged PDF: pdfium cannot read page {index + 1}")
    try:
        tables = _tables(*_ruling_lines(handle, budget), index + 1)
        chars, unreadable = _chars(handle, budget)
        page = _Page(index + 1, fpdf.FPDF_GetPageHeightF(handle), unreadable=len(unreadable))
    finally:
        fpdf.FPDF_ClosePage(handle)
    in_cells, prose = _placed(chars, tables)
    texts = [[_cell_text(c) for c in cell_chars] for cell_chars in in_cells]
    for x, y in unreadable:
        # A cell whose text cannot be read is no blank cell: its text is the replacement
        # character, which no reading takes for a number.
        for table, cell_texts in zip(tables, texts):
            cell = table.cell_at(x, y)
            if cell >= 0:
                cell_texts[cell] += UNREADABLE
                break
    for table, cell_texts in zip(tables, texts):
        page.items.extend(table.rows(cell_texts, page.number))
    page.items.extend((line.y1, line) for line in _lines(prose))
    page.items.sort(key=lambda item: -item[0])
    return page


def _placed(chars: list[_Char], tables: list[_Table]) -> tuple[list[list[list[_Char]]], list[_Char]]:
    """Each table cell's characters (those whose centre is inside it), and the rest: prose."""
    in_cells: list[list[list[_Char]]] = [[[] for _ in t.boxes] for t in tables]
    prose: list[_Char] = []
    for ch in chars:
        x, y = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
        for t_no, table in enumerate(tables):
            cell = table.cell_at(x, y)
            if cell >= 0:
                in_cells[t_no][cell].append(ch)
                break
        else:
            prose.append(ch)
    return in_cells, prose


# --- ruling lines ----------------------------------------------------------------------------------

_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _ruling_lines(page: ctypes.c_void_p, budget: _Budget) -> tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """Horizontal lines as (y, x0, x1) and vertical ones as (x, y0, y1), in page space."""
    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    count = fpdf.FPDFPage_CountObjects(page)
    budget.spend("objects", count)
    objects = [fpdf.FPDFPage_GetObject(page, i) for i in range(count)]
    _walk(objects, _IDENTITY, 0, horizontal, vertical, budget)
    return horizontal, vertical


def _walk(objects: list, outer: _Matrix, depth: int, horizontal: list, vertical: list, budget: _Budget) -> None:
    for obj in objects:
        kind = fpdf.FPDFPageObj_GetType(obj)
        if kind == fpdf.FPDF_PAGEOBJ_PATH:
            _path_lines(obj, outer, horizontal, vertical, budget)
        elif kind == fpdf.FPDF_PAGEOBJ_FORM and depth < _FORM_DEPTH:
            count = fpdf.FPDFFormObj_CountObjects(obj)
            budget.spend("objects", count)
            inner = [fpdf.FPDFFormObj_GetObject(obj, i) for i in range(count)]
            _walk(inner, _then(_matrix(obj), outer), depth + 1, horizontal, vertical, budget)


def _matrix(obj) -> _Matrix:
    m = fpdf.FS_MATRIX()
    if not fpdf.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _then(first: _Matrix, second: _Matrix) -> _Matrix:
    """The transform that applies `first`, then `second`."""
    a, b, c, d, e, f = first
    A, B, C, D, E, F = second
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_lines(obj, outer: _Matrix, horizontal: list, vertical: list, budget: _Budget) -> None:
    count = fpdf.FPDFPath_CountSegments(obj)
    budget.spend("segments", max(count, 0))
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    fpdf.FPDFPath_GetDrawMode(obj, ctypes.byref(fill), ctypes.byref(stroke))
    if not fill.value and not stroke.value:
        return  # drawn invisibly: a clipping or hit area, no line on the page
    x0, y0, x1, y1 = _bounds(obj, outer)
    if min(x1 - x0, y1 - y0) <= _THIN:
        # Whatever its segments, a thin drawing is a line to the eye: most borders are one short
        # path (a stroked segment or a thin filled rectangle), read here without its segments.
        _thin_line(x0, y0, x1, y1, bool(stroke.value), horizontal, vertical)
        return
    if not stroke.value:
        return  # a larger fill is shading, no border: Word paints some paragraphs' lines white
    a, b, c, d, e, f = _then(_matrix(obj), outer)
    x, y = ctypes.c_float(), ctypes.c_float()
    px, py = ctypes.byref(x), ctypes.byref(y)
    points: list[tuple[float, float]] = []
    closed = False
    for i in range(count):
        segment = fpdf.FPDFPath_GetPathSegment(obj, i)
        fpdf.FPDFPathSegment_GetPoint(segment, px, py)
        point = (a * x.value + c * y.value + e, b * x.value + d * y.value + f)
        if fpdf.FPDFPathSegment_GetType(segment) == fpdf.FPDF_SEGMENT_LINETO:
            points.append(point)
        else:  # a new subpath, or a curve: neither continues a straight line
            _subpath_lines(points, closed, horizontal, vertical)
            points, closed = [point], False
        if fpdf.FPDFPathSegment_GetClose(segment):
            closed = True
    _subpath_lines(points, closed, horizontal, vertical)


def _bounds(obj, outer: _Matrix) -> tuple[float, float, float, float]:
    """The object's bounding box on the page (pdfium gives it in its container's space)."""
    box = [ctypes.c_float() for _ in range(4)]
    fpdf.FPDFPageObj_GetBounds(obj, *(ctypes.byref(v) for v in box))
    left, bottom, right, top = (v.value for v in box)
    if outer is _IDENTITY:
        return left, bottom, right, top
    a, b, c, d, e, f = outer
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (left, right) for y in (bottom, top)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _thin_line(x0: float, y0: float, x1: float, y1: float, stroked: bool, horizontal: list, vertical: list) -> None:
    # pdfium widens a stroke's bounds by its width on every side, past the segment's ends too
    inset = min(x1 - x0, y1 - y0) / 2 if stroked else 0.0
    if x1 - x0 >= y1 - y0:
        horizontal.append(((y0 + y1) / 2, x0 + inset, x1 - inset))
    else:
        vertical.append(((x0 + x1) / 2, y0 + inset, y1 - inset))


def _subpath_lines(points: list[tuple[float, float]], closed: bool, horizontal: list, vertical: list) -> None:
    """The straight pieces of a stroked subpath that run along an axis."""
    if closed and len(points) > 1:
        points = points + [points[0]]
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        if abs(ay - by) <= _AXIS and abs(ax - bx) > _AXIS:
            horizontal.append(((ay + by) / 2, min(ax, bx), max(ax, bx)))
        elif abs(ax - bx) <= _AXIS and abs(ay - by) > _AXIS:
            vertical.append(((ax + bx) / 2, min(ay, by), max(ay, by)))


def _merged(lines: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Lines snapped to shared positions, collinear pieces joined, short ones dropped."""
    lines = sorted(lines)
    snapped: list[tuple[float, float, float]] = []
    start = 0
    for i in range(1, len(lines) + 1):
        if i == len(lines) or lines[i][0] - lines[i - 1][0] > _SNAP:
            cluster = lines[start:i]
            position = round(sum(p for p, _, _ in cluster) / len(cluster), 2)
            snapped.extend((position, a, b) for _, a, b in cluster)
            start = i
    snapped.sort()
    joined: list[tuple[float, float, float]] = []
    for position, a, b in snapped:
        if joined and joined[-1][0] == position and a <= joined[-1][2] + _JOIN:
            joined[-1] = (position, joined[-1][1], max(b, joined[-1][2]))
        else:
            joined.append((position, a, b))
    return [line for line in joined if line[2] - line[1] >= _MIN_LINE]


# --- the grid ---------------------------------------------------------------------------------------


def _tables(horizontal: list, vertical: list, page: int) -> list[_Table]:
    """Tables are the groups of lines that cross one another; each group's cells are its grid's
    boxes joined wherever no line separates them."""
    hs, vs = _merged(horizontal), _merged(vertical)
    if len(hs) + len(vs) > MAX_PAGE_LINES:
        raise _Refused(f"a PDF whose page {page} draws more than {MAX_PAGE_LINES:,} lines; xxgk reads at most that many")
    parent = list(range(len(hs) + len(vs)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_x = sorted(range(len(vs)), key=lambda j: vs[j][0])
    xs = [vs[j][0] for j in by_x]
    for i, (y, x0, x1) in enumerate(hs):
        for k in range(bisect_right(xs, x0 - _SNAP), bisect_right(xs, x1 + _SNAP)):
            j = by_x[k]
            if vs[j][1] - _SNAP <= y <= vs[j][2] + _SNAP:
                parent[root(i)] = root(len(hs) + j)
    groups: dict[int, tuple[list, list]] = {}
    for i, line in enumerate(hs):
        groups.setdefault(root(i), ([], []))[0].append(line)
    for j, line in enumerate(vs):
        groups.setdefault(root(len(hs) + j), ([], []))[1].append(line)
    tables = [_grid(_closed(h, v), v, page) for h, v in groups.values() if len(h) >= 1 and len(v) >= 2]
    return [t for t in tables if t is not None and len(t.boxes) >= 2]


def _closed(hs: list, vs: list) -> list:
    """A table split over pages is drawn open where the page breaks it: its column lines run on
    past its last row line. Where they end together, that is the table's edge."""
    bottom = min(y0 for _, y0, _ in vs)
    top = max(y1 for _, _, y1 in vs)
    at_bottom = [x for x, y0, _ in vs if y0 <= bottom + _SNAP]
    at_top = [x for x, _, y1 in vs if y1 >= top - _SNAP]
    edges = [(_row_line(hs, bottom), min(at_bottom), max(at_bottom))] if len(at_bottom) >= 2 else []
    edges += [(_row_line(hs, top), min(at_top), max(at_top))] if len(at_top) >= 2 else []
    return _merged(hs + edges) if edges else hs


def _row_line(hs: list, y: float) -> float:
    """Where the table's edge is: on the row line drawn there in part, if any (column lines
    overshoot it by their stroke's width)."""
    return next((line_y for line_y, _, _ in hs if abs(line_y - y) <= _SNAP), y)


def _grid(hs: list, vs: list, page: int) -> _Table | None:
    xs = sorted({x for x, _, _ in vs})
    ys = sorted({y for y, _, _ in hs}, reverse=True)
    rows, cols = len(ys) - 1, len(xs) - 1
    if rows * cols > MAX_PAGE_BOXES:
        raise _Refused(f"a PDF whose page {page} draws a grid of more than {MAX_PAGE_BOXES:,} boxes; xxgk reads at most that many")
    v_at: dict[float, list[tuple[float, float]]] = {}
    for x, y0, y1 in vs:
        v_at.setdefault(x, []).append((y0, y1))
    h_at: dict[float, list[tuple[float, float]]] = {}
    for y, x0, x1 in hs:
        h_at.setdefault(y, []).append((x0, x1))

    def covered(spans: list[tuple[float, float]], lo: float, hi: float) -> bool:
        return any(a <= lo + _SNAP and b >= hi - _SNAP for a, b in spans)

    # wall_v[r][c]: a line at xs[c] closes row r; wall_h[r][c]: a line at ys[r] closes column c
    wall_v = [[covered(v_at[x], ys[r + 1], ys[r]) for x in xs] for r in range(rows)]
    wall_h = [[covered(h_at[y], xs[c], xs[c + 1]) for c in range(cols)] for y in ys]
    outside = rows * cols
    parent = list(range(outside + 1))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[root(i)] = root(j)

    for r in range(rows):
        for c in range(cols):
            k = r * cols + c
            if not wall_v[r][c + 1]:
                join(k, k + 1 if c + 1 < cols else outside)
            if not wall_h[r + 1][c]:
                join(k, k + cols if r + 1 < rows else outside)
            if (c == 0 and not wall_v[r][0]) or (r == 0 and not wall_h[0][c]):
                join(k, outside)
    cell_of: dict[int, int] = {}
    owner = [[-1] * cols for _ in range(rows)]
    anchors: list[tuple[int, int]] = []
    spans: list[list[int]] = []
    for r in range(rows):
        for c in range(cols):
            group = root(r * cols + c)
            if group == root(outside):
                continue
            if group not in cell_of:
                cell_of[group] = len(anchors)
                anchors.append((r, c))
                spans.append([r, c, r, c])
            cell = cell_of[group]
            owner[r][c] = cell
            span = spans[cell]
            span[1], span[2], span[3] = min(span[1], c), max(span[2], r), max(span[3], c)
    if not anchors:
        return None
    boxes = [f"{xs[c0]:.1f},{ys[r1 + 1]:.1f},{xs[c1 + 1]:.1f},{ys[r0]:.1f}" for r0, c0, r1, c1 in spans]
    return _Table(xs, ys, owner, anchors, boxes)


# --- characters and lines ---------------------------------------------------------------------------


def _chars(page: ctypes.c_void_p, budget: _Budget) -> tuple[list[_Char], list[tuple[float, float]]]:
    """The page's visible characters with their glyphs' boxes (pdfium's loose boxes, the font's
    full height, are wrong for characters placed one by one, as in a vertical merged cell), and
    where text is drawn whose characters cannot be read (a damaged font: pdfium gives its text
    objects no text). White space is not kept as characters: a character after one starts a new
    word."""
    text_page = fpdf.FPDFText_LoadPage(page)
    if not text_page:
        return [], []
    try:
        unreadable = _unreadable_text(page, text_page)
        count = fpdf.FPDFText_CountChars(text_page)
        budget.spend("chars", max(count, 0))
        text = _page_text(text_page, count)
        boxes = [ctypes.c_double() for _ in range(4)]
        refs = [ctypes.byref(v) for v in boxes]
        left, right, bottom, top = boxes
        box_of = fpdf.FPDFText_GetCharBox
        chars = []
        spaced = False
        line = 0
        for i, ch in enumerate(text):
            if ch.isspace() or ch in _INVISIBLE or ch < " ":
                spaced = True
                line += ch == "\n"
                continue
            if box_of(text_page, i, *refs):
                chars.append(_Char(left.value, bottom.value, right.value, top.value, ch, spaced, line))
            spaced = False
        return chars, unreadable
    finally:
        fpdf.FPDFText_ClosePage(text_page)


def _unreadable_text(page: ctypes.c_void_p, text_page: ctypes.c_void_p) -> list[tuple[float, float]]:
    """Where the page's text objects stand that give no text: their glyphs are drawn, but which
    characters they are cannot be read."""
    out = []
    for i in range(fpdf.FPDFPage_CountObjects(page)):
        obj = fpdf.FPDFPage_GetObject(page, i)
        # the length counts the closing NUL: 2 bytes is no text
        if fpdf.FPDFPageObj_GetType(obj) == fpdf.FPDF_PAGEOBJ_TEXT and fpdf.FPDFTextObj_GetText(obj, text_page, None, 0) <= 2:
            x0, y0, x1, y1 = _bounds(obj, _IDENTITY)
            out.append(((x0 + x1) / 2, (y0 + y1) / 2))
    return out


def _page_text(text_page: ctypes.c_void_p, count: int) -> str:
    """One character per pdfium character index."""
    buffer = (ctypes.c_ushort * (count + 1))()
    fpdf.FPDFText_GetText(text_page, 0, count, buffer)
    text = bytes(buffer)[: 2 * count].decode("utf-16-le", "replace")
    if len(text) == count:
        return text
    # characters beyond the BMP take two UTF-16 units: fetch them one by one
    return "".join(chr(fpdf.FPDFText_GetUnicode(text_page, i)) for i in range(count))


def _lines(chars: list[_Char]) -> list[_Line]:
    """Characters → lines, top to bottom, each left to right. pdfium's own lines are kept whole:
    glyphs of one line differ in height (、 “ 一 .), so their boxes alone do not say which line a
    small one is on. pdfium's lines at the same height (a line drawn in pieces) are one."""
    by_line: dict[int, list[_Char]] = {}
    for ch in chars:
        by_line.setdefault(ch.line, []).append(ch)
    spans = sorted(((min(c.y0 for c in g), max(c.y1 for c in g), g) for g in by_line.values()), key=lambda span: -(span[0] + span[1]))
    rows: list[list[_Char]] = []
    low = high = 0.0
    for y0, y1, group in spans:
        if rows and min(high, y1) - max(low, y0) >= 0.5 * min(high - low, y1 - y0):
            rows[-1].extend(group)
            low, high = min(low, y0), max(high, y1)
        else:
            rows.append(list(group))
            low, high = y0, y1
    return [_line(sorted(row, key=lambda ch: ch.x0)) for row in rows]


def _line(chars: list[_Char]) -> _Line:
    parts = [chars[0].text]
    previous = chars[0]
    for ch in chars[1:]:
        if ch.text == previous.text and ch.x0 - previous.x0 < 0.3 * (previous.x1 - previous.x0):
            continue  # drawn twice over itself (a bold made by overprinting)
        if ch.spaced:
            parts.append(" ")
        parts.append(ch.text)
        previous = ch
    return _Line("".join(parts), chars[0].x0, min(c.y0 for c in chars), max(c.x1 for c in chars), max(c.y1 for c in chars))


def _cell_text(chars: list[_Char]) -> str:
    return _joined([line.text for line in _lines(chars)]) if chars else ""


def _joined(texts: list[str]) -> str:
    """Wrapped lines as one text: Chinese runs on without a space, other words get one."""
    out = texts[0]
    for text in texts[1:]:
        out += ("" if _is_cjk(out[-1]) or _is_cjk(text[0]) else " ") + text
    return out


def _is_cjk(ch: str) -> bool:
    return ord(ch) >= 0x2E80


# --- the document -----------------------------------------------------------------------------------


def _document(pages: list[_Page]) -> Document | str:
    running = _running_lines(pages)
    doc = Document("pdf")
    paragraph: list[_Line] = []
    paragraph_page = 0
    # the last prose line kept, its page, and that page's right margin: a paragraph may run on
    # over a page break
    before: tuple[_Line, int, float] | None = None
    last_row: _Row | None = None  # the last block, when it is a row

    def flush() -> None:
        if paragraph:
            doc.prose(_joined([line.text for line in paragraph]), page=paragraph_page)
            paragraph.clear()

    for page in pages:
        kept = [item for _, item in page.items if not (isinstance(item, _Line) and _is_furniture(item, page, running))]
        lines = [item for item in kept if isinstance(item, _Line)]
        left = min((line.x0 for line in lines), default=0.0)
        right = max((line.x1 for line in lines), default=0.0)
        for position, item in enumerate(kept):
            if isinstance(item, _Row):
                flush()
                if position == 0 and last_row is not None and _runs_on(last_row, item):
                    doc.blocks.pop()
                    item = _rejoined(last_row, item)
                doc.row(item.cells)
                last_row, before = item, None
                continue
            last_row = None
            if before is None or not _continues(*before, item, page.number, left):
                flush()
                paragraph_page = page.number
            paragraph.append(item)
            before = (item, page.number, right)
    flush()
    if not any(block.text.strip() for block in doc.blocks):
        return SCANNED
    lost = [str(page.number) for page in pages if page.unreadable]
    if lost:
        doc.notes.append(
            f"page {', '.join(lost)}: text drawn in a font whose characters cannot be read (a damaged font); cells holding it are unread"
        )
    return doc


def _rejoined(row: _Row, rest: _Row) -> _Row:
    """A row broken over pages as one: each cell's text with its rest, where it was first printed."""
    return _Row([c._replace(text=_joined([c.text, d.text])) if d.text else c for c, d in zip(row.cells, rest.cells)], row.columns)


def _runs_on(row: _Row, first: _Row) -> bool:
    """Whether a page's first row is the rest of the row the previous page ended with (Word and
    LibreOffice break a row of wrapped labels over pages): the same columns, and text only where
    that row has words, none of it a number or the numbering of a new item."""
    if len(row.columns) != len(first.columns) or any(
        abs(a - c) > _SNAP or abs(b - d) > _SNAP for (a, b), (c, d) in zip(row.columns, first.columns)
    ):
        return False
    texts = [(c.text, d.text) for c, d in zip(row.cells, first.cells) if d.text]
    return bool(texts) and all(
        above and not is_value_text(above) and not is_value_text(rest) and not _NEW_PARAGRAPH.match(fold(rest)) for above, rest in texts
    )


def _continues(previous: _Line, previous_page: int, right: float, line: _Line, page: int, left: float) -> bool:
    """Whether a line goes on with the paragraph before it: the previous line ran to the right
    margin (it was wrapped), this one is not indented and opens no numbered item, and on one
    page no blank space parts them."""
    height = previous.height
    if previous.x1 < right - 1.5 * height or line.x0 > left + height:
        return False
    if _NEW_PARAGRAPH.match(fold(line.text)):
        return False
    return page != previous_page or previous.y0 - line.y1 <= height


def _in_margin(line: _Line, page: _Page) -> bool:
    band = _MARGIN * page.height
    return line.y0 >= page.height - band or line.y1 <= band


def _is_furniture(line: _Line, page: _Page, running: set[tuple[int, float]]) -> bool:
    return _in_margin(line, page) and (bool(_PAGE_NUMBER.match(fold(line.text))) or (page.number, line.y1) in running)


def _running_lines(pages: list[_Page]) -> set[tuple[int, float]]:
    """Margin lines printed at the same height on several pages with the same text (page numbers
    aside): a running header or footer, as (page, top)."""
    seen: dict[str, list[tuple[int, float]]] = {}
    for page in pages:
        for _, item in page.items:
            if isinstance(item, _Line) and _in_margin(item, page):
                seen.setdefault(_DIGITS.sub("#", fold(item.text)), []).append((page.number, item.y1))
    running = set()
    for places in seen.values():
        for number, top in places:
            if any(other != number and abs(other_top - top) <= _SNAP for other, other_top in places):
                running.add((number, top))
    return running
