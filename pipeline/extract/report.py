"""One file's bytes → an Extraction: decode, find the title and sections, read each table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from pipeline.extract import readers, renderings, stream
from pipeline.extract.document import Document
from pipeline.extract.header import Header, detect_form, division_hint, later_title, period_year, read_header, report_titles
from pipeline.extract.model import Extraction, Fact
from pipeline.extract.narrative import narrative_figures
from pipeline.extract.renderings import spaced
from pipeline.extract.sections import find_sections, section_spans
from pipeline.extract.tables import TableReading, read_labelled_table, read_value_row_table
from pipeline.extract.values import not_held
from pipeline.form.codebook import expected_keys, rows_of, variants_of
from pipeline.text.decode import decode
from pipeline.text.normalize import fold, split_lines

_CUT = "the text ends on this line: the file may be cut off in this row"
# A text is taken for a report only if it names the form's own tables.
_REPORT_MARKERS = ("本年新收政府信息公开申请数量", "政府信息公开申请", "行政复议", "主动公开")
# The State Council's first national form (国办公开办函〔2019〕60号) applies from the 2019 reports.
FIRST_FORM_YEAR = 2019
# Distinct title-shaped lines that make a page a list of reports, not one.
_LIST_TITLES = 3


def extract_bytes(data: bytes) -> Extraction:
    """Any file's bytes: its kind is decided from its content (magic bytes, markup), not its name."""
    kind = readers.sniff(data)
    if kind is not None:
        return extract_native(kind, data)
    decoded = decode(data)
    if decoded.text is None:
        return Extraction(status="rejected", problems=[decoded.problem or "unreadable"])
    return extract_text(decoded.text)


def extract_native(kind: str, data: bytes) -> Extraction:
    """A native file of a known kind (readers.sniff's): pipeline/ingest/convert.py hands over an
    old Word file's .docx this way."""
    read = readers.read(kind, data)
    if isinstance(read, str):
        return Extraction(status="rejected", problems=[read])
    return extract_document(read)


def extract_text(text: str) -> Extraction:
    lines = split_lines(text)
    folded = list(map(fold, lines))
    result, header = _start(folded, lines, lambda i: f"line {i + 1}")
    if result.status == "rejected":
        return result
    rendering = renderings.detect(lines)
    if rendering is None:
        return _conclude(result, header, folded, [_no_tables("no table layout recognised (no table cells and no lines of numbers)")], None)
    result.rendering = rendering
    spans = section_spans(folded)
    assert result.form_version is not None
    if rendering == "spaced":
        readings = _read_spaced(lines, spans, result.form_version)
    else:
        readings = _read_cells(renderings.RENDERINGS[rendering], lines, spans, result.form_version)

    # A report ends with prose (sections 五 and 六): a cell on the file's last line of text means the
    # file was cut off there, and that cell, or the blank cells after it, may have been cut.
    last_text = next((i + 1 for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), 0)
    return _conclude(result, header, folded, readings, lambda f: f.source_line == last_text)


def extract_document(doc: Document) -> Extraction:
    """A report its reader found the structure of: the same walk over the same rows of cells."""
    lines = doc.lines
    folded = list(map(fold, lines))
    result, header = _start(folded, lines, lambda i: doc.blocks[i].cells[0].where(), doc.publisher)
    result.notes.extend(doc.notes)
    result.published_on = doc.published_on
    for figure_no, figure in enumerate(result.narrative):
        first = doc.blocks[figure.source_line - 1].cells[0]
        result.narrative[figure_no] = replace(figure, source_line=first.line, source_page=first.page)
    if result.status == "rejected":
        return result
    result.rendering = doc.kind
    if not any(b.is_row for b in doc.blocks):
        return _conclude(result, header, folded, [_no_tables(f"no table found in the {doc.kind} file")], None)
    assert result.form_version is not None
    spans = section_spans(folded)
    readings = _read_cells(doc, lines, spans, result.form_version)
    last = {(c.line, c.page, c.box, c.place) for c in doc.last_row_cells()}
    cut = (lambda f: (f.source_line, f.source_page, f.source_box, f.source_cell) in last) if last else None
    return _conclude(result, header, folded, readings, cut)


