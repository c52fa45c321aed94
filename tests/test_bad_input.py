"""Bad input next to good reports: `xxgk run` completes, the good reports load exactly as before,
and every bad file gets a `reports` row with a status and a message a user understands.
`xxgk extract` says the same on stderr, and writes no facts for a file it rejects.

One `xxgk run` and one `xxgk extract` over a raw folder holding every kind of bad input at once
(module fixture), then one test per kind of input."""

from __future__ import annotations

import csv
import io
import os
import resource
import shutil
import stat
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import EDITED, RAW, ROOT, golden_facts, xxgk
from pipeline.extract.batch import extract_path, read_file
from pipeline.extract.values import format_value
from pipeline.text.decode import MAX_REPORT_BYTES

BAD = ROOT / "tests" / "fixtures" / "bad"
TONGZHOU = RAW / "004_2b19c720d5f1c29d.txt"
HUGE = 4 * 1024**3  # sparse: no disk, but reading it whole would need 4 GiB of memory
# A sysctl that is write-only even for root: reading it fails with EACCES whoever asks.
WRITE_ONLY = Path("/proc/sys/vm/drop_caches")


@dataclass(frozen=True)
class Case:
    file: str  # path relative to the raw folder
    status: str
    message: str | None  # a phrase the message must contain (None for ok: notes may come and go)
    facts: int = 0


def _tongzhou_lines() -> list[str]:
    return TONGZHOU.read_text(encoding="utf-8").split("\n")


def _fee_variant(value: str) -> bytes:
    """Tongzhou with its fee amount (line 60) changed: another complete report with other facts."""
    lines = _tongzhou_lines()
    assert lines[59] == "\t28983.0794"
    lines[59] = "\t" + value
    return "\n".join(lines).encode("utf-8")


def _read_fails_as_root(path: Path) -> bool:
    try:
        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    except OSError:
        return True
    return False


TRUNCATE_AT = len(TONGZHOU.read_bytes()) * 3 // 5  # inside section 三, possibly inside a character
NAMES = {"report with spaces.txt": "1.5", "it's \"quoted\"; a (copy).txt": "2.5", "北京市通州区 2024年 报告.txt": "3.5"}

CASES: dict[str, Case] = {
    "empty": Case("empty.txt", "rejected", "empty file"),
    "blank": Case("blank.txt", "rejected", "empty file"),
    "pdf": Case("report.pdf", "rejected", "a PDF file: convert it to text first"),
    "image": Case("scan.png", "rejected", "a PNG image, not report text"),
    "zip": Case("report.docx", "rejected", "a zip archive (or .docx/.xlsx): save or convert it as plain text first"),
    "not_a_report": Case("notice.txt", "rejected", "not a government information disclosure annual report"),
    "undetectable_encoding": Case("big5.txt", "rejected", "undecodable: the text is not UTF-8"),
    "invalid_bytes": Case("stray-bytes.txt", "rejected", "undecodable: the bytes are neither UTF-8 nor GB18030/GBK text"),
    "truncated": Case("truncated.txt", "incomplete", "missing appeals cells"),
    "table_missing": Case("no-appeals-table.txt", "incomplete", "appeals: the row of 15 numbers was not found", 185),
    "very_large": Case("huge.txt", "rejected", "too large for a report (4,294,967,296 bytes"),
    "unreadable": Case("locked.txt", "rejected", "unreadable: Permission denied"),
    "fifo": Case("pipe.txt", "rejected", "not read: a named pipe (FIFO), not a file"),
    "dangling_symlink": Case("dangling.txt", "rejected", "unreadable: No such file or directory"),
    "looping_symlink": Case("loop.txt", "rejected", "unreadable: Too many levels of symbolic links"),
    "link_to_folder": Case("linked folder", "rejected", "not read: a folder (links to folders are not followed"),
    "duplicate": Case("copies/004 again.txt", "duplicate", "byte-identical copy of 004_2b19c720d5f1c29d.txt"),
    "same_agency_year": Case("tongzhou_distinct.txt", "ok", None, 200),
    **{f"name_{i}": Case(name, "ok", None, 200) for i, name in enumerate(NAMES)},
}


