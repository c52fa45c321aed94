"""The form's cells: codes, labels and which form versions have them (codebook.csv), the rows
that anchor them (rows.csv), and the rows real reports print in place of the form's (variants.csv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources

import regex

FORM_VERSIONS = ("2019", "2021")

# Section 三's columns, in the order the form prints them.
APPLICANT_CLASSES = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)

TABLE_CODES = ("proactive", "requests", "appeals")

# Only these cells may hold decimals; every other cell is a count (docs/form.md rule 5).
AMOUNT_ROWS = frozenset({"fees.amount_10k_yuan", "procurement.amount"})
# The 2019 form's 本年增/减 cells are the only signed ones.
SIGNED_SUFFIX = ".change"


@dataclass(frozen=True)
class FormRow:
    """One printed row of a table: the label that anchors it and the cells it holds, in column order."""

    table_code: str
    label: str
    pattern: regex.Pattern | None
    cells: tuple[str, ...]
    # A variant row (variants.csv) printed in place of these rows of the form: the 2021 form's
    # three （六）其他处理 sub-rows as the one row the 2019 form has.
    stands_for: tuple[str, ...] = ()

    @property
    def has_applicants(self) -> bool:
        return self.table_code == "requests"

    # Asked for every row of every report: made once per row of the form.
    @cached_property
    def facts_keys(self) -> tuple[tuple[str, str, str | None], ...]:
        """The (table, row, applicant class) of each of the row's cells, in column order."""
        if self.has_applicants:
            return tuple((self.table_code, self.cells[0], cls) for cls in APPLICANT_CLASSES)
        return tuple((self.table_code, code, None) for code in self.cells)


def _read_csv(name: str) -> list[dict[str, str]]:
    with resources.files(__package__).joinpath(name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def codebook() -> list[dict[str, str]]:
    return _read_csv("codebook.csv")


@cache
def form_rows(form_version: str) -> tuple[FormRow, ...]:
    rows = []
    for rec in _read_csv("rows.csv"):
        if form_version not in rec["form"].split(";"):
            continue
        rows.append(
            FormRow(
                table_code=rec["table_code"],
                label=rec["label"],
                pattern=regex.compile(rec["pattern"]) if rec["pattern"] else None,
                cells=tuple(rec["cells"].split(";")),
            )
        )
    return tuple(rows)


@cache
def rows_of(form_version: str, table_code: str) -> tuple[FormRow, ...]:
    return tuple(r for r in form_rows(form_version) if r.table_code == table_code)


@cache
def variants_of(form_version: str, table_code: str) -> tuple[FormRow, ...]:
    """Rows real reports print in place of some of the form's (variants.csv)."""
    return tuple(
        FormRow(
            rec["table_code"],
            rec["label"],
            regex.compile(rec["pattern"]),
            tuple(rec["cells"].split(";")),
            tuple(rec["stands_for"].split(";")),
        )
        for rec in _read_csv("variants.csv")
        if form_version in rec["form"].split(";") and rec["table_code"] == table_code
    )


@cache
def expected_keys(form_version: str) -> tuple[tuple[str, str, str | None], ...]:
    """Every cell a complete report of this form has, in form order."""
    return tuple(k for row in form_rows(form_version) for k in row.facts_keys)
