"""Agencies among China's administrative divisions: what a title (and the report's text) says
about the division an agency belongs to, its kind and its canonical name, and what the warehouse
makes of it (pipeline/warehouse/divisions.py, agencies.py; sql/sources/agencies.sql)."""

from __future__ import annotations

import csv
import io
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from conftest import RAW, ROOT

from pipeline.extract.report import extract_bytes
from pipeline.run import run_pipeline
from pipeline.warehouse.divisions import gazetteer

REAL = ROOT / "tests" / "fixtures" / "real"
G, D, T = "government", "department", "township_body"

# title → (division code, kind, canonical name), typed by hand from the published division codes
NAMES = {
    # 北京
    "北京市通州区": ("110112", G, "北京市通州区人民政府"),
    "北京市通州区人民政府": ("110112", G, "北京市通州区人民政府"),
    "东城区国资委": ("110101", D, "北京市东城区国有资产监督管理委员会"),
    "北京市东城区人民政府国有资产监督管理委员会": ("110101", D, "北京市东城区国有资产监督管理委员会"),
    "西城区政府办公室": ("110102", D, "北京市西城区人民政府办公室"),
    "海淀区政府办": ("110108", D, "北京市海淀区人民政府办公室"),
    "北京市人民政府": ("110000", G, "北京市人民政府"),
    "北京市发展和改革委员会": ("110000", D, "北京市发展和改革委员会"),
    "北京市朝阳区建外街道办事处": ("110105", T, "北京市朝阳区建外街道办事处"),
    # 天津, 上海, 重庆
    "天津市滨海新区人民政府": ("120116", G, "天津市滨海新区人民政府"),
    "天津市和平区市场监管局": ("120101", D, "天津市和平区市场监督管理局"),
    "上海市浦东新区人民政府": ("310115", G, "上海市浦东新区人民政府"),
    "上海市徐汇区教育局": ("310104", D, "上海市徐汇区教育局"),
    "重庆市渝中区人民政府": ("500103", G, "重庆市渝中区人民政府"),
    "重庆市巫山县人民政府": ("500237", G, "重庆市巫山县人民政府"),
    # 河北, 山西, 内蒙古, 辽宁, 吉林, 黑龙江
    "石家庄市长安区人民政府": ("130102", G, "河北省石家庄市长安区人民政府"),
    "河北省正定县人民政府": ("130123", G, "河北省石家庄市正定县人民政府"),
    "河北省邢台市信都区人民政府": ("130503", G, "河北省邢台市信都区人民政府"),
    "太原市小店区人民政府": ("140105", G, "山西省太原市小店区人民政府"),
    "大同市平城区卫健委": ("140213", D, "山西省大同市平城区卫生健康委员会"),
    "呼和浩特市新城区人民政府": ("150102", G, "内蒙古自治区呼和浩特市新城区人民政府"),
    "阿鲁科尔沁旗人民政府": ("150421", G, "内蒙古自治区赤峰市阿鲁科尔沁旗人民政府"),
    "沈阳市和平区人民政府": ("210102", G, "辽宁省沈阳市和平区人民政府"),
    "大连市金州区人社局": ("210213", D, "辽宁省大连市金州区人力资源和社会保障局"),
    "长春市朝阳区人民政府": ("220104", G, "吉林省长春市朝阳区人民政府"),
    "哈尔滨市南岗区人民政府": ("230103", G, "黑龙江省哈尔滨市南岗区人民政府"),
    # 江苏
    "洪泽区人民政府": ("320813", G, "江苏省淮安市洪泽区人民政府"),
    "淮安市洪泽区人民政府办公室": ("320813", D, "江苏省淮安市洪泽区人民政府办公室"),
    "洪泽区高良涧街道办事处": ("320813", T, "江苏省淮安市洪泽区高良涧街道办事处"),
    "沭阳县发展和改革局": ("321322", D, "江苏省宿迁市沭阳县发展和改革局"),
    "沭阳县发改局": ("321322", D, "江苏省宿迁市沭阳县发展和改革局"),
    "沭阳县沭城街道": ("321322", T, "江苏省宿迁市沭阳县沭城街道办事处"),
    "宿迁市人民政府国资委": ("321300", D, "江苏省宿迁市国有资产监督管理委员会"),
    "南京市人民政府": ("320100", G, "江苏省南京市人民政府"),
    "南京市鼓楼区人民政府": ("320106", G, "江苏省南京市鼓楼区人民政府"),
    "徐州市鼓楼区人民政府": ("320302", G, "江苏省徐州市鼓楼区人民政府"),
    "江苏省人民政府": ("320000", G, "江苏省人民政府"),
    "江苏省发展和改革委员会": ("320000", D, "江苏省发展和改革委员会"),
    # 浙江, 安徽, 福建, 江西, 山东
    "杭州市西湖区人民政府": ("330106", G, "浙江省杭州市西湖区人民政府"),
    "杭州市临平区住建局": ("330113", D, "浙江省杭州市临平区住房和城乡建设局"),
    "浙江省杭州市余杭区人民政府办公室": ("330110", D, "浙江省杭州市余杭区人民政府办公室"),
    "龙港市人民政府": ("330383", G, "浙江省温州市龙港市人民政府"),
    "义乌市人民政府": ("330782", G, "浙江省金华市义乌市人民政府"),
    "合肥市蜀山区人民政府": ("340104", G, "安徽省合肥市蜀山区人民政府"),
    "无为市自然资源和规划局": ("340281", D, "安徽省芜湖市无为市自然资源和规划局"),
    "福州市鼓楼区人民政府": ("350102", G, "福建省福州市鼓楼区人民政府"),
    "厦门市思明区文旅局": ("350203", D, "福建省厦门市思明区文化和旅游局"),
    "南昌市红谷滩区人民政府": ("360113", G, "江西省南昌市红谷滩区人民政府"),
    "济南市莱芜区人民政府": ("370116", G, "山东省济南市莱芜区人民政府"),
    "青岛市即墨区发改局": ("370215", D, "山东省青岛市即墨区发展和改革局"),
    # 河南, 湖北, 湖南, 广东, 广西, 海南
    "郑州市金水区人民政府": ("410105", G, "河南省郑州市金水区人民政府"),
    "兰考县人民政府": ("410225", G, "河南省开封市兰考县人民政府"),
    "兰考县东坝头镇": ("410225", T, "河南省开封市兰考县东坝头镇人民政府"),
    "济源市人民政府": ("419001", G, "河南省济源市人民政府"),
    "武汉市江汉区人民政府": ("420103", G, "湖北省武汉市江汉区人民政府"),
    "仙桃市应急局": ("429004", D, "湖北省仙桃市应急管理局"),
    "监利市人民政府": ("421088", G, "湖北省荆州市监利市人民政府"),
    "长沙市岳麓区人民政府": ("430104", G, "湖南省长沙市岳麓区人民政府"),
    "广东省人民政府": ("440000", G, "广东省人民政府"),
    "广州市人民政府": ("440100", G, "广东省广州市人民政府"),
    "广州市天河区人民政府": ("440106", G, "广东省广州市天河区人民政府"),
    "深圳市南山区教育局": ("440305", D, "广东省深圳市南山区教育局"),
    "东莞市虎门镇人民政府": ("441900", T, "广东省东莞市虎门镇人民政府"),
    "南宁市横州市人民政府": ("450181", G, "广西壮族自治区南宁市横州市人民政府"),
    "海口市龙华区人民政府": ("460106", G, "海南省海口市龙华区人民政府"),
    # 四川, 贵州, 云南, 西藏, 陕西, 甘肃, 青海, 宁夏, 新疆
    "成都市武侯区人民政府": ("510107", G, "四川省成都市武侯区人民政府"),
    "成都市郫都区退役军人局": ("510117", D, "四川省成都市郫都区退役军人事务局"),
    "四川省教育厅": ("510000", D, "四川省教育厅"),
    "达州市通川区人民政府": ("511702", G, "四川省达州市通川区人民政府"),
    "贵阳市观山湖区人民政府": ("520115", G, "贵州省贵阳市观山湖区人民政府"),
    "黔南布依族苗族自治州人民政府": ("522700", G, "贵州省黔南布依族苗族自治州人民政府"),
    "昆明市五华区人民政府": ("530102", G, "云南省昆明市五华区人民政府"),
    "云南省昆明市晋宁区人民政府": ("530115", G, "云南省昆明市晋宁区人民政府"),
    "拉萨市城关区人民政府": ("540102", G, "西藏自治区拉萨市城关区人民政府"),
    "西安市雁塔区人民政府": ("610113", G, "陕西省西安市雁塔区人民政府"),
    "西安市鄠邑区城管局": ("610118", D, "陕西省西安市鄠邑区城市管理局"),
    "兰州市城关区人民政府": ("620102", G, "甘肃省兰州市城关区人民政府"),
    "西宁市湟中区人民政府": ("630106", G, "青海省西宁市湟中区人民政府"),
    "宁夏回族自治区银川市兴庆区人民政府": ("640104", G, "宁夏回族自治区银川市兴庆区人民政府"),
    "和田地区和安县人民政府": ("653229", G, "新疆维吾尔自治区和田地区和安县人民政府"),
}


