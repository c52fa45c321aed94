"""Old binary Word files (.doc, .wps) are converted to .docx by LibreOffice in ingest, before
extraction, which only ever reads bytes: without LibreOffice, locked with a password or unconvertible
they are `rejected` saying why, and converted they read as the .docx they came from."""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest
from conftest import cell_values, expected_cells

from pipeline.extract import readers
from pipeline.extract.readers import office
from pipeline.extract.report import extract_bytes
from pipeline.ingest import convert
from pipeline.ingest.batch import extract_path

NATIVE = Path(__file__).resolve().parents[1] / "fixtures" / "native" / "docx"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


def test_old_word_file_without_libreoffice_names_the_command(monkeypatch):
    monkeypatch.setattr(convert, "soffice", lambda: None)
    message = convert.to_docx(OLE)
    assert "LibreOffice is not installed" in message and "soffice --headless --convert-to docx" in message
    result = convert.extract(OLE)
    assert result.status == "rejected" and result.message == message


def test_password_protected_word_file_is_rejected_saying_so_without_converting(monkeypatch):
    ole = OLE + "EncryptionInfo\0EncryptedPackage".encode("utf-16-le")
    monkeypatch.setattr(convert, "soffice", lambda: pytest.fail("a locked file is not given to LibreOffice"))
    result = convert.extract(ole)
    assert result.status == "rejected"
    assert result.message == "a password-protected Word file: it cannot be read; save it again without a password"


def test_extraction_alone_does_not_read_an_unconverted_old_word_file():
    """pipeline/extract runs no program: given .doc bytes, it says they are read after conversion."""
    assert extract_bytes(OLE).problems == [office.NOT_CONVERTED]


@pytest.mark.skipif(convert.soffice() is None, reason="LibreOffice (soffice) is not installed")
def test_old_word_file_is_read_through_libreoffice(tmp_path):
    """A committed report saved as .doc by LibreOffice reads back to the same cells, from its bytes
    and from its file as the batches and `xxgk extract` read it (batch.extract_path)."""
    data = (NATIVE / "docx_2021_plain.docx").read_bytes()
    expected = expected_cells(NATIVE / "docx_2021_plain.expected.csv")
    with (NATIVE / "manifest.csv").open(encoding="utf-8", newline="") as f:
        entry = next(e for e in csv.DictReader(f) if e["source_file"] == "docx_2021_plain.docx")
    (tmp_path / "report.docx").write_bytes(data)
    subprocess.run(
        [
            convert.soffice(),
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "doc",
            "--outdir",
            str(tmp_path / "out"),
            str(tmp_path / "report.docx"),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    doc_bytes = (tmp_path / "out" / "report.doc").read_bytes()
    assert readers.sniff(doc_bytes) == "doc"
    for result in (convert.extract(doc_bytes), extract_path(tmp_path / "out" / "report.doc")[1]):
        assert result.status == "ok", result.message
        assert (result.agency, result.year, result.rendering) == (entry["agency"], int(entry["year"]), "docx")
        assert cell_values(result) == expected
