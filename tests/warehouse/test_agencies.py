"""The agency registry (pipeline/reference) and the one identity per agency it gives reports."""

import csv
import hashlib
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, ROOT, xxgk

REFERENCE = ROOT / "pipeline" / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def expected_id(name: str) -> str:
    """The documented derivation, computed independently of the SQL."""
    key = re.sub(r"[\s\u3000\u00a0\u200b\ufeff]+", "", name.replace("（", "(").replace("）", ")"))
    return hashlib.md5(key.encode()).hexdigest()[:12]


def test_registry_file_is_consistent():
    agencies = _rows("agencies.csv")
    names = [a["name"] for a in agencies]
    assert len(names) == len(set(names))
    by_name = {a["name"]: a for a in agencies}
    for a in agencies:
        assert a["level"] in ("aggregate", "department") and a["region"]
        if a["level"] == "department":
            assert by_name[a["parent"]]["level"] == "aggregate" and by_name[a["parent"]]["region"] == a["region"]
        else:
            assert a["parent"] == ""
    aliases = _rows("agency_aliases.csv")
    assert len({a["alias"] for a in aliases}) == len(aliases), "an alias names one agency"
    for a in aliases:
        assert a["name"] in by_name and a["alias"] not in by_name


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("agencies")
    raw = work / "raw"
    shutil.copytree(RAW, raw)
    # a department nobody registered, written with spaces and full-width brackets
    text = (RAW / "002_59838382079b1902.txt").read_text(encoding="utf-8")
    (raw / "unknown.txt").write_text(text.replace("西城区政府办公室\n", "西城区 某某中心（筹）\n", 1), encoding="utf-8")
    target = work / "out" / "x.duckdb"
    xxgk("run", "--raw", str(raw), "--warehouse", str(target), cwd=work)
    return target


def test_bundled_titles_resolve_to_canonical_agencies(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            """SELECT r.agency, a.name, a.level, a.region, r.agency_id, p.name FROM reports r
               JOIN agencies a USING (agency_id) LEFT JOIN agencies p ON p.agency_id = a.parent_id
               WHERE r.source_file <> 'unknown.txt' ORDER BY r.source_file"""
        ).fetchall()
    assert [(t, n, lv, rg, p) for t, n, lv, rg, _, p in rows] == [
        ("北京市东城区对外联络服务办公室", "北京市东城区对外联络服务办公室", "department", "北京市东城区", "北京市东城区"),
        ("西城区对外联络服务办公室", "北京市西城区对外联络服务办公室", "department", "北京市西城区", "北京市西城区"),
        ("西城区政府办公室", "北京市西城区人民政府办公室", "department", "北京市西城区", "北京市西城区"),
        ("东城区国资委", "北京市东城区人民政府国有资产监督管理委员会", "department", "北京市东城区", "北京市东城区"),
        ("北京市通州区", "北京市通州区", "aggregate", "北京市通州区", None),
    ]
    assert all(agency_id == expected_id(name) for _, name, _, _, agency_id, _ in rows)


def test_aliases_share_one_identity(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        ids = dict(con.execute("SELECT alias, agency_id FROM agency_aliases").fetchall())
    assert ids["东城区外联办"] == ids["北京市东城区对外联络服务办公室"] == expected_id("北京市东城区对外联络服务办公室")
    assert ids["东城区国资委"] == ids["北京市东城区人民政府国有资产监督管理委员会"]
    assert ids["西城区政府办公室"] == ids["北京市西城区人民政府办公室"]


def test_unknown_title_gets_an_id_derived_the_same_way(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        title, agency_id = con.execute("SELECT agency, agency_id FROM reports WHERE source_file = 'unknown.txt'").fetchone()
        unknown = con.execute("SELECT agency_id, name, spellings, source_files FROM unknown_agencies").fetchall()
        in_registry = con.execute("SELECT in_registry, level FROM agencies WHERE agency_id = ?", [agency_id]).fetchone()
        missing = con.execute("SELECT count(*) FROM reports WHERE agency IS NOT NULL AND agency_id IS NULL").fetchone()[0]
    assert agency_id == expected_id("西城区 某某中心（筹）") == expected_id(title)
    assert unknown == [(agency_id, "西城区某某中心(筹)", [title], ["unknown.txt"])]
    assert in_registry == (False, None)
    assert missing == 0
