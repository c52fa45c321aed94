"""The static site (pipeline/site), built by `xxgk run` from the bundled reports and from the
planted fixture (a finding of every rule, files without an agency): every page parses, every
link resolves, every finding is on its agency's page (or files.html) and its rule's page with
its file and line, and the figures shown are the marts'."""

from __future__ import annotations

import io
import os
import shutil
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import duckdb
import lxml.html
import pytest
from conftest import ROOT, build_bundled, xxgk

from pipeline.run import run_pipeline

PLANTED = ROOT / "tests" / "fixtures" / "marts" / "planted"
QUIET = ROOT / "tests" / "fixtures" / "marts" / "quiet"
TONGZHOU = "b4ae53746221"


def _published(tmp: Path, raw: Path) -> tuple[Path, Path]:
    target = tmp / "w" / "xxgk.duckdb"
    assert run_pipeline(raw, target, out=io.StringIO(), progress=False) == 0
    return target, target.parent / "site"


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> tuple[Path, Path]:
    _, target = build_bundled(tmp_path_factory.mktemp("site-bundled"))
    return target, target.parent / "site"


@pytest.fixture(scope="module", params=["planted", "quiet"])
def fixture_site(request, tmp_path_factory) -> tuple[Path, Path]:
    return _published(tmp_path_factory.mktemp(f"site-{request.param}"), PLANTED if request.param == "planted" else QUIET)


def _pages(site: Path) -> dict[Path, lxml.html.HtmlElement]:
    pages = {p: lxml.html.parse(str(p)).getroot() for p in sorted(site.rglob("*.html"))}
    assert pages, site
    return pages


def _rows(con, sql: str, params=()) -> list[dict]:
    cur = con.execute(sql, params)
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r)) for r in cur.fetchall()]


def _as_number(text: str) -> Decimal | None:
    return None if text == "" else Decimal(text)


def test_the_site_is_published_with_the_warehouse(bundled):
    target, site = bundled
    assert site.is_symlink() and os.readlink(site) == ".xxgk.duckdb.current/site"
    assert (target.resolve().parent / "site" / "index.html").is_file()
    assert (site / "static" / "site.js").is_file() and (site / "static" / "site.css").is_file()


def test_every_link_and_resource_resolves(fixture_site):
    _, site = fixture_site
    pages = _pages(site)
    ids = {p.resolve(): {e.get("id") for e in root.iter() if e.get("id")} for p, root in pages.items()}
    checked = 0
    for page, root in pages.items():
        for _element, _attribute, link, _ in root.iterlinks():
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{page.relative_to(site)} links outside the site: {link}"
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            assert target.is_file(), f"{page.relative_to(site)}: {link} does not resolve"
            assert site.resolve() in target.parents, link
            if parts.fragment:
                assert parts.fragment in ids[target], (page, link)
            checked += 1
    assert checked > len(pages)


def test_index_links_to_every_agency_and_rule(fixture_site):
    target, site = fixture_site
    index = lxml.html.parse(str(site / "index.html")).getroot()
    links = {a.get("href") for a in index.iter("a")}
    with duckdb.connect(str(target), read_only=True) as con:
        agencies = [r[0] for r in con.execute("SELECT agency_id FROM agencies").fetchall()]
        rules = [r[0] for r in con.execute("SELECT DISTINCT check_name FROM check_results").fetchall()]
    assert agencies and {f"agency/{a}.html" for a in agencies} <= links
    assert {f"rule/{r}.html" for r in rules} <= links
    assert {"files.html", "rank/index.html"} <= links
    assert len(list((site / "agency").glob("*.html"))) == len(agencies)


def _findings_on(page: Path) -> list[lxml.html.HtmlElement]:
    return lxml.html.parse(str(page)).getroot().find_class("finding")


def _matching(articles, finding: dict) -> list[lxml.html.HtmlElement]:
    return [
        a
        for a in articles
        if a.find_class("detail")[0].text_content() == finding["detail"]
        and any(x.text_content() == finding["check_name"] for x in a.iter("a"))
    ]