def test_the_names_cover_the_country():
    assert len(NAMES) >= 60
    assert len({code[:2] for code, _, _ in NAMES.values()}) >= 10
    assert {kind for _, kind, _ in NAMES.values()} == {G, D, T}


@pytest.mark.parametrize("title", NAMES)
def test_a_title_gives_its_division_kind_and_canonical_name(title):
    inferred = gazetteer().infer(title)
    assert (inferred.place.division.code, inferred.kind, inferred.canonical_name) == NAMES[title]
    assert inferred.candidates == () and inferred.probable_name is None


def test_levels_and_names_of_the_place():
    g = gazetteer()
    shuyang = g.infer("沭阳县发改局")
    assert (shuyang.place.province, shuyang.place.city, shuyang.place.county, shuyang.division_level) == (
        "江苏省",
        "宿迁市",
        "沭阳县",
        "county",
    )
    assert shuyang.government_name == "江苏省宿迁市沭阳县人民政府"
    assert [g.infer(t).division_level for t in ("江苏省人民政府", "南京市人民政府", "洪泽区人民政府", "兰考县东坝头镇")] == [
        "province",
        "city",
        "county",
        "township",
    ]
    # a county-level city its province governs directly has no city
    assert (g.infer("仙桃市应急局").place.city, g.infer("仙桃市应急局").place.county) == (None, "仙桃市")


