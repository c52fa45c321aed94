"""SQL models in sql/: one model per file, named for the file, built in dependency order.

staging and intermediate models and the review lists are views (always current, cheap). marts
and checks are tables, so a BI tool or an asset check reading them does not recompute aggregates
over every fact on each query.

A table is built whole on a fresh build. On a build that starts from the published file (only
some agencies' reports changed), a model declared `refresh = "per agency"` in sql/schema.toml (its
rows for an agency depend on that agency's reports alone) is recomputed for the changed agencies only:
its unchanged SQL runs against slices of its inputs kept in the `build_scope` schema, which
temporary views of the same names put in front of the full tables, and its rows for those
agencies are replaced. Any other table is rebuilt whole.

A model's inputs are the tables its SQL reads, parsed with sqlglot; its settings are its entry in
sql/schema.toml. A model declared `union_of = "<layer>"` (check_results) reads a relation named
for that layer: the rows of every other model there, so a new check is one new file.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, replace
from functools import cache, cached_property
from pathlib import Path

import duckdb
import regex
import sqlglot
from sqlglot import expressions as exp

from pipeline.warehouse.schema import describe, table_docs
from pipeline.warehouse.sqlfiles import SQL_DIR, execute

MODEL_LAYERS = ("staging", "intermediate", "marts", "review", "checks")
VIEW_LAYERS = ("staging", "intermediate", "review")
# The base tables: extraction's Parquet and the reference data (sql/sources), and the agencies
# this build recomputes (build control, which sources' incremental tables read).
LOAD_FILES = ("sources/*.sql", "build/changed_agencies.sql")
# The reports of changed_agencies, which the sources replaced per agency, the slices and the export
# read: a temporary view of the connection that needs it, loaded in order with the base tables
# (once reports and changed_agencies are there) but none of them.
CHANGED_AGENCY_REPORTS = "build/changed_agency_reports.sql"
_NAME = regex.compile(r"^[a-z][a-z0-9_]*$")


def _ctes_in_scope(node: exp.Expression) -> set[str]:
    """The names of the common table expressions a table reference at node would mean: those of
    every enclosing WITH, except that a CTE's own body sees only the CTEs before it (and itself,
    when the WITH is RECURSIVE)."""
    names: set[str] = set()
    child, parent = node, node.parent
    while parent is not None:
        if isinstance(parent, exp.With):
            ctes = parent.expressions
            at = next(i for i, cte in enumerate(ctes) if cte is child)
            names.update(cte.alias for cte in ctes[: at + 1 if parent.args.get("recursive") else at])
        else:
            with_ = parent.args.get("with_")
            if with_ is not None and with_ is not child:
                names.update(cte.alias for cte in with_.expressions)
        child, parent = parent, parent.parent
    return names


def _statements(sql: str) -> list[exp.Expression]:
    return [tree for tree in sqlglot.parse(sql, read="duckdb") if tree is not None]


def tables_read(sql: str) -> frozenset[str]:
    """The tables and views the SQL names (in any schema): parsed (DuckDB dialect), so a CTE,
    column, string or comment that happens to share a table's name is no reference."""
    names = set()
    for tree in _statements(sql):
        for table in tree.find_all(exp.Table):
            # read_parquet(...) and other table functions have no plain name
            if isinstance(table.this, exp.Identifier) and table.name not in _ctes_in_scope(table):
                names.add(table.name)
    return frozenset(names)


def functions_called(sql: str) -> frozenset[str]:
    """Names of the functions the SQL calls that DuckDB's dialect does not know: macros, if any."""
    return frozenset(f.name for tree in _statements(sql) for f in tree.find_all(exp.Anonymous))


def dependency_order(graph: dict[str, set[str]], what: str) -> tuple[str, ...]:
    """The names of graph (name → the names it reads), each after those it reads."""
    try:
        return tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as e:
        raise ValueError(f"{what} read each other in a cycle: {' -> '.join(reversed(e.args[1]))}") from None


@dataclass(frozen=True)
class SqlModel:
    name: str
    layer: str
    path: Path
    sql: str
    refresh: str = "whole"  # declared in sql/schema.toml
    view: bool = False  # likewise

    @property
    def kind(self) -> str:
        return "VIEW" if self.view or self.layer in VIEW_LAYERS else "TABLE"

    @property
    def per_agency(self) -> bool:
        return self.kind == "TABLE" and self.refresh == "per agency"

    @property
    def description(self) -> str:
        lines = [ln[2:].strip() for ln in self.sql.splitlines() if ln.startswith("--")]
        return " ".join(lines) or f"{self.layer} model {self.name}"

    @cached_property
    def tables(self) -> frozenset[str]:
        return tables_read(self.sql)

    def references(self, names: set[str]) -> list[str]:
        return sorted((self.tables & names) - {self.name})

    def calls(self, names: set[str]) -> list[str]:
        return sorted(functions_called(self.sql) & names)


def _through_views(model: SqlModel, models: list[SqlModel]) -> set[str]:
    """The tables and views the model reads, and those the views it reads read, and so on."""
    views = {m.name: m for m in models if m.kind == "VIEW"}
    seen: set[str] = set()
    todo = set(model.tables)
    while todo:
        name = todo.pop()
        seen.add(name)
        if name in views:
            todo |= views[name].tables - seen
    return seen


