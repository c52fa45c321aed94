"""The form walker for text without cell borders (lynx, pdftotext -layout, pdftotext -raw).

Labels come first: each form row, in the form's order, is anchored on the fewest consecutive lines
whose label text matches it (a long label may wrap onto lines above and below its numbers). The
numbers on the lines from one anchor to the next are that row's. When a row has fewer numbers than
columns, blank cells left gaps. In aligned text every placement of the numbers into the columns is
a candidate reading, kept if the numbers sit at the columns' positions and, when positions do not
decide, if it satisfies the form's arithmetic; one remaining reading is read, several leave the row
unread, because a guess would be a wrong fact. Reading order (pdftotext -raw) keeps no positions, so
there a row with gaps is left unread."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations

from pipeline.extract.model import Fact
from pipeline.extract.renderings.spaced import TextLine, Word
from pipeline.extract.tables import TableReading, flag_repeated, flag_value_rows
from pipeline.extract.values import parse_value
from pipeline.form.arithmetic import adds_up
from pipeline.form.codebook import FormRow
from pipeline.text.normalize import fold, label_key

_APPEAL_HEADS = frozenset({"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"})
_MAX_WRAP = 5  # lines a wrapped label may span
_MAX_CANDIDATES = 20000
_SAME_COLUMN = 2  # characters by which starts of one column's numbers may differ


@dataclass(frozen=True)
class _Anchor:
    row: FormRow
    first: int  # index into the table's lines
    last: int


def _anchor(lines: list[TextLine], row: FormRow, start: int) -> _Anchor | None:
    """The window of lines from `start` on that completes the row's label earliest, tightest."""
    assert row.pattern is not None
    for last in range(start, len(lines)):
        for first in range(last, max(start, last - _MAX_WRAP + 1) - 1, -1):
            text = "".join(t.label for t in lines[first : last + 1])
            if not lines[first].label or not lines[last].label and first != last:
                continue
            if row.pattern.search(text):
                return _Anchor(row, _head(lines, row, first, last, start), last)
    return None


def _head(lines: list[TextLine], row: FormRow, first: int, last: int, start: int) -> int:
    """The line where the row's label begins. The pattern may match only the label's tail
    (`禁止公开` below its numbers); when the window does not open the label, lines above whose words
    are pieces of the official label are its head, up to the piece that opens it, as long as the window
    keeps to one line of numbers."""
    label = fold(row.label)
    opening = [p for w in lines[first].labels if (p := label_key(w.text))]
    if any(label.startswith(p) for p in opening):
        return first
    numbers_seen = any(t.values for t in lines[first : last + 1])
    for i in range(first - 1, start - 1, -1):
        pieces = [p for w in lines[i].labels if len(p := label_key(w.text)) >= 2]
        if any(p in label for p in pieces):
            first = i
            if any(label.startswith(p) for p in pieces):
                break
        elif not lines[i].values:
            break
        if lines[i].values:
            if numbers_seen:
                break
            numbers_seen = True
    return first


def read_rows(lines: list[TextLine], form_rows: tuple[FormRow, ...], aligned: bool) -> TableReading:
    reading = TableReading()
    anchors: list[_Anchor] = []
    start = 0
    for row in form_rows:
        found = _anchor(lines, row, start)
        if found is None:
            continue
        # The first row must come first: column headers such as 总计 or 其他 precede it.
        if not anchors and row is not form_rows[0]:
            break
        anchors.append(found)
        start = found.last + 1
    for k, anchor in enumerate(anchors):
        end = anchors[k + 1].first if k + 1 < len(anchors) else len(lines)
        if _repeated(lines, anchor.last + 1, end, tuple(a.row for a in anchors[: k + 1]), reading):
            continue
        value_lines = [t for t in lines[anchor.first : end] if t.values]
        _read_row(anchor, lines, value_lines, aligned, reading, end)
    return reading


def _repeated(lines: list[TextLine], start: int, end: int, read: tuple[FormRow, ...], reading: TableReading) -> bool:
    """Whether a row already read stands again, with numbers, between this row's label and the
    next row's: its numbers would otherwise pass for this row's (tables.flag_repeated)."""
    for i in range(start, end):
        if not lines[i].label:
            continue
        numbers = lines[i].values or any(t.values for t in _until_label(lines, i + 1, end))
        if numbers and flag_repeated(read, lines[i].label, lines[i].label, f"line {lines[i].number}", reading):
            return True
    return False


def _until_label(lines: list[TextLine], start: int, end: int) -> list[TextLine]:
    out = []
    for t in lines[start:end]:
        if t.label:
            break
        out.append(t)
    return out


