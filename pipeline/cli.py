"""The `xxgk` command: run the pipeline, or extract files without a warehouse."""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

from pipeline.extract.values import format_value
from pipeline.ingest.batch import extract_path, shown_name
from pipeline.ingest.copies import Originals
from pipeline.settings import SettingsError, default, run_help, settings
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
DEFAULT_WAREHOUSE = default("warehouse")
STATUSES = ("ok", "incomplete", "rejected", "duplicate")


class UsageError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
    except SettingsError as err:  # a bad environment variable: said in one line, before anything runs
        print(f"xxgk: {err}", file=sys.stderr)
        return 2
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

    now = settings()
    raw_default = now.raw_dir
    warehouse_default = now.warehouse
    run = sub.add_parser(
        "run",
        help="materialize every asset: raw files → facts → warehouse → SQL models",
        epilog=run_help(now),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--raw", default=raw_default, help="raw report folder, read recursively (default: %(default)s, or $XXGK_RAW_DIR)")
    run.add_argument("--warehouse", default=warehouse_default, help="DuckDB file to publish (default: %(default)s, or $XXGK_WAREHOUSE)")
    run.add_argument(
        "--no-wait",
        dest="wait",
        action="store_false",
        help="if another run is writing the warehouse, exit (status 3) instead of waiting for it",
    )
    run.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    run.add_argument("--verbose", action="store_true", help="Dagster's log on stderr, with the trace of a failure")
    run.set_defaults(func=cmd_run)

    extract = sub.add_parser("extract", help="extract facts from report files to stdout, without a warehouse")
    extract.add_argument("files", nargs="+", metavar="FILE")
    extract.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    extract.set_defaults(func=cmd_extract)

    checks = sub.add_parser("checks", help="print the consistency checks' findings (the check_results view)")
    checks.add_argument("--warehouse", default=warehouse_default, help="published DuckDB file to read")
    checks.add_argument("--format", choices=("table", "csv"), default="table")
    checks.add_argument("--fail-on", choices=("error", "warning"), help="exit 1 if a finding of this severity (warning: or error) exists")
    checks.set_defaults(func=cmd_checks)

    reports = sub.add_parser("reports", help="list the files of the last run with their status and message")
    reports.add_argument("--warehouse", default=warehouse_default, help="published DuckDB file to read (default: %(default)s)")
    reports.add_argument("--status", type=_statuses, default=(), help=f"only these statuses, comma-separated ({', '.join(STATUSES)})")
    reports.add_argument("--format", choices=("table", "csv"), default="table")
    reports.set_defaults(func=cmd_reports)

    trace = sub.add_parser(
        "trace", help="print a mart_agency_year figure and the facts it is computed from, each with its file and line or page"
    )
    whose = trace.add_mutually_exclusive_group(required=True)
    whose.add_argument("--agency", metavar="NAME", help="the agency, in any spelling a report or the registry gives it (with --year)")
    whose.add_argument("--report-id", metavar="ID", help="a report: its agency and year")
    trace.add_argument("--year", type=int, help="the year the figure is about (with --agency)")
    trace.add_argument(
        "--metric", required=True, metavar="COLUMN", help="a mart_agency_year column: new_received, handled, grant_rate, ..."
    )
    trace.add_argument("--warehouse", default=warehouse_default, help="published DuckDB file to read (default: %(default)s)")
    trace.set_defaults(func=cmd_trace)

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
    originals: Originals[str] = Originals()  # the files given, in their order
    for arg in args.files:
        sha, ex = extract_path(Path(arg))
        name = shown_name(arg)  # a name that is not UTF-8 is written with \xNN escapes
        original = originals.original_of(name, sha)
        if original is not None:
            # As in the warehouse: a byte-identical copy's facts are written once.
            print(f"{name}: duplicate: byte-identical copy of {original}; its facts are written once, from that file", file=sys.stderr)
            continue
        if ex.status != "ok" or ex.message:
            print(f"{name}: {ex.status}: {ex.message}", file=sys.stderr)
        for f in ex.facts:
            row = (
                name,
                ex.agency,
                ex.year,
                ex.form_version,
                f.table_code,
                f.row_code,
                f.applicant_class,
                None if f.value is None else format_value(f.value),
            )
            if writer:
                writer.writerow(["" if v is None else v for v in row])
            else:
                out.write(json.dumps(dict(zip(EXTRACT_COLUMNS, row)), ensure_ascii=False) + "\n")
    out.flush()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    raw = Path(args.raw)
    if raw.exists() and not raw.is_dir():
        raise UsageError(
            f"--raw {raw} is a file, not a folder: give the folder that holds the reports (`xxgk extract {raw}` reads one file)"
        )
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
    text_rows = [
        ["" if v is None else format_value(v) if k in ("expected", "actual") else str(v) for k, v in zip(columns, r)] for r in rows
    ]
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


def cmd_trace(args: argparse.Namespace) -> int:
    import duckdb
    from rich.console import Console
    from rich.table import Table

    from pipeline.warehouse.sqlfiles import execute

    if args.agency is not None and args.year is None:
        raise UsageError("--agency needs --year")
    if args.report_id is not None and args.year is not None:
        raise UsageError("--report-id names its year; give --year only with --agency")
    path = Path(args.warehouse)
    if not path.is_file():
        raise UsageError(f"no warehouse at {path}; run `xxgk run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        metrics = dict(execute(con, "queries/trace_metrics.sql").fetchall())
        if args.metric not in metrics:
            raise UsageError(
                f"unknown metric {args.metric!r}; the metrics of mart_agency_year are {', '.join(metrics) or 'none (no complete report)'}"
            )
        named = execute(con, "queries/trace_agency_years.sql", agency=args.agency, year=args.year, report_id=args.report_id).fetchall()
        if not named:
            raise UsageError(f"no report has the id {args.report_id}" if args.report_id else f"unknown agency {args.agency!r}")
        if len(named) > 1:
            raise UsageError(
                f"{args.agency!r} names {len(named)} agencies: {', '.join(f'{a} ({i})' for i, a, *_ in named)}; give --report-id"
            )
        ((agency_id, agency, year, mart_row, files),) = named
        if mart_row is None and not files:
            raise UsageError(f"{agency} has no report for {year}")
        if mart_row is None:
            raise UsageError(
                f"{agency} has no figures for {year} in mart_agency_year: only a complete report that no other file "
                f"contradicts is counted, and its files are {', '.join(files)}"
            )
        cur = execute(con, "queries/trace_facts.sql", agency_id=agency_id, year=year, metric=args.metric)
        facts = cur.fetchall()
    value = mart_row[args.metric]
    shown = "NULL" if value is None else format_value(value) if isinstance(value, Decimal) else str(value)
    # Piped output keeps whole file names and texts on one line each, for grep and for scripts.
    out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 10_000)
    out.print(f"{agency} {year} {args.metric} = {shown}")
    out.print(f"{metrics[args.metric]}")
    out.print(f"mart_agency_year, from {plural(len(facts), 'fact')}:")
    table = Table("file", "place", "table_code", "row_code", "applicant_class", "value", "raw_text", "doubt", box=None, pad_edge=False)
    for source_file, place, table_code, row_code, applicant_class, fact_value, raw_text, doubt in facts:
        table.add_row(
            source_file, place or "", table_code, row_code, applicant_class or "", format_value(fact_value), raw_text or "", doubt or ""
        )
    out.print(table)
    return 0


def _print_table(out, header: list[str], rows: list[list[str]]) -> None:
    """Columns two spaces apart, no rules. On a terminal the last column (a message, a detail) wraps
    within its width; anywhere else every row is one line, whatever its length."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False)
    for i, name in enumerate(header):
        table.add_column(Text(name), no_wrap=i < len(header) - 1, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # Text: a [bracket] in a cell is not markup
    console = Console(file=out, width=None if out.isatty() else 1_000_000, highlight=False)
    with console.capture() as captured:
        console.print(table)
    for line in captured.get().splitlines():
        print(line.rstrip(), file=out)


if __name__ == "__main__":
    sys.exit(main())
