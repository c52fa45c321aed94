"""`xxgk run` end to end in a temporary directory, then SQL against the published warehouse."""

import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from conftest import BIN, RAW, golden_facts, golden_reports, xxgk

from pipeline.extract.values import format_value


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("run")
    shutil.copytree(RAW, work / "raw")
    target = work / "out" / "xxgk.duckdb"
    proc = xxgk("run", "--raw", str(work / "raw"), "--warehouse", str(target), cwd=work)
    assert "reports: 5 (ok 5)" in proc.stdout
    assert "facts loaded: 1000" in proc.stdout
    return target


def test_reports_table(warehouse: Path):
    golden = golden_reports()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT source_file, agency, year, form_version, status, length(sha256), length(report_id) FROM reports ORDER BY 1"
        ).fetchall()
    assert [r[0] for r in rows] == sorted(p.name for p in RAW.glob("*.txt"))
    for source_file, agency, year, form_version, status, sha_len, id_len in rows:
        g = golden[source_file]
        assert (agency, str(year), form_version, status) == (g["agency"], g["year"], g["form_version"], "ok")
        assert (sha_len, id_len) == (64, 16)


def test_every_fact_is_exact_and_traceable(warehouse: Path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT typeof(value) FROM facts LIMIT 1").fetchone() == ("DECIMAL(38,6)",)
        for path in RAW.glob("*.txt"):
            got = con.execute(
                """SELECT f.table_code, f.row_code, coalesce(f.applicant_class, ''), f.value, f.source_line
                   FROM facts f JOIN reports r USING (report_id) WHERE r.source_file = ? AND f.doubt IS NULL
                   ORDER BY f.source_line, f.table_code, f.row_code""",
                [path.name],
            ).fetchall()
            expected = sorted(golden_facts(path.stem), key=lambda g: (g[4], g[0], g[1]))
            assert [(t, c, a, format_value(v), line) for t, c, a, v, line in got] == expected


def test_report_ids_are_stable_across_runs(warehouse: Path, tmp_path: Path):
    second = tmp_path / "again.duckdb"
    xxgk("run", "--raw", str(RAW), "--warehouse", str(second), cwd=tmp_path)
    query = "SELECT source_file, report_id FROM reports ORDER BY 1"
    with duckdb.connect(str(warehouse), read_only=True) as a, duckdb.connect(str(second), read_only=True) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_mart_agency_year_in_the_projects_duckdb_cli(warehouse: Path):
    """The warehouse opens read-only in the DuckDB CLI binary that the project installs."""
    proc = subprocess.run(
        [
            str(BIN / "duckdb"),
            "-readonly",
            "-csv",
            str(warehouse),
            "-c",
            "SELECT agency, year, new_received, handled FROM mart_agency_year WHERE agency = '北京市通州区'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.splitlines() == ["agency,year,new_received,handled", '"北京市通州区",2024,2331,2337']  # whole counts, no six zeros


def test_byte_identical_copy_is_a_duplicate(raw_copy: Path, tmp_path: Path):
    (raw_copy / "nested").mkdir()
    (raw_copy / "nested" / "copy of tongzhou.txt").write_bytes((raw_copy / "004_2b19c720d5f1c29d.txt").read_bytes())
    (raw_copy / ".hidden.txt").write_text("ignored")
    target = tmp_path / "w.duckdb"
    proc = xxgk("run", "--raw", str(raw_copy), "--warehouse", str(target), cwd=tmp_path)
    assert "reports: 6 (duplicate 1, ok 5)" in proc.stdout
    assert "facts loaded: 1000" in proc.stdout
    with duckdb.connect(str(target), read_only=True) as con:
        dup = con.execute(
            """SELECT d.status, o.source_file, d.message FROM reports d JOIN reports o ON d.duplicate_of = o.report_id
               WHERE d.source_file = 'nested/copy of tongzhou.txt'"""
        ).fetchone()
    assert dup[0] == "duplicate" and dup[1] == "004_2b19c720d5f1c29d.txt" and "004_2b19c720d5f1c29d.txt" in dup[2]


def test_missing_raw_folder_is_a_usage_error(tmp_path: Path):
    proc = xxgk("run", "--raw", str(tmp_path / "none"), "--warehouse", str(tmp_path / "w.duckdb"), check=False)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
