"""incremental.update's steps one at a time, on small hand-made manifests and folders (the whole
update on the bundled reports is tests/ingest/test_incremental.py's)."""

import hashlib
import os
import time

import polars as pl

from pipeline.ingest import incremental
from pipeline.ingest.batch import report_id, scan
from pipeline.ingest.incremental import MANIFEST_SCHEMA, Outcome

PAST = 1_600_000_000


def _row(source_file: str, batch: int, size: int = 10, mtime_ns: int = PAST * 10**9, sha: str = "s") -> dict:
    return {
        "source_file": source_file,
        "size": size,
        "mtime_ns": mtime_ns,
        "sha256": sha,
        "report_id": report_id(source_file, sha),
        "batch": batch,
        "facts": 0,
        "narrative": 0,
    }


def test_a_batch_that_lost_a_row_is_repacked_and_part_filled_ones_only_when_many(monkeypatch):
    monkeypatch.setattr(incremental, "BATCH_SIZE", 2)
    previous = [_row("a", 0), _row("b", 0), _row("c", 1), _row("d", 2), _row("e", 2)]
    keep = [r for r in previous if r["source_file"] != "b"]
    # batch 0 lost b; batch 1 is part-filled, but two batches are not many.
    assert incremental.batches_to_repack(previous, keep) == [0]
    assert incremental.batches_to_repack(previous, previous) == []
    many = [_row(f"f{b}", b) for b in range(9)]  # nine part-filled batches
    assert incremental.batches_to_repack(many, many) == list(range(9))
    assert incremental.batches_to_repack(many[:8], many[:8]) == []


def test_files_are_chunked_over_the_workers_up_to_a_batch(monkeypatch):
    monkeypatch.setattr(incremental, "BATCH_SIZE", 3)
    names = [f"{i}.txt" for i in range(7)]
    assert incremental.chunked(names, workers=2, empty_folder=False) == [names[:3], names[3:6], names[6:]]
    assert incremental.chunked(names[:4], workers=2, empty_folder=False) == [names[:2], names[2:4]]
    assert incremental.chunked(names[:2], workers=0, empty_folder=False) == [names[:2]]
    assert incremental.chunked([], workers=2, empty_folder=True) == [[]]  # one empty batch keeps the columns
    assert incremental.chunked([], workers=2, empty_folder=False) == []


