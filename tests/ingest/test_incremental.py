"""Incremental extraction: only changed files are read again, and the result is always what a full
extraction of the folder as it is now would give."""

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import RAW

from pipeline.ingest import batch, incremental
from pipeline.ingest.batch import scan
from pipeline.ingest.copies import mark_copies

PAST = 1_600_000_000  # a fixed mtime well before any scan, so no file is "racily clean"


def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    for p in raw.iterdir():
        os.utime(p, (PAST, PAST))
    return raw


def _update(raw: Path, work: Path) -> incremental.Outcome:
    return incremental.update(raw, work, scan(raw), workers=1)


def _frames(work: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    reports = mark_copies(pl.read_parquet(incremental.live_files(work, "reports"))).sort("source_file")
    facts = pl.read_parquet(incremental.live_files(work, "facts")).sort(pl.all())
    return reports, facts


def _assert_same_as_full(raw: Path, work: Path, tmp_path: Path) -> None:
    fresh = tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}"
    assert _update(raw, fresh).full
    got, want = _frames(work), _frames(fresh)
    assert got[0].equals(want[0]) and got[1].equals(want[1])


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """Every file extraction or hashing opens."""
    seen: list[str] = []
    real = batch.read_file

    def spy(path: Path):
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(batch, "read_file", spy)
    return seen


def test_nothing_changed_reads_nothing(tmp_path, reads):
    raw, work = _raw(tmp_path), tmp_path / "work"
    first = _update(raw, work)
    assert first.full and first.extracted == 5 and first.reason == "no previous extraction"
    before = {p.name: p.stat().st_mtime_ns for p in (work / "batches").iterdir()}
    reads.clear()
    again = _update(raw, work)
    assert (again.extracted, again.unchanged, again.new, again.changed, again.removed) == (0, 5, 0, 0, 0)
    assert reads == []
    assert {p.name: p.stat().st_mtime_ns for p in (work / "batches").iterdir()} == before


def test_touched_file_is_hashed_not_extracted(tmp_path, reads):
    raw, work = _raw(tmp_path), tmp_path / "work"
    _update(raw, work)
    os.utime(raw / "001_12656899dbde5e36.txt", (PAST + 10, PAST + 10))
    reads.clear()
    out = _update(raw, work)
    assert (out.extracted, out.rehashed, out.unchanged) == (0, 1, 5)
    assert reads == ["001_12656899dbde5e36.txt"]
    # The manifest took the new mtime, so the next run does not hash it again.
    reads.clear()
    assert _update(raw, work).rehashed == 0 and reads == []


def test_changed_removed_and_new_files(tmp_path, reads):
    raw, work = _raw(tmp_path), tmp_path / "work"
    _update(raw, work)
    old_reports, _ = _frames(work)
    changed = raw / "002_59838382079b1902.txt"
    changed.write_bytes(changed.read_bytes() + "\n（附注）\n".encode())
    os.utime(changed, (PAST + 5, PAST + 5))
    (raw / "003_85a44054a9ef54a3.txt").unlink()
    (raw / "sub").mkdir()
    (raw / "sub" / "new.txt").write_bytes((RAW / "004_2b19c720d5f1c29d.txt").read_bytes() + b"\n")
    reads.clear()
    out = _update(raw, work)
    assert (out.new, out.changed, out.removed, out.unchanged) == (1, 1, 1, 3)
    assert sorted(reads) == ["002_59838382079b1902.txt", "002_59838382079b1902.txt", "new.txt"]  # hash, then extract
    reports, facts = _frames(work)
    gone = old_reports.filter(pl.col("source_file").is_in(["002_59838382079b1902.txt", "003_85a44054a9ef54a3.txt"]))["report_id"]
    assert not facts["report_id"].is_in(gone.implode()).any()
    assert sorted(reports["source_file"]) == sorted(f.source_file for f in scan(raw))
    _assert_same_as_full(raw, work, tmp_path)


def test_duplicates_are_found_across_unchanged_files(tmp_path):
    raw, work = _raw(tmp_path), tmp_path / "work"
    _update(raw, work)
    shutil.copyfile(raw / "000_1acaab7e8820b83a.txt", raw / "zz copy.txt")
    assert _update(raw, work).extracted == 1
    reports, _ = _frames(work)
    assert reports.filter(pl.col("source_file") == "zz copy.txt")["status"].to_list() == ["duplicate"]
    # Remove the original: the copy, not read again, is now the one whose facts count.
    (raw / "000_1acaab7e8820b83a.txt").unlink()
    out = _update(raw, work)
    assert (out.extracted, out.removed) == (0, 1)
    reports, _ = _frames(work)
    assert reports.filter(pl.col("source_file") == "zz copy.txt")["status"].to_list() == ["ok"]


