"""Each rendering of the form (Word export, HTML dumps, PDF text) → table rows of cells.

A rendering only decides how the text is cut into rows and cells; which row is which, and
which column a number belongs to, is decided by the form walker in `pipeline.extract.tables`.
"""

from __future__ import annotations

from pipeline.extract.renderings import bordered, dashed, docx_text, number_lines, spaced

# Most specific first: text without borders is what is left when no other layout is recognised.
RENDERINGS = {"docx-text": docx_text, "bordered": bordered, "dashed": dashed, "number-lines": number_lines, "spaced": spaced}


def detect(lines: list[str]) -> str | None:
    for name, module in RENDERINGS.items():
        if module.recognizes(lines):
            return name
    return None
