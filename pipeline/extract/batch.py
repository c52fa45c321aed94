"""Raw folder → polars frames of reports and facts, extracted in parallel batches and written
as Parquet, so no process ever holds every text or every fact at once."""

from __future__ import annotations

import hashlib
from datetime import date
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from pipeline.extract.model import Extraction, Fact
from pipeline.extract.report import extract_bytes
from pipeline.text.decode import MAX_REPORT_BYTES

REPORT_SCHEMA = {
    "report_id": pl.String,
    "source_file": pl.String,
    "sha256": pl.String,
    "bytes": pl.Int64,
    "agency": pl.String,
    "division_hint": pl.String,
    "year": pl.Int32,
    "form_version": pl.String,
    "rendering": pl.String,
    "published_on": pl.Date,
    "status": pl.String,
    "duplicate_of": pl.String,
    "message": pl.String,
    "fact_count": pl.Int32,
}
FACT_SCHEMA = {
    "report_id": pl.String,
    "table_code": pl.String,
    "row_code": pl.String,
    "applicant_class": pl.String,
    "value": pl.Decimal(38, 6),
    "source_line": pl.Int32,
    "raw_text": pl.String,
    "doubt": pl.String,
    "source_page": pl.Int32,
    "source_box": pl.String,
    "source_cell": pl.String,
}
# Figures stated in the prose (pipeline.extract.narrative), a third frame beside facts: they are
# not cells. sql/load/narrative_figures.sql finds narrative-NNNNNN.parquet beside facts-NNNNNN.parquet.
NARRATIVE_SCHEMA = {
    "report_id": pl.String,
    "kind": pl.String,
    "value": pl.Decimal(38, 6),
    "source_line": pl.Int32,
    "raw_text": pl.String,
    "table_code": pl.String,
    "row_code": pl.String,
    "applicant_class": pl.String,
    "source_page": pl.Int32,
}
BATCH_SIZE = 500


@dataclass(frozen=True)
class RawFile:
    source_file: str  # relative to the raw folder, with forward slashes
    size: int
    mtime_ns: int


def scan(raw_dir: Path) -> list[RawFile]:
    """Every non-hidden file under raw_dir, recursively, in a stable order. Broken or looping
    symlinks, named pipes, sockets, devices and links to folders (which are not followed) are
    listed too, so they get a row saying what is wrong with them instead of vanishing, and so is
    a folder that cannot be listed. If raw_dir itself cannot be listed, that is an error: an
    empty listing would publish a warehouse without any report."""
    found: list[RawFile] = []
    unlisted: list[OSError] = []
    top = os.fspath(raw_dir)
    # Plain strings, not Path objects: a national folder is 100,000 files, listed on every run.
    for dirpath, dirnames, filenames in os.walk(top, onerror=unlisted.append):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        linked_dirs = [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]
        rel_dir = os.path.relpath(dirpath, top).replace(os.sep, "/")
        prefix = "" if rel_dir == "." else rel_dir + "/"
        for name in filenames + linked_dirs:
            if name.startswith("."):
                continue
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                st = None
            found.append(RawFile(shown_name(prefix + name), st.st_size if st else -1, st.st_mtime_ns if st else 0))
    for err in unlisted:
        folder = Path(err.filename)
        if folder == raw_dir:
            raise err
        found.append(RawFile(shown_name(folder.relative_to(raw_dir).as_posix()), -1, 0))
    return sorted(found, key=lambda f: f.source_file)


def shown_name(name: str) -> str:
    """A file name as text. A name that is not UTF-8 (GBK names unpacked from an archive made on
    Windows, say) cannot be stored as text, so its undecodable bytes are written as \\xNN;
    read_file turns them back into the bytes on disk."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")


_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


def _on_disk(path: Path) -> Path:
    """The path that shown_name's \\xNN escapes stand for, when the path as written does not exist."""
    if "\\x" not in str(path) or os.path.lexists(path):
        return path
    return Path(os.fsdecode(_ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), os.fsencode(path))))


def report_id(source_file: str, sha256: str) -> str:
    """Stable across runs for the same file and content."""
    return hashlib.sha256(f"{source_file}\0{sha256}".encode()).hexdigest()[:16]


_NOT_REGULAR = (
    (stat.S_ISDIR, "a folder (links to folders are not followed; put the reports themselves in the raw folder)"),
    (stat.S_ISFIFO, "a named pipe (FIFO), not a file"),
    (stat.S_ISSOCK, "a socket, not a file"),
    (stat.S_ISCHR, "a character device, not a file"),
    (stat.S_ISBLK, "a block device, not a file"),
)


def _not_regular(mode: int, path: Path) -> str | None:
    if stat.S_ISDIR(mode) and not path.is_symlink():
        # scan lists a folder only when it could not list the files in it
        try:
            os.listdir(path)
        except OSError as err:
            return f"not read: a folder whose files cannot be listed ({err.strerror or err}), so none of them was read"
    for test, what in _NOT_REGULAR:
        if test(mode):
            return f"not read: {what}"
    return None if stat.S_ISREG(mode) else "not read: not a regular file"


def _too_large(size: int) -> str:
    return (
        f"too large for a report ({size:,} bytes; reports are tens of kilobytes, "
        f"the limit is {MAX_REPORT_BYTES:,}): not read"
    )


