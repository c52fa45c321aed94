"""pandoc's plain-text simple tables: a rule of dash runs gives each column's extent, so every cell,
blank or not, is read at a known column. Widths count East Asian characters as two columns, as
pandoc lays them out."""

from __future__ import annotations

import unicodedata

import regex

from pipeline.extract.model import Cell

_DASH_RULE = regex.compile(r"^\s*-{3,}(?:\s+-{3,})+\s*$")
# Whether a cell's place is its column extent (every column is cut at the dash rule's extent, blank or not); see tables._read_values.
CELLS_BY_POSITION = True


def recognizes(lines: list[str]) -> bool:
    return sum(1 for line in lines if _DASH_RULE.match(line)) >= 2


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _slice_by_width(line: str, starts: list[int]) -> list[str]:
    """Each character goes to the last column starting at or before it."""
    texts = [""] * len(starts)
    x = 0
    for ch in line:
        k = max((k for k, a in enumerate(starts) if a <= x), default=0)
        texts[k] += ch
        x += _width(ch)
    return [t.strip() for t in texts]


def rows(lines: list[str], start: int, end: int) -> list[list[Cell]]:
    out: list[list[Cell]] = []
    starts: list[int] | None = None
    for i in range(start, end):
        line = lines[i]
        if _DASH_RULE.match(line):
            found = [m.start() for m in regex.finditer(r"-+", line)]
            starts = None if starts == found else found
            continue
        if not line.strip():
            continue
        if starts is None:
            out.append([Cell(line.strip(), i + 1)])
        else:
            out.append([Cell(t, i + 1) for t in _slice_by_width(line, starts)])
    return out
