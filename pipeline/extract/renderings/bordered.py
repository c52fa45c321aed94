"""Tables drawn with borders: `w3m -dump` box drawing, pandoc grid tables (`+---+`, `|`),
html2text pipe tables and Markdown (GFM) tables. A border marks every cell, so a blank cell is an
empty cell at a known column: its position is certain.

Borders mark the cells that are there, not the ones that are missing: a Markdown table (its rule
line `| --- | --- |` opens and closes with a bar) gives every row the rule's number of columns,
so a row with fewer cells, whose lost cell could have stood anywhere, ends in absent positions.

A row may span several text lines (w3m and pandoc grids wrap long cells; a pipe or Markdown table
never does); its cells are the text between the same borders on each line, joined. Text on a
border line belongs to a vertically merged group label (`三、本年度办理结果`), which anchors no row,
so it is left out.
"""

from __future__ import annotations

import regex

from pipeline.extract.model import ABSENT, Cell
from pipeline.extract.values import is_value_text

_BOX_BAR = regex.compile(r"[│┃|]")
_RULE = regex.compile(r"[─━═┼├┤┬┴┌┐└┘]|^\s*\+[-=+:]+\+?\s*$|^\s*[-:]+(?:\|[-:]+)+\s*$|^\s*-{3,}\s*$")
_GRID_RULE = regex.compile(r"^\s*\+[-=:+]+\+\s*$")
_MARKDOWN_RULE = regex.compile(r"^\s*\|(?:\s*:?-+:?\s*\|)+\s*$")
_MIN_LINES = 20
# Whether a cell's place is its column extent (cells are cut at borders); see tables._read_values.
CELLS_BY_POSITION = False


def recognizes(lines: list[str]) -> bool:
    return sum(1 for line in lines if len(_BOX_BAR.findall(line)) >= 2) >= _MIN_LINES


def _has_outer_border(lines: list[str]) -> bool:
    """Box and grid tables close every line with a border; pipe tables (html2text) do not, and
    there an empty first or last part is a blank cell."""
    return any("│" in line or _GRID_RULE.match(line) or _MARKDOWN_RULE.match(line) for line in lines)


def _cells(line: str, outer: bool) -> list[str]:
    parts = _BOX_BAR.split(line.strip())
    if outer:
        parts = parts[1:-1]
    return [p.strip() for p in parts]


def _join(pieces: list[str]) -> str:
    """A wrapped label joins without spaces; numbers on two lines of one cell are not one number
    (a repeated line, say), so they stay apart and the cell reads as no number."""
    if sum(1 for p in pieces if is_value_text(p)) > 1:
        return " ".join(pieces)
    return "".join(pieces)


def rows(lines: list[str], start: int, end: int) -> list[list[Cell]]:
    outer = _has_outer_border(lines[start:end])
    out: list[list[Cell]] = []
    group: list[tuple[int, list[str]]] = []
    columns = 0  # the Markdown table's width, from its rule line

    def flush() -> None:
        if not group:
            return
        widths = {len(cells) for _, cells in group}
        runs = [group] if len(widths) == 1 else [[g] for g in group]
        for run in runs:
            first = run[0][0]
            joined = [_join([cells[i] for _, cells in run if cells[i]]) for i in range(len(run[0][1]))]
            row = [Cell(text, first + 1) for text in joined]
            out.append(row + [Cell("", first + 1, covered=ABSENT)] * (columns - len(row)))
        group.clear()

    for i in range(start, end):
        line = lines[i]
        if _MARKDOWN_RULE.match(line):
            columns = line.count("|") - 1
        if _RULE.search(line) or not line.strip():
            flush()
        elif len(_BOX_BAR.findall(line)) >= 1:
            group.append((i, _cells(line, outer)))
            if not outer or columns:  # pipe tables never wrap a row over lines
                flush()
        else:
            # A stray line between a Markdown table's rows (a lone digit, a page number) leaves the
            # table as it was: its rows still stand one a line under the same rule.
            flush()
            out.append([Cell(line.strip(), i + 1)])
    flush()
    return out
