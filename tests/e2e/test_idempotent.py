"""Reruns are idempotent: two runs on the same files (the hostile folder of tests/bad_corpus.py,
so rejected, duplicate and incomplete files count too) give identical reports, facts, marts and
check results, whether the second run builds a new warehouse or runs again over the first."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb
import pytest
from bad_corpus import shared_run
from conftest import xxgk


def _contents(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table and view, rows in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall()]
        return {n: sorted(con.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}


def _checks_line(stdout: str) -> str:
    return next(line for line in stdout.splitlines() if line.startswith("checks:"))


def _summary(stdout: str) -> list[str]:
    """The run summary without its timing and incremental-extraction lines, and those naming the
    warehouse's path."""
    return [line for line in stdout.splitlines() if not re.match(r"(time|extraction|warehouse|not ok):", line)]


@pytest.fixture(scope="module")
def first():
    return shared_run()


def test_a_second_build_is_identical(first, tmp_path: Path):
    second = tmp_path / "again" / "xxgk.duckdb"
    proc = xxgk("run", "--raw", str(first.raw), "--warehouse", str(second), "--quiet", cwd=tmp_path, env=first.env)
    assert _summary(proc.stdout) == _summary(first.stdout)
    assert _checks_line(proc.stdout) == _checks_line(first.stdout)
    a, b = _contents(first.warehouse), _contents(second)
    assert a.keys() == b.keys() and {"reports", "facts"} <= a.keys()
    for name in a:
        assert a[name] == b[name], f"{name} differs between two runs on the same files"


def test_running_again_over_the_same_warehouse_changes_nothing(first, tmp_path: Path):
    before = _contents(first.warehouse)
    digest = hashlib.sha256(first.warehouse.read_bytes()).hexdigest()
    proc = xxgk("run", "--raw", str(first.raw), "--warehouse", str(first.warehouse), "--quiet", cwd=tmp_path, env=first.env)
    assert _summary(proc.stdout) == _summary(first.stdout)
    assert _contents(first.warehouse) == before
    # Same files, same code (this session's): the files read again (those too new to trust their
    # time stamps, those that could not be read) give the same reports, so nothing is rebuilt and
    # not a byte of the published file is rewritten.
    (extraction,) = [line for line in proc.stdout.splitlines() if line.startswith("extraction:")]
    assert extraction.endswith(" unchanged, 0 removed; warehouse unchanged, not rebuilt"), extraction
    assert hashlib.sha256(first.warehouse.read_bytes()).hexdigest() == digest
