"""A synthetic corpus: series of reports per agency, each rendered one way, with ground truth.

Layout of DIR: `reports/` holds the report files; `ground_truth.csv` the facts as written (the
`xxgk extract` CSV format; what an honest extractor must read, so none for a text it must
reject); `planted.csv` every broken rule and where; `manifest.csv` each file's rendering, the
header and status an honest extractor must give it, its deviation from the form
(pipeline.synth.deviations) and, for a page with a metadata table, the 公开日期 it states.

Text renderings are `.txt` files; the native ones are the files agencies publish: the HTML page
(`html`), the page as a site pastes it from Word (`html-word`), the PDF and the `.docx` LibreOffice
makes of the page.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import combinations
from pathlib import Path

from pipeline.extract.values import format_value
from pipeline.form.arithmetic import adds_up
from pipeline.form.codebook import FormRow, expected_keys, rows_of
from pipeline.synth import convert, deviations, document, plants, render_docx, render_html, values
from pipeline.synth.document import Report

NATIVE_RENDERINGS = ("html", "html-word", "pdf", "docx")
RENDERINGS = ("docx-text", *convert.HTML_RENDERINGS, *convert.PDF_RENDERINGS, *NATIVE_RENDERINGS)
_EXTENSIONS = {"html": ".html", "html-word": ".html", "pdf": ".pdf", "docx": ".docx"}
FACT_HEADER = ("source_file", "agency", "year", "form_version", "table_code", "row_code", "applicant_class", "value")
PLANT_HEADER = ("source_file", "agency", "year", "check_name", "table_code", "row_code", "applicant_class", "expected", "actual")
MANIFEST_HEADER = ("source_file", "rendering", "agency", "year", "form_version", "expected_status", "deviation", "published_on")
_PLANT_SHARE = 0.3
_DISTRICTS = (
    "东城区",
    "西城区",
    "朝阳区",
    "海淀区",
    "丰台区",
    "石景山区",
    "通州区",
    "顺义区",
    "昌平区",
    "大兴区",
    "门头沟区",
    "房山区",
    "怀柔区",
    "密云区",
    "延庆区",
    "平谷区",
)
_BUREAUS = (
    "民政局",
    "司法局",
    "财政局",
    "商务局",
    "水务局",
    "审计局",
    "统计局",
    "体育局",
    "园林绿化局",
    "城市管理委员会",
    "市场监督管理局",
    "卫生健康委员会",
    "教育委员会",
    "人力资源和社会保障局",
    "生态环境局",
    "交通局",
)


@dataclass(frozen=True)
class Options:
    n: int
    seed: int = 0
    renderings: tuple[str, ...] = ("docx-text",)
    form: str = "2021"
    years: int = 1
    plant: tuple[str, ...] = ()
    # Every report in every rendering (the same facts in each file), instead of one rendering each.
    every_rendering: bool = False
    deviate: tuple[str, ...] = ()  # pipeline.synth.deviations.DEVIATION_KINDS


def _agencies(rng: random.Random, count: int) -> list[str]:
    names = [*document.AGENCIES, *(f"北京市{d}{b}" for d in _DISTRICTS for b in _BUREAUS)]
    names = list(dict.fromkeys(names))
    rng.shuffle(names)
    return [names[i % len(names)] + ("" if i < len(names) else f"第{i // len(names) + 1}分局") for i in range(count)]


def _years(rng: random.Random, form: str, k: int) -> list[int]:
    first, last = {"2019": (2019, 2020), "2021": (2021, 2025), "both": (2019, 2025)}[form]
    start = rng.randint(first, max(first, last - k + 1))
    return [y for y in range(start, start + k) if form != "2019" or y <= last]


def build(options: Options) -> list[tuple[Report, str, list[plants.Violation]]]:
    """(report, rendering, its planted violations) for every file, in series order."""
    rng = random.Random(options.seed)
    # Its own stream, so that a corpus without deviations is the one the seed always gave.
    deviate_rng = random.Random(f"deviate-{options.seed}")
    out: list[tuple[Report, str, list[plants.Violation]]] = []
    agencies = _agencies(rng, -(-options.n // options.years))
    made = 0
    for index, agency in enumerate(agencies):
        carried: dict[str, int] = {c: rng.randint(0, 3) for c in values.CLASSES}
        in_force: dict[str, int] = {}
        previous_forward: dict[str, Decimal] | None = None
        for step, year in enumerate(_years(rng, options.form, options.years)):
            if made == options.n:
                return out
            made += 1
            form_version = "2019" if year <= 2020 else "2021"
            cells = {**values.proactive(rng, form_version, in_force), **values.requests(rng, form_version, carried), **values.appeals(rng)}
            kinds = [k for k in options.plant if k != "carryover" or previous_forward is not None]
            kind = rng.choice(kinds) if kinds and rng.random() < _PLANT_SHARE else None
            # Shifting by agency as well as by year gives every rendering both forms in a small corpus.
            renderings = options.renderings if options.every_rendering else (options.renderings[(index + step) % len(options.renderings)],)
            # A deviation only where no error is planted, so each is measured on its own.
            deviation = deviations.choose(deviate_rng, options.deviate, form_version, renderings) if not kind else ""
            shift = plants.plant(rng, kind, form_version, cells) if kind else Decimal(0)
            stated = cells[("requests", "new_received", "total")] + (shift if kind == "narrative" else 0)
            number = made if options.every_rendering else len(out) + 1
            report = Report(
                "",
                agency,
                year,
                form_version,
                cells,
                stated,
                rng.randint(5, 400),
                rng.randint(0, 6),
                deviation=deviation,
                deviation_seed=deviate_rng.randrange(2**32),
            )
            deviations.change_values(deviate_rng, report)
            document.write_cells(rng, report)
            found = plants.violations(form_version, cells, stated, previous_forward)
            for rendering in renderings:
                name = f"{number:04d}_{rendering}{_EXTENSIONS.get(rendering, '.txt')}"
                applied = deviation if deviations.applies(deviation, form_version, rendering) else ""
                out.append((replace(report, source_file=name, deviation=applied), rendering, found))
            # A rejected text is no year of the series: the next year has no previous one to match.
            previous_forward = (
                None
                if deviation in deviations.REJECTED
                else {c: cells[("requests", "carried_forward", c)] for c in (*values.CLASSES, "total")}
            )
            carried = {c: int(cells[("requests", "carried_forward", c)]) for c in values.CLASSES}
    return out


def expected_status(report: Report, rendering: str) -> str:
    """The rendering's status (rendering_status) or its deviation's, whichever is worse."""
    statuses = (rendering_status(report, rendering), deviations.expected_status(report))
    return next(s for s in ("rejected", "incomplete", "ok") if s in statuses)


def rendering_status(report: Report, rendering: str) -> str:
    """A native file (HTML, PDF, Word) and a bordered or tab-separated text place every cell,
    blank ones included, so the report is `ok`. pdftotext -raw keeps no trace of where blank cells
    were, so a report with any blank cell cannot be complete there
    (docs/form.md "Blank, dash and placeholder cells"). pdftotext -layout keeps it for the many
    rows of section 三 but not for section 四's lone row, whose numbers it places after whatever
    stands left of them on the page (pipeline.extract.stream.read_value_row): with a blank cell
    that row is known only when exactly one reading of its numbers satisfies docs/form.md rule 4,
    which the form decides (_readings), as the extractor should."""
    keys = expected_keys(report.form_version)
    if rendering == "pdf-raw":
        return "incomplete" if any(report.cells[key] == "" for key in keys) else "ok"
    if rendering == "pdf-layout":
        (appeals,) = rows_of(report.form_version, "appeals")
        numbers = [report.values[key] for key in appeals.facts_keys if report.cells[key] != ""]
        if len(numbers) < len(appeals.facts_keys) and len(_readings(appeals, numbers)) != 1:
            return "incomplete"
    return "ok"


def _readings(row: FormRow, numbers: list[Decimal]) -> set[tuple[Decimal, ...]]:
    """The ways of putting a row's written numbers back into its cells, in order, the cells left
    over blank (0), that satisfy the form's arithmetic. Counted here from the form, not asked of
    the extractor, whose answer the ground truth is there to check."""
    width = len(row.facts_keys)
    readings = set()
    for placement in combinations(range(width), len(numbers)):
        cells = [Decimal(0)] * width
        for k, v in zip(placement, numbers):
            cells[k] = v
        if adds_up(row, cells):
            readings.add(tuple(cells))
    return readings


def _encode(rng: random.Random, text: str) -> bytes:
    if rng.random() < 0.3:
        text = text.replace("\n", "\r\n")
    encoding = rng.choice(("utf-8", "utf-8", "utf-8", "utf-8-sig", "gb18030", "gb18030"))
    return text.encode(encoding)


def published_on(report: Report, rendering: str) -> str:
    """The 公开日期 of the page's metadata table; only html-word pages of reports have one."""
    return document.publication_date(report) if rendering == "html-word" and report.deviation != "not-a-report" else ""