def test_classify_reuses_unchanged_files_and_hashes_racy_and_touched_ones(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("same.txt", "touched.txt", "edited.txt", "new.txt", "racy.txt"):
        (raw / name).write_text(name, encoding="utf-8")
    for name in ("same.txt", "touched.txt", "edited.txt", "new.txt"):
        os.utime(raw / name, (PAST, PAST))

    def sha(name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()

    scanned = {f.source_file: f for f in scan(raw)}
    previous = {
        "same.txt": _row("same.txt", 0, scanned["same.txt"].size, scanned["same.txt"].mtime_ns, sha("same.txt")),
        "touched.txt": _row("touched.txt", 0, scanned["touched.txt"].size, 1, sha("touched.txt")),
        "edited.txt": _row("edited.txt", 0, scanned["edited.txt"].size, 1, "old content"),
        "racy.txt": _row("racy.txt", 0, scanned["racy.txt"].size, scanned["racy.txt"].mtime_ns, "old content"),
        "gone.txt": _row("gone.txt", 0),
    }
    out = Outcome(total=len(scanned))
    keep, to_extract = incremental.classify(raw, list(scanned.values()), previous, time.time_ns(), out)
    assert [r["source_file"] for r in keep] == ["same.txt", "touched.txt"]
    assert keep[1]["mtime_ns"] == scanned["touched.txt"].mtime_ns  # the manifest takes the new time
    assert sorted(f.source_file for f in to_extract) == ["edited.txt", "new.txt", "racy.txt"]
    assert (out.new, out.changed, out.rehashed, out.unchanged, out.removed) == (1, 2, 1, 2, 1)


def test_a_manifest_of_another_extractor_or_none_is_no_cache(tmp_path):
    out = Outcome()
    cache = incremental.usable_cache(tmp_path, "v1", out)
    assert (out.full, out.reason, cache.manifest.height, cache.last_batch) == (True, "no previous extraction", 0, -1)
    incremental.new_manifest([_row("a", 3)], "v0", 5).write_parquet(incremental.manifest_path(tmp_path))
    out = Outcome()
    cache = incremental.usable_cache(tmp_path, "v1", out)
    assert (out.full, out.reason, cache.manifest.height, cache.scanned_ns) == (True, "the extractor changed", 0, 0)


def test_a_damaged_batch_leaves_the_cache_but_keeps_its_number(tmp_path):
    work = tmp_path
    bdir = incremental.batch_dir(work)
    bdir.mkdir()
    rows = [_row("a", 0), _row("b", 1)]
    incremental.new_manifest(rows, "v1", 7).write_parquet(incremental.manifest_path(work))
    for frame in incremental.FRAMES:
        for b, rid in ((0, rows[0]["report_id"]), (1, rows[1]["report_id"])):
            n = 1 if frame == "reports" else 0
            pl.DataFrame({"report_id": [rid] * n}, schema={"report_id": pl.String}).write_parquet(bdir / f"{frame}-{b:06d}.parquet")
    (bdir / "facts-000001.parquet").write_bytes(b"PAR1 truncated")
    out = Outcome()
    cache = incremental.usable_cache(work, "v1", out)
    assert cache.manifest["source_file"].to_list() == ["a"]
    assert (cache.last_batch, cache.scanned_ns, out.full) == (1, 7, False)
    assert out.damage == "the work folder lost facts-000001.parquet (truncated or unreadable): extracting its 1 files again"


def test_the_commit_replaces_the_manifest_and_keeps_only_live_batches(tmp_path):
    bdir = incremental.batch_dir(tmp_path)
    bdir.mkdir()
    for b in (0, 1, 2):
        (bdir / f"reports-{b:06d}.parquet").write_bytes(b"x")
    manifest = incremental.new_manifest([_row("b", 2), _row("a", 0)], "v1", 5)
    assert manifest["source_file"].to_list() == ["a", "b"]  # by path
    assert manifest["extractor"].unique().to_list() == ["v1"] and manifest["scanned_ns"].unique().to_list() == [5]
    assert incremental._commit(tmp_path, manifest, first_new=3) == [0, 2]
    assert sorted(p.name for p in bdir.iterdir()) == ["reports-000000.parquet", "reports-000002.parquet"]
    assert incremental.read_manifest(tmp_path).equals(manifest)
    # A folder with no file keeps its one empty batch.
    empty = incremental.new_manifest([], "v1", 5)
    assert empty.schema == pl.Schema(MANIFEST_SCHEMA)
    (bdir / "reports-000003.parquet").write_bytes(b"x")
    assert incremental._commit(tmp_path, empty, first_new=3) == [3]
    assert sorted(p.name for p in bdir.iterdir()) == ["reports-000003.parquet"]


def test_extract_reports_progress_per_batch_and_writes_what_it_saw(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(3):
        (raw / f"{i}.txt").write_text("not a report", encoding="utf-8")
    bdir = tmp_path / "batches"
    bdir.mkdir()
    calls: list[tuple[int, int]] = []
    rows = incremental._extract(raw, bdir, [["0.txt", "1.txt"], ["2.txt"]], 4, 1, lambda d, t: calls.append((d, t)), set())
    assert calls == [(0, 3), (2, 3), (3, 3)]
    assert [(r["source_file"], r["batch"]) for r in rows] == [("0.txt", 4), ("1.txt", 4), ("2.txt", 5)]
    assert sorted(p.name for p in bdir.iterdir()) == sorted(f"{frame}-{b:06d}.parquet" for frame in incremental.FRAMES for b in (4, 5))