def make_bad_inputs(raw: Path) -> None:
    """Every kind of bad input, beside the good reports already in raw."""
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(b" \r\n\t\n  \n")
    for name in ("report.pdf", "scan.png", "report.docx", "notice.txt"):
        shutil.copy(BAD / name, raw / name)
    text = TONGZHOU.read_text(encoding="utf-8")
    (raw / "big5.txt").write_bytes(text.encode("big5", errors="replace"))
    data = TONGZHOU.read_bytes()
    (raw / "stray-bytes.txt").write_bytes(data[:300] + b"\xff\xfe\x80" + data[300:])
    (raw / "truncated.txt").write_bytes(data[:TRUNCATE_AT])
    lines = _tongzhou_lines()
    assert lines[352].startswith("四、") and lines[410].startswith("五、")
    (raw / "no-appeals-table.txt").write_text("\n".join(lines[:353] + lines[410:]), encoding="utf-8")
    with (raw / "huge.txt").open("wb") as f:
        f.truncate(HUGE)
    if os.geteuid() != 0:
        (raw / "locked.txt").write_bytes(_fee_variant("9.5"))
        (raw / "locked.txt").chmod(0)
    elif WRITE_ONLY.exists() and _read_fails_as_root(WRITE_ONLY):
        # chmod 000 does not stop root; a write-only sysctl does.
        (raw / "locked.txt").symlink_to(WRITE_ONLY)
    os.mkfifo(raw / "pipe.txt")
    (raw / "dangling.txt").symlink_to("nowhere.txt")
    (raw / "loop.txt").symlink_to("loop.txt")
    (raw / "linked folder").symlink_to(raw / "copies", target_is_directory=True)
    (raw / "copies").mkdir()
    shutil.copy(TONGZHOU, raw / "copies" / "004 again.txt")
    shutil.copy(EDITED / "tongzhou_distinct.txt", raw / "tongzhou_distinct.txt")
    for name, fee in NAMES.items():
        (raw / name).write_bytes(_fee_variant(fee))


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory) -> tuple[Path, dict, dict]:
    """(warehouse, reports rows by source_file, `xxgk extract` stderr lines by file)."""
    work = tmp_path_factory.mktemp("bad")
    raw = work / "raw"
    shutil.copytree(RAW, raw)
    make_bad_inputs(raw)
    target = work / "out" / "xxgk.duckdb"
    proc = xxgk("run", "--raw", str(raw), "--warehouse", str(target), "--quiet", cwd=work)
    assert proc.returncode == 0, proc.stderr
    with duckdb.connect(str(target), read_only=True) as con:
        rows = con.execute("SELECT source_file, status, message, fact_count, duplicate_of, report_id, bytes FROM reports").fetchall()
    reports = {r[0]: dict(zip(("source_file", "status", "message", "fact_count", "duplicate_of", "report_id", "bytes"), r)) for r in rows}

    names = sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if not (p.is_dir() and not p.is_symlink()))
    cli = xxgk("extract", *[n for n in names if n != "linked folder"], cwd=raw)
    stderr = {}
    for line in cli.stderr.splitlines():
        name = next((n for n in names if line.startswith(n + ": ")), None)
        if name:
            stderr[name] = line[len(name) + 2 :]
    facts_by_file: dict[str, int] = {}
    for r in csv.DictReader(io.StringIO(cli.stdout)):
        facts_by_file[r["source_file"]] = facts_by_file.get(r["source_file"], 0) + 1
    return target, reports, {"returncode": cli.returncode, "stderr": stderr, "facts": facts_by_file, "names": names}


def _facts_of(warehouse: Path, source_file: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute(
            """SELECT f.table_code, f.row_code, coalesce(f.applicant_class, ''), f.value, f.source_line
               FROM facts f JOIN reports r USING (report_id) WHERE r.source_file = ?
               ORDER BY f.source_line, f.table_code, f.row_code""",
            [source_file],
        ).fetchall()
    return [(t, c, a, format_value(v), line) for t, c, a, v, line in got]


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
        assert _facts_of(warehouse, path.name) == _golden(path.stem)
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
        assert row["fact_count"] == 0 and _facts_of(warehouse, case.file) == []
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
    got = _facts_of(warehouse, "truncated.txt")
    assert 50 < len(got) < 200
    golden = _golden(TONGZHOU.stem)
    assert set(got) <= set(golden)
    assert all(line < cut_line for *_, line in got)


def test_table_missing_keeps_the_other_tables(bad_run):
    warehouse, _, _ = bad_run
    assert _facts_of(warehouse, "no-appeals-table.txt") == [g for g in _golden(TONGZHOU.stem) if g[0] != "appeals"]


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
    data, problem = read_file(at_limit)
    assert problem is None and len(data) == MAX_REPORT_BYTES
    data, problem = read_file(over)
    assert data is None and problem.startswith("too large for a report (16,777,217 bytes")


def test_names_with_spaces_quotes_and_chinese_are_stored_verbatim(bad_run):
    warehouse, reports, _ = bad_run
    for name, fee in NAMES.items():
        assert reports[name]["source_file"] == name
        expected = [(t, c, a, fee if c == "fees.amount_10k_yuan" else v, line) for t, c, a, v, line in _golden(TONGZHOU.stem)]
        assert _facts_of(warehouse, name) == expected


def test_duplicate_points_at_the_first_copy_and_loads_nothing_twice(bad_run):
    warehouse, reports, cli = bad_run
    dup, original = reports["copies/004 again.txt"], reports[TONGZHOU.name]
    assert dup["duplicate_of"] == original["report_id"] and original["status"] == "ok"
    assert _facts_of(warehouse, "copies/004 again.txt") == []
    assert cli["stderr"]["copies/004 again.txt"] == (
        f"duplicate: byte-identical copy of {TONGZHOU.name}; its facts are written once, from that file"
    )


def test_two_reports_for_the_same_agency_and_year_both_load(bad_run):
    warehouse, reports, _ = bad_run
    for name, stem in ((TONGZHOU.name, TONGZHOU.stem), ("tongzhou_distinct.txt", "tongzhou_distinct")):
        assert reports[name]["status"] == "ok"
        assert _facts_of(warehouse, name) == _golden(stem)


def test_unreadable_regular_file_for_an_unprivileged_reader():
    """chmod 000 on a regular file. Root reads it anyway, so as root the read is made as
    `nobody` (effective uid only, restored at once), which the permission really stops."""
    folder = Path(tempfile.mkdtemp(prefix="xxgk-locked-"))
    try:
        folder.chmod(0o755)
        locked = folder / "locked.txt"
        locked.write_bytes(TONGZHOU.read_bytes())
        locked.chmod(0)
        if os.geteuid() == 0:
            os.seteuid(65534)
            try:
                sha, ex = extract_path(locked)
            finally:
                os.seteuid(0)
        else:
            sha, ex = extract_path(locked)
        assert (ex.status, ex.message, ex.facts) == ("rejected", "unreadable: Permission denied", [])
    finally:
        shutil.rmtree(folder)


def test_a_pipe_never_blocks_the_reader(tmp_path: Path):
    """Opening a FIFO for reading blocks until a writer comes; the reader must not even try."""
    os.mkfifo(tmp_path / "pipe.txt")
    data, problem = read_file(tmp_path / "pipe.txt")
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
