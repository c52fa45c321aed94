"""What extraction produces: cells located in the text, facts, and a verdict per report."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple


# Cell and Fact are named tuples rather than frozen dataclasses: a report makes hundreds of each,
# and a frozen dataclass's __init__ costs several times a tuple's. Both stay immutable, hashable
# and read by attribute name.
class Cell(NamedTuple):
    """One table cell as the rendering delimits it. `line` is 1-based in the raw file."""

    text: str
    line: int


class Fact(NamedTuple):
    table_code: str
    row_code: str
    applicant_class: str | None
    value: Decimal | None  # None: the warehouse cannot hold the number exactly (values.not_held)
    source_line: int
    raw_text: str
    doubt: str | None = None


@dataclass
class Extraction:
    """The verdict on one file. status: ok, incomplete or rejected (duplicate is decided later,
    across files)."""

    status: str
    agency: str | None = None
    year: int | None = None
    form_version: str | None = None
    rendering: str | None = None
    facts: list[Fact] = field(default_factory=list)
    # figures stated in the prose (pipeline.extract.narrative.NarrativeFigure); not facts
    narrative: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def message(self) -> str | None:
        parts = self.problems + self.notes
        return "; ".join(parts) if parts else None
