"""Bad input next to good reports: `xxgk run` completes, the good reports load exactly as before,
and every bad file gets a `reports` row with a status and a message a user understands.
`xxgk extract` says the same on stderr, and writes no facts for a file it rejects.

One `xxgk run` and one `xxgk extract` over a raw folder holding every kind of bad input at once
(tests/bad_corpus.py, shared with the injection and idempotency tests), then one test per kind
of input."""

from __future__ import annotations

import os
import resource
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest
from bad_corpus import CASES, GBK_SHOWN, HELD, HUGE, NAMES, TONGZHOU, TRUNCATE_AT, UNHELD, WRITE_ONLY, _fee_variant, facts_of, shared_run
from conftest import RAW, golden_facts
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract.values import format_value
from pipeline.ingest.batch import extract_path, on_disk, read_file, scan, shown_name
from pipeline.text.decode import MAX_REPORT_BYTES


@pytest.fixture(scope="module")
def bad_run():
    run = shared_run()
    return run.warehouse, run.reports, run.cli


def _golden(stem: str) -> list[tuple]:
    return sorted(golden_facts(stem), key=lambda g: (g[4], g[0], g[1]))


def test_every_entry_in_the_raw_folder_has_a_row(bad_run):
    _, reports, cli = bad_run
    assert set(reports) == set(cli["names"])
    assert all(r["status"] in ("ok", "incomplete", "rejected", "duplicate") for r in reports.values())
    assert all(r["message"] for r in reports.values() if r["status"] != "ok")


def test_good_reports_load_exactly_as_before(bad_run):
    warehouse, reports, cli = bad_run
    for path in sorted(RAW.glob("*.txt")):
        assert reports[path.name]["status"] == "ok", reports[path.name]["message"]
        assert facts_of(warehouse, path.name) == _golden(path.stem)
        assert cli["facts"][path.name] == 200 and path.name not in cli["stderr"]


@pytest.mark.parametrize("kind", list(CASES))
def test_bad_input(bad_run, kind):
    warehouse, reports, cli = bad_run
    case = CASES[kind]
    if kind == "unreadable" and case.file not in reports:
        pytest.skip(
            "running as root, where chmod 000 does not stop reads, and no write-only sysctl "
            f"({WRITE_ONLY}) to make a read really fail; the unprivileged test below covers it"
        )
    row = reports[case.file]
    assert row["status"] == case.status, row["message"]
    if case.message is not None:
        assert case.message in row["message"]
    if case.status in ("ok", "incomplete") and case.facts:
        assert row["fact_count"] == case.facts
    if case.status == "rejected":
        assert row["fact_count"] == 0 and facts_of(warehouse, case.file) == []
    # The command line says the same, and writes facts only for what it could read.
    if case.file != "linked folder":  # a folder on the command line is a usage error
        assert cli["returncode"] == 0
        if case.message is not None:
            assert cli["stderr"][case.file].startswith(f"{case.status}: ")
            assert case.message in cli["stderr"][case.file]
        assert cli["facts"].get(case.file, 0) == (0 if case.status in ("rejected", "duplicate") else row["fact_count"])


def test_truncated_report_keeps_the_cells_before_the_cut(bad_run):
    warehouse, reports, _ = bad_run
    cut_line = TONGZHOU.read_bytes()[:TRUNCATE_AT].count(b"\n") + 1
    got = facts_of(warehouse, "truncated.txt")
    assert 50 < len(got) < 200
    golden = _golden(TONGZHOU.stem)
    assert set(got) <= set(golden)
    assert all(line < cut_line for *_, line in got)


def test_table_missing_keeps_the_other_tables(bad_run):
    warehouse, _, _ = bad_run
    assert facts_of(warehouse, "no-appeals-table.txt") == [g for g in _golden(TONGZHOU.stem) if g[0] != "appeals"]


def test_very_large_file_is_refused_without_reading_it(bad_run):
    _, reports, _ = bad_run
    assert reports["huge.txt"]["bytes"] == HUGE
    # Reading the sparse file whole would have taken 4 GiB; no process of the run came close.
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024 < HUGE // 2


