"""Incremental extraction: only files whose content changed are extracted again.

The work folder keeps what the last run extracted:

    batches/<frame>-NNNNNN.parquet   one file per frame (reports, facts, …) per batch
    manifest.parquet                 one row per raw file: size, mtime_ns, sha256, report_id, batch,
                                     and its rows in the batch's facts and narrative files

The size and mtime_ns are those of the bytes that were read (the open file's fstat), not of the
scan, so a file that changed between the two is looked at again. A batch whose files are missing
or do not hold the rows the manifest records (their Parquet footers say) is a damaged cache: its
files are extracted again, and the run says so.

A run compares a fresh scan of the raw folder with the manifest:

* same path, size and mtime_ns → unchanged, its rows are reused without reading the file
  (unless its mtime is within a couple of seconds of the last scan, when a same-size rewrite in
  the same clock tick could hide; those are hashed, as git does for "racily clean" files);
* same path, different size or mtime → the file is hashed; same sha256 → unchanged (the manifest
  takes the new mtime), else it is extracted again;
* new path → extracted; path gone → its rows leave.

A batch that lost rows (changed or removed files) is rewritten copy-on-write under a new number
without its stale rows; new extractions go into new batches; many small batches are merged. The
manifest is then replaced in one rename, which is the commit point: a run killed before it leaves
the previous manifest and batches intact, and its half-written batches are deleted next time.

Everything is extracted again when the extractor changes: the manifest records a hash of the
source of pipeline/ingest, pipeline/extract, pipeline/form and pipeline/text (and the frame
schemas), and a different hash discards the cache.

Byte-identical copies are decided afterwards over all files' reports (pipeline/ingest/copies.py),
so a copy is found whether or not either file changed in this run.
"""

from __future__ import annotations

import hashlib
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import NamedTuple

import polars as pl

from pipeline.extract import readers
from pipeline.ingest import batch as _batch
from pipeline.ingest import convert
from pipeline.ingest.batch import BATCH_SIZE, RawFile

PACKAGE = Path(__file__).resolve().parents[1]
MANIFEST_SCHEMA = {
    "source_file": pl.String,
    "size": pl.Int64,
    "mtime_ns": pl.Int64,
    "sha256": pl.String,
    "report_id": pl.String,
    "batch": pl.Int32,
    "facts": pl.Int32,  # its rows in the batch's facts file
    "narrative": pl.Int32,  # and in its narrative file
    "extractor": pl.String,  # the same on every row: extractor_version() when extracted
    "scanned_ns": pl.Int64,  # the same on every row: wall-clock time the scan started
}
# What batch._frames returns for each file it extracted, in its order.
_SEEN = ("source_file", "size", "mtime_ns", "sha256", "report_id", "facts", "narrative")
FRAMES = ("reports", "facts", "narrative")  # a batch's files: <frame>-NNNNNN.parquet
RACY_NS = 2_000_000_000
IN_PROCESS_BELOW = 200  # fewer files than this are extracted in this process: no pool start-up


def extractor_version() -> str:
    """A hash of everything that decides what a file extracts to: the code, and whether links out
    of the raw folder are followed (batch.follow_links)."""
    return _code_version() + ("-follows-links" if _batch.follow_links() else "")


@cache
def _code_version() -> str:
    h = hashlib.sha256()
    # ingest too: batch.py decides each file's rows (its name as text, its status when unreadable).
    for sub in ("ingest", "extract", "form", "text"):
        for path in sorted((PACKAGE / sub).rglob("*")):
            if path.suffix in (".py", ".csv") and "__pycache__" not in path.parts:
                h.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
                h.update(path.read_bytes() + b"\0")
    h.update(repr((_batch.REPORT_SCHEMA, _batch.FACT_SCHEMA, _batch.BATCH_SIZE)).encode())
    # The parsers the readers use, and whether old Word files can be converted here: installing
    # LibreOffice or upgrading a parser reads again the files it changes.
    h.update(repr((readers.parser_versions(), convert.soffice() is not None)).encode())
    return h.hexdigest()[:16]


@dataclass
class Outcome:
    total: int = 0
    unchanged: int = 0
    rehashed: int = 0  # stat changed but content did not
    extracted: int = 0
    new: int = 0
    changed: int = 0
    removed: int = 0
    batches_rewritten: int = 0
    full: bool = False  # no usable cache: everything was extracted
    reason: str = ""
    damage: str = ""  # what the work folder had lost, when it had, in one line
    seconds: float = 0.0
    live_batches: list[int] = field(default_factory=list)

    def describe(self) -> str:
        if self.full:
            return f"{self.total:,} files, all extracted ({self.reason})"
        return f"{self.total:,} files: {self.unchanged:,} unchanged, {self.new:,} new, {self.changed:,} changed, {self.removed:,} removed"