@pytest.mark.parametrize(
    ("title", "hint", "code"),
    [
        ("鼓楼区人民政府", "本报告由南京市 鼓楼区", "320106"),
        ("鼓楼区人民政府", "福州市", "350102"),
        ("鼓楼区人民政府", "请与开封市", "410204"),
        ("西湖区人民政府", "南昌市", "360103"),
        ("朝阳区人民政府", "长春市", "220104"),
        ("和平区人民政府", "辽宁省", "210102"),  # the province alone tells 沈阳 from 天津
    ],
)
def test_a_name_several_divisions_share_is_resolved_from_the_text(title, hint, code):
    assert gazetteer().infer(title, hint).place.division.code == code


@pytest.mark.parametrize(
    ("title", "hint", "count"),
    [
        ("鼓楼区人民政府", None, 4),
        ("鼓楼区人民政府", "本区 江苏省", 2),  # 南京 and 徐州 are both in 江苏
        ("西湖区人民政府", "我区", 2),
        ("朝阳区人民政府", None, 2),
    ],
)
def test_an_ambiguous_name_the_text_does_not_settle_stays_unresolved_with_candidates(title, hint, count):
    inferred = gazetteer().infer(title, hint)
    assert inferred.place is None and inferred.kind is None and inferred.canonical_name is None
    assert len(inferred.candidates) == count
    assert "江苏省南京市鼓楼区" in inferred.candidates or title != "鼓楼区人民政府"


def test_a_name_one_character_off_is_only_a_suggestion():
    g = gazetteer()
    ocr = g.infer("通洲区人民政府")
    assert ocr.place is None and ocr.canonical_name is None
    assert ocr.probable_name == "北京市通州区人民政府 / 江苏省南通市通州区人民政府 / 四川省达州市通川区人民政府"
    assert g.infer("通洲区人民政府", "北京市 通州区").probable_name == "北京市通州区人民政府"
    assert g.infer("北京市通洲区发改局").probable_name == "北京市通州区发改局"
    # two real counties one character apart are each themselves
    assert g.infer("通州区人民政府", "北京市").place.division.code == "110112"
    assert g.infer("达州市通川区人民政府").probable_name is None
    # a division not under the one named before it gives no place
    assert g.infer("南京市沭阳县发改局").place is None


def test_the_hint_names_the_reports_cities():
    hongze = extract_bytes((REAL / "hongze_2023.pdf").read_bytes())
    shuyang = extract_bytes((REAL / "shuyang_fgj_2023.html").read_bytes())
    assert "淮安市" in hongze.division_hint and "沭阳县" in shuyang.division_hint
    assert len(hongze.division_hint) < 200


# --- the warehouse ---------------------------------------------------------------------------