def write(options: Options, out_dir: Path) -> list[str]:
    """Writes the corpus; returns the renderings that could not be produced here, with why."""
    skipped = [why for r in set(options.renderings) if (why := convert.missing(r))]
    if skipped:
        options = Options(**{**options.__dict__, "renderings": tuple(r for r in options.renderings if not convert.missing(r))})
        if not options.renderings:
            return skipped
    built = build(options)
    reports_dir = out_dir / "reports"
    reports_dir.mkdir(parents=True, exist_ok=True)
    for name, data in render_files(built, random.Random(options.seed + 1)).items():
        (reports_dir / name).write_bytes(data)
    _write_truth(built, out_dir)
    return skipped


def render_files(built: list[tuple[Report, str, list[plants.Violation]]], rng: random.Random) -> dict[str, bytes]:
    """source_file → the file's bytes. LibreOffice converts all PDFs, then all .docx, each in
    batches, since its start-up is most of a conversion's cost."""
    texts: dict[str, str] = {}
    files: dict[str, bytes] = {}
    via_soffice: dict[str, dict[str, str]] = {"pdf": {}, "docx": {}}  # target → file stem → page
    for report, rendering, _ in built:
        name = report.source_file
        if rendering == "docx-text":
            texts[name] = render_docx.render(report, rng)
        elif rendering in convert.HTML_RENDERINGS:
            texts[name] = _converted(report, rendering)
        elif rendering == "html":
            files[name] = render_html.render(report).encode("utf-8")
        elif rendering == "html-word":
            files[name] = render_html.render_word(report, rng)
        else:
            via_soffice["docx" if rendering == "docx" else "pdf"][Path(name).stem] = render_html.render(report)
    pdfs = convert.pdfs_from_html(via_soffice["pdf"]) if via_soffice["pdf"] else {}
    docxs = convert.docxs_from_html(via_soffice["docx"]) if via_soffice["docx"] else {}
    for report, rendering, _ in built:
        name = report.source_file
        if rendering == "pdf":
            files[name] = pdfs[Path(name).stem]
        elif rendering == "docx":
            files[name] = docxs[Path(name).stem]
        elif rendering in convert.PDF_RENDERINGS:
            texts[name] = convert.text_from_pdf(rendering, pdfs[Path(name).stem])
        if name in texts:
            files[name] = _encode(rng, texts[name])
    return files


