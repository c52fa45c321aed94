import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
GOLDEN = ROOT / "tests" / "golden"
EDITED = ROOT / "tests" / "fixtures" / "edited"
BIN = Path(sys.executable).parent

# `make test` runs beside `make run`, whose DAGSTER_HOME is the repository: runs started by tests
# use a throwaway instance (or one a test makes itself), never the user's run history.
os.environ.pop("DAGSTER_HOME", None)


def golden_facts(name: str) -> list[tuple[str, str, str, str, int]]:
    with (GOLDEN / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return [(r["table_code"], r["row_code"], r["applicant_class"], r["value"], int(r["source_line"])) for r in csv.DictReader(f)]


def cell_values(result) -> dict[tuple[str, str, str], str]:
    """An Extraction's facts as (table_code, row_code, applicant_class or "") → the value as a
    report writes it: what the corpora's expected and ground-truth files hold."""
    from pipeline.extract.values import format_value

    return {(f.table_code, f.row_code, f.applicant_class or ""): format_value(f.value) for f in result.facts}


def expected_cells(path: Path) -> dict[tuple[str, str, str], str]:
    """A NAME.expected.csv of the committed .docx corpus, keyed as cell_values keys the facts."""
    with path.open(encoding="utf-8", newline="") as f:
        return {(r["table_code"], r["row_code"], r["applicant_class"]): r["value"] for r in csv.DictReader(f)}


def golden_reports() -> dict[str, dict[str, str]]:
    with (GOLDEN / "reports.csv").open(encoding="utf-8", newline="") as f:
        return {r["source_file"]: r for r in csv.DictReader(f)}


def xxgk(*args: str, cwd: Path | None = None, check: bool = True, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`xxgk ARGS`; env: variables set for it on top of this process's."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=check,
        env={**os.environ, **env} if env else None,
    )


@pytest.fixture
def raw_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled reports."""
    dest = tmp_path / "raw"
    shutil.copytree(RAW, dest)
    return dest


def build_bundled(tmp: Path) -> tuple[Path, Path]:
    """A copy of the bundled reports in tmp/raw and a warehouse built from it in tmp/w; returns both."""
    import io

    from pipeline.run import run_pipeline

    raw = tmp / "raw"
    shutil.copytree(RAW, raw)
    target = tmp / "w" / "xxgk.duckdb"
    assert run_pipeline(raw, target, out=io.StringIO(), progress=False) == 0
    return raw, target


# mart_agency_year's columns that say whose figures a row holds; every other column is a metric.
MART_IDENTITY = {
    "agency_id",
    "agency",
    "level",
    "region",
    "kind",
    "division_level",
    "division_code",
    "year",
    "form_version",
    "report_id",
    "source_file",
}