def test_size_limit_is_checked_before_reading(tmp_path: Path):
    at_limit, over = tmp_path / "at-limit.txt", tmp_path / "over.txt"
    for path, size in ((at_limit, MAX_REPORT_BYTES), (over, MAX_REPORT_BYTES + 1)):
        with path.open("wb") as f:
            f.truncate(size)
    data, problem = read_file(at_limit)[:2]
    assert problem is None and len(data) == MAX_REPORT_BYTES
    data, problem = read_file(over)[:2]
    assert data is None and problem.startswith("too large for a report (16,777,217 bytes")
    assert "the limit for text is 16,777,216" in problem


def test_pdf_and_word_files_may_be_larger_than_text(tmp_path: Path):
    from pipeline.ingest.batch import MAX_DOCUMENT_BYTES

    pdf, over = tmp_path / "big.pdf", tmp_path / "too-big.pdf"
    for path, size in ((pdf, MAX_REPORT_BYTES * 2), (over, MAX_DOCUMENT_BYTES + 1)):
        with path.open("wb") as f:
            f.write(b"%PDF-1.7\n")
            f.truncate(size)
    data, problem = read_file(pdf)[:2]
    assert problem is None and len(data) == MAX_REPORT_BYTES * 2
    data, problem = read_file(over)[:2]
    assert data is None and "the limit for PDF and Word files is 67,108,864" in problem


def test_names_with_spaces_quotes_and_chinese_are_stored_verbatim(bad_run):
    warehouse, reports, _ = bad_run
    for name, fee in NAMES.items():
        assert reports[name]["source_file"] == name
        expected = [(t, c, a, fee if c == "fees.amount_10k_yuan" else v, line) for t, c, a, v, line in _golden(TONGZHOU.stem)]
        assert facts_of(warehouse, name) == expected


def test_a_name_that_is_not_utf8_is_escaped_and_its_report_read(bad_run):
    warehouse, reports, _ = bad_run
    # Bytes that are not UTF-8 become \xNN (a pair that happens to be UTF-8, 0xCD 0xA8, stays a letter).
    assert GBK_SHOWN == "\u0368" + r"\xd6\xdd\xc7\xf8\xb1\xa8\xb8\xe6.txt"
    row = reports[GBK_SHOWN]
    assert row["bytes"] == len(_fee_variant("6.5"))
    expected = [(t, c, a, "6.5" if c == "fees.amount_10k_yuan" else v, line) for t, c, a, v, line in _golden(TONGZHOU.stem)]
    assert facts_of(warehouse, GBK_SHOWN) == expected


def _fee_fact(warehouse: Path, source_file: str) -> tuple:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            """SELECT f.value, f.raw_text, f.doubt, r.message FROM facts f JOIN reports r USING (report_id)
               WHERE r.source_file = ? AND f.row_code = 'fees.amount_10k_yuan'""",
            [source_file],
        ).fetchone()


def test_a_number_the_warehouse_cannot_hold_exactly_is_null_with_its_text(bad_run):
    """Never rounded, never loaded as certain, and never the end of the run for the other reports."""
    warehouse, reports, _ = bad_run
    for name, fee in UNHELD.items():
        value, raw_text, doubt, message = _fee_fact(warehouse, name)
        assert (value, raw_text) == (None, fee)
        assert "the warehouse holds" in doubt and "DECIMAL(38, 6)" in doubt
        assert f"fees.amount_10k_yuan (line 60: {fee})" in message
        others = [f for f in facts_of(warehouse, name) if f[1] != "fees.amount_10k_yuan"]
        assert others == [g for g in _golden(TONGZHOU.stem) if g[1] != "fees.amount_10k_yuan"]
    assert "33 digits before the decimal point; the warehouse holds at most 32" in _fee_fact(warehouse, "33 digits.txt")[2]
    assert "14 decimals" in _fee_fact(warehouse, "14 decimals.txt")[2]
    for name, fee in HELD.items():
        value, raw_text, doubt, message = _fee_fact(warehouse, name)
        assert (format_value(value), raw_text, doubt) == (fee, fee, None)


