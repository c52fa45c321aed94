"""The environment variables: one declaration each (pipeline/settings.py), read nowhere else, the
README's table and `xxgk run --help` made from them, and a bad value said in one line."""

import ast
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT, xxgk

from pipeline import settings as settings_module
from pipeline.settings import RUN, Settings, SettingsError, markdown_table, settings, variables

README = (ROOT / "README.md").read_text(encoding="utf-8")
DECLARED = {name for name, *_ in variables()}
_MENTION = re.compile(r"\b(?:XXGK_[A-Z_]+|DAGSTER_HOME)\b")
TEST_ONLY = {"XXGK_PROPERTY_EXAMPLES"}  # read by tests/warehouse/test_warehouse_update.py, never by xxgk


def _clean_env(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DECLARED}
    return {**env, **variables}


def test_the_readme_table_is_the_declarations():
    start = README.index("<!-- the table below is pipeline/settings.py's markdown_table() -->\n")
    table = README[start:].split("\n", 1)[1].split("<!-- end of the table -->", 1)[0]
    assert table == markdown_table()
    listed = re.findall(r"^\| `([A-Z_]+)` \|", table, re.M)
    assert sorted(listed) == sorted(DECLARED) and len(listed) == 9


def test_every_variable_mentioned_is_declared():
    texts = [README, (ROOT / "Makefile").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "pipeline").rglob("*.py")]
    mentioned = {m for text in texts for m in _MENTION.findall(text)}
    assert mentioned - TEST_ONLY == DECLARED


def test_the_environment_is_read_only_in_settings():
    """No os.environ or os.getenv anywhere else in the package: every read goes through settings()."""
    readers = []
    for path in (ROOT / "pipeline").rglob("*.py"):
        if path.name == "settings.py" and path.parent.name == "pipeline":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb", "putenv"):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module == "os" and any(a.name in ("environ", "getenv") for a in node.names):
                readers.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert readers == []


def test_defaults_and_values(monkeypatch):
    for name in DECLARED:
        monkeypatch.delenv(name, raising=False)
    now = settings()
    assert (now.raw_dir, now.warehouse, now.duckdb_memory, now.follow_links) == ("data/raw", "data/warehouse/xxgk.duckdb", "1GB", False)
    assert (now.lock_timeout, now.sensor_interval, now.schedule_cron, now.schedule_timezone) == (3600, 30, "0 2 * * *", "UTC")
    assert now.dagster_home is None
    monkeypatch.setenv("XXGK_LOCK_TIMEOUT", "5")
    monkeypatch.setenv("XXGK_FOLLOW_LINKS", "1")
    monkeypatch.setenv("XXGK_WAREHOUSE", "")  # empty: as if unset
    now = settings()  # read again: the environment as it is now
    assert (now.lock_timeout, now.follow_links, now.warehouse) == (5, True, "data/warehouse/xxgk.duckdb")
    monkeypatch.setenv("XXGK_FOLLOW_LINKS", "0")
    assert settings().follow_links is False


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("XXGK_LOCK_TIMEOUT", "abc", "a whole number of seconds, 0 or more"),
        ("XXGK_LOCK_TIMEOUT", "-1", "a whole number of seconds, 0 or more"),
        ("XXGK_SENSOR_INTERVAL", "0", "a whole number of seconds, 1 or more"),
        ("XXGK_FOLLOW_LINKS", "maybe", "1 or 0"),
        ("XXGK_SCHEDULE_TIMEZONE", "Mars/Olympus_Mons", "a time zone name such as Asia/Shanghai"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        settings()
    assert str(err.value) == f"{name}={value} is not usable: expected {expected}"


def test_two_bad_values_are_both_named(monkeypatch):
    monkeypatch.setenv("XXGK_LOCK_TIMEOUT", "an hour")
    monkeypatch.setenv("XXGK_SENSOR_INTERVAL", "x")
    with pytest.raises(SettingsError) as err:
        settings()
    assert str(err.value) == (
        "XXGK_LOCK_TIMEOUT='an hour' is not usable: expected a whole number of seconds, 0 or more; "
        "XXGK_SENSOR_INTERVAL=x is not usable: expected a whole number of seconds, 1 or more"
    )


def test_the_command_line_says_a_bad_value_in_one_line(tmp_path):
    for args in (["run", "--raw", str(tmp_path), "--warehouse", str(tmp_path / "w.duckdb")], ["checks"], ["run", "--help"]):
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=_clean_env(XXGK_LOCK_TIMEOUT="abc")
        )
        assert proc.returncode == 2, args
        assert proc.stderr == "xxgk: XXGK_LOCK_TIMEOUT=abc is not usable: expected a whole number of seconds, 0 or more\n", args
        assert proc.stdout == ""
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / ".w.duckdb-lock").exists()


def test_dagster_loading_the_code_says_the_same_line():
    load = "from pipeline.definitions import defs; defs()"
    proc = subprocess.run([sys.executable, "-c", load], capture_output=True, text=True, env=_clean_env(XXGK_SENSOR_INTERVAL="often"))
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1] == (
        "pipeline.settings.SettingsError: XXGK_SENSOR_INTERVAL=often is not usable: expected a whole number of seconds, 1 or more"
    )


def test_run_help_lists_the_variables_a_run_reads():
    out = xxgk("run", "--help", env={"COLUMNS": "200", "XXGK_DUCKDB_MEMORY": "2GB"}).stdout
    environment = out.split("environment:\n", 1)[1].splitlines()
    shown = [line.split()[0] for line in environment]
    assert shown == [name for name, _, _, read_by in variables() if RUN in read_by]
    assert {"XXGK_RAW_DIR", "XXGK_WAREHOUSE", "XXGK_DUCKDB_MEMORY", "XXGK_FOLLOW_LINKS", "DAGSTER_HOME"} == set(shown)
    memory = next(line for line in environment if line.split()[0] == "XXGK_DUCKDB_MEMORY")
    assert memory.endswith("(default 1GB; now: 2GB)")
    for line, (name, _, doc, _) in zip(environment, [v for v in variables() if RUN in v[3]]):
        assert doc in line, name


def test_the_resource_defaults_are_the_declared_ones():
    from pipeline.defs.resources import Warehouse

    fields = Warehouse.model_fields
    assert (
        (fields["raw_dir"].default, fields["path"].default, fields["lock_timeout"].default)
        == (
            Settings.model_fields["raw_dir"].default,
            Settings.model_fields["warehouse"].default,
            Settings.model_fields["lock_timeout"].default,
        )
        == ("data/raw", "data/warehouse/xxgk.duckdb", 3600)
    )
    assert settings_module.default("sensor_interval") == 30
