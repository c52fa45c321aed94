"""Table rows of cells → facts, walking the form's rows in the order the State Council fixed.

Rows are anchored on their labels, never on their position in the file: a rendering may split,
merge or pad rows, but it cannot reorder the form. Numbers are read from the cells after a row's
last label cell, in the form's column order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pipeline.extract.model import ABSENT, UNREADABLE, Cell, Fact, new_fact
from pipeline.extract.values import parse_value
from pipeline.form.codebook import FormRow
from pipeline.text.normalize import label_key

T = TypeVar("T")


@dataclass
class TableReading:
    facts: list[Fact] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    # a repeated row's problem (its index in problems) and how often it stood again
    repeats: dict[str, list[int]] = field(default_factory=dict)


def _split(row: list[Cell]) -> tuple[list[Cell], list[Cell]]:
    """A row's label cells and the value cells that follow its last label."""
    last_label = -1
    for i, cell in enumerate(row):
        if cell.covered is None and parse_value(cell.text) is None and UNREADABLE not in cell.text:
            last_label = i
    return row[: last_label + 1], row[last_label + 1 :]


def _label_texts(labels: list[Cell]) -> tuple[str, str]:
    pieces = [label_key(c.text) for c in labels]
    return pieces[-1], "".join(pieces)


def _matches(form_row: FormRow, last: str, whole: str) -> bool:
    assert form_row.pattern is not None
    return bool(form_row.pattern.search(last) or form_row.pattern.search(whole))


def _read_values(form_row: FormRow, values: list[Cell], reading: TableReading, by_position: bool) -> None:
    keys = form_row.facts_keys
    # A value cell spanning columns is one cell; a position covered from the row above is no cell
    # of this row, so the row comes out short and is not read.
    own = [c for c in values if c.covered is None]
    absent = next((c for c in values if c.covered == ABSENT), None) if len(own) < len(values) else None
    values = own
    if absent is not None and (len(values) != len(keys) or not all(c.text.strip() for c in values)):
        # A row shorter than its table lost a cell somewhere: its cells can be placed only when
        # each of them states a number and they are exactly the row's.
        reading.problems.append(
            f"{form_row.table_code} row {form_row.label}: the row has fewer cells than its table "
            f"({absent.where()}), so which column each number stands in cannot be known"
        )
        return
    if len(values) > len(keys):
        # Merged cells leave empty spacer cells; when exactly the expected number of cells
        # hold text, those are the row's cells in order.
        filled = [c for c in values if c.text.strip()]
        if len(filled) == len(keys):
            values = filled
        elif by_position and not any(c.text.strip() for c in values[: -len(keys)]):
            # Where every column is cut at a known extent (pandoc's dash rules), a label spanning
            # columns leaves a blank cell in each, and the row's own cells are the last ones. Where
            # cells are cut at borders, a blank cell there may stand in for a lost one: not read.
            values = values[-len(keys) :]
    if len(values) != len(keys):
        reading.problems.append(
            f"{form_row.table_code} row {form_row.label}: {len(values)} cells where the form has "
            f"{len(keys)}, so their columns cannot be known"
        )
        return
    for (table_code, row_code, applicant_class), cell in zip(keys, values):
        value = parse_value(cell.text)
        if value is None:
            reading.problems.append(
                f"{table_code} {row_code} {applicant_class or ''}: unreadable cell {cell.text.strip()!r} at {cell.where()}".replace(
                    "  ", " "
                )
            )
            continue
        reading.facts.append(
            new_fact((table_code, row_code, applicant_class, value, cell.line, cell.text.strip(), None, cell.page, cell.box, cell.place))
        )