def test_a_prose_figure_too_long_for_the_warehouse_stops_nothing(tmp_path: Path):
    from pipeline.ingest.batch import _frames

    text = TONGZHOU.read_text(encoding="utf-8").replace("收到依申请公开总数为2333件", "收到依申请公开总数为" + "2" * 33 + "件")
    (tmp_path / "prose.txt").write_text(text, encoding="utf-8")
    shutil.copy(TONGZHOU, tmp_path / "good.txt")
    reports, facts, narrative, _ = _frames(tmp_path, ["good.txt", "prose.txt"])
    assert reports["status"].to_list() == ["ok", "ok"] and facts.height == 400
    stated = narrative.filter(pl.col("kind") == "new_received").sort("raw_text")
    assert [(str(v) if v is not None else None, t) for v, t in stated.select("value", "raw_text").iter_rows()] == [
        (None, "收到依申请公开总数为" + "2" * 33 + "件"),
        ("2333.000000", "收到依申请公开总数为2333件"),
    ]


def test_duplicate_points_at_the_first_copy_and_loads_nothing_twice(bad_run):
    warehouse, reports, cli = bad_run
    dup, original = reports["copies/004 again.txt"], reports[TONGZHOU.name]
    assert dup["duplicate_of"] == original["report_id"] and original["status"] == "ok"
    assert facts_of(warehouse, "copies/004 again.txt") == []
    assert cli["stderr"]["copies/004 again.txt"] == (
        f"duplicate: byte-identical copy of {TONGZHOU.name}; its facts are written once, from that file"
    )


def test_two_reports_for_the_same_agency_and_year_both_load(bad_run):
    warehouse, reports, _ = bad_run
    for name, stem in ((TONGZHOU.name, TONGZHOU.stem), ("tongzhou_distinct.txt", "tongzhou_distinct")):
        assert reports[name]["status"] == "ok"
        assert facts_of(warehouse, name) == _golden(stem)


@contextmanager
def unprivileged_folder():
    """A folder a permission can stop, and a way to read in it as a user it stops: as root
    (where chmod 000 does not stop reads) the effective uid becomes `nobody`, restored at once."""
    folder = Path(tempfile.mkdtemp(prefix="xxgk-locked-"))
    folder.chmod(0o755)
    extract_path(TONGZHOU)  # imports done while we may still read the interpreter's own files

    @contextmanager
    def as_reader():
        if os.geteuid() != 0:
            yield
            return
        os.seteuid(65534)
        try:
            yield
        finally:
            os.seteuid(0)

    try:
        yield folder, as_reader
    finally:
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755)
        shutil.rmtree(folder)


def test_unreadable_regular_file_for_an_unprivileged_reader():
    """chmod 000 on a regular file, read by a user the permission really stops."""
    with unprivileged_folder() as (folder, as_reader):
        locked = folder / "locked.txt"
        locked.write_bytes(TONGZHOU.read_bytes())
        locked.chmod(0)
        with as_reader():
            sha, ex = extract_path(locked)
        assert (ex.status, ex.message, ex.facts) == ("rejected", "unreadable: Permission denied", [])


def test_a_folder_that_cannot_be_listed_gets_a_row():
    """Its reports cannot be read, but they do not vanish without a word; and a raw folder that
    cannot be listed at all stops the run rather than publishing an empty warehouse."""
    with unprivileged_folder() as (folder, as_reader):
        shutil.copy(TONGZHOU, folder / "good.txt")
        (folder / "closed").mkdir()
        shutil.copy(TONGZHOU, folder / "closed" / "hidden from us.txt")
        (folder / "closed").chmod(0)
        with as_reader():
            files = scan(folder)
            rows = {f.source_file: extract_path(folder / f.source_file)[1] for f in files}
        assert rows["good.txt"].status == "ok"
        assert (rows["closed"].status, rows["closed"].message) == (
            "rejected",
            "not read: a folder whose files cannot be listed (Permission denied), so none of them was read",
        )
        folder.chmod(0)
        with as_reader(), pytest.raises(PermissionError):
            scan(folder)


def test_a_pipe_never_blocks_the_reader(tmp_path: Path):
    """Opening a FIFO for reading blocks until a writer comes; the reader must not even try."""
    os.mkfifo(tmp_path / "pipe.txt")
    data, problem = read_file(tmp_path / "pipe.txt")[:2]
    assert data is None and problem == "not read: a named pipe (FIFO), not a file"
    assert stat.S_ISFIFO((tmp_path / "pipe.txt").stat().st_mode)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_reports_in_other_detectable_encodings_read_the_same(encoding):
    """The counterpart of the undetectable encoding: what can be detected is read exactly."""
    from pipeline.extract.report import extract_bytes

    for path in sorted(RAW.glob("*.txt")):
        ex = extract_bytes(path.read_text(encoding="utf-8").encode(encoding))
        assert ex.status == "ok", (path.name, ex.message)
        got = [(f.table_code, f.row_code, f.applicant_class or "", format_value(f.value), f.source_line) for f in ex.facts]
        assert got == golden_facts(path.stem)


