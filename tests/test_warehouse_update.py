"""A build that starts from the published warehouse and recomputes only the changed agencies gives
exactly what a build from scratch over the same folder gives: every table, mart and check, and the
Parquet copy. Each step below changes the folder the way users do, and both builds are compared."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
import regex

from conftest import RAW, xxgk
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
        ("a file that is not a report, and an empty one", lambda: (
            (raw / "scan.txt").write_bytes(bytes(range(256)) * 8),
            (raw / "empty.txt").write_bytes(b""),
        )),
    ]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("update")
    raw = tmp / "raw"
    shutil.copytree(RAW, raw)
    synth = tmp / "synth"
    xxgk("synth", "--n", "40", "--out", str(synth), "--seed", "7", "--years", "3", "--form", "both",
         "--plant", "row_total,balance,carryover,narrative")
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
        fresh = tmp_path / f"fresh-{n}" / "xxgk.duckdb"
        assert "warehouse built from scratch" in _run(folder, fresh)
        got, want = _contents(updated), _contents(fresh)
        assert got.keys() == want.keys(), change
        for name in want:
            assert got[name] == want[name], f"{change}: {name} differs from a build from scratch"
        assert _parquet(updated) == _parquet(fresh), change


def test_an_update_rewrites_only_the_changed_parquet_files(folder: Path, tmp_path: Path):
    warehouse = tmp_path / "w" / "xxgk.duckdb"
    _run(folder, warehouse)
    before = {p.relative_to(warehouse.parent / "parquet"): p.stat().st_ino for p in (warehouse.parent / "parquet" / "facts").rglob("*.parquet")}
    _bump_first_cell(folder / "000_1acaab7e8820b83a.txt")
    assert "warehouse updated: 1 agency recomputed" in _run(folder, warehouse)
    after = {p.relative_to(warehouse.parent / "parquet"): p.stat().st_ino for p in (warehouse.parent / "parquet" / "facts").rglob("*.parquet")}
    kept = {k for k in before if after.get(k) == before[k]}
    assert len(before) - len(kept) in (1, 2)  # the changed report's file, and its old one when in another part
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM changed_agencies").fetchone() == (1,)
        assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name <> 'main'").fetchone() == (0,)