def _with_union(model: SqlModel, models: list[SqlModel], layer: str | None) -> SqlModel:
    """The model, reading `layer` as the rows of every other model of that layer stacked by column
    name (UNION ALL BY NAME), so the union follows the files in sql/<layer>."""
    if layer is None:
        return model
    members = [m.name for m in models if m.layer == layer and m.name != model.name]
    if not members or any(tree.args.get("with_") for tree in _statements(model.sql)):
        raise ValueError(f"{model.path}: union_of = {layer!r} needs models in sql/{layer} and SQL without a WITH of its own")
    union = "\n    UNION ALL BY NAME ".join(f"SELECT * FROM {name}" for name in members)
    return replace(model, sql=f"WITH {layer} AS (\n    {union}\n)\n{model.sql}")


@cache
def discover(sql_dir: Path = SQL_DIR) -> tuple[SqlModel, ...]:
    docs = table_docs(sql_dir)
    models = []
    for layer in MODEL_LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            if not _NAME.match(path.stem):
                raise ValueError(f"{path}: model file names must be lower-case identifiers")
            sql = path.read_text(encoding="utf-8").strip().rstrip(";")
            if path.stem not in docs:
                raise ValueError(f"{path}: every model has its [tables.{path.stem}] entry in {sql_dir / 'schema.toml'}")
            models.append(SqlModel(path.stem, layer, path, sql, docs[path.stem].refresh, docs[path.stem].view))
    names = [m.name for m in models]
    if len(names) != len(set(names)):
        raise ValueError(f"two SQL models share a name in {sql_dir}")
    models = [_with_union(m, models, docs[m.name].union_of) for m in models]
    # A per-agency model reading a table rebuilt whole, itself or through views, would see other
    # agencies' rows change without being recomputed for them.
    whole = {m.name for m in models if m.kind == "TABLE" and not m.per_agency}
    for m in models:
        if m.per_agency and _through_views(m, models) & whole:
            raise ValueError(
                f"{m.path}: refreshed per agency, but reads {sorted(_through_views(m, models) & whole)}, which are rebuilt whole"
            )
    # Macros exist only on the build's connections (define_macros); a view using one would fail
    # when a user queries it.
    macros = {p.stem for p in (sql_dir / "macros").glob("*.sql")}
    for m in models:
        if m.kind == "VIEW" and m.calls(macros):
            raise ValueError(f"{m.path}: a view cannot use the build-time macros {m.calls(macros)}")
    return tuple(models)


@cache
def ordered_files(*patterns: str, sql_dir: Path = SQL_DIR) -> tuple[str, ...]:
    """The SQL files the patterns match (relative to sql/; each creates the table it is named
    for), each after the files whose tables it reads, as paths relative to sql/."""
    paths = [p for pattern in patterns for p in sorted(sql_dir.glob(pattern))]
    files = {p.stem: SqlModel(p.stem, p.parent.name, p, p.read_text(encoding="utf-8")) for p in paths}
    order = dependency_order({name: set(f.references(set(files))) for name, f in files.items()}, f"sql/{'|'.join(patterns)} files")
    return tuple(files[name].path.relative_to(sql_dir).as_posix() for name in order)


def load_tables() -> tuple[str, ...]:
    """The warehouse's base tables, in the order the files of LOAD_FILES load them."""
    return tuple(Path(relative).stem for relative in ordered_files(*LOAD_FILES))


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The helpers in sql/macros, as temporary macros of this connection: the tables built with
    them store results, so the published file needs none of them."""
    for path in sorted((SQL_DIR / "macros").glob("*.sql")):
        execute(con, f"macros/{path.name}")


def materialize(con: duckdb.DuckDBPyConnection, model: SqlModel) -> int | None:
    """Create the table or view; a table's row count (a view's would mean computing it: None)."""
    define_macros(con)
    # The name comes from our own file name, checked above; no report data is in this text.
    con.execute(f"CREATE OR REPLACE {model.kind} {model.name} AS\n{model.sql}")
    describe(con, model.name)
    return con.table(model.name).shape[0] if model.kind == "TABLE" else None


def refresh_changed_agencies(con: duckdb.DuckDBPyConnection, model: SqlModel) -> int:
    """Recompute a per-agency table for changed_agencies only; its row count.

    The model's SQL runs unchanged: temporary views named for each build_scope slice (the changed
    agencies' reports, facts, …, and the per-agency tables refreshed before this one) come before
    the full tables of those names, for this connection only. The result is also kept as a slice,
    for the models that read this one.
    """
    assert model.per_agency, model.name
    define_macros(con)
    for (table,) in execute(con, "build/scope_tables.sql").fetchall():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM build_scope.{table}")
    con.execute(f"CREATE OR REPLACE TABLE build_scope.{model.name} AS\n{model.sql}")
    con.execute(
        f"DELETE FROM main.{model.name} AS m "
        "WHERE EXISTS (SELECT 1 FROM main.changed_agencies AS c WHERE c.agency_id IS NOT DISTINCT FROM m.agency_id)"
    )
    con.execute(f"INSERT INTO main.{model.name} BY NAME SELECT * FROM build_scope.{model.name}")
    return con.execute(f"SELECT count(*) FROM main.{model.name}").fetchone()[0]
