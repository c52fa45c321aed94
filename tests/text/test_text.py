"""Bytes → text: encodings, binary files and line numbering."""

import unicodedata
from decimal import Decimal

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract import readers
from pipeline.extract.values import format_value, parse_value
from pipeline.ingest import convert
from pipeline.text.decode import decode
from pipeline.text.normalize import fold, split_lines

SAMPLE = "北京市通州区2024年政府信息公开工作年度报告\r\n\t２３３１\r\n"


@pytest.mark.parametrize(
    "data,encoding",
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8"),
        (SAMPLE.encode("gb18030"), "gb18030"),
        (SAMPLE.encode("gbk"), "gb18030"),
    ],
)
def test_decodes_report_encodings(data, encoding):
    d = decode(data)
    assert d.text is not None and d.text.lstrip("\ufeff") == SAMPLE and d.encoding == encoding


@pytest.mark.parametrize(
    "data,reason",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"PK\x03\x04rest", "zip"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"abc\x00def", "NUL"),
        (b"\xff\xfe\xfd\x80\x81", "undecodable"),
    ],
)
def test_rejects_what_is_not_text(data, reason):
    d = decode(data)
    assert d.text is None and reason in (d.problem or "")


@pytest.mark.parametrize(
    "data,kind,reason",
    [
        (b"%PDF-1.7\n...", "pdf", "a damaged PDF: pdfium cannot open it"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "doc", "an old binary Word file (.doc/.wps): LibreOffice is not installed"),
    ],
)
def test_documents_are_read_by_their_reader_never_decoded_as_text(data, kind, reason, monkeypatch):
    """A PDF or an old Office file is sniffed by its magic bytes before any text decoding, and its
    own reader says what is wrong with it: it is never taken for text to be converted first."""
    monkeypatch.setattr(convert, "soffice", lambda: None)
    assert readers.sniff(data) == kind and data.startswith(readers.DOCUMENT_MAGIC)
    result = convert.extract(data)  # as ingest extracts a file: an old Word file is converted first
    assert result.status == "rejected" and result.problems[0].startswith(reason)


def test_lines_are_counted_as_in_the_raw_file():
    assert split_lines("a\r\nb\nc") == ["a", "b", "c"]
    assert split_lines("a\rb\rc") == ["a", "b", "c"]


def test_fold_makes_renderings_comparable():
    assert fold("２０２４ 年\u3000（一）\u00a0予以公开") == "2024年(一)予以公开"


# Chinese text, full-width and other compatibility forms, and combining marks that compose with
# what precedes them (`Ａ\u0301`, whose NFKC is `Á`), and white space of every kind: fold's shortcuts
# (the common compatibility characters, str.split() for the regex) must give what the regex gives.
_FOLDED_TEXT = st.text(
    st.sampled_from(
        "年度报告政府信息公开申请（），：；！？％　０１２３４５６７８９Ａａ①㎡…﹝﹞ｶﾞ\u0301\u0308\u3099 \t\u00a0"
        "aA09é\u200b\ufeff\x1c\x1f\u2028\u205f\x85"
    ),
    max_size=24,
)


@given(_FOLDED_TEXT)
def test_fold_is_nfkc_without_white_space(text):
    assert fold(text) == regex.sub(r"[\s\u00a0\u3000\u200b\ufeff]+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize(
    "text,value",
    [
        ("2331", "2331"),
        ("２３３１", "2331"),
        ("2,331", "2331"),
        ("28983.0794", "28983.0794"),
        ("251000元", "251000"),
        ("\u3000\u30000", "0"),
        ("—", "0"),
        ("-", "0"),
        ("/", "0"),
        ("无", "0"),
        ("", "0"),
        ("-3", "-3"),
    ],
)
def test_cell_values(text, value):
    parsed = parse_value(text)
    assert parsed is not None and format_value(parsed) == value


@pytest.mark.parametrize("text", ["约20", "见附件", "1.属于国家秘密", "20 30"])
def test_text_that_is_not_a_value(text):
    assert parse_value(text) is None


def test_format_value_has_no_trailing_zeros():
    assert format_value(Decimal("2331.000000")) == "2331"
    assert format_value(Decimal("100.000000")) == "100"
    assert format_value(Decimal("28983.079400")) == "28983.0794"