def manifest_path(work_dir: Path) -> Path:
    return work_dir / "manifest.parquet"


def batch_dir(work_dir: Path) -> Path:
    return work_dir / "batches"


def read_manifest(work_dir: Path) -> pl.DataFrame | None:
    try:
        m = pl.read_parquet(manifest_path(work_dir))
    except (OSError, pl.exceptions.PolarsError):
        return None
    return m if set(m.columns) == set(MANIFEST_SCHEMA) else None


def scan_fingerprint(rows: list[tuple[str, int, int]]) -> str:
    """A hash of (path, size, mtime_ns) for every file: equal when the folder looks unchanged."""
    h = hashlib.sha256()
    for source_file, size, mtime in sorted(rows):
        h.update(f"{source_file}\0{size}\0{mtime}\n".encode())
    return h.hexdigest()[:16]


def _sha256(raw_dir: Path, source_file: str) -> tuple[str | None, tuple[int, int]]:
    """The hash extraction would record (None when the file is not read as a regular file), and
    the size and time of what was hashed."""
    read = _batch.read_raw(raw_dir, source_file)
    return (None if read.data is None else hashlib.sha256(read.data).hexdigest()), read.seen()


def _damaged(work_dir: Path, manifest: pl.DataFrame) -> dict[int, str]:
    """The batches the manifest lists whose files are missing or do not read back with the rows
    it recorded, each with its first damaged file and what is wrong with it. Only the files'
    Parquet footers are read."""
    expected = manifest.group_by("batch").agg(pl.len().alias("reports"), pl.col("facts").sum(), pl.col("narrative").sum())
    damaged = {}
    for row in expected.sort("batch").iter_rows(named=True):
        for frame in FRAMES:
            path = batch_dir(work_dir) / f"{frame}-{row['batch']:06d}.parquet"
            problem = _unlike(path, row[frame])
            if problem:
                damaged[row["batch"]] = f"{path.name} ({problem})"
                break
    return damaged


def _unlike(path: Path, rows: int) -> str | None:
    """What is wrong with a batch file that should hold `rows` rows, or None."""
    got = parquet_rows(path)
    if got is None:
        return "truncated or unreadable" if path.exists() else "removed"
    return None if got == rows else f"{got:,} rows where {rows:,} were written"


def parquet_rows(path: Path) -> int | None:
    """The rows a Parquet file's footer says it holds; None when it is missing or has no footer
    (truncated) or cannot be read."""
    try:
        return pl.scan_parquet(path).select(pl.len()).collect().item()
    except (OSError, pl.exceptions.PolarsError):
        return None


def _damage_line(damaged: dict[int, str], files: int) -> str:
    first, *more = damaged.values()
    also = f" and {len(more):,} more batches' files" if more else ""
    return f"the work folder lost {first}{also}: extracting {'its' if not more else 'their'} {files:,} files again"


def _batch_files(work_dir: Path, batch: int) -> list[Path]:
    return sorted(batch_dir(work_dir).glob(f"*-{batch:06d}.parquet"))


def _frame_name(path: Path) -> str:
    return path.name.rsplit("-", 1)[0]


def update(
    raw_dir: Path,
    work_dir: Path,
    files: list[RawFile],
    workers: int,
    progress: Callable[[int, int], None] | None = None,
) -> Outcome:
    """Bring the work folder's batches and manifest up to date with `files` (a fresh scan)."""
    started = time.monotonic()
    scanned_ns = time.time_ns()
    out = Outcome(total=len(files))
    bdir = batch_dir(work_dir)
    bdir.mkdir(parents=True, exist_ok=True)
    version = extractor_version()

    cache = usable_cache(work_dir, version, out)
    reused = set(cache.manifest["batch"].to_list())
    _delete_unreferenced(bdir, reused)
    previous = {r["source_file"]: r for r in cache.manifest.iter_rows(named=True)}
    keep, to_extract = classify(raw_dir, files, previous, cache.scanned_ns, out)

    repacked = batches_to_repack(list(previous.values()), keep)
    # New numbers start past the damaged batches too, whose numbers are no one's now.
    moved, next_batch = _repack(work_dir, repacked, keep, cache.last_batch + 1)
    out.batches_rewritten = len(repacked)

    out.extracted = len(to_extract)
    chunks = chunked([f.source_file for f in to_extract], workers, empty_folder=not keep)
    # The new manifest: kept rows (renumbered) and the fresh extractions' rows, which describe
    # the bytes that were read, not the scan (a file may change in between).
    rows = [{**r, "batch": moved.get(r["report_id"], r["batch"])} for r in keep]
    rows += _extract(raw_dir, bdir, chunks, next_batch, workers, progress, reused)
    out.live_batches = _commit(work_dir, new_manifest(rows, version, scanned_ns), next_batch)
    out.seconds = round(time.monotonic() - started, 3)
    return out


