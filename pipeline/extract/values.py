"""A cell's text → its value, following docs/form.md's rules for numbers, units and zero placeholders."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import regex

from pipeline.text.normalize import squeeze

# Agencies write zero as 0, a dash, a slash, 无, or leave the cell blank.
_ZERO = regex.compile(r"^(?:|[-—–―─－]+|/|／|无)$")
_NUMBER = regex.compile(
    r"^(?P<sign>[-+])?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?(?P<unit>万元|元|件|个|项|条|次)?$"
)


def is_value_text(text: str) -> bool:
    return _classify(text) is not None


def parse_value(text: str) -> Decimal | None:
    """The number a cell states, or None if its text is not a number or a zero placeholder."""
    return _classify(text)


# Every cell is classified (label or value) and then parsed, and the same few thousand texts
# (`0`, `1`, the form's labels) recur in every report: each distinct text is read once per
# process. Decimal is immutable, so sharing one value between cells is safe.
@lru_cache(maxsize=1 << 16)
def _classify(text: str) -> Decimal | None:
    folded = squeeze(text)
    if _ZERO.match(folded):
        return Decimal(0)
    m = _NUMBER.match(folded)
    if not m:
        return None
    digits = m["int"].replace(",", "") + (m["frac"] or "")
    value = Decimal(digits)
    return -value if m["sign"] == "-" else value


def format_value(value: Decimal) -> str:
    """A plain decimal without trailing zeros: 2331, 28983.0794."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
