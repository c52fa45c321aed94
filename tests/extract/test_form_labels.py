"""Row labels as real reports print them are still found by the form's patterns."""

from pipeline.form.codebook import rows_of
from pipeline.text.normalize import label_key


def _row(code: str):
    return next(r for r in rows_of("2021", "requests") if r.cells[0] == code)


def test_prohibited_by_law_found_with_its_printed_typo():
    # 洪泽区 2023 prints 其他法律行政法规禁止公开 as `2.其他法律行政止公开`: 禁 and 法规 lost
    pattern = _row("result.denied.prohibited_by_law").pattern
    assert pattern.search(label_key("2.其他法律行政止公开"))
    assert pattern.search(label_key("2.其他法律行政法规禁止公开"))
    assert not any(pattern.search(label_key(r.label)) for r in rows_of("2021", "requests")
                   if r.cells[0] != "result.denied.prohibited_by_law")
    # a label wrapped over lines (pdftotext -raw) is matched by its whole, never by its first part
    assert not pattern.search(label_key("2.其他法律行政法规禁"))
