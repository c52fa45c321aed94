"""What every native reader (HTML, PDF, Word) hands the form walker: the report's blocks in reading
order, each a line of prose or a row of table cells, every cell with where it was read.

Text renderings are cut into rows by `pipeline.extract.renderings`; a native file already says
where its cells are (markup, ruling lines, the document's XML), so its reader builds the rows
itself and the walker reads them exactly as it reads a bordered text table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple

from pipeline.extract.model import Cell


class Block(NamedTuple):
    cells: tuple[Cell, ...]
    is_row: bool  # a table row; otherwise a line of prose (one cell)

    @property
    def text(self) -> str:
        return "\t".join([c.text for c in self.cells])


@dataclass
class Document:
    """A report read from its structure. The report's own title, when the reader knows it (an HTML
    page's heading, the first paragraph), is the first block."""

    # Cells are the grid's own, with covered and absent positions marked (tables._read_values).
    CELLS_BY_POSITION: ClassVar[bool] = False

    kind: str  # html, pdf, docx: the `rendering` its reports are recorded with
    blocks: list[Block] = field(default_factory=list)
    # From the page's metadata table (发布机构, 公开日期), never from the report's own text.
    publisher: str | None = None
    published_on: str | None = None
    notes: list[str] = field(default_factory=list)

    def prose(self, text: str, line: int | None = None, page: int | None = None) -> None:
        if text.strip():
            self.blocks.append(Block((Cell(text, line, page),), False))

    def row(self, cells: list[Cell]) -> None:
        if cells:
            self.blocks.append(Block(tuple(cells), True))

    @property
    def lines(self) -> list[str]:
        """One text line per block, for finding the title, the sections and the prose figures."""
        return [b.text for b in self.blocks]

    def rows(self, lines: list[str], start: int, end: int) -> list[list[Cell]]:
        """The blocks lines[start:end] stand for, as the renderings' `rows` gives them: prose lines
        are rows of one cell, which the walker sees but never reads numbers from."""
        return [list(b.cells) for b in self.blocks[start:end]]

    def last_row_cells(self) -> frozenset[Cell]:
        """The cells of the last block when it is a table row: a report ends with prose, so a file
        whose text ends inside a table was cut off there."""
        last = next((b for b in reversed(self.blocks) if b.text.strip()), None)
        return frozenset(last.cells) if last is not None and last.is_row else frozenset()
