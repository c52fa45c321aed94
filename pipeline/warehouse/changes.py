"""Which reports a build must replace: the rows of the extracted reports frame that differ from
the frame the published warehouse was loaded from."""

from __future__ import annotations

import polars as pl


def changed_reports(new: pl.DataFrame, old: pl.DataFrame | None) -> pl.DataFrame:
    """Every report row that is not in both frames exactly: new and changed reports (their new
    rows), changed and removed ones (their old rows). A status or message that changed counts
    (a duplicate whose original was removed becomes ok). With no old frame, every new row."""
    if old is None:
        return new
    columns = new.columns
    old = old.select(columns)
    return pl.concat(
        [
            new.join(old, on=columns, how="anti", nulls_equal=True),
            old.join(new, on=columns, how="anti", nulls_equal=True),
        ]
    )