def read_labelled_table(
    rows: list[list[Cell]],
    form_rows: tuple[FormRow, ...],
    by_position: bool = False,
    variants: tuple[FormRow, ...] = (),
    in_order: bool = True,
) -> TableReading:
    """Sections 二 and 三. Header rows come before the first body row and are skipped, so column
    headers such as 总计 or 其他 are never mistaken for body rows of the same name. Section 二's small
    tables, whose labels are each the form's only one of its kind, are read in whatever order a
    report prints them (`in_order` False): each row takes the first unread row it names. A variant row
    (a 2021 report's （六）其他处理 printed as the 2019 form's one row) is taken where the rows it
    stands for are still ahead, by its own label cell, and only with numbers beside it: the same
    label heads the sub-rows in the 2021 form."""
    reading = TableReading()
    pointer = 0
    codes = [r.cells[0] for r in form_rows]
    unread = list(form_rows)
    split = [_split(row) for row in rows]
    for k, (labels, values) in enumerate(split):
        if not labels:
            continue
        last, whole = _label_texts(labels)
        variant = _variant_printed(variants, codes, pointer, last, values)
        if variant is not None:
            _read_variant(variant, values, reading, by_position)
            pointer = codes.index(variant.stands_for[-1]) + 1
            continue
        if in_order:
            candidates = form_rows[:1] if pointer == 0 else form_rows[pointer:]
        else:
            candidates = tuple(unread)
        named = _rows_matched(form_rows, last, whole)
        offset = next((o for o, r in enumerate(candidates) if id(r) in named), None)
        if offset is None:
            misprinted = resembled(form_rows, last)
            offset = next((o for o, r in enumerate(candidates) if r is misprinted), None)
        elif not any(c.covered is None for c in values):
            below = _numbers_row(split, k + 1, candidates[offset])
            if below is None:
                # A row of labels only: the table's header printed again after a page break (its
                # 总计 column heading is no 总计 row), or a label whose numbers were lost, which
                # the missing cells will name. Either way no row of the form is taken by it.
                continue
            # A converter put the label and its numbers on rows of their own: a row of exactly
            # the row's count of numbers right below a label of the form is that row's.
            values = below
        if offset is None:
            # Past the walk's last row too: a copy of a read row below the table is no less a repeat.
            if any(c.text.strip() for c in values):
                read = form_rows[:pointer] if in_order else tuple(r for r in form_rows if r not in unread)
                flag_repeated(read, last, whole, labels[-1].where(), reading)
            continue
        form_row = candidates[offset]
        if _numbers_below_blanks(form_row, values, split, k, reading):
            pass
        elif not _names_another(form_row, labels, form_rows, reading):
            _read_values(form_row, values, reading, by_position)
        pointer += offset + 1
        unread.remove(form_row)
    return reading


def _variant_printed(variants: tuple[FormRow, ...], codes: list[str], pointer: int, last: str, values: list[Cell]) -> FormRow | None:
    """The variant row this row is, where the rows it stands for are still ahead of the walk."""
    return next(
        (
            v
            for v in variants
            if pointer and codes.index(v.stands_for[0]) >= pointer and v.pattern.search(last) and any(c.covered is None for c in values)
        ),
        None,
    )


def _numbers_below_blanks(form_row: FormRow, values: list[Cell], split: list, k: int, reading: TableReading) -> bool:
    """A row of blank cells with, right below it, a row of exactly its count of numbers and no
    label: the blanks are the row's zeros and the numbers a stray copy, or the converter parted
    the label from its numbers and left empty cells behind. Which cannot be known."""
    own = [c for c in values if c.covered is None]
    if not own or any(c.text.strip() for c in own):
        return False
    below = _numbers_row(split, k + 1, form_row)
    if below is None:
        return False
    reading.problems.append(
        f"{form_row.table_code} row {form_row.label}: its cells are blank and a row of "
        f"numbers without a label stands right below ({below[0].where()}): which is the "
        "row's cannot be known"
    )
    return True


def _numbers_row(split: list, k: int, form_row: FormRow) -> list[Cell] | None:
    """Row k when it is a row of numbers without a label, exactly the form row's count of them and
    none blank (blank cells in its label columns aside), else None."""
    if k >= len(split) or split[k][0]:
        return None
    cells = [c for c in split[k][1] if c.covered is None]
    while cells and not cells[0].text.strip() and len(cells) > len(form_row.facts_keys):
        cells = cells[1:]
    if len(cells) != len(form_row.facts_keys) or not all(c.text.strip() for c in cells):
        return None
    return cells


def _read_variant(variant: FormRow, values: list[Cell], reading: TableReading, by_position: bool) -> None:
    """A row printed in place of several: when all its numbers are 0, each row it stands for is 0
    (counts are never negative), with the printed row's text and place; otherwise it is kept under
    its own code and the rows it stands for are named as not given. It is never split."""
    row = TableReading()
    _read_values(variant, values, row, by_position)
    reading.problems.extend(row.problems)
    if row.problems:
        return
    if all(f.value == 0 for f in row.facts):
        reading.facts.extend(f._replace(row_code=code) for code in variant.stands_for for f in row.facts)
        return
    reading.facts.extend(row.facts)
    reading.problems.append(
        f"{variant.table_code} row {variant.label}: printed as one row, as in the 2019 form, with numbers "
        f"that are not all 0, so its rows {', '.join(variant.stands_for)} are not given"
    )


def resembled(form_rows: tuple[FormRow, ...], text: str) -> FormRow | None:
    """The one row of the form whose official label `text` is a misprint of: within one changed,
    missing or added character of it, or its characters in order with no more than a third of
    them lost (`其他法律行政止公开` for 其他法律行政法规禁止公开). A text that resembles two rows, or
    is too short to tell, resembles none."""
    return _per_form(_RESEMBLED, form_rows, text, lambda: _resembled(form_rows, text))


def _resembled(form_rows: tuple[FormRow, ...], text: str) -> FormRow | None:
    exact = next((r for r in form_rows if label_key(r.label) == text), None)
    if exact is not None or len(text) < _MIN_RESEMBLED:
        return exact
    found = [r for r in form_rows if _resembles(text, label_key(r.label))]
    return found[0] if len(found) == 1 else None