def read_value_row(lines: list[TextLine], form_row: FormRow, aligned: bool) -> TableReading:
    """Section 四: header lines of labels ending in 总计 and 尚未审结, then one line of fifteen
    numbers without a label."""
    reading = TableReading()
    header_end = max((k for k, t in enumerate(lines) if "总计" in t.label or "审结" in t.label), default=-1)
    rows = [t for t in lines[header_end + 1 :] if t.values and not t.label]
    if flag_value_rows(form_row, [f"line {t.number}" for t in rows], reading):
        pass
    elif rows:
        # pdftotext (paged text) gives each text block a column after every block wholly left of it
        # on the page, while the wrapped labels keep the offsets of header blocks that begin further
        # left: a number may stand right of a later column's label (column 8's right of column 10's
        # 维持), and a page break leaves it no header at all. There the header places nothing, and
        # a row with gaps is read only when every placement the form's arithmetic allows reads alike.
        columns = _header_columns(lines, len(form_row.cells)) if aligned and not rows[0].paged else None
        _place(form_row, rows[0], aligned, reading, columns)
    else:
        reading.problems.append(f"{form_row.table_code}: the row of {len(form_row.cells)} numbers was not found")
    return reading


def _read_row(anchor: _Anchor, lines: list[TextLine], value_lines: list[TextLine], aligned: bool, reading: TableReading, end: int) -> None:
    row = anchor.row
    if len(value_lines) > 1:
        reading.problems.append(
            f"{row.table_code} row {row.label}: numbers on {len(value_lines)} lines "
            f"({', '.join(str(t.number) for t in value_lines)}), so the row is ambiguous"
        )
        return
    if not value_lines:
        label_line = lines[anchor.first].number
        # A row of blank cells and a row whose line of numbers was lost look alike wherever numbers
        # may stand on a line of their own: in reading order (pdftotext -raw) always, in aligned text
        # when the label has more lines. Only a lone label line in aligned text proves the blanks.
        alone = aligned and anchor.first == anchor.last and not any(t.label for t in lines[anchor.last + 1 : end])
        doubt = None if alone else "no numbers for this row: blank cells, or a line lost"
        for table_code, row_code, cls in row.facts_keys:
            reading.facts.append(Fact(table_code, row_code, cls, Decimal(0), label_line, "", doubt))
        return
    line = value_lines[0]
    width = len(row.facts_keys)
    _place(row, line, aligned, reading, _columns(lines, line, width) if aligned and len(line.values) < width else None)


def _place(row: FormRow, line: TextLine, aligned: bool, reading: TableReading, columns: list[tuple[int, int]] | None) -> None:
    keys = row.facts_keys
    words = list(line.values)
    values = [parse_value(w.text) for w in words]
    if len(words) > len(keys) or any(v is None for v in values):
        reading.problems.append(
            f"{row.table_code} row {row.label}: {len(words)} numbers at line {line.number} where the form has {len(keys)} cells"
        )
        return
    doubt, why = None, ""
    if len(words) == len(keys):
        placement: tuple[int, ...] | None = tuple(range(len(keys)))
    elif not aligned:
        placement = None  # reading order keeps no trace of where the blank cells were
    else:
        placement, doubt, why = _choose(row, words, values, columns)
        if line.ends_text:
            doubt = "the text ends on this line, which has fewer numbers than cells: it may be cut off"
    if placement is None:
        reading.problems.append(
            f"{row.table_code} row {row.label}: {len(words)} numbers for {len(keys)} cells "
            f"at line {line.number}, and their columns cannot be known{why}"
        )
        return
    placed = dict(zip(placement, zip(words, values)))
    for column, (table_code, row_code, cls) in enumerate(keys):
        word, value = placed.get(column, (None, Decimal(0)))
        reading.facts.append(Fact(table_code, row_code, cls, value, line.number, word.text if word else "", doubt))


def _columns(lines: list[TextLine], line: TextLine, width: int) -> list[tuple[int, int]] | None:
    """Where each column's numbers start on this page of the table, as (leftmost, rightmost) start.

    When the page's numbers start at exactly `width` distinct positions, those are the columns
    (lynx). pdftotext lays out each page afresh, strays the first column's numbers with their label
    and shifts a column by a character or two between lines, so columns come from the page itself:
    its looser groups count when a complete line confirms them; otherwise the nearest complete line
    of the page shows the columns. Without one, the numbers known to be in the columns after the
    first (`_later_starts`) are grouped, and when they fall into exactly that many groups, those are
    the columns; the first column is what lies left of them (`_fits`). Otherwise positions say nothing.
    """
    page = [t for t in lines if t.page == line.page and len(t.values) >= 2]
    if not line.paged:
        exact = _groups(page, 0)
        if len(exact) == width:
            return exact  # lynx places every column's numbers at one position
    full = [t for t in page if len(t.values) == width]
    if full:
        loose = _groups(page, _SAME_COLUMN)
        if len(loose) == width and all(a <= w.start <= b for t in full for w, (a, b) in zip(t.values, loose)):
            return loose
        nearest = min(full, key=lambda t: abs(t.number - line.number))
        return [(w.start, w.start) for w in nearest.values]
    later = _merge(sorted(_later_starts(page)), _SAME_COLUMN)
    if not line.paged or len(later) != width - 1:
        return None
    return [(later[0][0] - 2, later[0][0] - 2), *later]


