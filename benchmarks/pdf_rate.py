"""PDF reading rate, per core: the real 5-page report read N times in one process, and the peak
memory of reading a 200-page PDF (the report's pages repeated).

    python benchmarks/pdf_rate.py            # 200 readings
    python benchmarks/pdf_rate.py --n 1000

`rate()` is what benchmarks/bench.py folds in; CPU time is measured, so other work on the machine
slows the figure less than wall time would.
"""

from __future__ import annotations

import argparse
import io
import resource
import time
from pathlib import Path

import pypdfium2 as pdfium

from pipeline.extract.readers import pdf
from pipeline.extract.report import extract_bytes

REPORT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "real" / "hongze_2023.pdf"


def rate(n: int, data: bytes | None = None) -> dict[str, float]:
    """Reports per CPU second: read alone (pdfium + grid + prose) and extracted (read + walk)."""
    data = data if data is not None else REPORT.read_bytes()
    extract_bytes(data)  # imports and caches warmed
    start = time.process_time()
    for _ in range(n):
        pdf.read(data)
    read_s = time.process_time() - start
    start = time.process_time()
    for _ in range(n):
        extract_bytes(data)
    extract_s = time.process_time() - start
    return {"read_per_s": n / read_s, "extract_per_s": n / extract_s}


def long_pdf(pages: int = pdf.MAX_PAGES) -> bytes:
    """The report's pages repeated to `pages` pages."""
    source = pdfium.PdfDocument(REPORT.read_bytes())
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        out.import_pages(source, list(range(min(len(source), pages - len(out)))))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def peak_rss_mib_reading(data: bytes) -> tuple[float, float]:
    """(peak RSS before, after reading) in MiB: the growth is what one reading costs at most."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pdf.read(data)
    return before, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    figures = rate(args.n)
    print(
        f"PDF ({REPORT.name}, 5 pages, {args.n} readings): {figures['read_per_s']:.1f} reports/s per core read, "
        f"{figures['extract_per_s']:.1f} reports/s per core extracted (target 20)"
    )
    data = long_pdf()
    before, after = peak_rss_mib_reading(data)
    print(f"200-page PDF ({len(data) / 2**20:.1f} MiB): peak RSS {before:.0f} MiB before reading, {after:.0f} MiB after")


if __name__ == "__main__":
    main()
