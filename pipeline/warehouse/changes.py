"""Which reports a build must replace: the rows of the extracted reports frame that differ from
the frame the published warehouse was loaded from."""

from __future__ import annotations

import polars as pl

# The published input keeps each report's agency_id as the published warehouse resolved it: an
# agency known only from report titles is gone from the new agency_aliases once its last report
# is removed or retitled, so the old rows' agency could not be looked up again.
PUBLISHED_AGENCY = "agency_id"


def published_input(reports: pl.DataFrame, agency_ids: pl.DataFrame) -> pl.DataFrame:
    """The reports frame a build was loaded from, with the agency_id it gave each file."""
    return reports.join(agency_ids.select("source_file", PUBLISHED_AGENCY), on="source_file", how="left")


def changed_reports(new: pl.DataFrame, old: pl.DataFrame | None) -> pl.DataFrame:
    """Every report row that is not in both frames exactly: new and changed reports (their new
    rows), changed and removed ones (their old rows, `published`, with the agency_id the
    published warehouse gave them). A status or message that changed counts (a duplicate whose
    original was removed becomes ok). With no old frame, every new row."""
    columns = new.columns
    fresh = pl.lit(None, dtype=pl.String).alias(PUBLISHED_AGENCY)
    if old is None:
        return new.with_columns(fresh, published=pl.lit(False))
    return pl.concat(
        [
            new.join(old.select(columns), on=columns, how="anti", nulls_equal=True).with_columns(fresh, published=pl.lit(False)),
            old.join(new, on=columns, how="anti", nulls_equal=True).select(*columns, PUBLISHED_AGENCY).with_columns(published=pl.lit(True)),
        ]
    )
