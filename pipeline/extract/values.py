"""A cell's text → its value, following docs/form.md's rules for numbers, units and zero placeholders."""

from __future__ import annotations

from decimal import Context, Decimal
from functools import lru_cache

import regex

from pipeline.text.normalize import squeeze

# Agencies write zero as 0, a dash, a slash, 无, or leave the cell blank.
_ZERO = regex.compile(r"^(?:|[-—–―─－]+|/|／|无)$")
# A cell may add a note to its number in brackets (`12（其中修订5件）`, `40（含自然失效9件）`): the
# number is the cell's, the whole text stays in raw_text.
_NUMBER = regex.compile(
    r"^(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?: ?(?P<unit>万元|元|件|个|项|条|次))?"
    r"(?: ?\([^()]*\))?$"
)


def is_value_text(text: str) -> bool:
    return parse_value(text) is not None


# Every cell is classified (label or value) and then parsed, and the same few thousand texts
# (`0`, `1`, the form's labels) recur in every report: each distinct text is read once per
# process. Decimal is immutable, so sharing one value between cells is safe.
@lru_cache(maxsize=1 << 16)
def parse_value(text: str) -> Decimal | None:
    """The number a cell states, or None if its text is not a number or a zero placeholder."""
    folded = squeeze(text)
    if _ZERO.match(folded):
        return Decimal(0)
    m = _NUMBER.match(folded)
    if not m:
        return None
    digits = m["int"].replace(",", "") + (m["frac"] or "")
    value = Decimal(digits)
    return -value if m["sign"] == "-" else value


# The warehouse stores every number as DECIMAL(38, 6): 32 digits before the point, 6 after.
_HELD_BELOW = Decimal(10) ** 32
_MICRO = Decimal("0.000001")
_WIDE = Context(prec=40)  # quantizing a number below 10**32 to 6 decimals needs 38 digits


# Every fact of every report is asked; the same few values recur, as in parse_value.
@lru_cache(maxsize=1 << 16)
def not_held(value: Decimal) -> str | None:
    """Why DECIMAL(38, 6) cannot hold value exactly, or None when it can. Such a number is never
    rounded into the warehouse: its fact is loaded without a value, its text kept."""
    if -_HELD_BELOW < value < _HELD_BELOW:
        if value.quantize(_MICRO, context=_WIDE) == value:
            return None
        decimals = len(format(value, "f").partition(".")[2].rstrip("0"))
        what = f"{decimals} decimals; the warehouse holds at most 6"
    else:
        what = f"{value.adjusted() + 1} digits before the decimal point; the warehouse holds at most 32"
    return f"{what} exactly (DECIMAL(38, 6)), so the value is left empty and the text is in raw_text"


def format_value(value: Decimal) -> str:
    """A plain decimal without trailing zeros: 2331, 28983.0794. Every digit is kept: Decimal's
    normalize() would round to its context's 28 digits."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
