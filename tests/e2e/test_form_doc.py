"""Every citation of the form's description resolves: the file is docs/form.md, the rules cited
exist there, and each check's rule number, name and severity agree with the rule it cites."""

import subprocess

import regex
from conftest import ROOT

from pipeline.defs.checks import rule_checks

FORM_DOC = ROOT / "docs" / "form.md"
# Any mention of a form.md (the old FORM.md at the root, or a path other than docs/form.md).
_MENTION = regex.compile(r"(?i)(?<![\w/])[\w./-]*form\.md\b")
_CITATION = regex.compile(r'docs/form\.md(?:\'s)?,?\s+(?:rules?\s+(?P<rules>\d+(?:\s*(?:–|-|and|,)\s*\d+)*)|"(?P<heading>[^"]+)")')
_RULE = regex.compile(r"^(\d+)\. \*\*[^*]+\*\* \((error|warning), `([a-z_]+)`\)", regex.M)


def _doc_rules() -> dict[int, tuple[str, str]]:
    return {int(n): (severity, check) for n, severity, check in _RULE.findall(FORM_DOC.read_text(encoding="utf-8"))}


def _doc_headings() -> set[str]:
    return {ln.lstrip("#").strip() for ln in FORM_DOC.read_text(encoding="utf-8").splitlines() if ln.startswith("#")}


def _cited_numbers(text: str) -> list[int]:
    numbers = [int(n) for n in regex.findall(r"\d+", text)]
    if "–" in text or "-" in text:
        numbers = list(range(numbers[0], numbers[-1] + 1))
    return numbers


def _tracked_text_files():
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    for name in names:
        path = ROOT / name
        # this file names the patterns it looks for
        if name.startswith(("tests/fixtures/", "data/")) or name == "tests/e2e/test_form_doc.py" or not path.is_file():
            continue
        try:
            yield name, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue


def test_the_form_document_numbers_rules_one_to_eight():
    assert sorted(_doc_rules()) == list(range(1, 9))


def test_every_citation_names_docs_form_md_and_what_it_cites_exists():
    rules, headings = _doc_rules(), _doc_headings()
    wrong, unresolved, cited = [], [], 0
    for name, text in _tracked_text_files():
        for m in _MENTION.finditer(text):
            if m.group() != "docs/form.md":
                wrong.append(f"{name}: {m.group()}")
        for m in _CITATION.finditer(text):
            cited += 1
            if m["rules"] and not set(_cited_numbers(m["rules"])) <= set(rules):
                unresolved.append(f"{name}: {m.group()}")
            if m["heading"] and m["heading"] not in headings:
                unresolved.append(f"{name}: {m.group()}")
    assert not wrong, wrong
    assert not unresolved, unresolved
    assert cited >= 10  # the checks, the extractor and the README cite it


def test_each_check_description_cites_its_own_rule():
    """The description the Dagster UI shows for a rule check names docs/form.md and the rule whose
    check name and severity the document gives."""
    by_check = {check: (n, severity) for n, (severity, check) in _doc_rules().items()}
    for check in rule_checks:
        (spec,) = check.check_specs
        name = spec.name
        if name not in by_check:
            assert "form.md" not in (spec.description or "").lower(), name
            continue
        n, severity = by_check[name]
        assert spec.description.startswith(f"docs/form.md rule {n} ({severity})"), (name, spec.description)
