"""Byte-identical copies, decided here for the warehouse (mark_copies, over every file's
report row) and for `xxgk extract` (the files it is given) alike: the first file with the same
bytes is the original and every later one a `duplicate` of it, whose facts are kept once, from the
original. A file nothing could be read from (the sha256 of no bytes) is no one's copy.

Files that are not byte-identical but give the same agency, year and facts are the warehouse's to
find (sql/sources/agency_year_duplicates.sql): that needs the agencies resolved, which only the
warehouse does.
"""

from __future__ import annotations

import hashlib
from typing import Generic, TypeVar

import polars as pl

from pipeline.ingest.batch import REPORT_SCHEMA

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()  # what a file that could not be read is hashed to
T = TypeVar("T")


class Originals(Generic[T]):
    """Files in the order that decides which of two copies is the original."""

    def __init__(self) -> None:
        self._first: dict[str, T] = {}

    def original_of(self, file: T, sha256: str) -> T | None:
        """The earlier file this one is a byte-identical copy of; None when it is the first with
        these bytes (it is then the original of later ones) or was not read."""
        if sha256 == EMPTY_SHA256:
            return None
        if sha256 in self._first:
            return self._first[sha256]
        self._first[sha256] = file
        return None


def mark_copies(reports: pl.DataFrame) -> pl.DataFrame:
    """A byte-identical copy of an earlier file (in path order) is `duplicate` of it."""
    originals: Originals[tuple[str, str]] = Originals()
    copies: list[tuple[str, str, str]] = []
    for rid, source_file, sha in reports.sort("source_file").select("report_id", "source_file", "sha256").iter_rows():
        first = originals.original_of((rid, source_file), sha)
        if first is not None:
            copies.append((rid, *first))
    first = pl.DataFrame(copies, schema={"report_id": pl.String, "first_id": pl.String, "first_file": pl.String}, orient="row")
    marked = reports.join(first, on="report_id", how="left").with_columns(is_dup=pl.col("first_id").is_not_null())
    return marked.with_columns(
        status=pl.when("is_dup").then(pl.lit("duplicate")).otherwise("status"),
        duplicate_of=pl.when("is_dup").then("first_id").otherwise("duplicate_of"),
        message=pl.when("is_dup")
        .then(pl.format("byte-identical copy of {}; its facts are loaded once, from that file", "first_file"))
        .otherwise("message"),
    ).select(list(REPORT_SCHEMA))