_MIN_RESEMBLED = 4


def _resembles(text: str, label: str) -> bool:
    if abs(len(text) - len(label)) <= 1 and _within_one_edit(text, label):
        return True
    return len(text) * 3 >= len(label) * 2 and len(text) < len(label) and _in_order(text, label)


def _within_one_edit(a: str, b: str) -> bool:
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]


def _in_order(text: str, label: str) -> bool:
    rest = iter(label)
    return all(ch in rest for ch in text)


def _names_another(form_row: FormRow, labels: list[Cell], form_rows: tuple[FormRow, ...], reading: TableReading) -> bool:
    """A row is matched on all its label cells together, so that a label split over cells is found;
    a label cell that on its own names another row of the form means lines of two rows were spliced
    into one (a row's label, then a copy of an earlier row), and whose numbers follow cannot be known."""
    for cell in labels:
        other = next((r for r in _rows_named(form_rows, label_key(cell.text)) if r is not form_row), None)
        if other is not None:
            reading.problems.append(f"{form_row.table_code} row {form_row.label}: its label cells also name {other.label} ({cell.where()})")
            return True
    return False


_MATCHED: dict = {}
_NAMED: dict = {}
_RESEMBLED: dict = {}


def _per_form(cache: dict, form_rows: tuple[FormRow, ...], key: object, compute: Callable[[], T]) -> T:
    """compute() for these rows of the form and this key, once per process: the same labels recur
    in every report. The cache keeps the rows it was asked about, so their id cannot come to stand
    for other rows."""
    cached = cache.get((id(form_rows), key))
    if cached is None or cached[0] is not form_rows:
        if len(cache) > 1 << 16:
            cache.clear()
        cached = (form_rows, compute())
        cache[(id(form_rows), key)] = cached
    return cached[1]


def _rows_matched(form_rows: tuple[FormRow, ...], last: str, whole: str) -> frozenset[int]:
    """The ids of the form's rows a row's labels match."""
    return _per_form(_MATCHED, form_rows, (last, whole), lambda: frozenset(id(r) for r in form_rows if _matches(r, last, whole)))


def _rows_named(form_rows: tuple[FormRow, ...], key: str) -> tuple[FormRow, ...]:
    """The rows of the form a label cell's text names on its own."""
    if not key:
        return ()
    return _per_form(_NAMED, form_rows, key, lambda: tuple(r for r in form_rows if _matches(r, key, key)))


def flag_repeated(read: tuple[FormRow, ...], last: str, whole: str, where: str, reading: TableReading) -> bool:
    """The form prints each row once: the label of a row already read standing again with numbers
    means lines were repeated or spliced, and which copy is true cannot be known. Every reader (table
    cells here, aligned text in `pipeline.extract.stream`) calls this for a labelled line with
    numbers that no row of its walk took."""
    again = next((r for r in read if _matches(r, last, whole)), None)
    if again is None:
        return False
    # One problem per row, however often it stands again: a row pasted 10,000 times is one finding.
    head = f"{again.table_code} row {again.label}: appears again at"
    if head in reading.repeats:
        index, more = reading.repeats[head]
        reading.repeats[head][1] = more + 1
        first = reading.problems[index].split(" (and ")[0]
        reading.problems[index] = f"{first} (and {more + 1:,} more times)"
    else:
        reading.repeats[head] = [len(reading.problems), 0]
        reading.problems.append(f"{head} {where}")
    return True


def read_value_row_table(rows: list[list[Cell]], form_row: FormRow, by_position: bool = False) -> TableReading:
    """Section 四: its header rows are all labels, its body one row of fifteen numbers."""
    reading = TableReading()
    # A lone number between rows is a page number, not a row of fifteen.
    bodies = [values for labels, values in map(_split, rows) if not labels and len(values) > 1]
    filled = [values for values in bodies if any(c.text.strip() for c in values)]
    if flag_value_rows(form_row, [values[0].where() for values in filled], reading):
        return reading
    if bodies:
        # A wholly blank row beside the one row of numbers is an empty row of the page's table,
        # not the form's row: reading it would turn the real numbers into zeros.
        _read_values(form_row, (filled or bodies)[0], reading, by_position)
        return reading
    reading.problems.append(f"{form_row.table_code}: the row of {len(form_row.cells)} numbers was not found")
    return reading


def flag_value_rows(form_row: FormRow, places: list[str], reading: TableReading) -> bool:
    """Section 四 has one row of numbers: more rows of numbers below its header mean lines were
    repeated or spliced, and which is the table's cannot be known (every reader calls this)."""
    if len(places) <= 1:
        return False
    reading.problems.append(
        f"{form_row.table_code}: numbers on {len(places)} lines below the header ({', '.join(places)}), where the form has one row"
    )
    return True
