"""Reading speed per published format, against the targets of issue 12:

    python benchmarks/formats.py                     # 2,000 reports of each format
    python benchmarks/formats.py --n 200             # a quick run

For each format (native text as the bundled reports are, an HTML page, a page pasted from Word, a
PDF and a .docx LibreOffice makes of the page) `xxgk synth` writes --n distinct reports (once;
the corpus is reused from --work), and one worker process per format extracts every file in turn,
reading it from disk as `xxgk extract` does. Reports per second per core is the reports over the
worker's CPU time (one process is one core); its peak memory is the worker's maximum resident set
(getrusage), which holds Python, the parsers and one report at a time. Each report's status is
compared with the corpus manifest, so a fast reader that reads wrongly does not pass unseen.

The text path's figure is measured the same way, and printed beside the README's `xxgk extract`
figure (420 reports/s on 2 cores at 100,000 reports), which the one walker must not slow down.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import machine, synth  # noqa: E402

FORMATS = ("docx-text", "html", "html-word", "pdf", "docx")
# reports/s per core (issue 12, Performance); the Word-like page is a page like any other.
TARGETS = {"html": 200, "html-word": 200, "pdf": 20}
TEXT_README = 420 / 2  # `xxgk extract` at 100,000 reports on 2 cores, README "Performance"
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")


def work_through(corpus: Path) -> dict:
    """In this process: extract every file of the corpus; CPU and wall seconds, peak RSS, statuses."""
    from pipeline.extract.report import extract_bytes

    with (corpus / "manifest.csv").open(encoding="utf-8", newline="") as f:
        manifest = list(csv.DictReader(f))
    # The first report imports the parsers and fills the caches a long run keeps warm.
    extract_bytes((corpus / "reports" / manifest[0]["source_file"]).read_bytes())
    right, pages = 0, 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for entry in manifest:
        data = (corpus / "reports" / entry["source_file"]).read_bytes()
        right += extract_bytes(data).status == entry["expected_status"]
        pages += len(_PDF_PAGE.findall(data)) if data.startswith(b"%PDF") else 0
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "reports": len(manifest),
        "cpu": cpu,
        "wall": wall,
        "right_status": right,
        "pdf_pages": pages,
        "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def measure(corpus: Path) -> dict:
    """work_through in a fresh process, so each format's peak memory is its own."""
    run = subprocess.run([sys.executable, __file__, "--worker", str(corpus)], capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"worker on {corpus} failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return json.loads(run.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="reports per format")
    parser.add_argument("--formats", default=",".join(FORMATS), help=f"comma-separated, from {', '.join(FORMATS)}")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=Path("/tmp/xxgk-formats"), help="corpora (reused between runs)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(work_through(args.worker)))
        return 0
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        parser.error(f"unknown formats {', '.join(unknown)}")
    args.work.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(
        f"machine: {info['nproc']} cores, {info['cpu']}, {info['ram_gb']} GB RAM, Python {info['python']}, "
        f"load average {info['loadavg_start']:.2f} at start",
        flush=True,
    )
    results: dict = {"machine": info, "n": args.n, "formats": {}}
    for name in formats:
        corpus, seconds = synth(args.work, args.n, args.seed, name)
        r = measure(corpus)
        r["synth_seconds"] = seconds
        results["formats"][name] = r
        print(
            f"{name}: {r['reports']:,} reports in {r['cpu']:.1f} CPU-s ({r['wall']:.1f} s wall), "
            f"{r['reports'] / r['cpu']:,.0f} reports/s per core, peak RSS {r['peak_rss'] / 2**20:,.0f} MB, "
            f"{r['right_status']} / {r['reports']} right status (corpus: {seconds:.0f} s to generate)",
            flush=True,
        )
    info["loadavg_end"] = os.getloadavg()[0]
    _summary(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


def _summary(results: dict) -> None:
    m = results["machine"]
    print(
        f"\n== reports per second per core, {results['n']:,} reports per format ({m['nproc']} cores, {m['cpu']}; "
        f"load average {m['loadavg_start']:.1f} → {m['loadavg_end']:.1f}) =="
    )
    print(f"{'format':<10} {'per core':>9} {'target':>7} {'met':>4} {'pages/file':>10} {'peak RSS':>9} {'right status':>13}")
    for name, r in results["formats"].items():
        rate = r["reports"] / r["cpu"]
        target = TARGETS.get(name)
        # A rate counts only when every report got its right status.
        met = ("-" if target is None else "yes" if rate >= target else "NO") if r["right_status"] == r["reports"] else "n/a"
        pages = f"{r['pdf_pages'] / r['reports']:.1f}" if r["pdf_pages"] else "-"
        print(
            f"{name:<10} {rate:>9,.0f} {target if target else '-':>7} {met:>4} {pages:>10} "
            f"{r['peak_rss'] / 2**20:>7,.0f}MB {r['right_status']:>6} / {r['reports']}"
        )
    text = results["formats"].get("docx-text")
    if text:
        print(
            f"text path: {text['reports'] / text['cpu']:,.0f} reports/s per core here, against the README's "
            f"`xxgk extract` {TEXT_README:,.0f} per core (420 reports/s on 2 cores at 100,000 reports, with the "
            f"command's start-up and CSV output; run benchmarks/bench.py for that figure today)"
        )
    if any(r["right_status"] < r["reports"] for r in results["formats"].values()):
        print("met n/a: some reports got a wrong status (a reader that rejects or misreads is not measured)")


if __name__ == "__main__":
    sys.exit(main())
