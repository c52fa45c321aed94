"""One file's bytes → an Extraction: decode, find the title and sections, read each table."""

from __future__ import annotations

from collections import Counter

from pipeline.extract import renderings, stream
from pipeline.extract.renderings import spaced
from pipeline.extract.header import detect_form, read_header
from pipeline.extract.model import Extraction, Fact
from pipeline.extract.narrative import narrative_figures
from pipeline.extract.sections import section_spans
from pipeline.extract.tables import TableReading, read_labelled_table, read_value_row_table
from pipeline.extract.values import not_held
from pipeline.form.codebook import expected_keys, rows_of
from pipeline.text.decode import decode
from pipeline.text.normalize import fold, split_lines

_CUT = "the text ends on this line: the file may be cut off in this row"
# A text is taken for a report only if it names the form's own tables.
_REPORT_MARKERS = ("本年新收政府信息公开申请数量", "政府信息公开申请", "行政复议", "主动公开")


def extract_bytes(data: bytes) -> Extraction:
    decoded = decode(data)
    if decoded.text is None:
        return Extraction(status="rejected", problems=[decoded.problem or "unreadable"])
    return extract_text(decoded.text)


def extract_text(text: str) -> Extraction:
    lines = split_lines(text)
    folded = [fold(line) for line in lines]
    folded_text = "".join(folded)
    header = read_header(folded)
    marker_hits = sum(1 for m in _REPORT_MARKERS if m in folded_text)
    if header.year is None and marker_hits < 2:
        return Extraction(
            status="rejected",
            problems=["not a government information disclosure annual report (no report title and none of the form's tables)"],
        )

    form_version, form_note = detect_form(folded_text, header.year)
    result = Extraction(status="ok", agency=header.agency, year=header.year, form_version=form_version)
    result.narrative = narrative_figures(folded)
    if form_note:
        result.notes.append(form_note)
    if header.agency is None or header.year is None:
        result.problems.append("no title naming the agency and report year")

    rendering = renderings.detect(lines)
    if rendering is None:
        result.status = "incomplete"
        result.problems.append("no table layout recognised (no table cells and no lines of numbers)")
        return result
    result.rendering = rendering
    spans = section_spans(folded)
    if rendering == "spaced":
        readings = _read_spaced(lines, spans, form_version)
    else:
        readings = _read_cells(renderings.RENDERINGS[rendering], lines, spans, form_version)

    # A report ends with prose (sections 五 and 六): a cell on the file's last line of text means the
    # file was cut off there, and that cell, or the blank cells after it, may have been cut.
    last_text = max((i + 1 for i, line in enumerate(lines) if line.strip()), default=0)
    for reading in readings:
        result.facts.extend(f if f.source_line != last_text or f.doubt else _doubted(f) for f in reading.facts)
        result.problems.extend(reading.problems)
    _hold_exactly(result)
    _check_complete(result)
    return result


def _read_cells(reader, lines: list[str], spans: dict[str, tuple[int, int]], form_version: str) -> list[TableReading]:
    readings: list[TableReading] = []
    for table_code in ("proactive", "requests"):
        start, end = spans[table_code]
        readings.append(read_labelled_table(reader.rows(lines, start, end), rows_of(form_version, table_code)))
    start, end = spans["appeals"]
    (appeals_row,) = rows_of(form_version, "appeals")
    readings.append(read_value_row_table(reader.rows(lines, start, end), appeals_row))
    return readings


def _read_spaced(lines: list[str], spans: dict[str, tuple[int, int]], form_version: str) -> list[TableReading]:
    aligned = spaced.is_aligned(lines, *spans["requests"])
    readings = []
    for table_code in ("proactive", "requests"):
        text = spaced.text_lines(lines, *spans[table_code])
        readings.append(stream.read_rows(text, rows_of(form_version, table_code), aligned))
    (appeals_row,) = rows_of(form_version, "appeals")
    readings.append(stream.read_value_row(spaced.text_lines(lines, *spans["appeals"]), appeals_row, aligned))
    return readings


def _doubted(fact: Fact) -> Fact:
    return fact._replace(doubt=_CUT)


def _hold_exactly(result: Extraction) -> None:
    """A number the warehouse cannot hold exactly loses its value, never digits: whatever the
    reader, the fact keeps the text, says why, and the report is incomplete naming the cell."""
    unheld = []
    for i, fact in enumerate(result.facts):
        why = not_held(fact.value)
        if why:
            result.facts[i] = fact._replace(value=None, doubt="; ".join(filter(None, (fact.doubt, why))))
            text = fact.raw_text if len(fact.raw_text) <= 60 else fact.raw_text[:40] + "…"
            unheld.append(f"{_key((fact.table_code, fact.row_code, fact.applicant_class))} (line {fact.source_line}: {text})")
    if unheld:
        shown = ", ".join(unheld[:5]) + (f" and {len(unheld) - 5} more" if len(unheld) > 5 else "")
        result.problems.append(f"numbers the warehouse cannot hold exactly, loaded without a value: {shown}")


def _check_complete(result: Extraction) -> None:
    assert result.form_version is not None
    found = Counter((f.table_code, f.row_code, f.applicant_class) for f in result.facts)
    repeated = sorted({k for k, n in found.items() if n > 1})
    if repeated:
        result.problems.append("cells read more than once: " + ", ".join(_key(k) for k in repeated[:5]))
    missing_rows: dict[str, list[str]] = {}
    for key in expected_keys(result.form_version):
        if key not in found:
            missing_rows.setdefault(key[0], [])
            if key[1] not in missing_rows[key[0]]:
                missing_rows[key[0]].append(key[1])
    for table_code, codes in missing_rows.items():
        shown = ", ".join(codes[:8]) + (f" and {len(codes) - 8} more" if len(codes) > 8 else "")
        result.problems.append(f"missing {table_code} cells: {shown}")
    doubtful = [f for f in result.facts if f.doubt]
    if doubtful:
        result.problems.append(f"{len(doubtful)} cells read with doubt (see facts.doubt)")
    if result.problems:
        result.status = "incomplete"


def _key(key: tuple[str, str, str | None]) -> str:
    return ".".join(k for k in key if k)
