"""HTML → text, PDF and Word files through the real converters people use on published reports.

Each converter is an external program (Debian packages w3m, lynx, pandoc, poppler-utils,
libreoffice-writer-nogui; html2text from PyPI), run exactly as a user would run it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HTML_RENDERINGS = ("w3m", "lynx", "pandoc", "html2text")
PDF_RENDERINGS = ("pdf-layout", "pdf-raw")
_COMMANDS = {
    "w3m": ["w3m", "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", "-cols", "160"],
    "lynx": ["lynx", "-dump", "-nolist", "-width=160", "-assume_charset=utf-8", "-display_charset=utf-8", "-stdin"],
    "pandoc": ["pandoc", "-f", "html", "-t", "plain", "--columns=160"],
    "html2text": [sys.executable, "-m", "html2text", "--body-width=0"],
}
# Files per soffice start-up: given 300 files it converted the first 247 and exited 0.
_BATCH = 100
_NEEDS = {
    "w3m": ("w3m",),
    "lynx": ("lynx",),
    "pandoc": ("pandoc",),
    "html2text": (),
    "pdf-layout": ("soffice", "pdftotext"),
    "pdf-raw": ("soffice", "pdftotext"),
    "pdf": ("soffice",),
    "docx": ("soffice",),
}
# (file extension, LibreOffice export filter)
_PDF = ("pdf", "writer_web_pdf_Export")
_DOCX = ("docx", "MS Word 2007 XML")


class ConversionError(RuntimeError):
    """A converter ran but did not produce what it was asked for."""


def missing(rendering: str) -> str | None:
    """Why a rendering cannot be produced here, or None."""
    absent = [p for p in _NEEDS.get(rendering, ()) if shutil.which(p) is None]
    if rendering == "html2text":
        try:
            import html2text  # noqa: F401
        except ImportError:
            absent.append("html2text (pip)")
    return f"{rendering} needs {', '.join(absent)}" if absent else None


def from_html(rendering: str, html: str) -> str:
    run = subprocess.run(_COMMANDS[rendering], input=html.encode(), capture_output=True, check=True, timeout=120)
    return run.stdout.decode("utf-8")


def pdfs_from_html(pages: dict[str, str]) -> dict[str, bytes]:
    """name → PDF bytes; LibreOffice converts a batch in one start-up, which is most of its cost."""
    return _soffice_convert(pages, _PDF)


def docxs_from_html(pages: dict[str, str]) -> dict[str, bytes]:
    """name → .docx bytes, as Word would save the page LibreOffice opened."""
    return _soffice_convert(pages, _DOCX)


def _soffice_convert(pages: dict[str, str], target: tuple[str, str]) -> dict[str, bytes]:
    names = list(pages)
    out: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, html in pages.items():
            (root / f"{name}.html").write_text(html, encoding="utf-8")
        for i in range(0, len(names), _BATCH):
            out.update(_soffice(root, names[i : i + _BATCH], target))
    return out


def _soffice(root: Path, names: list[str], target: tuple[str, str]) -> dict[str, bytes]:
    ext, export_filter = target
    outdir = root / ext
    run = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{root}/profile",
            "--headless",
            "--convert-to",
            f"{ext}:{export_filter}",
            "--outdir",
            str(outdir),
            *(str(root / f"{name}.html") for name in names),
        ],
        capture_output=True,
        timeout=600,
    )
    # soffice exits 0 even when it converted only some files (given 300, it stopped after 247),
    # so each output is checked for rather than trusting the exit status.
    missing = [name for name in names if not (outdir / f"{name}.{ext}").is_file()]
    if run.returncode or missing:
        raise ConversionError(
            f"soffice exited {run.returncode} and wrote no {ext.upper()} for {len(missing)} of "
            f"{len(names)} files ({', '.join(missing[:5])}{' …' if len(missing) > 5 else ''}): "
            f"{run.stderr.decode('utf-8', 'replace').strip()[-500:]}"
        )
    return {name: (outdir / f"{name}.{ext}").read_bytes() for name in names}


def text_from_pdf(rendering: str, pdf: bytes) -> str:
    mode = "-layout" if rendering == "pdf-layout" else "-raw"
    run = subprocess.run(["pdftotext", mode, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=120)
    return run.stdout.decode("utf-8")
