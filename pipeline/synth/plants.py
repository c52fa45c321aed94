"""Named errors planted into a report's values, and the form checks that find them.

Each plant breaks exactly one of the form's rules while keeping the others true, so the
ground truth can list precisely what a checker should report.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from pipeline.synth.values import CLASSES, Key, result_codes

PLANT_KINDS = ("row_total", "result_total", "balance", "carryover", "narrative")


@dataclass(frozen=True)
class Violation:
    check_name: str
    table_code: str
    row_code: str
    applicant_class: str
    expected: Decimal
    actual: Decimal


def plant(rng: random.Random, kind: str, form_version: str, values: dict[Key, Decimal]) -> Decimal:
    """Alter `values` in place; returns the amount (narrative: what to add to the stated figure)."""
    k = Decimal(rng.randint(1, 9))
    cls = rng.choice(CLASSES)

    def bump(code: str, delta: Decimal, classes: tuple[str, ...] = (cls, "total")) -> None:
        for c in classes:
            values[("requests", code, c)] += delta

    if kind == "row_total":
        # +k and −k on two result rows' 总计 keep every column's sums intact.
        donors = [c for c in result_codes(form_version) if values[("requests", c, "total")] >= k]
        if not donors:
            # Raising one result's 总计 with the column's own totals keeps every column's sums.
            for code in ("result.granted", "result.total", "new_received"):
                bump(code, k, ("total",))
            return k
        donor = rng.choice(donors)
        taker = rng.choice([c for c in result_codes(form_version) if c != donor])
        bump(donor, -k, ("total",))
        bump(taker, k, ("total",))
    elif kind == "result_total":
        bump("result.total", k)
        bump("new_received", k)
    elif kind == "balance":
        bump("carried_forward", k)
    elif kind == "carryover":
        # The extra carried-over requests are granted, so this year's own sums still hold.
        bump("carried_over", k)
        bump("result.granted", k)
        bump("result.total", k)
    return k


def violations(
    form_version: str, values: dict[Key, Decimal], stated_new: Decimal, previous_forward: dict[str, Decimal] | None
) -> list[Violation]:
    v = lambda code, cls: values[("requests", code, cls)]  # noqa: E731
    found: list[Violation] = []
    results = result_codes(form_version)
    for code in ["new_received", "carried_over", *results, "result.total", "carried_forward"]:
        total = sum((v(code, c) for c in CLASSES), Decimal(0))
        if total != v(code, "total"):
            found.append(Violation("row_total", "requests", code, "total", total, v(code, "total")))
    for cls in (*CLASSES, "total"):
        summed = sum((v(code, cls) for code in results), Decimal(0))
        if summed != v("result.total", cls):
            found.append(Violation("result_total", "requests", "result.total", cls, summed, v("result.total", cls)))
        # Rule 1 is checked on the 办理结果总计 cell: expected = new + carried over − carried forward.
        handled = v("new_received", cls) + v("carried_over", cls) - v("carried_forward", cls)
        if handled != v("result.total", cls):
            found.append(Violation("balance", "requests", "result.total", cls, handled, v("result.total", cls)))
        if previous_forward is not None and previous_forward[cls] != v("carried_over", cls):
            found.append(Violation("carryover", "requests", "carried_over", cls, previous_forward[cls], v("carried_over", cls)))
    if stated_new != v("new_received", "total"):
        # Expected is what the prose states, actual what the table cell says.
        found.append(Violation("narrative", "requests", "new_received", "total", stated_new, v("new_received", "total")))
    return found
