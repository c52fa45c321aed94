"""Old binary Word files (.doc, .wps) → a Document, through LibreOffice when it is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline.extract.document import Document
from pipeline.extract.readers import docx

# LibreOffice's start-up is most of a conversion; a file it cannot finish in this time is damaged.
_CONVERT_TIMEOUT_S = 120
# A password-protected .docx is not a zip but this same container, holding the encrypted zip in a
# stream of this name (directory entries name their streams in UTF-16LE).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(data: bytes) -> Document | str:
    if _ENCRYPTED_PACKAGE in data:
        return "a password-protected Word file: it cannot be read; save it again without a password"
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
        return docx.read(out.read_bytes())