def _cell_lines(con, finding: dict) -> set[int]:
    """The lines (or pages) of the cells a finding names, from the facts themselves."""
    rows = con.execute(
        "SELECT coalesce(f.source_line, f.source_page) FROM facts AS f WHERE f.report_id = ? AND f.table_code = ? "
        "AND list_contains(string_split(?, '+'), f.row_code) AND f.applicant_class IS NOT DISTINCT FROM ?",
        [finding["report_id"], finding["table_code"], finding["row_code"], finding["applicant_class"]],
    ).fetchall()
    return {r[0] for r in rows}


def test_every_finding_is_on_its_agency_and_rule_pages_with_its_file_and_line(fixture_site):
    target, site = fixture_site
    with duckdb.connect(str(target), read_only=True) as con:
        findings = _rows(con, "SELECT c.*, r.source_file FROM check_results AS c LEFT JOIN reports AS r USING (report_id)")
        assert findings
        for f in findings:
            home = site / ("agency" if f["agency_id"] else "") / (f"{f['agency_id']}.html" if f["agency_id"] else "files.html")
            for page in (home, site / "rule" / f"{f['check_name']}.html"):
                shown = _matching(_findings_on(page), f)
                assert len(shown) == 1, (page, f)
                text = shown[0].text_content()
                if f["source_file"]:
                    assert f["source_file"] in text, (page, f)
                if f["expected"] is not None:
                    assert Decimal(shown[0].xpath(".//dt[.='expected']/following-sibling::dd[1]")[0].get("data-value")) == f["expected"]
                if f["actual"] is not None:
                    assert Decimal(shown[0].xpath(".//dt[.='written']/following-sibling::dd[1]")[0].get("data-value")) == f["actual"]
                if f["report_id"] and f["table_code"] and f["check_name"] != "aggregate_coverage":
                    checked = {
                        (tr.find_class("file")[0].text_content(), tr.find_class("place")[0].text_content())
                        for tr in shown[0].xpath(".//tr[@data-role='checked']")
                    }
                    lines = _cell_lines(con, f)
                    assert lines and checked == {(f["source_file"], f"line {n}") for n in lines}, (page, f, checked)


def test_the_planted_fixture_shows_a_finding_of_every_rule_and_files_without_an_agency(tmp_path_factory):
    target, site = _published(tmp_path_factory.mktemp("planted-rules"), PLANTED)
    with duckdb.connect(str(target), read_only=True) as con:
        rules = {r[0] for r in con.execute("SELECT check_name FROM check_results").fetchall()}
    assert len(rules) >= 10
    files = _findings_on(site / "files.html")
    assert files and all("notes.txt" in a.text_content() or "old_2017.txt" in a.text_content() for a in files)
    # the carryover finding names last year's cell, in last year's file
    (carry,) = [a for a in _findings_on(site / "rule" / "carryover.html") if "[total]" in a.text_content()]
    last = carry.xpath(".//tr[@data-role='last_year']")
    assert [(tr.find_class("file")[0].text_content(), tr.find_class("place")[0].text_content()) for tr in last] == [
        ("carryover_2023.txt", "line 349")
    ]


def test_tongzhou_2024_shows_the_narrative_finding_with_both_lines(bundled):
    _, site = bundled
    (finding,) = _findings_on(site / "agency" / f"{TONGZHOU}.html")
    assert "narrative" in finding.text_content()
    rows = {
        tr.get("data-role"): (
            tr.find_class("file")[0].text_content(),
            tr.find_class("place")[0].text_content(),
            tr.find_class("raw")[0].text_content(),
        )
        for tr in finding.xpath(".//tr[@data-role]")
    }
    assert rows == {
        "prose": ("004_2b19c720d5f1c29d.txt", "line 11", "收到依申请公开总数为2333件"),
        "checked": ("004_2b19c720d5f1c29d.txt", "line 92", "2331"),
    }


def test_agency_figures_are_the_marts(fixture_site):
    target, site = fixture_site
    with duckdb.connect(str(target), read_only=True) as con:
        marts = {(r["agency_id"], r["year"]): r for r in _rows(con, "SELECT * FROM mart_agency_year")}
    shown = 0
    for page in (site / "agency").glob("*.html"):
        for td in lxml.html.parse(str(page)).getroot().xpath("//td[@data-metric]"):
            row = marts[(page.stem, int(td.get("data-year")))]
            value = row[td.get("data-metric")]
            if value is None:
                assert td.get("data-value") == "" and td.text_content() == "—"
            elif isinstance(value, float):
                assert float(td.get("data-value")) == value
                assert td.text_content() == f"{value * 100:.1f}%"
            else:
                assert Decimal(td.get("data-value")) == Decimal(value) and Decimal(td.text_content()) == Decimal(value)
            shown += 1
    assert shown == len(marts) * 17