def _retitled(source: Path, old: str, new: str, extra: str = "") -> str:
    """The report with its title's agency replaced and `extra` after the two title lines."""
    text = source.read_text(encoding="utf-8")
    assert old in text
    first, second, rest = text.split("\n", 2)
    return first.replace(old, new, 1) + "\n" + second + "\n" + extra + rest


def _folder(raw: Path) -> None:
    shutil.copytree(RAW, raw)
    for name in ("hongze_2023.pdf", "shuyang_fgj_2023.html"):
        shutil.copy(REAL / name, raw / name)
    guozi = RAW / "003_85a44054a9ef54a3.txt"
    (raw / "gulou.txt").write_text(_retitled(guozi, "东城区国资委", "鼓楼区人民政府"), encoding="utf-8")
    (raw / "gulou_nanjing.txt").write_text(
        _retitled(guozi, "东城区国资委", "鼓楼区人民政府", "本报告由南京市鼓楼区人民政府办公室编制。\n"), encoding="utf-8"
    )
    # a spelling the registry does not list, inferred to a registered body
    (raw / "guozi_variant.txt").write_text(_retitled(guozi, "东城区国资委", "东城区人民政府国资委"), encoding="utf-8")
    (raw / "tongzhou_ocr.txt").write_text(_retitled(guozi, "东城区国资委", "通洲区人民政府"), encoding="utf-8")
    # a department of 洪泽区 whose report holds more requests than its government's (21)
    (raw / "hongze_education.txt").write_text(
        _retitled(RAW / "004_2b19c720d5f1c29d.txt", "北京市通州区2024年", "淮安市洪泽区教育局2023年"), encoding="utf-8"
    )


def _run(raw: Path, warehouse: Path) -> str:
    out = io.StringIO()
    assert run_pipeline(raw, warehouse, out=out, progress=False) == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("divisions")
    _folder(tmp / "raw")
    _run(tmp / "raw", tmp / "w" / "xxgk.duckdb")
    return tmp / "raw", tmp / "w" / "xxgk.duckdb"


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_real_reports_get_their_divisions_without_a_registry_line(built):
    _, warehouse = built
    registry = (ROOT / "pipeline" / "reference" / "agencies.csv").read_text(encoding="utf-8") + (
        ROOT / "pipeline" / "reference" / "agency_aliases.csv"
    ).read_text(encoding="utf-8")
    assert "洪泽" not in registry and "沭阳" not in registry
    rows = _query(
        warehouse,
        """
        SELECT r.source_file, a.name, a.division_code, a.province, a.city, a.county, a.division_level, a.kind,
               a.in_registry, a.level, p.name, p.kind
        FROM reports r JOIN agencies a USING (agency_id) LEFT JOIN agencies p ON p.agency_id = a.parent_id
        WHERE r.source_file IN ('hongze_2023.pdf', 'shuyang_fgj_2023.html', 'hongze_education.txt') ORDER BY 1""",
    )
    assert rows == [
        (
            "hongze_2023.pdf",
            "江苏省淮安市洪泽区人民政府",
            "320813",
            "江苏省",
            "淮安市",
            "洪泽区",
            "county",
            "government",
            False,
            None,
            None,
            None,
        ),
        (
            "hongze_education.txt",
            "江苏省淮安市洪泽区教育局",
            "320813",
            "江苏省",
            "淮安市",
            "洪泽区",
            "county",
            "department",
            False,
            None,
            "江苏省淮安市洪泽区人民政府",
            "government",
        ),
        (
            "shuyang_fgj_2023.html",
            "江苏省宿迁市沭阳县发展和改革局",
            "321322",
            "江苏省",
            "宿迁市",
            "沭阳县",
            "county",
            "department",
            False,
            None,
            "江苏省宿迁市沭阳县人民政府",
            "government",
        ),
    ]


def test_the_registry_still_overrides(built):
    _, warehouse = built
    rows = _query(
        warehouse,
        """SELECT r.agency, a.name, a.level, a.kind, a.division_code, p.name FROM reports r
        JOIN agencies a USING (agency_id) LEFT JOIN agencies p ON p.agency_id = a.parent_id
        WHERE r.source_file IN ('003_85a44054a9ef54a3.txt', '004_2b19c720d5f1c29d.txt', 'guozi_variant.txt')
        ORDER BY r.source_file""",
    )
    assert rows == [
        ("东城区国资委", "北京市东城区人民政府国有资产监督管理委员会", "department", "department", "110101", "北京市东城区"),
        ("北京市通州区", "北京市通州区", "aggregate", "government", "110112", None),
        ("东城区人民政府国资委", "北京市东城区人民政府国有资产监督管理委员会", "department", "department", "110101", "北京市东城区"),
    ]


