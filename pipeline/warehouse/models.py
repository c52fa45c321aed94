"""SQL models in sql/: one model per file, named for the file, built in dependency order.

staging and checks are views (always current, cheap); marts are tables, so a BI tool reading
them does not recompute aggregates over every fact on each query.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import regex

from pipeline.warehouse.sqlfiles import SQL_DIR

MODEL_LAYERS = ("staging", "marts", "checks")
_NAME = regex.compile(r"^[a-z][a-z0-9_]*$")
# Comments, string literals and bound parameters ($reports) name no table.
_NOT_A_REFERENCE = regex.compile(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\$[a-z_][a-z0-9_]*", regex.S)
_WORD = regex.compile(r"\b[a-z_][a-z0-9_]*\b")


@dataclass(frozen=True)
class SqlModel:
    name: str
    layer: str
    path: Path
    sql: str

    @property
    def kind(self) -> str:
        return "TABLE" if self.layer == "marts" else "VIEW"

    @property
    def description(self) -> str:
        lines = [ln[2:].strip() for ln in self.sql.splitlines() if ln.startswith("--")]
        return " ".join(lines) or f"{self.layer} model {self.name}"

    def references(self, names: set[str]) -> list[str]:
        words = set(_WORD.findall(_NOT_A_REFERENCE.sub(" ", self.sql).lower()))
        return sorted((words & names) - {self.name})


@cache
def discover(sql_dir: Path = SQL_DIR) -> tuple[SqlModel, ...]:
    models = []
    for layer in MODEL_LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            if not _NAME.match(path.stem):
                raise ValueError(f"{path}: model file names must be lower-case identifiers")
            sql = path.read_text(encoding="utf-8").strip().rstrip(";")
            models.append(SqlModel(path.stem, layer, path, sql))
    names = [m.name for m in models]
    if len(names) != len(set(names)):
        raise ValueError(f"two SQL models share a name in {sql_dir}")
    return tuple(models)


@cache
def load_tables(sql_dir: Path = SQL_DIR) -> tuple[str, ...]:
    """Tables the load step creates, one per file in sql/load, each after the tables it reads."""
    files = {p.stem: SqlModel(p.stem, "load", p, p.read_text(encoding="utf-8")) for p in sorted((sql_dir / "load").glob("*.sql"))}
    ordered: list[str] = []

    def visit(name: str, stack: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in stack:
            raise ValueError(f"sql/load files read each other in a cycle: {' -> '.join((*stack, name))}")
        for dep in files[name].references(set(files)):
            visit(dep, (*stack, name))
        ordered.append(name)

    for name in files:
        visit(name, ())
    return tuple(ordered)


def materialize(con: duckdb.DuckDBPyConnection, model: SqlModel) -> int | None:
    """Create the table or view; a table's row count (a view's would mean computing it: None)."""
    # The name comes from our own file name, checked above; no report data is in this text.
    con.execute(f"CREATE OR REPLACE {model.kind} {model.name} AS\n{model.sql}")
    return con.table(model.name).shape[0] if model.kind == "TABLE" else None

