"""The committed native corpus (tests/fixtures/native: three synthetic reports, each as an HTML page,
a Word-like page, a PDF and a .docx) extracts to exactly its ground truth, and every format of one
report gives the same facts."""

from __future__ import annotations

import pytest
from conftest import cell_values
from hypothesis import given, settings
from hypothesis import strategies as st
from renderings_corpus import NATIVE, read, report_bytes
from renderings_corpus import truth as read_truth

from pipeline.extract.report import extract_bytes

MANIFEST = read("manifest.csv", NATIVE)
TRUTH = read_truth(NATIVE)
# Document.kind: a Word-like page is an HTML page.
KIND = {"html-word": "html"}


def _extract(source_file: str):
    return extract_bytes(report_bytes(source_file, NATIVE))


def _where_read(rendering: str, fact) -> bool:
    """Every fact says where it was read: a line for pages, a page and box for PDF, a cell for Word."""
    if rendering in ("html", "html-word"):
        return fact.source_line is not None
    if rendering == "pdf":
        return fact.source_page is not None and fact.source_box is not None and fact.source_line is None
    return fact.source_cell is not None and fact.source_line is None


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["source_file"] for e in MANIFEST])
def test_native_report_extracts_to_ground_truth(entry):
    result = _extract(entry["source_file"])
    assert result.status == entry["expected_status"], result.message
    assert (result.agency, result.year, result.form_version) == (entry["agency"], int(entry["year"]), entry["form_version"])
    assert result.rendering == KIND.get(entry["rendering"], entry["rendering"])
    assert result.published_on == (entry["published_on"] or None)
    assert cell_values(result) == TRUTH[entry["source_file"]]
    assert all(_where_read(entry["rendering"], f) and f.doubt is None for f in result.facts)


# The one report of the corpus that leaves zeros blank.
_BLANKS = "0002"


def test_the_corpus_has_every_native_format_both_forms_and_the_hard_cases():
    assert {e["rendering"] for e in MANIFEST} == {"html", "html-word", "pdf", "docx"}
    assert {e["form_version"] for e in MANIFEST} == {"2019", "2021"}
    blanks = [any(value == "" for value in cells) for cells in _written_cells()]
    assert blanks == [n == _BLANKS for n in _NUMBERS]
    pages = [report_bytes(e["source_file"], NATIVE) for e in MANIFEST if e["rendering"] == "html-word"]
    assert any(b"charset=gb2312" in page for page in pages)
    titles_with_agency = [
        f'class="article-title">{e["agency"]}'.encode("gb18030") in page or f'class="article-title">{e["agency"]}'.encode() in page
        for e, page in zip([e for e in MANIFEST if e["rendering"] == "html-word"], pages)
    ]
    assert not all(titles_with_agency)  # one title leaves the agency to the page's 发布机构


def _written_cells() -> list[list[str]]:
    """Each report's cells as the HTML page prints them (a blank cell is an empty <td>)."""
    out = []
    for entry in MANIFEST:
        if entry["rendering"] == "html":
            page = report_bytes(entry["source_file"], NATIVE).decode("utf-8")
            out.append([cell.split("</td>")[0] for cell in page.split("<td")[1:]])
    return [[c.split(">", 1)[1] for c in cells] for cells in out]


_NUMBERS = sorted({e["source_file"][:4] for e in MANIFEST})


@pytest.mark.parametrize("number,rendering", [pytest.param(n, r, id=f"{n}-{r}") for n in _NUMBERS for r in ("pdf", "docx", "html-word")])
def test_every_format_of_one_report_gives_the_html_pages_facts(number, rendering):
    """A PDF (or .docx, or Word-like page) and the HTML page of the same synthetic report give the
    same facts: the same value for every key, and the same report."""
    (html,) = [e for e in MANIFEST if e["source_file"].startswith(number) and e["rendering"] == "html"]
    (other,) = [e for e in MANIFEST if e["source_file"].startswith(number) and e["rendering"] == rendering]
    a, b = _extract(html["source_file"]), _extract(other["source_file"])
    assert a.status == "ok", a.message
    assert (b.agency, b.year, b.form_version, b.status) == (a.agency, a.year, a.form_version, a.status), b.message
    assert cell_values(b) == cell_values(a)


@settings(max_examples=200, deadline=None)
@given(entry=st.sampled_from(MANIFEST), share=st.floats(0, 1, exclude_max=True))
def test_a_cut_off_native_file_never_passes_changed_numbers_as_ok(entry, share):
    """A download cut short (a PDF cut in half, a page cut inside a table, a .docx missing its zip
    directory) is rejected or incomplete, or, cut only after the report, reads the same facts."""
    data = report_bytes(entry["source_file"], NATIVE)
    result = extract_bytes(data[: int(len(data) * share)])
    assert result.status in ("ok", "incomplete", "rejected")
    if result.status == "ok":
        assert cell_values(result) == TRUTH[entry["source_file"]]