def test_extractor_change_reextracts_everything(tmp_path, monkeypatch):
    raw, work = _raw(tmp_path), tmp_path / "work"
    _update(raw, work)
    monkeypatch.setattr(incremental, "extractor_version", lambda: "a-new-extractor")
    out = _update(raw, work)
    assert out.full and out.extracted == 5 and out.reason == "the extractor changed"
    assert _update(raw, work).extracted == 0


def test_many_small_changes_keep_batches_few_and_results_exact(tmp_path, monkeypatch):
    monkeypatch.setattr(incremental, "BATCH_SIZE", 4)
    raw, work = _raw(tmp_path), tmp_path / "work"
    for n in range(30):
        (raw / f"extra{n:02d}.txt").write_bytes((RAW / "001_12656899dbde5e36.txt").read_bytes() + b"\n" * (n + 1))
        os.utime(raw / f"extra{n:02d}.txt", (PAST, PAST))
    _update(raw, work)
    for n in range(0, 30, 2):  # change, remove and add files one at a time
        target = raw / f"extra{n:02d}.txt"
        if n % 4:
            target.unlink()
        else:
            target.write_bytes(target.read_bytes() + b"\n\n")
            os.utime(target, (PAST + n, PAST + n))
        (raw / f"late{n:02d}.txt").write_bytes(b"not a report " + bytes([n]))
        _update(raw, work)
    batches = {int(p.stem.rsplit("-", 1)[1]) for p in (work / "batches").iterdir()}
    live = set(incremental.read_manifest(work)["batch"].to_list())
    assert batches == live and len(live) <= 10 + len(scan(raw)) // 4
    _assert_same_as_full(raw, work, tmp_path)


def test_half_written_batches_of_a_killed_run_are_discarded(tmp_path):
    raw, work = _raw(tmp_path), tmp_path / "work"
    _update(raw, work)
    stray = work / "batches" / "facts-000999.parquet"
    stray.write_bytes(b"half")
    _update(raw, work)
    assert not stray.exists()


# End to end: `xxgk run` twice on an unchanged folder, then with one file removed.


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from pipeline.run import run_pipeline

    tmp = tmp_path_factory.mktemp("incremental-run")
    raw = _raw(tmp)
    target = tmp / "w" / "xxgk.duckdb"
    outputs = []
    inodes = []
    for step in ("first", "unchanged", "removed"):
        if step == "removed":
            (raw / "003_85a44054a9ef54a3.txt").unlink()
        out = io.StringIO()
        assert run_pipeline(raw, target, out=out, progress=False) == 0
        outputs.append(out.getvalue())
        inodes.append(target.stat().st_ino)
    return target, outputs, inodes


def test_rerun_without_changes_does_not_rebuild(runs):
    target, outputs, inodes = runs
    assert "extraction: 5 extracted, 0 unchanged" in outputs[0]
    assert "extraction: 0 extracted, 5 unchanged, 0 removed; warehouse unchanged, not rebuilt" in outputs[1]
    assert inodes[1] == inodes[0]  # the published file was not replaced


