"""`xxgk site --out DIR`: the site of an existing published warehouse, without a run."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from pipeline.site.build import build_site
from pipeline.site.pages import MANIFEST


def add_site_parser(subparsers, warehouse_default: str) -> argparse.ArgumentParser:
    p = subparsers.add_parser("site", help="write the static site (index, agency, rule and ranking pages) of a published warehouse")
    p.add_argument("--out", required=True, type=Path, help="folder to write (new, empty, or a site written before, which is replaced)")
    p.add_argument("--warehouse", default=warehouse_default, help="published DuckDB file to read (default: %(default)s)")
    p.set_defaults(func=cmd_site)
    return p


def cmd_site(args: argparse.Namespace) -> int:
    import duckdb

    warehouse, out = Path(args.warehouse), args.out
    if not warehouse.is_file():
        print(f"xxgk site: no warehouse at {warehouse}; run `xxgk run` first", file=sys.stderr)
        return 2
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        print(f"xxgk site: {out} exists and is not a site xxgk wrote; give a new or empty folder", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the folder and moved into place, so a failed build leaves the old site.
    staged = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            counts = build_site(con, staged)
        os.chmod(staged, 0o755)
        if out.exists():
            shutil.rmtree(out)
        os.rename(staged, out)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    print(f"site: {out / 'index.html'} ({counts.agency_pages:,} agency pages, {counts.findings:,} findings)")
    return 0
