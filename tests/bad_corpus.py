"""Hostile input shared by test_bad_input, test_injection and test_idempotent: a raw folder with
every kind of bad input and SQL-looking names and text beside the bundled reports, and one
`xxgk run` and one `xxgk extract` over it, made once per test session (runs are the slow part)."""

from __future__ import annotations

import atexit
import csv
import io
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
from conftest import EDITED, RAW, ROOT, xxgk

from pipeline.extract.values import format_value
from pipeline.ingest.batch import shown_name

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
NAMES = {"report with spaces.txt": "1.5", 'it\'s "quoted"; a (copy).txt': "2.5", "北京市通州区 2024年 报告.txt": "3.5"}
# A Chinese name in GBK bytes, as unpacking a zip made on Windows leaves it: not UTF-8, so the name
# is stored with its bytes escaped, and the report is read all the same.
GBK_NAME = os.fsdecode("通州区报告.txt".encode("gbk"))
GBK_SHOWN = shown_name(GBK_NAME)
# file name → the fee it states
UNHELD = {"33 digits.txt": "1" + "0" * 32, "7 decimals.txt": "0.0000001", "14 decimals.txt": "28983.07949999999999"}
HELD = {"32 digits.txt": "9" * 32, "29 digits.txt": "123456789012345678901234.56789", "6 decimals.txt": "0.000001"}

CASES: dict[str, Case] = {
    "empty": Case("empty.txt", "rejected", "empty file"),
    "blank": Case("blank.txt", "rejected", "empty file"),
    "pdf": Case("report.pdf", "rejected", "a scanned PDF without a text layer"),  # a page with no text
    "image": Case("scan.png", "rejected", "a PNG image, not report text"),
    "zip": Case("archive.zip", "rejected", "a zip archive that is not a readable Word .docx"),
    "docx_without_tables": Case("report.docx", "incomplete", "no table found in the docx file"),
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
    "name_not_utf8": Case(
        GBK_SHOWN, "ok", "the file name is not UTF-8, so its undecodable bytes are shown as \\xNN (read as GBK it is '通州区报告.txt')", 200
    ),
    # Numbers the warehouse's DECIMAL(38, 6) cannot hold exactly: loaded as NULL with their text,
    # never rounded, and the rest of the run loads. 32 digits before the point and 6 after fit.
    **{f"unheld_{i}": Case(name, "incomplete", "fees.amount_10k_yuan", 200) for i, name in enumerate(UNHELD)},
    **{f"held_{i}": Case(name, "ok", None, 200) for i, name in enumerate(HELD)},
}


def make_bad_inputs(raw: Path) -> None:
    """Every kind of bad input, beside the good reports already in raw."""
    (raw / "empty.txt").write_bytes(b"")
    (raw / "blank.txt").write_bytes(b" \r\n\t\n  \n")
    for name in ("report.pdf", "scan.png", "report.docx", "notice.txt"):
        shutil.copy(BAD / name, raw / name)
    with zipfile.ZipFile(raw / "archive.zip", "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")  # a spreadsheet, not a Word file
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
        # chmod 000 does not stop root; a write-only sysctl does (read through a link that leaves
        # the raw folder, so shared_run lets links be followed).
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
    (raw / GBK_NAME).write_bytes(_fee_variant("6.5"))
    for name, fee in {**UNHELD, **HELD}.items():
        (raw / name).write_bytes(_fee_variant(fee))


# Names, titles and cell text that would do damage if they ever reached SQL text.
SQL_NAME = "x'; DROP TABLE facts; --.txt"
SQL_FOLDER = 'y"; DELETE FROM reports WHERE 1=1; --'
SQL_TITLE_AGENCY = "北京市通州区'); DROP TABLE reports; --"
SQL_CELL = "0'); DROP TABLE facts; SELECT $reports, ?; --"


def make_injection_inputs(raw: Path) -> None:
    (raw / SQL_NAME).write_bytes(_fee_variant("4.5"))
    (raw / SQL_FOLDER).mkdir()
    lines = _tongzhou_lines()
    assert lines[0] == "北京市通州区2024年政府信息公开"
    lines[0] = SQL_TITLE_AGENCY + "2024年政府信息公开"
    lines[59] = "\t5.5"  # the fee: its facts differ from every other report's
    (raw / SQL_FOLDER / "title.txt").write_text("\n".join(lines), encoding="utf-8")
    lines = _tongzhou_lines()
    lines[59] = "\t" + SQL_CELL
    (raw / SQL_FOLDER / "cell.txt").write_text("\n".join(lines), encoding="utf-8")


@dataclass(frozen=True)
class SharedRun:
    raw: Path
    warehouse: Path
    stdout: str
    reports: dict[str, dict]  # reports rows by source_file
    cli: dict  # `xxgk extract`: returncode, stderr lines by file, fact counts by file, names given
    env: dict[str, str] | None  # what `xxgk run` over raw needs set (links followed as root)


@cache
def shared_run() -> SharedRun:
    # Quotes and a semicolon in the folder names too: paths are data wherever they go.
    work = Path(tempfile.mkdtemp(prefix="xxgk-hostile-"))
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    raw = work / "raw 'of; reports"
    shutil.copytree(RAW, raw)
    make_bad_inputs(raw)
    make_injection_inputs(raw)
    target = work / "out'; DROP TABLE facts; --" / "xxgk.duckdb"
    follow = {"XXGK_FOLLOW_LINKS": "1"} if (raw / "locked.txt").is_symlink() else None
    proc = xxgk("run", "--raw", str(raw), "--warehouse", str(target), "--quiet", cwd=work, check=False, env=follow)
    assert proc.returncode == 0, proc.stderr
    columns = ("source_file", "status", "message", "fact_count", "duplicate_of", "report_id", "bytes", "agency")
    with duckdb.connect(str(target), read_only=True) as con:
        rows = con.execute(f"SELECT {', '.join(columns)} FROM reports").fetchall()
    reports = {r[0]: dict(zip(columns, r)) for r in rows}

    on_disk = sorted(p.relative_to(raw).as_posix() for p in raw.rglob("*") if not (p.is_dir() and not p.is_symlink()))
    cli = xxgk("extract", *[n for n in on_disk if n != "linked folder"], cwd=raw, check=False)
    names = [shown_name(n) for n in on_disk]
    stderr = {}
    for line in cli.stderr.splitlines():
        name = next((n for n in names if line.startswith(n + ": ")), None)
        if name:
            stderr[name] = line[len(name) + 2 :]
    facts_by_file: dict[str, int] = {}
    for r in csv.DictReader(io.StringIO(cli.stdout)):
        facts_by_file[r["source_file"]] = facts_by_file.get(r["source_file"], 0) + 1
    return SharedRun(
        raw, target, proc.stdout, reports, {"returncode": cli.returncode, "stderr": stderr, "facts": facts_by_file, "names": names}, follow
    )


def facts_of(warehouse: Path, source_file: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        got = con.execute(
            """SELECT f.table_code, f.row_code, coalesce(f.applicant_class, ''), f.value, f.source_line
               FROM facts f JOIN reports r USING (report_id) WHERE r.source_file = ?
               ORDER BY f.source_line, f.table_code, f.row_code""",
            [source_file],
        ).fetchall()
    return [(t, c, a, None if v is None else format_value(v), line) for t, c, a, v, line in got]
