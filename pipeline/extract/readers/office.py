"""Old binary Word files (.doc, .wps): only LibreOffice reads them, and it reads and writes files,
so pipeline/ingest/convert.py turns them into .docx before extraction. What the bytes alone tell
is decided here: a password-protected file cannot be converted at all."""

from __future__ import annotations

# A password-protected .docx is not a zip but this same container, holding the encrypted zip in a
# stream of this name (directory entries name their streams in UTF-16LE).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
PASSWORD_PROTECTED = "a password-protected Word file: it cannot be read; save it again without a password"
NOT_CONVERTED = (
    "an old binary Word file (.doc/.wps): only its conversion to .docx is read (pipeline.ingest.convert converts it through LibreOffice)"
)


def password_protected(data: bytes) -> bool:
    return _ENCRYPTED_PACKAGE in data


def read(data: bytes) -> str:
    """Why these bytes are not read here: what ingest's conversion does not give extraction is
    either locked or was never converted."""
    return PASSWORD_PROTECTED if password_protected(data) else NOT_CONVERTED
