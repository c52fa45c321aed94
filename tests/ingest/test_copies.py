"""Byte-identical copies, decided in one place for the warehouse and `xxgk extract`."""

import hashlib

import polars as pl

from pipeline.ingest.batch import REPORT_SCHEMA
from pipeline.ingest.copies import EMPTY_SHA256, Originals, mark_copies


def test_the_first_file_with_the_bytes_is_the_original():
    originals: Originals[str] = Originals()
    assert originals.original_of("b.txt", "s1") is None
    assert originals.original_of("a.txt", "s1") == "b.txt"  # the order given decides
    assert originals.original_of("b.txt", "s1") == "b.txt"  # given twice, a copy of itself
    assert originals.original_of("c.txt", "s2") is None
    assert originals.original_of("x.txt", EMPTY_SHA256) is None and originals.original_of("y.txt", EMPTY_SHA256) is None
    assert EMPTY_SHA256 == hashlib.sha256(b"").hexdigest()


def _row(source_file: str, sha: str, status: str = "ok", message: str | None = None) -> dict:
    return {k: None for k in REPORT_SCHEMA} | {
        "report_id": f"id-{source_file}",
        "source_file": source_file,
        "sha256": sha,
        "status": status,
        "message": message,
    }


def test_mark_copies_in_path_order_whatever_the_frame_order():
    reports = pl.DataFrame(
        [
            _row("c.txt", "s1"),
            _row("a.txt", "s1", status="incomplete", message="a cell unread"),
            _row("b.txt", "s2"),
            _row("d.txt", EMPTY_SHA256, status="rejected", message="unreadable"),
            _row("e.txt", EMPTY_SHA256, status="rejected", message="unreadable"),
        ],
        schema=REPORT_SCHEMA,
    )
    marked = mark_copies(reports).sort("source_file")
    assert marked.columns == list(REPORT_SCHEMA)
    assert marked.select("source_file", "status", "duplicate_of").rows() == [
        ("a.txt", "incomplete", None),
        ("b.txt", "ok", None),
        ("c.txt", "duplicate", "id-a.txt"),
        ("d.txt", "rejected", None),
        ("e.txt", "rejected", None),
    ]
    assert marked["message"].to_list()[2] == "byte-identical copy of a.txt; its facts are loaded once, from that file"
    assert marked["message"].to_list()[0] == "a cell unread"
