"""pipeline/extract is pure: bytes in, an Extraction out. Reading the raw folder, the manifest,
Parquet and the process pool are pipeline/ingest's (the stage above it); this walks every module's
syntax tree so an import of file-system, Parquet or process-pool code cannot creep back."""

import ast
from pathlib import Path

import pytest

EXTRACT = Path(__file__).resolve().parents[2] / "pipeline" / "extract"

# Modules whose import means touching the file system, Parquet or other processes.
FORBIDDEN = {
    "os",
    "pathlib",
    "shutil",
    "tempfile",
    "glob",
    "subprocess",
    "multiprocessing",
    "concurrent",
    "polars",
    "pyarrow",
    "duckdb",
    "pipeline.ingest",
    "pipeline.warehouse",
}
# Calls that read or write Parquet or files whatever module they come from.
FORBIDDEN_CALLS = {"open", "read_parquet", "write_parquet", "scan_parquet", "sink_parquet"}


def _modules() -> list[Path]:
    return sorted(p for p in EXTRACT.rglob("*.py") if "__pycache__" not in p.parts)


def _imports(tree: ast.AST) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _calls(tree: ast.AST) -> set[str]:
    called = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name):
                called.add(f.id)
            elif isinstance(f, ast.Attribute) and f.attr != "open":  # zipfile's open reads the bytes given
                called.add(f.attr)
    return called


def _forbidden(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in FORBIDDEN)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.relative_to(EXTRACT).as_posix())
def test_extract_touches_no_files(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    assert not {n for n in _imports(tree) if _forbidden(n)}
    assert not _calls(tree) & FORBIDDEN_CALLS


def test_the_walk_finds_what_it_forbids():
    """The checks above would pass on a walk that sees nothing: they see ingest's modules."""
    batch = ast.parse((EXTRACT.parent / "ingest" / "batch.py").read_text(encoding="utf-8"))
    incremental = ast.parse((EXTRACT.parent / "ingest" / "incremental.py").read_text(encoding="utf-8"))
    assert {"os", "pathlib", "polars"} <= {n for n in _imports(batch) if _forbidden(n)}
    assert {"concurrent.futures", "multiprocessing"} <= _imports(incremental)
    # what readers/office.py imported before the conversion moved to ingest
    convert = ast.parse((EXTRACT.parent / "ingest" / "convert.py").read_text(encoding="utf-8"))
    assert {"pathlib", "shutil", "subprocess", "tempfile"} <= {n for n in _imports(convert) if _forbidden(n)}
    assert "write_parquet" in _calls(batch) and "read_parquet" in _calls(incremental)
    assert len(_modules()) > 20 and EXTRACT / "readers" / "office.py" in _modules()
