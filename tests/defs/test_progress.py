"""A run says what it is doing: one line per stage with its time, on stderr for `xxgk run` and in
the Dagster log of any run; the terminal lines are rich's, not hand-written escape codes."""

import re
import shutil

import dagster as dg
from conftest import RAW, ROOT, xxgk

from pipeline.definitions import defs

STAGES = [
    r"loading: 1,000 facts of 5 files into an empty file in \d[\d,]*\.\d s",
    r"models: \d+ SQL models built in \d[\d,]*\.\d s",
    r"checks: 11 evaluated in \d[\d,]*\.\d s, 1 failed \(narrative\)",
    r"Parquet: \d+ tables written in \d[\d,]*\.\d s",
    r"publish: .*\.versions/v-[^/]+/xxgk\.duckdb in \d[\d,]*\.\d s",
]


def test_xxgk_run_prints_one_line_per_stage_with_its_time(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    proc = xxgk("run", "--raw", str(raw), "--warehouse", str(tmp_path / "w" / "xxgk.duckdb"), cwd=tmp_path)
    lines = proc.stderr.splitlines()
    assert lines[0] == f"starting: {raw} → {tmp_path / 'w' / 'xxgk.duckdb'}"
    for stage in STAGES:
        assert sum(1 for ln in lines if re.fullmatch(stage, ln)) == 1, (stage, proc.stderr)
    assert "\x1b" not in proc.stderr  # not a terminal: plain lines
    quiet = xxgk("run", "--raw", str(raw), "--warehouse", str(tmp_path / "w" / "xxgk.duckdb"), "--quiet", cwd=tmp_path)
    assert quiet.stderr == ""


def test_the_dagster_log_has_the_same_lines(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    instance = dg.DagsterInstance.ephemeral()
    job = defs().resolve_job_def("refresh_warehouse")
    run_config = {"resources": {"warehouse": {"config": {"raw_dir": str(raw), "path": str(tmp_path / "w" / "xxgk.duckdb")}}}}
    result = job.execute_in_process(run_config=run_config, instance=instance)
    assert result.success
    messages = [e.user_message for e in instance.all_logs(result.run_id)]
    for stage in STAGES:
        assert any(re.fullmatch(stage, m) for m in messages), stage


def test_no_hand_written_terminal_escapes():
    for path in (ROOT / "pipeline").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "\\x1b" not in text, path