def _start(folded: list[str], lines: list[str], place: Callable[[int], str], publisher: str | None = None) -> tuple[Extraction, Header]:
    """The verdict before the tables are read: is this a report, whose, for which year and form,
    and is it one report. `place` says where a line is, for messages."""
    folded_text = "".join(folded)
    header = read_header(folded)
    marker_hits = sum(1 for m in _REPORT_MARKERS if m in folded_text)
    if header.year is None and marker_hits < 2:
        return Extraction(
            status="rejected",
            problems=["not a government information disclosure annual report (no report title and none of the form's tables)"],
        ), header
    # A page's metadata names its publisher where the title names only the year.
    agency = header.agency or (publisher if header.year is not None else None)
    hint = division_hint(folded, publisher)
    if header.year is not None and header.year < FIRST_FORM_YEAR:
        return Extraction(
            status="rejected",
            agency=agency,
            year=header.year,
            division_hint=hint,
            problems=[
                f"a report for {header.year}: reports before {FIRST_FORM_YEAR} follow no national form "
                "(the State Council's forms start with the 2019 reports), so their tables are not read"
            ],
        ), header
    form_version, form_note = detect_form(folded_text, header.year)
    result = Extraction(status="ok", agency=agency, year=header.year, form_version=form_version, division_hint=hint)
    result.narrative = narrative_figures(folded)
    if form_note:
        result.notes.append(form_note)
    if agency is None or header.year is None:
        result.problems.append("no title naming the agency and report year")
    elif header.agency is None:
        result.notes.append("the agency is the page's 发布机构: the title names none")
    period = period_year(folded)
    if header.year is not None and period is not None and period != header.year:
        result.notes.append(f"the statistics period is {period}, the title's year {header.year}: the report year is the title's")
    sections = find_sections(folded)
    first_table = min((sections[k] for k in ("proactive", "requests") if k in sections), default=None)
    second = None if first_table is None else later_title(folded, first_table, agency, header.year)
    if second is not None:
        title = "".join(line.strip() for line in lines[second[0] : second[1] + 1])
        result.problems.append(f"a second report follows in the file at {place(second[0])} ({title}): only the first is read")
    return result, header


def _no_tables(problem: str) -> TableReading:
    return TableReading(problems=[problem])


def _conclude(
    result: Extraction, header: Header, folded: list[str], readings: list[TableReading], cut: Callable[[Fact], bool] | None
) -> Extraction:
    """`cut` tells the facts the file may have been cut off in; None when it cannot have been."""
    for reading in readings:
        result.facts.extend(reading.facts if cut is None else (_doubted(f) if cut(f) and not f.doubt else f for f in reading.facts))
        result.problems.extend(reading.problems)
    not_report = _not_a_report(result, header, folded)
    if not_report is not None:
        return Extraction(status="rejected", problems=[not_report])
    _hold_exactly(result)
    _check_complete(result)
    return result


def _not_a_report(result: Extraction, header: Header, folded: list[str]) -> str | None:
    """A title and a year do not make a report: a text is one when it holds the form's tables with
    numbers in them, or when its own title names one agency's report for one year. News of a
    report, a notice that one was published, the format notice (its tables are empty) and a
    column's list of reports are none."""
    if any(any(ch.isdigit() for ch in f.raw_text) for f in result.facts):
        return None
    titles = report_titles(folded)
    if titles >= _LIST_TITLES:
        return f"not a report: a page listing {titles} report titles (a 年报 column), and none of the form's tables with numbers"
    if not header.own_title:
        return (
            "not a report: its title is about a report (news, a notice or the format notice) rather than "
            "one agency's report for one year, and it holds none of the form's tables with numbers"
        )
    return None


def _read_cells(reader: Any, lines: list[str], spans: dict[str, tuple[int, int]], form_version: str) -> list[TableReading]:
    readings: list[TableReading] = []
    for table_code in ("proactive", "requests"):
        start, end = spans[table_code]
        readings.append(
            read_labelled_table(
                reader.rows(lines, start, end),
                rows_of(form_version, table_code),
                reader.CELLS_BY_POSITION,
                variants_of(form_version, table_code),
                in_order=table_code != "proactive",
            )
        )
    start, end = spans["appeals"]
    (appeals_row,) = rows_of(form_version, "appeals")
    readings.append(read_value_row_table(reader.rows(lines, start, end), appeals_row, reader.CELLS_BY_POSITION))
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
            unheld.append(f"{_key((fact.table_code, fact.row_code, fact.applicant_class))} ({fact.where()}: {text})")
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
