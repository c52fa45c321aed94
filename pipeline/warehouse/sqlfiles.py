"""The project's SQL files: where they live and how a statement gets its bound parameters."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import regex

# Editable installs keep sql/ beside the package, which is the only install the README uses.
SQL_DIR = Path(__file__).resolve().parents[2] / "sql"

_PARAM = regex.compile(r"\$([a-z_][a-z0-9_]*)")


@cache
def read_sql(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def execute(con: duckdb.DuckDBPyConnection, relative: str, **params: object) -> duckdb.DuckDBPyConnection:
    """Run a SQL file, binding exactly the named parameters it uses: data never enters SQL text."""
    sql = read_sql(relative)
    used = set(_PARAM.findall(sql))
    missing = used - params.keys()
    if missing:
        raise ValueError(f"{relative} needs parameters {sorted(missing)}")
    return con.execute(sql, {k: v for k, v in params.items() if k in used})
