"""The README's queries, run as a user runs them (the project's DuckDB CLI, read-only), print
exactly the output the README shows: those of "Querying" on the bundled reports, those of
"Questions across years" on tests/fixtures/marts/quiet."""

import re
import subprocess

import pytest
from conftest import BIN, ROOT, build_bundled, xxgk

README = (ROOT / "README.md").read_text(encoding="utf-8")
_EXAMPLE = re.compile(r"```sql\n(.*?)```\n```\n(.*?)```", re.S)


def _examples(start: str, end: str) -> list[tuple[str, str]]:
    section = README[README.index(start) : README.index(end, README.index(start))]
    return _EXAMPLE.findall(section)


def _cli(warehouse, sql: str) -> str:
    return subprocess.run([str(BIN / "duckdb"), "-readonly", str(warehouse), "-c", sql], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    return build_bundled(tmp_path_factory.mktemp("readme"))[1]


@pytest.fixture(scope="module")
def quiet(tmp_path_factory):
    target = tmp_path_factory.mktemp("readme_quiet") / "xxgk.duckdb"
    xxgk("run", "--raw", str(ROOT / "tests" / "fixtures" / "marts" / "quiet"), "--warehouse", str(target), "--quiet")
    return target


def test_querying_examples_print_what_the_readme_shows(bundled):
    examples = _examples("## Querying", "### Questions across years")
    assert len(examples) >= 3
    for sql, shown in examples:
        assert _cli(bundled, sql) == shown, sql


def test_examples_across_years_print_what_the_readme_shows(quiet):
    examples = _examples("### Questions across years", "\n## ")
    assert len(examples) >= 5
    for sql, shown in examples:
        assert _cli(quiet, sql) == shown, sql
