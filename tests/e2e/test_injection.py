"""Nothing from the data is ever executed: report text, agency titles, file and folder names and
the warehouse path full of quotes, semicolons and SQL reach DuckDB only as bound parameters or
Arrow/Parquet data, and come back verbatim."""

from __future__ import annotations

import ast
import re

import duckdb
import pytest
from bad_corpus import SQL_CELL, SQL_FOLDER, SQL_NAME, SQL_TITLE_AGENCY, facts_of, shared_run
from conftest import ROOT

from pipeline.warehouse.models import discover, load_tables


@pytest.fixture(scope="module")
def run():
    return shared_run()


def test_the_run_completes_with_every_table_intact(run):
    assert "warehouse:" in run.stdout and "facts loaded:" in run.stdout
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        present = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        assert set(load_tables()) | {m.name for m in discover()} <= present
        # Every file has its row, and every fact of a loaded report is there.
        assert con.execute("SELECT count(*) FROM reports").fetchone()[0] == len(run.cli["names"])
        expected = con.execute("SELECT sum(fact_count) FROM reports WHERE status NOT IN ('duplicate', 'rejected')").fetchone()[0]
        assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == expected > 1000


def test_file_and_folder_names_are_stored_verbatim(run):
    for name in (SQL_NAME, f"{SQL_FOLDER}/title.txt", f"{SQL_FOLDER}/cell.txt"):
        assert run.reports[name]["source_file"] == name
    assert run.reports[SQL_NAME]["status"] == "ok"
    assert len(facts_of(run.warehouse, SQL_NAME)) == 200
    # and on the command line
    assert run.cli["facts"][SQL_NAME] == 200


def test_agency_title_is_stored_verbatim(run):
    row = run.reports[f"{SQL_FOLDER}/title.txt"]
    # `agency` is the title's text with white space removed (README); nothing else is changed.
    assert row["agency"] == SQL_TITLE_AGENCY.replace(" ", "")
    assert row["status"] == "ok" and row["fact_count"] == 200
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM reports WHERE agency = ?", [row["agency"]]).fetchone() == (1,)


def test_sql_in_a_cell_is_only_a_cell_that_holds_no_number(run):
    """A cell is read only as a number; text in its place leaves that one cell missing."""
    row = run.reports[f"{SQL_FOLDER}/cell.txt"]
    assert row["status"] == "incomplete"
    assert "missing proactive cells: fees.amount_10k_yuan" in row["message"]
    facts = facts_of(run.warehouse, f"{SQL_FOLDER}/cell.txt")
    assert len(facts) == 199 and all(SQL_CELL not in str(f) for f in facts)
    assert "missing proactive cells: fees.amount_10k_yuan" in run.cli["stderr"][f"{SQL_FOLDER}/cell.txt"]


def _calls(tree: ast.AST):
    """(enclosing function's name, call) for every call in a module's functions."""
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    yield fn.name, node


def _modules():
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_readers_connect_read_only():
    """Only the build file under way is opened for writing; everything else that opens a DuckDB
    file (summaries, checks, exports, readers of the published file) opens it read-only. Read from
    the code, so a call over several lines counts as one."""
    found = 0
    for path, tree in _modules():
        connects = {
            a.asname or a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.ImportFrom) and n.module == "duckdb"
            for a in n.names
            if a.name == "connect"
        }
        for _, call in _calls(tree):
            f = call.func
            if not (
                (isinstance(f, ast.Attribute) and f.attr == "connect" and ast.unparse(f.value) == "duckdb")
                or (isinstance(f, ast.Name) and f.id in connects)
            ):
                continue
            found += 1
            if not call.args and not call.keywords:
                continue  # an in-memory database
            read_only = [k.value for k in call.keywords if k.arg == "read_only"]
            if read_only and isinstance(read_only[0], ast.Constant) and read_only[0].value is True:
                continue
            database = ast.unparse(call.args[0]) if call.args else ""
            # the build file, as BuildFile (self.files.build, self.build) and publication (files.build) name it
            assert re.fullmatch(r"str\((self\.files|self|files)\.build\)", database), (
                f"{path}:{call.lineno} opens a DuckDB file for writing: {ast.unparse(call)}"
            )
    assert found >= 5