def _later_starts(page: list[TextLine]) -> set[int]:
    """Starts of the page's numbers known to be in a column after the first: those standing second or
    later on a line, and a line's first number right of one of them. pdftotext gives each text
    block a column right of every block wholly left of it, and a first-column number ends before
    any later column begins, so no first-column number stands right of a later column's."""
    starts = {w.start for t in page for w in t.values[1:]}
    if starts:
        starts |= {t.values[0].start for t in page if t.values[0].start > min(starts)}
    return starts


def _header_columns(lines: list[TextLine], width: int) -> list[tuple[int, int]] | None:
    """Section 四 has one line of numbers, so its columns come from the header: the fifteen
    result labels (结果维持 … 总计, three times), when each stands whole on its line (lynx)."""
    heads = sorted(w.start for t in lines for w in t.labels if w.text in _APPEAL_HEADS)
    return [(x, x) for x in heads] if len(heads) == width else None


def _groups(page: list[TextLine], tolerance: int) -> list[tuple[int, int]]:
    return _merge(sorted({w.start for t in page for w in t.values}), tolerance)


def _merge(starts: list[int], tolerance: int) -> list[tuple[int, int]]:
    groups: list[list[int]] = []
    for x in starts:
        if groups and x - groups[-1][-1] <= tolerance:
            groups[-1].append(x)
        else:
            groups.append([x])
    return [(g[0], g[-1]) for g in groups]


def _choose(
    row: FormRow, words: list[Word], values: list[Decimal | None], columns: list[tuple[int, int]] | None
) -> tuple[tuple[int, ...] | None, str | None, str]:
    """The placement of the numbers into the row's columns; a doubt when only the form's arithmetic
    placed non-zero numbers (a cut or damaged line can add up by chance); and, when nothing is
    placed, why, to end the problem's message."""
    width = len(row.facts_keys)
    candidates = list(combinations(range(width), len(words)))
    if len(candidates) > _MAX_CANDIDATES:
        return None, None, ""
    by_position: list[tuple[int, ...]] = []
    if columns is not None:
        by_position = [c for c in candidates if all(_fits(columns, k, w.start) for w, k in zip(words, c))]
        if len(by_position) == 1:
            return by_position[0], None, ""
        if by_position:
            candidates = by_position
    readings = readings_adding_up(row, values, candidates)
    if not readings:
        return None, None, ": no placement adds up"
    if len(readings) > 1:
        return None, None, f": {len(readings)} placements that read differently add up"
    (placement,) = readings.values()
    # pdftotext gives section 四's lone row no positions at all (read_value_row), so no other
    # evidence will ever place it; choosing between readings by the form's own arithmetic is the
    # project's rule for such gaps, and three groups each adding up to their 总计 are seldom met by
    # a wrong placement. Elsewhere the page's other lines give positions, and a row they cannot
    # place may be damaged.
    if by_position or not any(values) or (columns is None and row.table_code == "appeals"):
        return placement, None, ""
    return placement, "columns chosen by the form's arithmetic alone: positions did not place them", ""


def readings_adding_up(
    row: FormRow, values: list[Decimal | None], placements: list[tuple[int, ...]] | None = None
) -> dict[tuple[Decimal, ...], tuple[int, ...]]:
    """The readings of a row with blank cells that satisfy the form's arithmetic (pipeline/form/
    arithmetic.py), each with a placement giving it: the numbers keep their order, the cells left
    over are blank (0). Placements that differ only in which zeros were written read alike, so they
    count once."""
    width = len(row.facts_keys)
    out: dict[tuple[Decimal, ...], tuple[int, ...]] = {}
    for placement in placements if placements is not None else combinations(range(width), len(values)):
        vector = _vector(placement, values, width)
        if adds_up(row, vector):
            out.setdefault(vector, placement)
    return out


def _fits(columns: list[tuple[int, int]], k: int, start: int) -> bool:
    """Whether a number starting at `start` sits in column k. pdftotext places a number that shares a
    text fragment with the label beside it by the label's letters, so the first column's numbers
    stray to the left (and right, up to the second column); a number left of the second column
    can only be the first column's, since columns keep their order on a line."""
    if k == 0 and len(columns) > 1:
        return start < columns[1][0] - 1
    return columns[k][0] - 1 <= start <= columns[k][1] + 1


def _vector(placement: tuple[int, ...], values: list[Decimal | None], width: int) -> tuple[Decimal, ...]:
    out = [Decimal(0)] * width
    for k, v in zip(placement, values):
        assert v is not None
        out[k] = v
    return tuple(out)
