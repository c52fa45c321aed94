"""Text without cell borders: `lynx -dump` and `pdftotext -layout` (columns aligned by spaces) and
`pdftotext -raw` (reading order, one space between words). A blank cell leaves only a gap, so a
line is cut into words, each kept with its column, and the form walker in
`pipeline.extract.stream` decides which cell each number is."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from pipeline.extract.values import is_value_text
from pipeline.text.normalize import label_key

_WORD = regex.compile(r"[^\s\u00a0\u3000]+")
# Two spaces between words on a value line mean the columns were laid out by position.
_MIN_VALUE_LINES = 5  # a complete form has about thirty lines of numbers
_ALIGNED = regex.compile(r"\S {2,}\S")


@dataclass(frozen=True)
class Word:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class TextLine:
    number: int  # 1-based in the raw file
    page: int  # pdftotext starts each page with a form feed and lays each page out afresh
    label: str  # the line's words that are not numbers, folded, numbering dropped
    values: tuple[Word, ...]
    labels: tuple[Word, ...] = ()
    ends_text: bool = False  # the file's last line with text: it may have been cut off
    paged: bool = False  # the file has form feeds: pdftotext, which places each page's columns afresh


def recognizes(lines: list[str]) -> bool:
    return sum(1 for line in lines if sum(1 for w in _WORD.findall(line) if is_value_text(w)) >= 3) >= _MIN_VALUE_LINES


def text_lines(lines: list[str], start: int, end: int) -> list[TextLine]:
    out = []
    page = 0
    last_text = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    paged = any("\f" in line for line in lines)
    for i in range(start, end):
        page += lines[i].count("\f")
        words = [Word(m.group(), m.start(), m.end()) for m in _WORD.finditer(lines[i])]
        values = tuple(w for w in words if is_value_text(w.text))
        label = label_key("".join(w.text for w in words if not is_value_text(w.text)))
        out.append(TextLine(i + 1, page, label, values, tuple(w for w in words if not is_value_text(w.text)), i == last_text, paged))
    return out


def is_aligned(lines: list[str], start: int, end: int) -> bool:
    """Whether positions on a line mean columns (layout, lynx) or only reading order (raw)."""
    value_lines = [t for t in text_lines(lines, start, end) if len(t.values) >= 2]
    aligned = sum(1 for t in value_lines if _ALIGNED.search(lines[t.number - 1].strip()))
    return aligned * 2 > len(value_lines)