# The SQL methods of a DuckDB connection, and sqlfiles.execute(con, relative) (which runs a file of sql/).
SQL_METHODS = {"execute", "executemany", "sql", "query", "from_query"}
# Every value the code puts into SQL text, reviewed: (file, function, expression) → why it holds
# no data. Anything else built into SQL text (an f-string, +, % or .format of a value) fails.
REVIEWED = {
    ("pipeline/warehouse/sqlfiles.py", "execute", "sql"): "the text of a file in sql/ (read_sql); its data is bound",
    ("pipeline/warehouse/load.py", "load", "relative"): "a file of sql/sources or sql/build (ordered_files)",
    ("pipeline/warehouse/load.py", "slice_changed_agencies", "table"): "a file name of sql/sources",
    ("pipeline/warehouse/load.py", "slice_changed_agencies", "read_sql('build/scope.sql')"): "the text of sql/build/scope.sql",
    ("pipeline/warehouse/models.py", "define_macros", "path.name"): "a file name of sql/macros",
    ("pipeline/warehouse/models.py", "materialize", "model.kind"): "VIEW or TABLE",
    ("pipeline/warehouse/models.py", "materialize", "model.name"): "a model's file name, an identifier (discover checks)",
    ("pipeline/warehouse/models.py", "materialize", "model.sql"): "a model's SQL file",
    ("pipeline/warehouse/models.py", "refresh_changed_agencies", "model.name"): "a model's file name",
    ("pipeline/warehouse/models.py", "refresh_changed_agencies", "model.sql"): "a model's SQL file",
    (
        "pipeline/warehouse/models.py",
        "refresh_changed_agencies",
        "table",
    ): "a build_scope table, named for a sliced base table of sql/sources",
    ("pipeline/warehouse/schema.py", "describe", "table"): "a table of sql/schema.toml",
    ("pipeline/warehouse/schema.py", "describe", "column"): "a column of sql/schema.toml",
    ("pipeline/warehouse/schema.py", "describe", "_literal(doc.description)"): "sql/schema.toml's text, quoted",
    ("pipeline/warehouse/schema.py", "describe", "_literal(text)"): "sql/schema.toml's text, quoted",
}


def _values_in(expr: ast.expr) -> list[ast.expr]:
    """The parts of an expression that are not literal text: what an f-string interpolates, what
    + or % joins, what .format() fills in, or the expression itself."""
    if isinstance(expr, ast.Constant):
        return []
    if isinstance(expr, ast.JoinedStr):
        return [v for part in expr.values for v in _values_in(part)]
    if isinstance(expr, ast.FormattedValue):
        return _values_in(expr.value) if isinstance(expr.value, (ast.Constant, ast.IfExp, ast.JoinedStr)) else [expr.value]
    if isinstance(expr, ast.IfExp):
        return _values_in(expr.body) + _values_in(expr.orelse)
    if isinstance(expr, ast.BinOp):
        return _values_in(expr.left) + _values_in(expr.right)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
        return _values_in(expr.func.value) + [a for a in expr.args] + [k.value for k in expr.keywords]
    return [expr]


def test_sql_text_holds_only_the_projects_own_names():
    """Every SQL call in pipeline/ (a connection's execute, sql, query, ... and sqlfiles.execute)
    whose SQL is not a literal is built only from the reviewed values above: report data, paths and
    user input reach DuckDB as bound parameters, however the call is written."""
    unreviewed, seen = [], set()
    for path, tree in _modules():
        for function, call in _calls(tree):
            f = call.func
            if isinstance(f, ast.Attribute) and f.attr in SQL_METHODS and call.args:
                sql = call.args[0]
            elif isinstance(f, ast.Name) and f.id == "execute" and len(call.args) > 1:
                sql = call.args[1]
            else:
                continue
            for value in _values_in(sql):
                key = (path, function, ast.unparse(value))
                seen.add(key)
                if key not in REVIEWED:
                    unreviewed.append(f"{path}:{call.lineno} in {function}(): SQL text built from {key[2]}: {ast.unparse(call)}")
    assert not unreviewed, "\n".join(unreviewed)
    assert seen == REVIEWED.keys()  # a reviewed call that is gone leaves no stale entry