def test_rankings_are_the_marts(fixture_site):
    target, site = fixture_site
    with duckdb.connect(str(target), read_only=True) as con:
        ranks = {(r["metric"], r["year"], r["agency_id"]): r for r in _rows(con, "SELECT * FROM mart_cross_agency")}
    seen = set()
    for page in (site / "rank").glob("*-*.html"):
        metric, year = page.stem.rsplit("-", 1)
        for tr in lxml.html.parse(str(page)).getroot().xpath("//table[contains(@class,'ranking')]/tbody/tr"):
            agency = tr[2].find("a").get("href").removeprefix("../agency/").removesuffix(".html")
            r = ranks[(metric, int(year), agency)]
            assert tr[2].text_content() == r["agency"]
            assert int(tr[0].text_content()) == r["rank"]
            assert tr[1].text_content() == f"{r['percentile'] * 100:.1f}%"
            assert Decimal(tr[3].get("data-value")) == r["value"]
            seen.add((metric, int(year), agency))
    assert seen == set(ranks)


def test_headline_figures_add_up_within_a_kind_only(fixture_site):
    target, site = fixture_site
    with duckdb.connect(str(target), read_only=True) as con:
        rows = _rows(con, "SELECT year, coalesce(kind, 'unresolved') AS kind, new_received, handled FROM mart_agency_year")
    expected: dict[tuple[int, str], list[int]] = {}
    for r in rows:
        sums = expected.setdefault((r["year"], r["kind"]), [0, 0, 0])
        sums[0] += 1
        sums[1] += r["new_received"]
        sums[2] += r["handled"]
    index = lxml.html.parse(str(site / "index.html")).getroot()
    got = {}
    for tr in index.xpath("//table[@id='headline-table']/tbody/tr"):
        cells = {td.get("data-headline"): td.get("data-value") for td in tr.xpath("td[@data-headline]")}
        got[(int(tr[0].text_content()), tr[1].text_content())] = [int(cells["agencies"]), int(cells["new_received"]), int(cells["handled"])]
    assert got == expected


def _inodes(site: Path) -> dict[str, int]:
    version = site.resolve()
    return {p.relative_to(version).as_posix(): p.stat().st_ino for p in version.rglob("*.html")}


def _equals_a_full_build(target: Path, site: Path, full: Path) -> None:
    xxgk("site", "--out", str(full), "--warehouse", str(target))
    listing = sorted(p.relative_to(full) for p in full.rglob("*") if p.is_file())
    assert listing == sorted(p.relative_to(site.resolve()) for p in site.resolve().rglob("*") if p.is_file())
    for rel in listing:
        assert (site / rel).read_bytes() == (full / rel).read_bytes(), rel


