"""Old binary Word files (.doc, .wps) → .docx bytes through LibreOffice, before extraction.

LibreOffice reads and writes files, so the conversion is ingest's, not pure extraction's: the
bytes go into a temporary folder private to it and the .docx comes back as bytes, which
pipeline/extract reads like any other .docx. Every reader of report files (the batches,
`xxgk extract`, synth's accuracy) extracts through `extract` here, so an old Word file is read
wherever a .docx is."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.extract import readers
from pipeline.extract.model import Extraction
from pipeline.extract.readers import office
from pipeline.extract.report import extract_bytes, extract_native

# LibreOffice's start-up is most of a conversion; a file it cannot finish in this time is damaged.
_CONVERT_TIMEOUT_S = 120


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def extract(data: bytes) -> Extraction:
    """A file's bytes → its Extraction (report.extract_bytes), an old binary Word file converted
    to .docx first; a file that cannot be converted is `rejected` saying why."""
    if readers.sniff(data) != "doc":
        return extract_bytes(data)
    converted = to_docx(data)
    if isinstance(converted, str):
        return Extraction(status="rejected", problems=[converted])
    return extract_native("docx", converted)


def to_docx(data: bytes) -> bytes | str:
    """An old binary Word file's bytes as a .docx, or why it cannot be converted."""
    if office.password_protected(data):
        return office.PASSWORD_PROTECTED
    exe = soffice()
    if exe is None:
        return (
            "an old binary Word file (.doc/.wps): LibreOffice is not installed, so it cannot be read; "
            "install it (apt-get install libreoffice-writer-nogui) or convert the file with "
            "`soffice --headless --convert-to docx report.doc`"
        )
    with tempfile.TemporaryDirectory(prefix="xxgk-doc-") as tmp:
        src = Path(tmp) / "report.doc"
        src.write_bytes(data)
        try:
            subprocess.run(
                [exe, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "docx", "--outdir", tmp, str(src)],
                capture_output=True,
                timeout=_CONVERT_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return "an old binary Word file (.doc/.wps) that LibreOffice could not convert in time: damaged?"
        out = Path(tmp) / "report.docx"
        if not out.exists():
            return "an old binary Word file (.doc/.wps) that LibreOffice could not convert: damaged or not a document"
        return out.read_bytes()
