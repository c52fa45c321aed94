"""The synthetic corpus: ground truth in the extract CSV format, the form's arithmetic, series
carry-over, and planted errors recorded exactly."""

from __future__ import annotations

import csv
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from renderings_corpus import CORPUS, read

from pipeline.cli import build_parser
from pipeline.form.codebook import expected_keys
from pipeline.synth import convert, corpus, plants
from pipeline.synth.values import CLASSES

ALL_PLANTS = plants.PLANT_KINDS


def test_ground_truth_header_and_plain_decimals():
    with (CORPUS / "ground_truth.csv").open(encoding="utf-8") as f:
        assert f.readline().strip() == ",".join(corpus.FACT_HEADER)
    values = [row["value"] for row in read("ground_truth.csv")]
    assert all(v == "0" or not v.endswith(("0", ".")) or "." not in v for v in values)
    assert any("." in v for v in values)  # fee amounts carry decimals


def test_unplanted_reports_satisfy_the_form_and_series_carry_over():
    built = corpus.build(corpus.Options(40, 3, ("docx-text",), "both", 4, ()))
    by_agency = defaultdict(list)
    for report, _, found in built:
        assert found == []
        by_agency[report.agency].append(report)
    for reports in by_agency.values():
        assert [r.year for r in reports] == list(range(reports[0].year, reports[0].year + len(reports)))
        for before, after in zip(reports, reports[1:]):
            for cls in (*CLASSES, "total"):
                assert after.values[("requests", "carried_over", cls)] == before.values[("requests", "carried_forward", cls)]
    assert {r.form_version for r, _, _ in built} == {"2019", "2021"}


def test_each_plant_breaks_only_its_own_rule():
    built = corpus.build(corpus.Options(200, 5, ("docx-text",), "2021", 4, ALL_PLANTS))
    names = [{v.check_name for v in found} for _, _, found in built if found]
    assert {n for s in names for n in s} == set(ALL_PLANTS)
    assert all(len(s) == 1 for s in names)
    share = len(names) / len(built)
    assert 0.15 < share < 0.45


def test_planted_csv_states_expected_and_actual():
    rows = read("planted.csv")
    assert rows and all(Decimal(r["expected"]) != Decimal(r["actual"]) for r in rows)
    truth = {(r["source_file"], r["table_code"], r["row_code"], r["applicant_class"]): r["value"] for r in read("ground_truth.csv")}
    for r in rows:
        # actual is always what the table cell says (for narrative, expected is the prose figure)
        assert truth[(r["source_file"], r["table_code"], r["row_code"], r["applicant_class"])] == r["actual"]


def test_cli_writes_a_corpus_that_accuracy_scores(tmp_path, capsys):
    parser = build_parser()  # the `xxgk` command line's own
    args = parser.parse_args(
        ["synth", "--n", "4", "--out", str(tmp_path), "--seed", "1", "--form", "2019", "--years", "2", "--plant", "balance"]
    )
    assert args.func(args) == 0
    with (tmp_path / "ground_truth.csv").open(encoding="utf-8") as f:
        assert len({row["source_file"] for row in csv.DictReader(f)}) == 4
    args = parser.parse_args(["accuracy", str(tmp_path)])
    capsys.readouterr()
    assert args.func(args) == 0
    out = capsys.readouterr().out.splitlines()
    cells = str(4 * len(expected_keys("2019")))
    assert out[1].split()[:6] == ["docx-text", "4", cells, "/", cells, "100.0%"]
    assert out[1].split()[-3:] == ["4", "/", "4"]


@pytest.mark.parametrize(
    "convert_all, target, magic, kind",
    [
        ("pdfs_from_html", "pdf:writer_web_pdf_Export", b"%PDF ", "PDF"),
        ("docxs_from_html", "docx:MS Word 2007 XML", b"PK ", "DOCX"),
    ],
)
def test_conversion_batches_and_names_the_files_soffice_skipped(monkeypatch, convert_all, target, magic, kind):
    """soffice exits 0 after converting only part of a batch; a skipped file is an error naming it,
    not a missing file found later."""
    calls = []
    ext = target.split(":")[0]

    def soffice(args, **_):
        assert args[args.index("--convert-to") + 1] == target
        files = args[args.index("--outdir") + 2 :]
        calls.append(len(files))
        outdir = Path(args[args.index("--outdir") + 1])
        outdir.mkdir(exist_ok=True)
        for html in files:
            if Path(html).stem != "skipped":
                (outdir / f"{Path(html).stem}.{ext}").write_bytes(magic + Path(html).stem.encode())
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(convert.subprocess, "run", soffice)
    monkeypatch.setattr(convert, "_BATCH", 2)
    pages = {name: "<p></p>" for name in ("a", "b", "c")}
    assert getattr(convert, convert_all)(pages) == {name: magic + name.encode() for name in pages}
    assert calls == [2, 1]
    with pytest.raises(convert.ConversionError, match=rf"no {kind} for 1 of 2 files \(skipped\)"):
        getattr(convert, convert_all)({"a": "<p></p>", "skipped": "<p></p>"})
