"""Incremental-run figures for the README (not a test; `make bench` runs it).

Makes N copies of the bundled reports, each a different agency (a numbered suffix on the name in
the title, so every copy is its own report with its own 200 facts, not a duplicate), then
times `xxgk run` as a user would start it: a full run, a rerun with nothing changed, a run after
one file changed, after one file was removed, and the bare start-up of the command.

    python benchmarks/incremental.py [N]     # default 2000
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


def xxgk(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"},
    )
    return time.perf_counter() - started, proc.stdout + proc.stderr


def _timed_import() -> float:
    code = "from pipeline.definitions import defs; defs().resolve_job_def('refresh_warehouse')"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def _timed_check(raw: Path, target: Path) -> float:
    from pipeline.ingest import incremental
    from pipeline.ingest.batch import scan
    from pipeline.warehouse.files import WarehouseFiles

    started = time.perf_counter()
    out = incremental.update(raw, WarehouseFiles(target).work_dir, scan(raw), workers=1)
    assert out.extracted == 0, out
    return time.perf_counter() - started


def main(n: int) -> None:
    sources = sorted(RAW.glob("*.txt"))
    with (ROOT / "tests" / "golden" / "reports.csv").open(encoding="utf-8", newline="") as f:
        agency = {r["source_file"]: r["agency"] for r in csv.DictReader(f)}
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        raw = Path(tmp) / "raw"
        for i in range(n):
            src = sources[i % len(sources)]
            folder = raw / f"{i // 500:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            text = src.read_text(encoding="utf-8").replace(agency[src.name], f"{agency[src.name]}第{i}分局", 1)
            (folder / f"{i:05d}_{src.name}").write_text(text, encoding="utf-8")
        old = time.time() - 3600
        for p in raw.rglob("*.txt"):
            os.utime(p, (old, old))
        target = Path(tmp) / "w" / "xxgk.duckdb"
        run = ("run", "--raw", str(raw), "--warehouse", str(target))
        rows = []
        t, out = xxgk(*run)
        rows.append(("full run (nothing extracted before)", t, out))
        t, out = xxgk(*run)
        rows.append(("rerun, nothing changed", t, out))
        one = next(raw.rglob("*.txt"))
        one.write_bytes(one.read_bytes() + b"\n")
        t, out = xxgk(*run)
        rows.append(("one file changed", t, out))
        one.unlink()
        t, out = xxgk(*run)
        rows.append(("one file removed", t, out))
        t, _ = xxgk("run", "--help")
        rows.append(("start-up of the command alone (`xxgk run --help`, no Dagster)", t, ""))
        t = _timed_import()
        rows.append(("start-up with Dagster: import, load the definitions, nothing run", t, ""))
        t = _timed_check(raw, target)
        rows.append(("the incremental check alone: scan + compare with the manifest (in-process)", t, ""))
        print(f"{n:,} files, {os.cpu_count()} cores\n")
        print("| run | seconds |\n|---|---|")
        for name, t, _ in rows:
            print(f"| {name} | {t:.1f} |")
        for name, _, out in rows[:4]:
            print(f"\n## {name}\n{out}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
