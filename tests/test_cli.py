"""The command line as a user meets it: --version, defaults and environment in --help, a file given
as --raw, a pipe closed early, counts in words, and a run summary that names the files needing
attention and the command that lists them all."""

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from conftest import RAW, ROOT, xxgk


def test_version():
    proc = xxgk("--version")
    assert proc.stdout.strip() == f"xxgk {version('xxgk')}"


def test_run_help_shows_defaults_and_environment():
    env = {**os.environ, "XXGK_RAW_DIR": "/srv/reports", "COLUMNS": "200"}
    env.pop("XXGK_WAREHOUSE", None)
    out = subprocess.run([sys.executable, "-m", "pipeline", "run", "--help"], capture_output=True, text=True, env=env, check=True).stdout
    flat = " ".join(out.split())
    assert "(default: /srv/reports, or $XXGK_RAW_DIR)" in flat
    assert "(default: data/warehouse/xxgk.duckdb, or $XXGK_WAREHOUSE)" in flat
    for variable in ("XXGK_RAW_DIR", "XXGK_WAREHOUSE", "XXGK_DUCKDB_MEMORY", "DAGSTER_HOME"):
        assert f"\n  {variable} " in out, variable


def test_raw_given_a_file_says_it_is_a_file(tmp_path):
    proc = xxgk("run", "--raw", str(RAW / "004_2b19c720d5f1c29d.txt"), "--warehouse", str(tmp_path / "w.duckdb"), check=False)
    assert proc.returncode == 2
    assert "is a file, not a folder" in proc.stderr and "does not exist" not in proc.stderr


def test_extract_into_a_pipe_closed_early_exits_quietly():
    files = " ".join(str(p) for p in sorted(RAW.glob("*.txt")))  # ~100 KB of CSV, more than a pipe holds
    proc = subprocess.run(f"{sys.executable} -m pipeline extract {files} | head -n 2", shell=True, capture_output=True, text=True, cwd=ROOT)
    assert len(proc.stdout.splitlines()) == 2
    assert proc.stderr == "", proc.stderr


@pytest.fixture(scope="module")
def attention(tmp_path_factory) -> tuple[Path, str]:
    """The bundled reports plus a cut-off report, a note that is no report and a copy."""
    tmp = tmp_path_factory.mktemp("attention")
    raw = tmp / "raw"
    shutil.copytree(RAW, raw)
    text = (RAW / "004_2b19c720d5f1c29d.txt").read_bytes()
    (raw / "cut.txt").write_bytes(text[:3000])
    (raw / "note.txt").write_text("hello\n", encoding="utf-8")
    warehouse = tmp / "w" / "xxgk.duckdb"
    proc = xxgk("run", "--raw", str(raw), "--warehouse", str(warehouse), "--quiet", cwd=tmp)
    return warehouse, proc.stdout


def test_run_summary_names_the_files_that_are_not_ok(attention):
    warehouse, out = attention
    lines = out.splitlines()
    assert f"not ok: 2 files; list them all with: xxgk reports --warehouse {warehouse} --status incomplete,rejected" in lines
    assert any(ln.startswith("  incomplete: cut.txt: appeals: the row of 15 numbers was not found") for ln in lines), out
    assert any(ln.startswith("  rejected: note.txt: not a government information disclosure annual report") for ln in lines), out


def test_reports_lists_files_of_a_status(attention):
    warehouse, _ = attention
    out = xxgk("reports", "--warehouse", str(warehouse), "--status", "incomplete").stdout.splitlines()
    assert out[0].split() == ["status", "source_file", "agency", "year", "message"]
    assert [ln.split()[:2] for ln in out[1:-1]] == [["incomplete", "cut.txt"]]
    assert out[-1] == "1 file"
    every = xxgk("reports", "--warehouse", str(warehouse), "--format", "csv").stdout.splitlines()
    assert len(every) == 1 + 7 and every[1].startswith("incomplete,cut.txt,")
    assert xxgk("reports", "--warehouse", str(warehouse), "--status", "bogus", check=False).returncode == 2


def test_one_finding_is_singular(tmp_path):
    warehouse = tmp_path / "w" / "xxgk.duckdb"
    xxgk("run", "--raw", str(RAW), "--warehouse", str(warehouse), "--quiet", cwd=tmp_path)
    assert xxgk("checks", "--warehouse", str(warehouse)).stdout.splitlines()[-1] == "1 finding (0 errors, 1 warning)"


def test_the_listing_command_quotes_a_warehouse_path_for_the_shell():
    import io

    from pipeline.run import _files_needing_attention

    out = io.StringIO()
    _files_needing_attention(Path("/tmp/my reports/x'; rm -rf ~.duckdb"), [("rejected", "n.txt", None, None, "empty file")], out)
    assert out.getvalue().splitlines() == [
        "not ok: 1 file; list them all with: xxgk reports --warehouse '/tmp/my reports/x'\"'\"'; rm -rf ~.duckdb' --status rejected",
        "  rejected: n.txt: empty file",
    ]
