"""Damaged real reports (data/raw and the hand-edited tests/fixtures/edited/tongzhou_distinct.txt):
lines cut, dropped, duplicated or shuffled, characters replaced, bytes flipped, the encoding
changed. The extractor never raises; whatever it calls `ok` states exactly the numbers written at
its source lines; and losing or repeating lines never yields `ok` with a number that differs from
the undamaged report's."""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest
from conftest import EDITED, RAW
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.extract.report import extract_bytes
from pipeline.extract.values import parse_value
from pipeline.text.decode import decode
from pipeline.text.normalize import split_lines

SOURCES = sorted(RAW.glob("*.txt")) + [EDITED / "tongzhou_distinct.txt"]
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters a damaged report plausibly holds: digits of both widths, zero placeholders, white
# space of every kind, line breaks, look-alikes of digits, and some CJK.
CHARS = st.sampled_from(list("0123456789０１２３４５６７８９-—–/／无 \t\u3000\u00a0\r\nOolI.,，。件万元、（）()一二三四五"))
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "big5", "latin-1")


@cache
def original(index: int) -> tuple[str, dict]:
    text = SOURCES[index].read_text(encoding="utf-8")
    ex = extract_bytes(text.encode("utf-8"))
    assert ex.status == "ok"
    return text, {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts}


LOSE, REPEAT = ("cut", "drop"), ("duplicate",)


@st.composite
def line_damage(draw, lines: list[str], kinds: tuple[str, ...] = LOSE + REPEAT) -> list[str]:
    """Cut the text at a line, drop a line, or repeat one (a few times over)."""
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(kinds))
        if how == "cut":
            lines = lines[:i]
        elif how == "drop":
            lines = lines[:i] + lines[i + 1 :]
        else:
            lines = lines[: i + 1] + lines[i:]
    return lines


@st.composite
def any_damage(draw, text: str) -> bytes:
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(("lines", "shuffle", "replace", "insert")))
        if how == "lines":
            lines = draw(line_damage(lines))
        elif how == "shuffle" and len(lines) > 1:
            i = draw(st.integers(0, len(lines) - 2))
            window = lines[i : i + draw(st.integers(2, 6))]
            lines = lines[:i] + draw(st.permutations(window)) + lines[i + len(window) :]
        elif how in ("replace", "insert") and lines:
            i = draw(st.integers(0, len(lines) - 1))
            line = lines[i]
            j = draw(st.integers(0, len(line)))
            lines[i] = line[:j] + draw(CHARS) + line[j + (how == "replace") :]
    encoding = draw(st.sampled_from(ENCODINGS))
    data = bytearray("\n".join(lines).encode(encoding, errors="replace"))
    if data and draw(st.booleans()):
        k = draw(st.integers(0, len(data) - 1))
        data[k] = draw(st.integers(0, 255))
    return bytes(data)


def _assert_ok_facts_are_written_at_their_lines(data: bytes) -> str:
    """The extraction's status, after checking every fact of an ok one against its source line."""
    ex = extract_bytes(data)  # never raises
    assert ex.status in ("ok", "incomplete", "rejected")
    if ex.status == "ok":
        lines = split_lines(decode(data).text)
        for f in ex.facts:
            written = parse_value(lines[f.source_line - 1])
            assert written == f.value, (f, lines[f.source_line - 1])
    return ex.status


def _assert_both_outcomes(statuses: Counter) -> None:
    """A property about ok reports says nothing if damage never leaves one ok, and the damage
    tests nothing if it never leaves one not ok: both must happen (of the settings' 120 examples,
    16 to 34 stayed ok over several seeds)."""
    ok = statuses["ok"]
    assert ok >= 5 and sum(statuses.values()) - ok >= 5, statuses


def test_damaged_reports_never_crash_and_ok_means_every_number_is_as_written():
    statuses: Counter = Counter()

    @SETTINGS
    @given(st.data())
    def damaged_reports(data):
        index = data.draw(st.integers(0, len(SOURCES) - 1), label="source")
        damaged = data.draw(any_damage(original(index)[0]), label="damaged")
        status = _assert_ok_facts_are_written_at_their_lines(damaged)
        event(f"status: {status}")
        statuses[status] += 1

    damaged_reports()
    _assert_both_outcomes(statuses)


def test_lost_or_repeated_lines_never_pass_off_other_numbers_as_ok():
    """Lines lost (cuts, drops) or lines repeated, any number of times. (Losing one cell and
    repeating another of the same row is another matter: see the xfail below.)"""
    statuses: Counter = Counter()

    @SETTINGS
    @given(st.data())
    def lost_or_repeated(data):
        index = data.draw(st.integers(0, len(SOURCES) - 1), label="source")
        text, facts = original(index)
        kinds = data.draw(st.sampled_from((LOSE, REPEAT)), label="kinds")
        lines = data.draw(line_damage(text.split("\n"), kinds), label="lines")
        ex = extract_bytes("\n".join(lines).encode("utf-8"))
        event(f"status: {ex.status}")
        statuses[ex.status] += 1
        if ex.status == "ok":
            got = {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts}
            assert got == facts

    lost_or_repeated()
    _assert_both_outcomes(statuses)


@pytest.mark.xfail(
    strict=True,
    reason="a row that loses one value line and repeats another still has the form's number of "
    "cells, so the text alone cannot show that its numbers moved; the form's arithmetic "
    "(row totals, sql/checks) flags it, the extractor does not",
)
def test_a_lost_and_a_repeated_cell_in_one_row_are_not_ok():
    """Minimal example found by the property above when losing and repeating were mixed: in
    004_2b19c720d5f1c29d.txt, line 209 (`\t13`, 部分公开 by natural persons) is dropped and line
    207 (`\t0`) is repeated; the 部分公开 row still has seven cells and reads as ok."""
    text, facts = original(SOURCES.index(RAW / "004_2b19c720d5f1c29d.txt"))
    lines = text.split("\n")
    assert (lines[206], lines[208]) == ("\t0", "\t13")
    damaged = lines[:207] + lines[206:208] + lines[209:]  # line 207 twice, line 209 gone
    ex = extract_bytes("\n".join(damaged).encode("utf-8"))
    got = {(f.table_code, f.row_code, f.applicant_class): f.value for f in ex.facts}
    assert ex.status != "ok" or got == facts


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_crash(data):
    ex = extract_bytes(data)
    assert ex.status in ("ok", "incomplete", "rejected")
    if ex.status == "rejected":
        assert ex.message
