"""`xxgk synth` writes the native formats: the HTML page, the page pasted from Word, and the PDF and
.docx LibreOffice makes of the page."""

from __future__ import annotations

import csv
import random
import re

import pytest

from pipeline.synth import accuracy, corpus, render_html
from pipeline.synth.document import publication_date


def _text(markup: str) -> str:
    return re.sub(r"<[^>]+>", "", markup)


def test_html_renderings_are_pages_named_as_pages(tmp_path):
    corpus.write(corpus.Options(6, 2, ("html", "html-word"), "both"), tmp_path)
    with (tmp_path / "manifest.csv").open(encoding="utf-8", newline="") as f:
        manifest = list(csv.DictReader(f))
    assert [e["rendering"] for e in manifest] == ["html", "html-word"] * 3
    for entry in manifest:
        assert entry["source_file"] == f"{entry['source_file'][:4]}_{entry['rendering']}.html"
        assert (tmp_path / "reports" / entry["source_file"]).read_bytes().startswith(b"<!DOCTYPE html")
        assert entry["expected_status"] == "ok"
        if entry["rendering"] == "html-word":
            assert entry["published_on"] == f"{int(entry['year']) + 1}-01-{20 + int(entry['year']) % 10:02d}"
        else:
            assert entry["published_on"] == ""


def _word_page(seed: int) -> tuple[corpus.Report, str]:
    ((report, _, _),) = corpus.build(corpus.Options(1, seed, ("html-word",), "2021"))
    data = render_html.render_word(report, random.Random(seed))
    charset = re.search(rb"charset=([\w-]+)", data)[1].decode()
    return report, data.decode("gb18030" if charset == "gb2312" else charset)


def test_word_page_splits_runs_and_wraps_the_report_in_the_site():
    report, page = _word_page(1)
    assert "<o:p></o:p>" in page
    # Labels are split over runs: present in the text, not in the markup.
    split = [label for label in ("申请人情况", "法人或其他组织", "本年度办理结果", "行政复议") if label not in page]
    assert split and all(label in _text(page) for label in split)
    # Navigation and the metadata table come before the report; its tables sit inside a layout table.
    text = _text(page)
    assert text.index("当前位置") < text.index("发布机构") < text.index("公开日期") < text.index("一、总体情况")
    assert f'公开日期</td><td class="c3">{publication_date(report)}' in page
    content = page[page.index('id="zoom"') :]
    assert content.index("<table") < content.index("MsoNormalTable")
    assert content.index("</table>", content.rindex("MsoNormalTable")) < content.rindex("</table>")


def test_word_page_blank_cells_are_nbsp_or_word_markers():
    for seed in range(40):
        report, page = _word_page(seed)
        if any(text == "" for text in report.cells.values()):
            blanks = re.findall(r'<p class="MsoNormal" align="center"><span lang="EN-US">(.*?)</span></p>', page)
            assert blanks and set(blanks) <= {"&nbsp;", "<o:p>&nbsp;</o:p>", "<o:p></o:p>"}
            return
    pytest.fail("no report with a blank cell in 40 seeds")


def test_some_word_pages_title_the_report_without_its_agency_and_some_are_gb2312():
    titles, charsets = set(), set()
    for seed in range(30):
        report, page = _word_page(seed)
        (h1,) = re.findall(r'<h1 class="article-title">(.*?)</h1>', page)
        titles.add(h1.startswith(report.agency))
        charsets.add(re.search(r"charset=([\w-]+)", page)[1])
        assert f'发布机构</td><td class="c2">{report.agency}<' in page
    assert titles == {True, False}
    assert charsets == {"utf-8", "gb2312"}


def test_every_rendering_writes_each_report_once_per_rendering():
    built = corpus.build(corpus.Options(3, 4, ("html", "pdf", "docx"), "both", every_rendering=True))
    assert [r.source_file for r, _, _ in built] == [f"{n:04d}_{name}" for n in (1, 2, 3) for name in ("html.html", "pdf.pdf", "docx.docx")]
    for first, *others in (built[i : i + 3] for i in (0, 3, 6)):
        assert all(o[0].values == first[0].values and o[0].agency == first[0].agency for o in others)


def test_native_files_place_every_cell_so_blank_cells_keep_them_ok():
    report = next(r for r, _, _ in corpus.build(corpus.Options(60, 9, ("html",), "2021")) if any(text == "" for text in r.cells.values()))
    assert corpus.expected_status(report, "pdf-raw") == "incomplete"
    assert {corpus.expected_status(report, r) for r in corpus.NATIVE_RENDERINGS} == {"ok"}


def test_accuracy_scores_native_pages_and_their_header(tmp_path):
    corpus.write(corpus.Options(4, 3, ("html", "html-word"), "both"), tmp_path)
    scores = accuracy.score(tmp_path)
    assert set(scores) == {"html", "html-word"}
    assert all(s.cells_exact == s.cells_total and s.header_right == s.status_right == s.reports == 2 for s in scores.values())
    manifest = (tmp_path / "manifest.csv").read_text(encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(re.sub(r"(\d{4})-01-(\d\d)\n", r"\1-02-\2\n", manifest, count=1), encoding="utf-8")
    assert accuracy.score(tmp_path)["html-word"].header_right == 1
    assert "right header" in accuracy.table(scores).splitlines()[0]
