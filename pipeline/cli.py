"""The `xxgk` command: run the pipeline, or extract files without a warehouse."""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.metadata
import json
import os
import sys
from pathlib import Path

from pipeline.extract.batch import extract_path, shown_name
from pipeline.extract.values import format_value
from pipeline.site.cli import add_site_parser
from pipeline.synth.cli import add_accuracy_parser, add_synth_parser

EXTRACT_COLUMNS = (
    "source_file",
    "agency",
    "year",
    "form_version",
    "table_code",
    "row_code",
    "applicant_class",
    "value",
)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()  # what extract_path gives a file it could not read
DEFAULT_RAW = "data/raw"
DEFAULT_WAREHOUSE = "data/warehouse/xxgk.duckdb"
STATUSES = ("ok", "incomplete", "rejected", "duplicate")
RUN_ENVIRONMENT = """environment:
  XXGK_RAW_DIR        default for --raw (now: %s)
  XXGK_WAREHOUSE      default for --warehouse (now: %s)
  XXGK_DUCKDB_MEMORY  memory limit of the build's DuckDB connections (default 1GB)
  DAGSTER_HOME        a Dagster instance folder: the run then shows in `dagster dev`"""


class UsageError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as err:
        print(f"xxgk {args.command}: {err}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`xxgk extract … | head`): stop quietly. stdout is pointed at
        # /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xxgk", description=__doc__)
    parser.add_argument("--version", action="version", version=f"xxgk {importlib.metadata.version('xxgk')}")
    sub = parser.add_subparsers(dest="command", required=True)

    raw_default = os.environ.get("XXGK_RAW_DIR", DEFAULT_RAW)
    warehouse_default = os.environ.get("XXGK_WAREHOUSE", DEFAULT_WAREHOUSE)
    run = sub.add_parser(
        "run",
        help="materialize every asset: raw files → facts → warehouse → SQL models",
        epilog=RUN_ENVIRONMENT % (raw_default, warehouse_default),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--raw", default=raw_default, help="raw report folder, read recursively (default: %(default)s, or $XXGK_RAW_DIR)")
    run.add_argument("--warehouse", default=warehouse_default, help="DuckDB file to publish (default: %(default)s, or $XXGK_WAREHOUSE)")
    run.add_argument("--no-wait", dest="wait", action="store_false", help="if another run is writing the warehouse, exit (status 3) instead of waiting for it")
    run.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    run.add_argument("--verbose", action="store_true", help="Dagster's log on stderr, with the trace of a failure")
    run.set_defaults(func=cmd_run)

    extract = sub.add_parser("extract", help="extract facts from report files to stdout, without a warehouse")
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    extract.set_defaults(func=cmd_extract)

    checks = sub.add_parser("checks", help="print the consistency checks' findings (the check_results view)")
    checks.add_argument("--warehouse", default=os.environ.get("XXGK_WAREHOUSE", DEFAULT_WAREHOUSE), help="published DuckDB file to read")
    checks.add_argument("--format", choices=("table", "csv"), default="table")
    checks.add_argument("--fail-on", choices=("error", "warning"), help="exit 1 if a finding of this severity (warning: or error) exists")
    checks.set_defaults(func=cmd_checks)

    reports = sub.add_parser("reports", help="list the files of the last run with their status and message")
    reports.add_argument("--warehouse", default=warehouse_default, help="published DuckDB file to read (default: %(default)s)")
    reports.add_argument("--status", type=_statuses, default=(), help=f"only these statuses, comma-separated ({', '.join(STATUSES)})")
    reports.add_argument("--format", choices=("table", "csv"), default="table")
    reports.set_defaults(func=cmd_reports)

    add_site_parser(sub, warehouse_default)
    add_synth_parser(sub)
    add_accuracy_parser(sub)
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    for name in args.files:
        path = Path(name)
        if not path.exists() and not path.is_symlink():
            raise UsageError(f"{name}: no such file")
        if path.is_dir():
            raise UsageError(f"{name}: is a folder; give report files (or use `xxgk run --raw {name}`)")
    out = sys.stdout
    writer = csv.writer(out, lineterminator="\n") if args.format == "csv" else None
    if writer:
        writer.writerow(EXTRACT_COLUMNS)
    first_with: dict[str, str] = {}  # sha256 → the first file given with those bytes
    for arg in args.files:
        sha, ex = extract_path(Path(arg))
        name = shown_name(arg)  # a name that is not UTF-8 is written with \xNN escapes
        if sha != EMPTY_SHA256 and sha in first_with:
            # As in the warehouse: a byte-identical copy's facts are written once.
            print(f"{name}: duplicate: byte-identical copy of {first_with[sha]}; its facts are written once, from that file", file=sys.stderr)
            continue
        first_with.setdefault(sha, name)
        if ex.status != "ok" or ex.message:
            print(f"{name}: {ex.status}: {ex.message}", file=sys.stderr)
        for f in ex.facts:
            row = (name, ex.agency, ex.year, ex.form_version, f.table_code, f.row_code, f.applicant_class, None if f.value is None else format_value(f.value))
            if writer:
                writer.writerow(["" if v is None else v for v in row])
            else:
                out.write(json.dumps(dict(zip(EXTRACT_COLUMNS, row)), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    raw = Path(args.raw)
    if raw.exists() and not raw.is_dir():
        raise UsageError(f"--raw {raw} is a file, not a folder: give the folder that holds the reports (`xxgk extract {raw}` reads one file)")
    if not raw.is_dir():
        raise UsageError(f"raw folder {raw} does not exist")
    if not args.quiet:  # Dagster's start-up takes seconds: say at once what is going on
        print(f"starting: {raw} → {args.warehouse}", file=sys.stderr, flush=True)
    from pipeline.run import run_pipeline

    return run_pipeline(raw, Path(args.warehouse), wait=args.wait, progress=not args.quiet, verbose=args.verbose)


CHECK_SEVERITIES = {"error": ("error",), "warning": ("error", "warning")}


def cmd_checks(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.warehouse.sqlfiles import execute

    path = Path(args.warehouse)
    if not path.is_file():
        raise UsageError(f"no warehouse at {path}; run `xxgk run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        cur = execute(con, "queries/check_results.sql")
        columns = [d[0] for d in cur.description]
        rows = cur.fetchall()
    out = sys.stdout
    text_rows = [["" if v is None else format_value(v) if k in ("expected", "actual") else str(v) for k, v in zip(columns, r)] for r in rows]
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(text_rows)
    else:
        shown = ("severity", "check_name", "agency", "year", "table_code", "row_code", "applicant_class", "expected", "actual", "detail")
        idx = [columns.index(c) for c in shown]
        _print_table(out, list(shown), [[r[i] for i in idx] for r in text_rows])
        errors = sum(1 for r in rows if r[columns.index("severity")] == "error")
        print(f"{plural(len(rows), 'finding')} ({plural(errors, 'error')}, {plural(len(rows) - errors, 'warning')})", file=out)
    out.flush()
    if args.fail_on and any(r[columns.index("severity")] in CHECK_SEVERITIES[args.fail_on] for r in rows):
        return 1
    return 0


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _statuses(text: str) -> tuple[str, ...]:
    given = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in given if s not in STATUSES]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown status {', '.join(unknown)}; the statuses are {', '.join(STATUSES)}")
    return given


def cmd_reports(args: argparse.Namespace) -> int:
    import duckdb

    from pipeline.warehouse.sqlfiles import execute

    path = Path(args.warehouse)
    if not path.is_file():
        raise UsageError(f"no warehouse at {path}; run `xxgk run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        cur = execute(con, "queries/reports.sql", statuses=list(args.status))
        columns = [d[0] for d in cur.description]
        rows = [["" if v is None else str(v) for v in r] for r in cur.fetchall()]
    out = sys.stdout
    if args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        _print_table(out, columns, rows)
        print(plural(len(rows), "file"), file=out)
    out.flush()
    return 0


def _print_table(out, header: list[str], rows: list[list[str]]) -> None:
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)

    # the last column (detail) is left unpadded
    widths = [max([width(header[i])] + [width(r[i]) for r in rows]) for i in range(len(header) - 1)]
    for r in [header, *rows]:
        cells = [c + " " * (w - width(c)) for c, w in zip(r, widths)]
        print("  ".join([*cells, r[-1]]).rstrip(), file=out)


if __name__ == "__main__":
    sys.exit(main())
