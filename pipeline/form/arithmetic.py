"""The form's own arithmetic on one printed row (docs/form.md rules 2 and 4): what the cells of a
reading of the row must satisfy. The extractor chooses between readings of a row with blank cells
by it (pipeline/extract/stream.py), and the synthetic corpus predicts from it, on its own, which
rows the extractor can know (pipeline/synth/corpus.py)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pipeline.form.codebook import FormRow


def adds_up(row: FormRow, cells: Sequence[Decimal]) -> bool:
    """Rule 2 (a request row's applicant classes sum to its 总计) and rule 4 (each of the appeals
    row's three groups sums to its 总计); section 二 has no rule, so only all zeros pass there."""
    if row.has_applicants:
        return sum(cells[:-1]) == cells[-1]
    if row.table_code == "appeals":
        return all(sum(cells[g : g + 4]) == cells[g + 4] for g in range(0, 15, 5))
    return not any(cells)
