"""What every table and column of the warehouse means (sql/schema.toml), stored in the file as
COMMENT ON when a table is built, and read by the Dagster assets for their column schemas; and
each model's build settings, declared beside its docs."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb

from pipeline.warehouse.sqlfiles import SQL_DIR

REFRESH = ("whole", "per agency")
_KEYS = {"description", "columns", "like", "refresh", "sliced", "union_of", "view"}


@dataclass(frozen=True)
class TableDoc:
    name: str
    description: str
    columns: tuple[tuple[str, str], ...]  # (column, description) in the table's order
    refresh: str = "whole"  # or "per agency": see sql/schema.toml
    sliced: bool = False
    union_of: str | None = None  # a layer of models: see sql/schema.toml
    view: bool = False  # a model of a table layer built as a view: see sql/schema.toml


@cache
def table_docs(sql_dir: Path = SQL_DIR) -> dict[str, TableDoc]:
    declared = tomllib.loads((sql_dir / "schema.toml").read_text(encoding="utf-8"))
    shared, tables = declared["columns"], declared["tables"]

    def columns(name: str) -> tuple[tuple[str, str], ...]:
        spec = tables[name]
        own = tables[spec["like"]]["columns"] if "like" in spec else spec["columns"]
        return tuple((column, text or shared[column]) for column, text in own.items())

    for name, spec in tables.items():
        # A misspelled setting would silently leave a model at its default.
        if spec.keys() - _KEYS:
            raise ValueError(f"sql/schema.toml [tables.{name}]: unknown settings {sorted(spec.keys() - _KEYS)}")
        if spec.get("refresh", "whole") not in REFRESH:
            raise ValueError(f"sql/schema.toml [tables.{name}]: refresh is one of {REFRESH}, not {spec['refresh']!r}")
        if spec.get("view") and "refresh" in spec:
            raise ValueError(f"sql/schema.toml [tables.{name}]: a view is computed when it is read, so it has no refresh")
    return {
        name: TableDoc(
            name,
            spec["description"],
            columns(name),
            spec.get("refresh", "whole"),
            spec.get("sliced", False),
            spec.get("union_of"),
            spec.get("view", False),
        )
        for name, spec in tables.items()
    }


def _literal(text: str) -> str:
    # Our own descriptions, never report data; quoted as SQL string literals.
    return "'" + text.replace("'", "''") + "'"


def describe(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """COMMENT ON the table (or view) and each of its declared columns. CREATE OR REPLACE drops a
    table's comments, so this runs after every build of the table."""
    doc = table_docs()[table]
    (is_view,) = con.execute(
        "SELECT count(*) > 0 FROM duckdb_views() WHERE schema_name = 'main' AND view_name = ? AND NOT temporary", [table]
    ).fetchone()
    con.execute(f"COMMENT ON {'VIEW' if is_view else 'TABLE'} main.{table} IS {_literal(doc.description)}")
    for column, text in doc.columns:
        con.execute(f"COMMENT ON COLUMN main.{table}.{column} IS {_literal(text)}")