def _converted(report: Report, rendering: str) -> str:
    if report.deviation == "short-rows" and rendering in deviations.CUT_IN_TEXT:
        text = convert.from_html(rendering, render_html.render(replace(report, deviation="")))
        return deviations.cut_marked_cell(text, report.deviation_seed)
    return convert.from_html(rendering, render_html.render(report))


def _write_truth(built: list[tuple[Report, str, list[plants.Violation]]], out_dir: Path) -> None:
    with (out_dir / "ground_truth.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(FACT_HEADER)
        for report, _, _ in built:
            for key in deviations.truth_keys(report):
                w.writerow(
                    [
                        report.source_file,
                        report.agency,
                        report.year,
                        report.form_version,
                        key[0],
                        key[1],
                        key[2] or "",
                        format_value(report.values[key]),
                    ]
                )
    with (out_dir / "planted.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(PLANT_HEADER)
        for report, _, found in built:
            for v in found:
                w.writerow(
                    [
                        report.source_file,
                        report.agency,
                        report.year,
                        v.check_name,
                        v.table_code,
                        v.row_code,
                        v.applicant_class,
                        format_value(v.expected),
                        format_value(v.actual),
                    ]
                )
    with (out_dir / "manifest.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(MANIFEST_HEADER)
        for report, rendering, _ in built:
            w.writerow(
                [
                    report.source_file,
                    rendering,
                    *header(report),
                    expected_status(report, rendering),
                    report.deviation,
                    published_on(report, rendering),
                ]
            )


def header(report: Report) -> tuple:
    """Agency, year and form an honest extractor gives: a page that is no report names none; a
    report before 2019 its agency and year, and no form."""
    if report.deviation == "not-a-report":
        return "", "", ""
    return report.agency, report.year, "" if report.deviation == "pre-2019" else report.form_version