def read_file(path: Path) -> tuple[bytes | None, str | None]:
    """The file's bytes, or why they were not read. Only regular files are opened (a named pipe
    would block the run), and the size is checked on the open file before anything is read."""
    path = _on_disk(path)
    try:
        problem = _not_regular(path.stat().st_mode, path)
        if problem:
            return None, problem
        # O_NONBLOCK: if the path was swapped for a pipe since the stat, opening it must not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            problem = _not_regular(st.st_mode, path)
            if problem:
                return None, problem
            if st.st_size > MAX_REPORT_BYTES:
                return None, _too_large(st.st_size)
            data = f.read(MAX_REPORT_BYTES + 1)
            if len(data) > MAX_REPORT_BYTES:  # it grew while we read it
                return None, _too_large(len(data))
            return data, None
    except OSError as err:
        return None, f"unreadable: {err.strerror or err}"


def extract_path(path: Path) -> tuple[str, Extraction]:
    """The file's sha256 (of what was read; empty when nothing could be) and its extraction."""
    data, problem = read_file(path)
    if data is None:
        sha, ex = hashlib.sha256(b"").hexdigest(), Extraction(status="rejected", problems=[problem or "unreadable"])
    else:
        sha, ex = hashlib.sha256(data).hexdigest(), extract_bytes(data)
    if _on_disk(path) != path or shown_name(str(path)) != str(path):
        name = os.fsencode(_on_disk(path).name)
        ex.notes.append(
            "the file name is not UTF-8, so its undecodable bytes are shown as \\xNN (read as GBK it is "
            f"{name.decode('gb18030', 'replace')!r}); renaming the file in UTF-8 keeps it readable everywhere"
        )
    return sha, ex


def _frames(raw_dir: Path, files: Iterable[str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    reports: list[dict] = []
    facts: dict[str, list] = {k: [] for k in FACT_SCHEMA}
    narrative: dict[str, list] = {k: [] for k in NARRATIVE_SCHEMA}
    for source_file in files:
        sha, ex = extract_path(raw_dir / source_file)
        rid = report_id(source_file, sha)
        on_disk = _on_disk(raw_dir / source_file)
        size = on_disk.stat().st_size if on_disk.is_file() else None
        reports.append(
            {
                "report_id": rid,
                "source_file": source_file,
                "sha256": sha,
                "bytes": size,
                "agency": ex.agency,
                "division_hint": ex.division_hint,
                "year": ex.year,
                "form_version": ex.form_version,
                "rendering": ex.rendering,
                "published_on": None if ex.published_on is None else date.fromisoformat(ex.published_on),
                "status": ex.status,
                "duplicate_of": None,
                "message": ex.message,
                "fact_count": len(ex.facts),
            }
        )
        if ex.facts:
            facts["report_id"].extend([rid] * len(ex.facts))
            # Facts are named tuples in FACT_SCHEMA's order after report_id: one transpose.
            for k, column in zip(_FACT_FIELDS, zip(*ex.facts)):
                facts[k].extend(column)
        for n in ex.narrative:
            for k in NARRATIVE_SCHEMA:
                narrative[k].append(rid if k == "report_id" else getattr(n, k))
    return (
        pl.DataFrame(reports, schema=REPORT_SCHEMA),
        _frame(facts, FACT_SCHEMA),
        _frame(narrative, NARRATIVE_SCHEMA),
    )


_FACT_FIELDS = tuple(k for k in FACT_SCHEMA if k != "report_id")
assert _FACT_FIELDS == Fact._fields, "FACT_SCHEMA's columns must follow Fact's fields"


def _frame(columns: dict[str, list], schema: dict) -> pl.DataFrame:
    """Columns → a frame. Decimal columns go through their exact text (`format(v, "f")`) and
    polars' string → decimal cast, which gives the same values as building them from Decimal
    objects and is several times faster."""
    series = []
    for name, dtype in schema.items():
        if isinstance(dtype, pl.Decimal):
            text = pl.Series(name, [None if v is None else format(v, "f") for v in columns[name]], dtype=pl.String)
            series.append(text.cast(dtype))
        else:
            series.append(pl.Series(name, columns[name], dtype=dtype))
    return pl.DataFrame(series)


def _extract_batch(args: tuple[str, list[str], str, int]) -> tuple[int, int]:
    raw_dir, files, out_dir, batch_no = args
    reports, facts, narrative = _frames(Path(raw_dir), files)
    reports.write_parquet(Path(out_dir) / f"reports-{batch_no:06d}.parquet")
    facts.write_parquet(Path(out_dir) / f"facts-{batch_no:06d}.parquet")
    narrative.write_parquet(Path(out_dir) / f"narrative-{batch_no:06d}.parquet")
    return len(files), facts.height


def mark_duplicates(reports: pl.DataFrame) -> pl.DataFrame:
    """A byte-identical copy of an earlier file (in path order) is `duplicate` of it."""
    first = (
        reports.filter(pl.col("sha256") != hashlib.sha256(b"").hexdigest())
        .sort("source_file")
        .group_by("sha256", maintain_order=True)
        .agg(pl.col("report_id").first().alias("first_id"), pl.col("source_file").first().alias("first_file"))
    )
    marked = reports.join(first, on="sha256", how="left").with_columns(
        is_dup=(pl.col("first_id").is_not_null() & (pl.col("first_id") != pl.col("report_id")))
    )
    return marked.with_columns(
        status=pl.when("is_dup").then(pl.lit("duplicate")).otherwise("status"),
        duplicate_of=pl.when("is_dup").then("first_id").otherwise("duplicate_of"),
        message=pl.when("is_dup")
        .then(pl.format("byte-identical copy of {}; its facts are loaded once, from that file", "first_file"))
        .otherwise("message"),
    ).select(list(REPORT_SCHEMA))