def test_an_update_rewrites_the_changed_agency_and_equals_a_full_build(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(QUIET, raw)
    target, site = _published(tmp_path, raw)
    before = _inodes(site)
    # the Dongcheng liaison office's 2022 report, edited: one department (and its government) change
    dongcheng = raw / "dongcheng_2022.txt"
    dongcheng.write_text(dongcheng.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    out = io.StringIO()
    assert run_pipeline(raw, target, out=out, progress=False) == 0
    assert "warehouse updated: 1 agency recomputed" in out.getvalue()
    after = _inodes(site)
    assert after.keys() == before.keys()
    rewritten = {name for name in after if after[name] != before[name]}
    with duckdb.connect(str(target), read_only=True) as con:
        changed = {r[0] for r in con.execute("SELECT agency_id FROM changed_agencies").fetchall()}
        parents = {
            r[0]
            for r in con.execute("SELECT parent_id FROM agencies WHERE agency_id IN (SELECT agency_id FROM changed_agencies)").fetchall()
        }
        rules_touched = {
            f"rule/{r[0]}.html"
            for r in con.execute(
                "SELECT DISTINCT check_name FROM check_results WHERE agency_id IN (SELECT agency_id FROM changed_agencies)"
            ).fetchall()
        }
    # the edit changed no figure: the rankings are linked, and the rules' pages without its findings
    assert {n for n in rewritten if n.startswith("agency/")} == {f"agency/{a}.html" for a in changed | parents if a}
    assert {n for n in rewritten if not n.startswith("agency/")} == {"index.html", "rank/index.html"} | rules_touched
    assert len(rewritten) < len(after)
    _equals_a_full_build(target, site, tmp_path / "full")

    # a figure changed (new requests 1 → 2, and the total with it): that year's rankings are
    # rendered again, the other years' linked
    before = after
    lines = dongcheng.read_text(encoding="utf-8").split("\n")
    assert lines[87] == lines[93] == "\t\u00a01", (lines[87], lines[93])
    lines[87] = lines[93] = "\t\u00a02"
    dongcheng.write_text("\n".join(lines), encoding="utf-8")
    assert run_pipeline(raw, target, out=io.StringIO(), progress=False) == 0
    after = _inodes(site)
    rankings = {n for n in after if n.startswith("rank/") and n != "rank/index.html"}
    rewritten = {n for n in rankings if after[n] != before[n]}
    assert rewritten and all(n.endswith("-2022.html") for n in rewritten), rewritten
    assert "rank/new_received-2022.html" in rewritten
    assert any(n.endswith("-2023.html") for n in rankings - rewritten)
    _equals_a_full_build(target, site, tmp_path / "full-2")


def test_a_run_with_nothing_changed_keeps_the_site(bundled, tmp_path):
    target, site = bundled
    version = site.resolve()
    out = io.StringIO()
    assert run_pipeline(target.parent.parent / "raw", target, out=out, progress=False) == 0
    assert "warehouse unchanged" in out.getvalue()
    assert site.resolve() == version


def test_xxgk_site_writes_a_folder_and_refuses_one_it_did_not_write(bundled, tmp_path):
    target, site = bundled
    out = tmp_path / "pages"
    proc = xxgk("site", "--out", str(out), "--warehouse", str(target))
    assert proc.stdout.startswith(f"site: {out / 'index.html'}")
    assert (out / "agency" / f"{TONGZHOU}.html").read_bytes() == (site / "agency" / f"{TONGZHOU}.html").read_bytes()
    xxgk("site", "--out", str(out), "--warehouse", str(target))  # a site it wrote is replaced
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    refused = xxgk("site", "--out", str(other), "--warehouse", str(target), check=False)
    assert refused.returncode == 2 and "not a site xxgk wrote" in refused.stderr
    assert (other / "notes.txt").read_text() == "mine"
    missing = xxgk("site", "--out", str(tmp_path / "x"), "--warehouse", str(tmp_path / "none.duckdb"), check=False)
    assert missing.returncode == 2 and "no warehouse" in missing.stderr


def test_the_site_code_is_in_the_code_fingerprint(monkeypatch):
    """A new template makes a new build (and site), even when no report changed."""
    from pipeline.warehouse.files import code_fingerprint

    before = code_fingerprint("extractor")
    template = ROOT / "pipeline" / "site" / "templates" / "agency.html"
    real = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: real(self) + b"<!-- changed -->" if self == template else real(self))
    assert code_fingerprint("extractor") != before


def test_report_text_is_escaped(tmp_path):
    """A title with markup in it is text on the page, never markup."""
    raw = tmp_path / "raw"
    raw.mkdir()
    source = (ROOT / "data" / "raw" / "000_1acaab7e8820b83a.txt").read_text(encoding="utf-8")
    name = "北京市东城区对外联络服务办公室"
    assert name in source
    (raw / "x.txt").write_text(source.replace(name, "北京市<script>alert(1)</script>测试办公室", 1), encoding="utf-8")
    target, site = _published(tmp_path, raw)
    for page in site.rglob("*.html"):
        root = lxml.html.parse(str(page)).getroot()
        scripts = root.xpath("//script")
        assert all(s.get("src", "").endswith("static/site.js") and not (s.text or "").strip() for s in scripts), page