def test_removed_files_facts_leave_the_warehouse(runs):
    target, outputs, inodes = runs
    assert "extraction: 0 extracted, 4 unchanged, 1 removed" in outputs[2]
    assert inodes[2] != inodes[1]
    with duckdb.connect(str(target), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports WHERE source_file LIKE '003_%'").fetchone() == (0,)
        assert (
            con.execute("SELECT count(*) FROM facts").fetchone()[0]
            == con.execute("SELECT sum(fact_count) FROM reports WHERE status <> 'duplicate'").fetchone()[0]
        )


def test_extractor_version_covers_parsers_and_libreoffice(monkeypatch):
    """Installing LibreOffice, or another version of a parser, must read again the files it changes."""
    from pipeline.extract import readers
    from pipeline.ingest import convert

    def current() -> str:
        incremental._code_version.cache_clear()
        return incremental.extractor_version()

    monkeypatch.setattr(convert, "soffice", lambda: "/usr/bin/soffice")
    with_soffice = current()
    monkeypatch.setattr(convert, "soffice", lambda: None)
    without_soffice = current()
    assert with_soffice != without_soffice
    monkeypatch.setattr(readers, "parser_versions", lambda: (("lxml", "0.0"), ("pypdfium2", "0.0")))
    assert current() != without_soffice
    monkeypatch.undo()
    incremental._code_version.cache_clear()


# What the manifest records describes the bytes that were read, whatever happens to the files
# between the scan and the reading.


def _meanwhile(monkeypatch, hooks: dict[str, Callable[[], None]]) -> None:
    """Run hooks[name] once, just before extraction or hashing first opens that file."""
    real = batch.read_file

    def read(path: Path):
        hook = hooks.pop(path.name, None)
        if hook:
            hook()
        return real(path)

    monkeypatch.setattr(batch, "read_file", read)


def test_a_file_moved_out_or_emptied_while_extracted_is_read_again_once_restored(tmp_path, monkeypatch):
    raw, work = _raw(tmp_path), tmp_path / "work"
    saved = tmp_path / "saved"
    saved.mkdir()
    moved, emptied = raw / "001_12656899dbde5e36.txt", raw / "002_59838382079b1902.txt"
    files = scan(raw)
    _meanwhile(
        monkeypatch,
        {
            moved.name: lambda: os.rename(moved, saved / moved.name),  # `mv` keeps the time
            emptied.name: lambda: (shutil.copy2(emptied, saved / emptied.name), emptied.write_bytes(b"")),
        },
    )
    incremental.update(raw, work, files, workers=1)
    monkeypatch.undo()
    os.rename(saved / moved.name, moved)
    shutil.copy2(saved / emptied.name, emptied)  # `cp -p`: the old size and time again
    out = _update(raw, work)
    assert (out.extracted, out.unchanged) == (2, 3)
    _assert_same_as_full(raw, work, tmp_path)


@pytest.mark.parametrize("at", range(3))
def test_a_file_that_vanishes_while_it_is_read_is_a_row_not_a_crash(tmp_path, monkeypatch, at):
    """Gone at the at-th look at it after the scan listed it (an archive unpacked over raw/)."""
    raw, work = _raw(tmp_path), tmp_path / "work"
    victim = raw / "003_85a44054a9ef54a3.txt"
    size = victim.stat().st_size
    files = scan(raw)
    looks = 0
    real_stat = os.stat

    def look(path, *args, **kwargs):
        nonlocal looks
        if os.fspath(path) == os.fspath(victim):
            if looks == at:
                victim.unlink(missing_ok=True)
            looks += 1
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", look)
    incremental.update(raw, work, files, workers=1)
    monkeypatch.undo()
    reports, _ = _frames(work)
    row = reports.filter(pl.col("source_file") == victim.name).row(0, named=True)
    if at == 0 or row["status"] != "ok":  # else it was read before it went: its row is the report's
        assert (row["status"], row["message"], row["bytes"]) == ("rejected", "unreadable: No such file or directory", None)
    else:
        assert row["bytes"] == size
    victim.unlink(missing_ok=True)  # gone for good, if no look made it go
    out = _update(raw, work)
    assert (out.removed, out.extracted) == (1, 0)
    _assert_same_as_full(raw, work, tmp_path)


# The work folder is a cache: what the manifest lists must be there and read back whole.


@pytest.mark.parametrize("frame", ["reports", "facts", "narrative"])
@pytest.mark.parametrize("damage", ["removed", "truncated"])
def test_a_damaged_batch_is_extracted_again_and_said_so(tmp_path, frame, damage):
    raw, work = _raw(tmp_path), tmp_path / "work"
    _update(raw, work)
    (path,) = incremental.live_files(work, frame)
    if damage == "removed":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes()[:100])
    out = _update(raw, work)
    assert out.extracted == 5 and out.damage.startswith(f"the work folder lost {path.name} ({damage[:-1]}"), out.damage
    assert out.damage.endswith("extracting its 5 files again")
    _assert_same_as_full(raw, work, tmp_path)
    assert _update(raw, work).damage == ""


def test_build_fingerprint_covers_the_division_dataset(monkeypatch):
    """Upgrading the divisions package must rebuild the warehouse, as changing the SQL does."""
    from pipeline.warehouse import files

    before = files.code_fingerprint("x")
    monkeypatch.setattr(files, "version", lambda name: "0.0.0")
    assert files.code_fingerprint("x") != before
