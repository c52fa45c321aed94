"""Raw folder → polars frames of reports and facts, extracted in parallel batches and written
as Parquet, so no process ever holds every text or every fact at once."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pipeline.extract.model import Extraction, Fact
from pipeline.extract.readers import DOCUMENT_MAGIC
from pipeline.ingest import convert
from pipeline.settings import settings
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
# not cells. sql/sources/narrative_figures.sql finds narrative-NNNNNN.parquet beside facts-NNNNNN.parquet.
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
    """A file name as text, one name to one text. A name that is not UTF-8 (GBK names unpacked
    from an archive made on Windows, say) cannot be stored as text, so its undecodable bytes are
    written as \\xNN; so is every backslash in it (\\x5c), and a UTF-8 name that holds such an
    escape as text is written the same way, so no other name can show as the same text. on_disk
    turns it back into the name on disk."""
    try:
        name.encode("utf-8")
        if not _ESCAPE.search(name):
            return name
    except UnicodeEncodeError:
        pass
    return os.fsencode(name).replace(b"\\", b"\\x5c").decode("utf-8", "backslashreplace")


# What backslashreplace writes: a text holding one is an escaped name (shown_name).
_ESCAPE = re.compile(r"\\x[0-9a-f]{2}")
_ESCAPED_BYTE = re.compile(rb"\\x([0-9a-f]{2})")


def on_disk(raw_dir: Path, source_file: str) -> Path:
    """The path of the file shown_name shows as source_file."""
    if not _ESCAPE.search(source_file):
        return raw_dir / source_file
    name = _ESCAPED_BYTE.sub(lambda m: bytes([int(m[1], 16)]), source_file.encode("utf-8"))
    return raw_dir / os.fsdecode(name)


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


def _too_large(size: int, limit: int) -> str:
    kind = "text" if limit == MAX_REPORT_BYTES else "PDF and Word files"
    return f"too large for a report ({size:,} bytes; reports are tens of kilobytes, the limit for {kind} is {limit:,}): not read"


# PDF and Word files carry fonts and images beside their text, so they may be far larger.
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


class Read(NamedTuple):
    """What reading a file gave: its bytes, or why they were not read, and the stat of what was
    examined (the open file's fstat when it was opened)."""

    data: bytes | None
    problem: str | None
    st: os.stat_result | None = None  # None when the file could not even be looked at
    retry: bool = False  # the system stopped the reading (gone, permissions): look again next run

    @property
    def bytes(self) -> int | None:
        return self.st.st_size if self.st is not None and stat.S_ISREG(self.st.st_mode) else None

    def seen(self) -> tuple[int, int]:
        """The size and modification time the manifest records: of the bytes read, so a file
        restored later with its old time is not taken for what was read. (-1, 0), which no scan
        gives a file, when the reading must be tried again."""
        if self.retry or self.st is None or (self.data is not None and len(self.data) != self.st.st_size):
            return -1, 0
        return self.st.st_size, self.st.st_mtime_ns


def read_file(path: Path) -> Read:
    """The file's bytes, or why they were not read. Only regular files are opened (a named pipe
    would block the run), and the size is checked on the open file before more than its first
    bytes, which say whether it is a PDF or Word file (64 MiB) or text (16 MiB), are read."""
    st = None
    try:
        st = path.stat()
        problem = _not_regular(st.st_mode, path)
        if problem:
            return Read(None, problem, st)
        # O_NONBLOCK: if the path was swapped for a pipe since the stat, opening it must not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            problem = _not_regular(st.st_mode, path)
            if problem:
                return Read(None, problem, st)
            head = f.read(8)
            limit = MAX_DOCUMENT_BYTES if head.startswith(DOCUMENT_MAGIC) else MAX_REPORT_BYTES
            if st.st_size > limit:
                return Read(None, _too_large(st.st_size, limit), st)
            data = head + f.read(limit + 1 - len(head))
            if len(data) > limit:  # it grew while we read it
                return Read(None, _too_large(len(data), limit), st, retry=True)
            return Read(data, None, st)
    except OSError as err:
        return Read(None, f"unreadable: {err.strerror or err}", st, retry=True)


OUTSIDE = "a link outside the raw folder: not followed (set XXGK_FOLLOW_LINKS=1 to read such links)"


def follow_links() -> bool:
    """XXGK_FOLLOW_LINKS=1: read files that symbolic links in the raw folder point to elsewhere."""
    return settings().follow_links


def read_raw(raw_dir: Path, source_file: str) -> Read:
    """A file of the raw folder, by the name scan gave it. A link leading out of the folder is
    not followed unless the user asks (follow_links): what the folder holds is what is loaded."""
    path = on_disk(raw_dir, source_file)
    if not follow_links():
        inside = os.path.realpath(raw_dir)
        if os.path.commonpath([inside, os.path.realpath(path)]) != inside:
            try:  # the target's stat, as scan saw it, so the link is not looked at again each run
                return Read(None, OUTSIDE, path.stat())
            except OSError:
                return Read(None, OUTSIDE, retry=True)
    return read_file(path)


def extract_path(path: Path) -> tuple[str, Extraction]:
    """The file's sha256 (of what was read; empty when nothing could be) and its extraction."""
    return extract_read(read_file(path), path)


def extract_read(read: Read, path: Path) -> tuple[str, Extraction]:
    """What read_file read from path: its sha256 and its extraction."""
    if read.data is None:
        sha, ex = hashlib.sha256(b"").hexdigest(), Extraction(status="rejected", problems=[read.problem or "unreadable"])
    else:
        sha, ex = hashlib.sha256(read.data).hexdigest(), convert.extract(read.data)
    if shown_name(str(path)) != str(path):
        name = os.fsencode(path.name)
        try:
            os.fsencode(path).decode("utf-8")
            ex.notes.append(
                "the file name holds \\xNN as text, which names that are not UTF-8 are shown with, so its backslashes are shown as \\x5c"
            )
        except UnicodeDecodeError:
            ex.notes.append(
                "the file name is not UTF-8, so its undecodable bytes are shown as \\xNN (read as GBK it is "
                f"{name.decode('gb18030', 'replace')!r}); renaming the file in UTF-8 keeps it readable everywhere"
            )
    return sha, ex


def _frames(raw_dir: Path, files: Iterable[str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, list[tuple]]:
    """The frames of files, and for each file what the manifest records of it (incremental.py):
    source_file, size and mtime_ns of what was read, sha256, report_id, facts and narrative rows."""
    reports: list[dict] = []
    facts: dict[str, list] = {k: [] for k in FACT_SCHEMA}
    narrative: dict[str, list] = {k: [] for k in NARRATIVE_SCHEMA}
    seen: list[tuple] = []
    for source_file in files:
        read = read_raw(raw_dir, source_file)
        sha, ex = extract_read(read, on_disk(raw_dir, source_file))
        rid = report_id(source_file, sha)
        reports.append(
            {
                "report_id": rid,
                "source_file": source_file,
                "sha256": sha,
                "bytes": read.bytes,
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
        seen.append((source_file, *read.seen(), sha, rid, len(ex.facts), len(ex.narrative)))
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
        seen,
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


def _extract_batch(args: tuple[str, list[str], str, int]) -> tuple[int, list[tuple]]:
    """Extract one batch into its Parquet files; the batch number and what _frames saw of each file."""
    raw_dir, files, out_dir, batch_no = args
    reports, facts, narrative, seen = _frames(Path(raw_dir), files)
    reports.write_parquet(Path(out_dir) / f"reports-{batch_no:06d}.parquet")
    facts.write_parquet(Path(out_dir) / f"facts-{batch_no:06d}.parquet")
    narrative.write_parquet(Path(out_dir) / f"narrative-{batch_no:06d}.parquet")
    return batch_no, seen