class Cache(NamedTuple):
    """What a run may reuse of the last one's extraction."""

    manifest: pl.DataFrame  # the rows of files in undamaged batches (none when the cache is unusable)
    scanned_ns: int  # when the last run's scan started (0 with no rows)
    last_batch: int  # the highest batch number the last manifest used, damaged or not (-1 with none)


def usable_cache(work_dir: Path, version: str, out: Outcome) -> Cache:
    """The last manifest, less the batches whose files are damaged (out.damage says what was
    lost); no rows when there is none or another extractor wrote it (out.full, out.reason)."""
    old = read_manifest(work_dir)
    if old is None:
        out.full, out.reason = True, "no previous extraction"
    elif old.height and old["extractor"][0] != version:
        out.full, out.reason = True, "the extractor changed"
    if out.full:
        old = pl.DataFrame(schema=MANIFEST_SCHEMA)
    scanned_ns = int(old["scanned_ns"][0]) if old.height else 0
    last_batch = int(old["batch"].max()) if old.height else -1
    damaged = _damaged(work_dir, old)
    if damaged:
        lost = old.filter(pl.col("batch").is_in(list(damaged)))
        old = old.filter(~pl.col("batch").is_in(list(damaged)))
        out.damage = _damage_line(damaged, lost.height)
    return Cache(old, scanned_ns, last_batch)


def classify(
    raw_dir: Path, files: list[RawFile], previous: dict[str, dict], scanned_ns: int, out: Outcome
) -> tuple[list[dict], list[RawFile]]:
    """The manifest rows of unchanged files (with their current stat), and the files to extract;
    out counts the new, changed, rehashed, unchanged and removed files. A file whose stat is as
    recorded is unchanged unless its time is within RACY_NS of the last scan (a same-size rewrite
    in the same clock tick could hide): such files, and those whose stat changed, are hashed."""
    keep: list[dict] = []
    to_extract: list[RawFile] = []
    for f in files:
        p = previous.get(f.source_file)
        if p is None:
            out.new += 1
            to_extract.append(f)
            continue
        racy = f.mtime_ns >= scanned_ns - RACY_NS
        if p["size"] == f.size and p["mtime_ns"] == f.mtime_ns and not racy and f.size >= 0:
            keep.append(p)
            continue
        sha, (size, mtime_ns) = _sha256(raw_dir, f.source_file)
        if sha is not None and sha == p["sha256"]:
            out.rehashed += 1
            keep.append({**p, "size": size, "mtime_ns": mtime_ns})
        else:
            out.changed += 1
            to_extract.append(f)
    out.unchanged = len(keep)
    current = {f.source_file for f in files}
    out.removed = sum(1 for s in previous if s not in current)
    return keep, to_extract


def batches_to_repack(previous: list[dict], keep: list[dict]) -> list[int]:
    """The batches to rewrite: those that lost rows (a file changed or was removed), and once
    they and the part-filled batches are more than 8, the part-filled ones too, so that their
    rows are repacked into full batches."""
    kept: dict[int, int] = {}
    for r in keep:
        kept[r["batch"]] = kept.get(r["batch"], 0) + 1
    count: dict[int, int] = {}
    for p in previous:
        count[p["batch"]] = count.get(p["batch"], 0) + 1
    dirty = [b for b, n in count.items() if kept.get(b, 0) < n]
    partial = [b for b, n in count.items() if b not in dirty and n < BATCH_SIZE]
    return sorted(dirty + (partial if len(dirty) + len(partial) > 8 else []))


def _repack(work_dir: Path, batches: list[int], keep: list[dict], next_batch: int) -> tuple[dict[str, int], int]:
    """The kept rows of `batches`, rewritten into full batches numbered from next_batch: each
    moved report_id's new batch, and the next number free after them."""
    batch_of = {r["report_id"]: r["batch"] for r in keep}
    wanted = set(batches)
    pooled = sorted((r["batch"], r["report_id"]) for r in keep if r["batch"] in wanted)
    ids = [rid for _, rid in pooled]
    moved: dict[str, int] = {}
    for i in range(0, len(ids), BATCH_SIZE):
        group = ids[i : i + BATCH_SIZE]
        _rewrite(work_dir, sorted({batch_of[rid] for rid in group}), set(group), next_batch)
        moved.update((rid, next_batch) for rid in group)
        next_batch += 1
    return moved, next_batch


