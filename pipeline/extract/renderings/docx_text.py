"""Text exported from Word: every table cell starts a line with a tab, a cell's text may run on
over untabbed lines (`商业` / `企业`), and a blank line ends each table row."""

from __future__ import annotations

from itertools import repeat

from pipeline.extract.model import Cell, new_cell

_MIN_TAB_LINES = 40  # a complete form has over 200 cells
# Whether a cell's place is its column extent (cells are cut at tabs); see tables._read_values.
CELLS_BY_POSITION = False


def recognizes(lines: list[str]) -> bool:
    return sum(map(str.startswith, lines, repeat("\t"))) >= _MIN_TAB_LINES


def rows(lines: list[str], start: int, end: int) -> list[list[Cell]]:
    """Table rows within lines[start:end]; lines without any tab cell (headings, prose) are
    rows of one cell, so a walker sees them but never reads numbers from them."""
    out: list[list[Cell]] = []
    row: list[Cell] = []
    in_table_row = False
    for i in range(start, end):
        line = lines[i]
        if line.startswith("\t"):
            if not in_table_row and row:
                out.append(row)
                row = []
            in_table_row = True
            row.append(new_cell((line[1:], i + 1, None, None, None, None)))
        elif not line.strip():
            if row:
                out.append(row)
            row, in_table_row = [], False
        elif in_table_row:
            last = row[-1]
            # A continuation keeps the cell's first line as its source: that is where it starts.
            row[-1] = new_cell((last.text + "\n" + line, last.line, None, None, None, None))
        else:
            if row:
                out.append(row)
            out.append([new_cell((line, i + 1, None, None, None, None))])
            row = []
    if row:
        out.append(row)
    return out
