"""What extraction produces: cells located in the text, facts, and a verdict per report."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import NamedTuple


# Cell and Fact are named tuples rather than frozen dataclasses: a report makes hundreds of each,
# and a frozen dataclass's __init__ costs several times a tuple's. Both stay immutable, hashable
# and read by attribute name.
class Cell(NamedTuple):
    """One table cell (or one line of prose) as its reader delimits it, with where it was read:
    `line` is 1-based in the raw file (text and HTML; None for PDF and Word files), `page` the
    1-based PDF page, `box` the PDF cell's `x0,y0,x1,y1` in points, `place` a Word file's
    `table T row R cell C`.

    Readers of a table grid (HTML, Word, PDF) give every grid position of a row: `covered` is
    COVERED where another cell's span (colspan, rowspan, a box over several columns) lies over the
    position, and ABSENT where the row has no cell at all (it is shorter than its table), so the
    walker never takes such a position for a blank cell."""

    text: str
    line: int | None
    page: int | None = None
    box: str | None = None
    place: str | None = None
    covered: str | None = None

    def where(self) -> str:
        """Where a user finds the cell, for messages."""
        if self.line is not None:
            return f"line {self.line}"
        if self.place is not None:
            return self.place
        return f"page {self.page}" if self.page is not None else "an unknown place"


# A Cell or a Fact from all its fields in order, without the named tuple's Python-level __new__:
# a report makes hundreds of each.
new_cell = partial(tuple.__new__, Cell)
assert Cell._fields == ("text", "line", "page", "box", "place", "covered")


COVERED = "covered"
ABSENT = "absent"
# The text of a cell its reader saw drawn but could not read (a PDF's damaged font): no number, no
# blank, and no label either, so the walker names it unreadable where a number should stand.
UNREADABLE = "\ufffd"


class Fact(NamedTuple):
    table_code: str
    row_code: str
    applicant_class: str | None
    value: Decimal | None  # None: the warehouse cannot hold the number exactly (values.not_held)
    source_line: int | None
    raw_text: str
    doubt: str | None = None
    source_page: int | None = None
    source_box: str | None = None
    source_cell: str | None = None

    def where(self) -> str:
        """Where a user finds the cell, for messages (as Cell.where)."""
        return Cell("", self.source_line, self.source_page, self.source_box, self.source_cell).where()


new_fact = partial(tuple.__new__, Fact)
assert Fact._fields[4:] == ("source_line", "raw_text", "doubt", "source_page", "source_box", "source_cell")


@dataclass
class Extraction:
    """The verdict on one file. status: ok, incomplete or rejected (duplicate is decided later,
    across files)."""

    status: str
    agency: str | None = None
    year: int | None = None
    form_version: str | None = None
    rendering: str | None = None
    published_on: str | None = None  # ISO date from the page's own metadata, never the report year
    # the divisions the report's text names where it says who it is (header.division_hint)
    division_hint: str | None = None
    facts: list[Fact] = field(default_factory=list)
    # figures stated in the prose (pipeline.extract.narrative.NarrativeFigure); not facts
    narrative: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str | None:
        parts = self.problems + self.notes
        return "; ".join(parts) if parts else None
