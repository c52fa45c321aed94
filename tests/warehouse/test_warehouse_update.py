"""A build that starts from the published warehouse and recomputes only the changed agencies gives
exactly what a build from scratch over the same folder gives: every table, mart and check, and the
Parquet copy. Each step below changes the folder the way users do, and both builds are compared."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import regex
from conftest import RAW, xxgk
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.run import run_pipeline

TONGZHOU = "004_2b19c720d5f1c29d.txt"
CELL = regex.compile(r"^\t(\d+)$", regex.M)


def _contents(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table and view but changed_agencies (which says what the build recomputed), and the
    comments on every table and column."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        contents = {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names if n != "changed_agencies"}
        contents["comments"] = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE database_name = current_database() "
            "UNION ALL SELECT table_name, NULL, comment FROM duckdb_tables() WHERE database_name = current_database() "
            "ORDER BY ALL"
        ).fetchall()
        return contents


def _parquet(warehouse: Path) -> dict[str, list[tuple]]:
    folder = warehouse.parent / "parquet"
    with duckdb.connect() as con:
        out = {
            "facts": con.execute(
                "SELECT * FROM read_parquet($p, hive_partitioning = true) ORDER BY ALL", {"p": str(folder / "facts" / "*" / "*.parquet")}
            ).fetchall()
        }
        for path in sorted(folder.glob("*.parquet")):
            out[path.name] = sorted(con.execute("SELECT * FROM read_parquet($p)", {"p": str(path)}).fetchall(), key=repr)
    return out


def _run(raw: Path, warehouse: Path) -> str:
    out = io.StringIO()
    assert run_pipeline(raw, warehouse, out=out, progress=False) == 0
    return out.getvalue()


def assert_same_as_fresh(raw: Path, updated: Path, fresh: Path, change: str) -> None:
    """The warehouse and Parquet at `updated` equal a build from scratch of `raw` made at `fresh`."""
    assert "warehouse built from scratch" in _run(raw, fresh)
    got, want = _contents(updated), _contents(fresh)
    assert got.keys() == want.keys(), change
    for name in want:
        assert got[name] == want[name], f"{change}: {name} differs from a build from scratch"
    assert _parquet(updated) == _parquet(fresh), change


def _bump_first_cell(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    m = CELL.search(text, text.index("本年新收"))
    path.write_text(text[: m.start(1)] + str(int(m[1]) + 7) + text[m.end(1) :], encoding="utf-8")


def _title_agency(path: Path) -> str:
    from pipeline.extract.report import extract_bytes

    return extract_bytes(path.read_bytes()).agency


def _steps(raw: Path) -> list[tuple[str, Callable[[], None]]]:
    synth = sorted((raw / "synth").iterdir())
    tongzhou = raw / TONGZHOU

    def conflict() -> None:
        lines = tongzhou.read_text(encoding="utf-8").split("\n")
        assert lines[59] == "\t28983.0794"
        lines[59] = "\t28983.0795"
        (raw / "later").mkdir()
        (raw / "later" / "tongzhou_corrected.txt").write_text("\n".join(lines), encoding="utf-8")

    def switch_agency() -> None:
        victim = synth[5]
        other = next(_title_agency(p) for p in synth[6:] if _title_agency(p) != _title_agency(victim))
        text = victim.read_text(encoding="utf-8")
        assert _title_agency(victim) in text
        victim.write_text(text.replace(_title_agency(victim), other, 1), encoding="utf-8")

    return [
        ("a value changed", lambda: _bump_first_cell(synth[0])),
        ("a report of a series removed", lambda: synth[3].unlink()),
        ("a byte-identical copy added", lambda: shutil.copy(tongzhou, raw / "copy_of_tongzhou.txt")),
        ("the same agency and year with other facts", conflict),
        ("the original of the copy removed", tongzhou.unlink),
        ("a title now names another agency", switch_agency),
        (
            "a file that is not a report, and an empty one",
            lambda: (
                (raw / "scan.txt").write_bytes(bytes(range(256)) * 8),
                (raw / "empty.txt").write_bytes(b""),
            ),
        ),
    ]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("update")
    raw = tmp / "raw"
    shutil.copytree(RAW, raw)
    synth = tmp / "synth"
    xxgk(
        "synth",
        "--n",
        "40",
        "--out",
        str(synth),
        "--seed",
        "7",
        "--years",
        "3",
        "--form",
        "both",
        "--plant",
        "row_total,balance,carryover,narrative",
    )
    shutil.copytree(synth / "reports", raw / "synth")
    return raw


def test_each_change_gives_what_a_build_from_scratch_gives(folder: Path, tmp_path: Path):
    updated = tmp_path / "updated" / "xxgk.duckdb"
    assert "warehouse built from scratch" in _run(folder, updated)
    for n, (change, apply) in enumerate(_steps(folder)):
        apply()
        past = 1_600_000_000 + n  # well before the scan, so no file is "racily clean"
        for p in folder.rglob("*.txt"):
            os.utime(p, (past, past))
        out = _run(folder, updated)
        assert "warehouse updated:" in out, (change, out)
        assert_same_as_fresh(folder, updated, tmp_path / f"fresh-{n}" / "xxgk.duckdb", change)


def test_an_update_rewrites_only_the_changed_parquet_files(folder: Path, tmp_path: Path):
    warehouse = tmp_path / "w" / "xxgk.duckdb"
    _run(folder, warehouse)
    before = {
        p.relative_to(warehouse.parent / "parquet"): p.stat().st_ino for p in (warehouse.parent / "parquet" / "facts").rglob("*.parquet")
    }
    _bump_first_cell(folder / "000_1acaab7e8820b83a.txt")
    assert "warehouse updated: 1 agency recomputed" in _run(folder, warehouse)
    after = {
        p.relative_to(warehouse.parent / "parquet"): p.stat().st_ino for p in (warehouse.parent / "parquet" / "facts").rglob("*.parquet")
    }
    kept = {k for k in before if after.get(k) == before[k]}
    assert len(before) - len(kept) in (1, 2)  # the changed report's file, and its old one when in another part
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM changed_agencies").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name <> 'main'").fetchone() == (0,)


@pytest.mark.parametrize("change", ["removed", "retitled"])
def test_a_lone_report_of_an_unregistered_agency_leaves_no_rows_behind(change: str, tmp_path: Path):
    """An agency the registry does not know exists only through its reports' titles: once its
    last report is removed or names another agency, its rows must leave with it."""
    synth = tmp_path / "synth"
    xxgk("synth", "--n", "6", "--out", str(synth), "--seed", "3", "--years", "1", "--plant", "row_total,balance")
    raw = tmp_path / "raw"
    shutil.copytree(synth / "reports", raw)
    victim, other = sorted(raw.iterdir())[:2]
    updated = tmp_path / "updated" / "xxgk.duckdb"
    _run(raw, updated)
    if change == "removed":
        victim.unlink()
    else:
        text = victim.read_text(encoding="utf-8")
        victim.write_text(text.replace(_title_agency(victim), _title_agency(other), 1), encoding="utf-8")
    assert "warehouse updated:" in _run(raw, updated)
    assert_same_as_fresh(raw, updated, tmp_path / "fresh" / "xxgk.duckdb", change)


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    """The bundled reports and a warehouse built from them."""
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    warehouse = tmp_path / "w" / "xxgk.duckdb"
    _run(raw, warehouse)
    return raw, warehouse


def test_a_damaged_published_parquet_file_is_written_again_not_linked(built, tmp_path: Path):
    raw, warehouse = built
    parts = sorted((warehouse.parent / "parquet" / "facts").rglob("*.parquet"))
    damaged = next(p for p in parts if p.stat().st_size > 100)
    with damaged.open("r+b") as f:
        f.truncate(damaged.stat().st_size // 2)
    (raw / "sub").mkdir()
    shutil.copy(raw / TONGZHOU, raw / "sub" / "copy.txt")  # a change elsewhere: an update
    assert "warehouse updated:" in _run(raw, warehouse)
    assert_same_as_fresh(raw, warehouse, tmp_path / "fresh" / "xxgk.duckdb", "a published Parquet file truncated")


def test_a_published_file_overwritten_in_place_is_not_taken_as_unchanged(built, tmp_path: Path):
    raw, warehouse = built
    st = warehouse.stat()
    with warehouse.open("r+b") as f:  # same inode, same size, then the same time again
        f.seek(st.st_size // 2)
        f.write(b"\0" * 4096)
    os.utime(warehouse, ns=(st.st_atime_ns, st.st_mtime_ns))
    out = _run(raw, warehouse)
    assert "warehouse built from scratch" in out, out
    assert_same_as_fresh(raw, warehouse, tmp_path / "fresh" / "xxgk.duckdb", "the published file overwritten")


def test_a_batch_lost_from_the_work_folder_is_extracted_again_and_said_so(built, tmp_path: Path, capfd):
    raw, warehouse = built
    from pipeline.warehouse.files import WarehouseFiles

    facts = sorted((WarehouseFiles(warehouse).work_dir / "batches").glob("facts-*.parquet"))[0]
    facts.unlink()
    _run(raw, warehouse)
    assert f"the work folder lost {facts.name} (removed): extracting its " in capfd.readouterr().err
    assert_same_as_fresh(raw, warehouse, tmp_path / "fresh" / "xxgk.duckdb", "a facts batch removed")


def test_a_damaged_published_parquet_file_is_not_taken_as_unchanged(built, tmp_path: Path):
    raw, warehouse = built
    damaged = max((warehouse.parent / "parquet" / "facts").rglob("*.parquet"), key=lambda p: p.stat().st_size)
    with damaged.open("r+b") as f:
        f.truncate(damaged.stat().st_size // 2)
    assert "warehouse unchanged" not in _run(raw, warehouse)
    assert_same_as_fresh(raw, warehouse, tmp_path / "fresh" / "xxgk.duckdb", "a published Parquet file truncated")


# The same promise over random sequences of changes, on a mixed corpus: the bundled reports
# (agencies in the registry) and synth reports (agencies known only from their titles).
# XXGK_PROPERTY_EXAMPLES sets how many sequences are tried (each step is two runs, ~8 s).

OPERATIONS = ("add", "remove", "edit", "retitle", "copy", "touch")


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory) -> tuple[list[Path], list[Path]]:
    """The files a folder starts with, and reports kept aside for `add`: series of two years, and
    agencies with a single report (whose rows must leave with it)."""
    reports = []
    for years in ("2", "1"):
        synth = tmp_path_factory.mktemp("mixed") / "synth"
        xxgk(
            "synth",
            "--n",
            "8",
            "--out",
            str(synth),
            "--seed",
            "5",
            "--years",
            years,
            "--form",
            "both",
            "--plant",
            "row_total,balance,carryover",
        )
        for path in sorted((synth / "reports").iterdir()):
            reports.append(path.rename(path.with_name(f"y{years}-{path.name}")))
    return sorted(RAW.iterdir()) + reports[::2] + reports[1::4], reports[3::4]


def _apply(raw: Path, spare: list[Path], op: str, i: int, j: int, step: int) -> str:
    """Change raw by one operation, its files chosen by i and j; what was done."""
    files = sorted(p for p in raw.rglob("*") if p.is_file())
    reports = [p for p in files if "本年新收" in p.read_text(encoding="utf-8", errors="replace")]
    if op == "add" or not files:
        source = spare[i % len(spare)]
        target = raw / "added" / f"{step}-{source.name}"
        target.parent.mkdir(exist_ok=True)
        shutil.copy(source, target)
        return f"add {target.name}"
    victim = files[i % len(files)]
    if op == "remove":
        victim.unlink()
    elif op == "copy":
        shutil.copy(victim, raw / f"copy-{step}-{victim.name}")
    elif op == "touch":
        os.utime(victim, (1_500_000_000 + step, 1_500_000_000 + step))
    elif op == "edit" and reports:
        victim = reports[i % len(reports)]
        _bump_first_cell(victim)
    elif op == "retitle" and reports:
        victim = reports[i % len(reports)]
        names = sorted({_title_agency(p) for p in reports} - {None, _title_agency(victim)})
        # another file's agency, or one no file names yet (not in the registry either)
        other = names[j % len(names)] if names and j % 3 else f"北京市测试{step}局"
        text = victim.read_text(encoding="utf-8")
        victim.write_text(text.replace(_title_agency(victim), other, 1), encoding="utf-8")
    return f"{op} {victim.name}"


@settings(
    max_examples=int(os.environ.get("XXGK_PROPERTY_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 999), st.integers(0, 999)), min_size=1, max_size=4))
def test_any_sequence_of_changes_gives_what_a_build_from_scratch_gives(mixed_corpus, steps):
    start, spare = mixed_corpus
    with tempfile.TemporaryDirectory(prefix="xxgk-property-") as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        for path in start:
            shutil.copy(path, raw / path.name)
        updated = Path(tmp) / "updated" / "xxgk.duckdb"
        _run(raw, updated)
        done = []
        for n, (op, i, j) in enumerate(steps):
            done.append(_apply(raw, spare, op, i, j, n))
            _run(raw, updated)
            fresh = Path(tmp) / f"fresh-{n}"
            assert_same_as_fresh(raw, updated, fresh / "xxgk.duckdb", "; ".join(done))
            shutil.rmtree(fresh)


def test_when_many_files_changed_the_warehouse_is_built_from_scratch(built, tmp_path: Path):
    raw, warehouse = built
    for path in sorted(raw.iterdir())[:2]:  # 2 of 5: more than UPDATE_AT_MOST
        _bump_first_cell(path)
    assert "warehouse built from scratch" in _run(raw, warehouse)
    assert_same_as_fresh(raw, warehouse, tmp_path / "fresh" / "xxgk.duckdb", "two of five files changed")