def chunked(names: list[str], workers: int, empty_folder: bool) -> list[list[str]]:
    """The files to extract, in batches of at most BATCH_SIZE spread evenly over the workers. A
    folder left with no file at all still gets one (empty) batch, so every frame has its columns."""
    size = max(1, min(BATCH_SIZE, -(-len(names) // max(workers, 1))))
    chunks = [names[i : i + size] for i in range(0, len(names), size)]
    return chunks or ([[]] if empty_folder else [])


def _extract(
    raw_dir: Path,
    bdir: Path,
    chunks: list[list[str]],
    first_batch: int,
    workers: int,
    progress: Callable[[int, int], None] | None,
    reused: set[int],
) -> list[dict]:
    """Extract the chunks into batches numbered from first_batch, in a process pool when there are
    many files, reporting progress as each batch finishes: the manifest rows of the files read.
    Interrupted, or with the disk full, the workers stop and every batch but `reused` goes."""
    total = sum(len(c) for c in chunks)
    jobs = [(str(raw_dir), chunk, str(bdir), first_batch + n) for n, chunk in enumerate(chunks)]
    if progress:
        progress(0, total)
    rows: list[dict] = []
    results = _run(jobs, workers if total >= IN_PROCESS_BELOW else 1)
    try:
        for b, seen in results:
            rows.extend({**dict(zip(_SEEN, row)), "batch": b} for row in seen)
            if progress:
                progress(len(rows), total)
    except BaseException:
        # What this run wrote goes now, not at the next run (closing the generator stops the workers).
        results.close()
        _delete_unreferenced(bdir, reused)
        raise
    return rows


def new_manifest(rows: list[dict], version: str, scanned_ns: int) -> pl.DataFrame:
    """The manifest of these rows, by path, stamped with the extractor and the scan's time."""
    if not rows:
        return pl.DataFrame(schema=MANIFEST_SCHEMA)
    return pl.DataFrame([{**r, "extractor": version, "scanned_ns": scanned_ns} for r in rows], schema=MANIFEST_SCHEMA).sort("source_file")


def _commit(work_dir: Path, manifest: pl.DataFrame, first_new: int) -> list[int]:
    """Replace the manifest in one rename, the commit point, then delete every batch it does not
    refer to: the live batches. An empty manifest keeps the one empty batch first_new."""
    tmp = manifest_path(work_dir).with_suffix(".parquet.tmp")
    manifest.write_parquet(tmp)
    os.replace(tmp, manifest_path(work_dir))
    live = set(manifest["batch"].to_list()) | ({first_new} if not manifest.height else set())
    _delete_unreferenced(batch_dir(work_dir), live)
    return sorted(live)


def live_files(work_dir: Path, frame: str) -> list[Path]:
    """The `frame` Parquet file of every batch the manifest refers to."""
    return sorted(batch_dir(work_dir).glob(f"{frame}-*.parquet"))


def _rewrite(work_dir: Path, group: list[int], report_ids: set[str], new_batch: int) -> None:
    """The rows of `report_ids` from the batches in `group`, as one new batch (every frame)."""
    bdir = batch_dir(work_dir)
    by_frame: dict[str, list[Path]] = {}
    for b in group:
        for path in _batch_files(work_dir, b):
            by_frame.setdefault(_frame_name(path), []).append(path)
    ids = pl.Series("report_id", sorted(report_ids), dtype=pl.String)
    for frame, paths in by_frame.items():
        kept = pl.concat([pl.read_parquet(p) for p in paths], how="vertical_relaxed").filter(pl.col("report_id").is_in(ids.implode()))
        kept.write_parquet(bdir / f"{frame}-{new_batch:06d}.parquet")


def _delete_unreferenced(bdir: Path, live: set[int]) -> None:
    for path in bdir.glob("*-*.parquet"):
        try:
            b = int(path.stem.rsplit("-", 1)[1])
        except ValueError:
            continue
        if b not in live:
            path.unlink(missing_ok=True)


def _run(jobs: list, workers: int):
    if workers <= 1 or len(jobs) <= 1:
        yield from map(_batch._extract_batch, jobs)
        return
    # spawn, not fork: the caller may be a threaded Dagster process. Results as they finish,
    # so progress moves steadily.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_ignore_sigint)
    try:
        for fut in as_completed([pool.submit(_batch._extract_batch, j) for j in jobs]):
            yield fut.result()
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()


def _ignore_sigint() -> None:
    # Ctrl-C reaches the terminal's whole process group: the run decides, and stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop now: a pool's own shutdown lets every queued batch finish first (minutes at scale).
    Python 3.14's terminate_workers() does this; before it, the workers are reached directly."""
    workers = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=5)