def _extract_folder(raw: Path, work: Path):
    """The reports and facts frames incremental extraction gives for raw."""
    import polars as pl

    from pipeline.ingest import incremental

    incremental.update(raw, work, scan(raw), workers=1)
    return (pl.read_parquet(incremental.live_files(work, frame)) for frame in ("reports", "facts"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(min_size=1, max_size=6).filter(lambda b: b"/" not in b and b"\0" not in b), min_size=2, max_size=2, unique=True))
def test_shown_names_never_collide_and_lead_back_to_the_file(names: list[bytes]):
    shown = [shown_name(os.fsdecode(n)) for n in names]
    assert shown[0] != shown[1]
    for name, text in zip(names, shown):
        text.encode("utf-8")  # storable as text
        assert on_disk(Path("/raw"), text) == Path("/raw") / os.fsdecode(name)


def test_a_name_holding_an_escape_as_text_and_the_name_it_spells_are_two_reports(tmp_path: Path):
    """`n\\xe9.txt` written in UTF-8 beside a name whose byte really is 0xE9: two files, two rows,
    each with its own facts."""
    raw = tmp_path / "raw"
    raw.mkdir()
    literal, raw_byte = "n\\xe9.txt", os.fsdecode(b"n\xe9.txt")
    (raw / literal).write_bytes(_fee_variant("1.5"))
    (raw / raw_byte).write_bytes(_fee_variant("2.5"))
    reports, facts = _extract_folder(raw, tmp_path / "work")
    assert reports.height == 2 and reports["report_id"].n_unique() == 2 and reports["source_file"].n_unique() == 2
    fees = facts.filter(facts["row_code"] == "fees.amount_10k_yuan").join(reports, on="report_id")
    assert sorted(zip(fees["source_file"], map(str, fees["value"]))) == sorted(
        [(shown_name(literal), "1.500000"), (shown_name(raw_byte), "2.500000")]
    )
    assert facts.height == 2 * 200


def test_a_link_out_of_the_raw_folder_is_not_followed_unless_asked(tmp_path: Path, monkeypatch):
    raw, elsewhere = tmp_path / "raw", tmp_path / "elsewhere"
    raw.mkdir()
    elsewhere.mkdir()
    (elsewhere / "secret.txt").write_bytes(_fee_variant("7.5"))
    (raw / "out.txt").symlink_to(elsewhere / "secret.txt")
    shutil.copy(TONGZHOU, raw / "inside.txt")
    (raw / "to inside.txt").symlink_to("inside.txt")  # a link within the folder is read as ever
    for path in (elsewhere / "secret.txt", raw / "inside.txt"):
        os.utime(path, (1_600_000_000, 1_600_000_000))  # not "racily clean": the rerun reads nothing
    monkeypatch.delenv("XXGK_FOLLOW_LINKS", raising=False)
    reports, facts = _extract_folder(raw, tmp_path / "work")
    rows = {r["source_file"]: r for r in reports.iter_rows(named=True)}
    assert (rows["out.txt"]["status"], rows["out.txt"]["message"], rows["out.txt"]["agency"]) == (
        "rejected",
        "a link outside the raw folder: not followed (set XXGK_FOLLOW_LINKS=1 to read such links)",
        None,
    )
    assert not facts["report_id"].is_in([rows["out.txt"]["report_id"]]).any()
    assert rows["to inside.txt"]["status"] == "ok" and rows["to inside.txt"]["sha256"] == rows["inside.txt"]["sha256"]
    from pipeline.ingest import incremental

    assert incremental.update(raw, tmp_path / "work", scan(raw), workers=1).extracted == 0  # not looked at again
    monkeypatch.setenv("XXGK_FOLLOW_LINKS", "1")  # the user opts in: the next run reads it
    reports, _ = _extract_folder(raw, tmp_path / "work")
    assert reports.filter(reports["source_file"] == "out.txt")["status"].to_list() == ["ok"]
