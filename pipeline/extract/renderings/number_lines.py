"""Text with every number on a line of its own (`pdftotext -raw` of some PDFs, copy-paste out of a
PDF viewer): a label line, then its cells one per line, blank lines between. A blank cell leaves
no line, so a row's numbers are read only when there are exactly as many as the form's row has.

Each label line is a row of one cell and each run of number lines a row of its own: the walker
places a run of numbers under the label right above it (`tables.read_labelled_table`), and takes
a run of fifteen for section 四.
"""

from __future__ import annotations

import regex

from pipeline.extract.model import Cell
from pipeline.extract.values import is_value_text

# Whether a cell's place is its column extent (it is not: a line per cell); see tables._read_values.
CELLS_BY_POSITION = False
_MIN_LONE_NUMBERS = 60  # a complete form has 200 cells
_LONE = regex.compile(r"^\s*\S+\s*$")


def _is_lone_number(line: str) -> bool:
    return bool(_LONE.match(line)) and is_value_text(line.strip()) and line.strip() != ""


def recognizes(lines: list[str]) -> bool:
    return sum(1 for line in lines if _is_lone_number(line)) >= _MIN_LONE_NUMBERS


def rows(lines: list[str], start: int, end: int) -> list[list[Cell]]:
    out: list[list[Cell]] = []
    run: list[Cell] = []
    for i in range(start, end):
        line = lines[i]
        if not line.strip():
            continue
        if _is_lone_number(line):
            run.append(Cell(line.strip(), i + 1))
            continue
        if run:
            out.append(run)
            run = []
        out.append([Cell(line.strip(), i + 1)])
    if run:
        out.append(run)
    return out