def test_ambiguous_and_misspelled_titles_are_listed_never_guessed(built):
    _, warehouse = built
    rows = _query(warehouse, "SELECT name, source_files, candidates, probable_name FROM unknown_agencies ORDER BY name")
    assert rows == [
        (
            "通洲区人民政府",
            ["tongzhou_ocr.txt"],
            ["北京市通州区", "江苏省南通市通州区", "四川省达州市通川区"],
            "北京市通州区人民政府 / 江苏省南通市通州区人民政府 / 四川省达州市通川区人民政府",
        ),
        ("鼓楼区人民政府", ["gulou.txt"], ["江苏省南京市鼓楼区", "江苏省徐州市鼓楼区", "福建省福州市鼓楼区", "河南省开封市鼓楼区"], None),
    ]
    # the same title in a report that names its city is 南京市's
    assert _query(
        warehouse,
        """SELECT a.name, a.division_code FROM reports r JOIN agencies a USING (agency_id)
                                WHERE r.source_file = 'gulou_nanjing.txt'""",
    ) == [("江苏省南京市鼓楼区人民政府", "320106")]


def test_governments_and_departments_are_ranked_apart(built):
    _, warehouse = built
    rows = _query(
        warehouse,
        """SELECT agency, kind, division_level, rank, agencies FROM mart_cross_agency
                                WHERE metric = 'new_received' AND year = 2023 AND kind = 'government' ORDER BY rank, agency""",
    )
    assert rows == [
        ("江苏省淮安市洪泽区人民政府", "government", "county", 1, 2),
        ("江苏省南京市鼓楼区人民政府", "government", "county", 2, 2),
    ]
    kinds = _query(warehouse, "SELECT DISTINCT kind FROM mart_agency_year WHERE agency LIKE '%洪泽区%' ORDER BY 1")
    assert kinds == [("department",), ("government",)]


def test_a_division_year_puts_the_government_beside_its_departments(built):
    _, warehouse = built
    rows = _query(
        warehouse,
        """SELECT * FROM mart_division_year
                                WHERE division_code = '320813' AND metric IN ('new_received', 'handled') ORDER BY metric""",
    )
    assert rows == [
        ("320813", 2023, "handled", Decimal(21), Decimal(2337), 1),
        ("320813", 2023, "new_received", Decimal(21), Decimal(2331), 1),
    ]
    assert _query(warehouse, "SELECT count(*) FROM mart_division_year WHERE metric LIKE '%rate'") == [(0,)]
    findings = _query(
        warehouse,
        """SELECT severity, agency, year, row_code, expected, actual FROM check_results
                                    WHERE check_name = 'aggregate_coverage' AND row_code = 'new_received'""",
    )
    assert findings == [("warning", "江苏省淮安市洪泽区人民政府", 2023, "new_received", Decimal(2331), Decimal(21))]


def test_a_departments_change_recomputes_its_governments_rows(built, tmp_path):
    raw, _ = built
    raw = shutil.copytree(raw, tmp_path / "raw")
    updated = tmp_path / "updated" / "xxgk.duckdb"
    _run(raw, updated)
    department = raw / "hongze_education.txt"
    text = department.read_text(encoding="utf-8")
    assert text.count("\t2331\n") == 1  # 本年新收, 总计 column
    department.write_text(text.replace("\t2331\n", "\t2338\n"), encoding="utf-8")
    assert "warehouse updated: 1 agency recomputed" in _run(raw, updated)
    scratch = tmp_path / "scratch" / "xxgk.duckdb"
    _run(raw, scratch)
    for table in ("mart_division_year", "check_aggregate_coverage", "agencies"):
        assert _query(updated, f"SELECT * FROM {table} ORDER BY ALL") == _query(scratch, f"SELECT * FROM {table} ORDER BY ALL")
    assert _query(
        updated,
        """SELECT departments_sum FROM mart_division_year
                              WHERE division_code = '320813' AND metric = 'new_received'""",
    ) == [(Decimal(2338),)]


def test_every_abbreviation_writes_out_to_a_longer_name():
    with (ROOT / "pipeline" / "reference" / "body_abbreviations.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len({r["abbreviation"] for r in rows}) == len(rows)
    assert all(len(r["full"]) > len(r["abbreviation"]) for r in rows)
