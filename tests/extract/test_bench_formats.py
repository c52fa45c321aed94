"""benchmarks/formats.py: a format's rate is held against its target only when every report got its
right status, and PDF pages are counted per file."""

from __future__ import annotations

import sys
from pathlib import Path

from renderings_corpus import NATIVE

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import formats  # noqa: E402


def _results(**formats_: dict) -> dict:
    machine = {"nproc": 2, "cpu": "cpu", "loadavg_start": 0.0, "loadavg_end": 0.0}
    return {"machine": machine, "n": 100, "formats": formats_}


def _row(out: str, name: str) -> list[str]:
    return next(line.split() for line in out.splitlines() if line.startswith(name + " "))


def test_a_rate_meets_its_target_only_when_every_status_is_right(capsys):
    fast_but_wrong = {"reports": 100, "cpu": 0.1, "right_status": 0, "pdf_pages": 500, "peak_rss": 2**20}
    right = {"reports": 100, "cpu": 0.4, "right_status": 100, "pdf_pages": 0, "peak_rss": 2**20}
    slow = {"reports": 100, "cpu": 2.0, "right_status": 100, "pdf_pages": 0, "peak_rss": 2**20}
    formats._summary(_results(pdf=fast_but_wrong, html=right, **{"html-word": slow}))
    out = capsys.readouterr().out
    assert _row(out, "pdf")[1:5] == ["1,000", "20", "n/a", "5.0"]
    assert _row(out, "html")[1:4] == ["250", "200", "yes"]
    assert _row(out, "html-word")[1:4] == ["50", "200", "NO"]
    assert "some reports got a wrong status" in out


def test_work_through_reads_every_file_of_a_corpus():
    r = formats.work_through(NATIVE)
    assert r["reports"] == 12
    assert r["pdf_pages"] == 3 * 5  # LibreOffice prints each synthetic report on five pages
    assert r["cpu"] > 0 and r["peak_rss"] > 0
