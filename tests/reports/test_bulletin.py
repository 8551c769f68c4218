"""The bulletin's words and figures: the ledger's numbers, in the seed bulletin's form."""

from __future__ import annotations

import datetime

import pytest

from qingxie.ledger.coverage import county_statuses, rate
from qingxie.ledger.services import coverage_target_set
from qingxie.regions.models import Region
from qingxie.reports.bulletin import (
    NOT_COUNTED,
    Figure,
    Note,
    Table,
    bulletin_build,
    league_committee,
    pct,
    scope_word,
    short_name,
)
from tests.reports.conftest import AS_OF, county_codes, found

pytestmark = pytest.mark.django_db


def build(code: str, on: datetime.date = AS_OF, **kwargs):
    return bulletin_build(region=Region.objects.get(code=code), as_of=on, **kwargs)


def titles(bulletin) -> list[str]:
    return [s.title for s in bulletin.sections]


def blocks(bulletin, title: str) -> list:
    return next(s.blocks for s in bulletin.sections if s.title == title)


def test_city_paragraph_in_the_bulletins_form(guangzhou):
    b = build("440100")
    summary = blocks(b, "总体情况")
    assert summary[0] == (
        "截至2021年5月6日，全市11个县（市、区）中共有4个成立团属志愿服务组织，覆盖率为36.4%；"
        "1个县（市、区）规范建设了团属志愿服务组织，覆盖率为9.1%。"
    )
    # Seven districts still lack one; named, so the city can chase them (盯县).
    assert summary[1].startswith("尚未成立团属志愿服务组织的7个县（市、区）是：")
    assert "白云区" in summary[1] and "花都区" in summary[1] and "海珠区" not in summary[1]
    townships = Region.objects.get(code="440100").township_count
    assert summary[2] == (
        f"全市{townships}个乡镇（街道）中有1个建立了基层志愿服务队伍，"
        f"覆盖率为{rate(1, townships):.1f}%。"
    )


def test_masthead_issuers_and_date(guangzhou):
    b = build("440000", issue=5)
    assert b.masthead == "广东志愿服务工作信息"
    assert b.issue_line == "2021年第5期"
    assert b.issuers == ["共青团广东省委员会", "广东省青年志愿者协会秘书处编"]
    assert b.date_line == "2021年5月6日"
    assert b.headline == "广东省县级团属志愿服务组织建设情况"
    assert b.filename == "广东省工作信息（2021-05-06）"


def test_without_its_own_association_the_league_committee_compiles_it(guangzhou):
    b = build("440200")
    assert b.issuers == ["共青团韶关市委员会编"]
    assert build("440000", issue=None).issue_line == ""


def test_province_table_matches_the_coverage_api(guangzhou, client_for):
    b = build("440000")
    api = (
        client_for("province_admin", "440000")
        .get("/api/coverage", {"region": "440000", "as_of": "2021-05-06"})
        .json()
    )
    table = blocks(b, "分地区情况")[0]
    assert isinstance(table, Table)
    expected = [
        [
            c["name"],
            str(c["counties"]),
            str(c["established"]),
            pct(c["coverage_rate"]),
            str(c["standardized"]),
            pct(c["standardized_rate"]),
        ]
        for c in api["children"]
    ]
    expected.append(
        [
            "合计",
            str(api["counties"]),
            str(api["established"]),
            pct(api["coverage_rate"]),
            str(api["standardized"]),
            pct(api["standardized_rate"]),
        ]
    )
    assert table.rows == expected
    rows = {r[0]: r for r in table.rows}
    assert rows["广州市"][1:] == ["11", "4", "36.4%", "1", "9.1%"]
    assert rows["深圳市"][2:4] == ["2", "22.2%"]
    assert rows["合计"][1:4] == ["122", "6", "4.9%"]
    assert (api["established"], api["standardized"]) == (6, 2)
    assert summary_numbers(b) == (122, 6, "4.9%", 2, "1.6%")
    # Cities without counties are shown with a dash and explained under the table.
    assert rows["东莞市"][3] == "—"
    note = blocks(b, "分地区情况")[1]
    assert isinstance(note, Note) and "东莞市、中山市不设县级行政单位" in note.text


def summary_numbers(b):
    import re

    text = blocks(b, "总体情况")[0]
    found_ = re.search(
        r"全省(\d+)个县（市、区）中共有(\d+)个成立团属志愿服务组织，覆盖率为([\d.]+%)；"
        r"(\d+)个县（市、区）规范建设了团属志愿服务组织，覆盖率为([\d.]+%)",
        text,
    )
    assert found_, text
    a, b_, c, d, e = found_.groups()
    return int(a), int(b_), c, int(d), e


def test_children_sentence_names_full_coverage_and_the_laggards(db):
    for code in county_codes("440400"):  # 珠海: every county
        found(code)
    found(county_codes("440300")[0])  # 深圳: one of nine
    text = blocks(build("440000"), "总体情况")[1]
    # 122 − 3 − 1 = 118 missing: too many to name, so counted; the lowest rates tie at 0.0%
    # and are taken in code order (广州 440100, 韶关 440200, 汕头 440500).
    assert text == (
        "尚有118个县（市、区）未成立团属志愿服务组织。"
        "分地市看，珠海1个地市已实现县级全覆盖；"
        "覆盖率最低的3个地市是广州（0.0%）、韶关（0.0%）、汕头（0.0%）。"
    )


def test_full_coverage_is_said_as_such(db):
    codes = county_codes("440400")
    for code in codes:
        found(code, standardized_on=datetime.date(2021, 1, 1))
    b = build("440400")
    n = len(codes)
    assert blocks(b, "总体情况")[0] == (
        f"截至2021年5月6日，全市{n}个县（市、区）均已成立团属志愿服务组织，覆盖率为100.0%，"
        f"实现全覆盖；{n}个县（市、区）均规范建设了团属志愿服务组织，覆盖率为100.0%。"
    )


def test_nothing_yet_is_said_as_such(db):
    n = len(county_codes("440200"))
    b = build("440200")
    assert blocks(b, "总体情况")[0] == (
        f"截至2021年5月6日，全市{n}个县（市、区）均尚未成立团属志愿服务组织，覆盖率为0.0%；"
        "尚无县（市、区）规范建设团属志愿服务组织，覆盖率为0.0%。"
    )
    # No list of the missing when none exists at all: the sentence above says it.
    assert len(blocks(b, "总体情况")) == 1 + bool(Region.objects.get(code="440200").township_count)


def test_a_city_without_counties(db):
    b = build("441900")
    assert blocks(b, "总体情况")[0] == "东莞市不设县级行政单位，不计算县级团属志愿服务组织覆盖率。"
    assert titles(b) == ["总体情况", "目标完成情况"]
    assert b.map is None and b.series == []


def test_a_county_bulletin(guangzhou):
    b = build("440105")
    assert blocks(b, "总体情况")[0] == (
        "截至2021年5月6日，海珠区已成立团属志愿服务组织“海珠区青年志愿者协会”"
        "（2020年1月1日成立），并已完成规范化建设。"
    )
    assert b.issuers == ["共青团广州市海珠区委员会", "海珠区青年志愿者协会秘书处编"]
    assert titles(b) == ["总体情况", "目标完成情况"]
    assert (
        blocks(build("440114"), "总体情况")[0]
        == "截至2021年5月6日，花都区尚未成立团属志愿服务组织。"
    )
    assert blocks(build("440103"), "总体情况")[0].endswith("尚未完成规范化建设。")


def test_a_dissolved_association_counts_until_its_dissolution(guangzhou):
    before = blocks(build("440100", datetime.date(2020, 12, 31)), "总体情况")[0]
    assert "共有5个成立团属志愿服务组织，覆盖率为45.5%" in before
    assert blocks(build("440111"), "总体情况")[0].endswith("尚未成立团属志愿服务组织。")


def test_city_table_lists_each_county_with_its_association(guangzhou):
    table = blocks(build("440100"), "分地区情况")[0]
    assert table.header == ["县（市、区）", "团属志愿服务组织", "成立情况", "规范化建设"]
    rows = {r[0]: r for r in table.rows}
    assert rows["海珠区"] == ["海珠区", "海珠区青年志愿者协会", "已成立", "已规范化"]
    assert rows["白云区"] == ["白云区", "—", "未成立", "—"]
    assert rows["合计"] == ["合计", "11个县级单位", "4个（36.4%）", "1个（9.1%）"]
    assert len(table.rows) == 12


def test_nation_and_banners(guangzhou):
    b = build("000000")
    n = Region.objects.filter(level=3, valid_to__isnull=True).count()
    assert blocks(b, "总体情况")[0].startswith(
        f"截至2021年5月6日，全国{n}个县（市、区、旗）中共有6个成立团属志愿服务组织"
    )
    assert "分省（区、市）看，尚无省（区、市）实现县级全覆盖" in blocks(b, "总体情况")[1]
    assert b.masthead == "全国志愿服务工作信息" and b.issuers == ["共青团中央编"]
    assert b.map.kind == "provinces"
    nm = build("150000")
    assert nm.masthead == "内蒙古志愿服务工作信息"
    assert blocks(nm, "总体情况")[0].startswith("截至2021年5月6日，全区")
    assert "个县（市、区、旗）" in blocks(nm, "总体情况")[0]


@pytest.mark.parametrize(
    ("code", "scope", "short", "committee"),
    [
        ("440000", "全省", "广东", "共青团广东省委员会"),
        ("450000", "全区", "广西", "共青团广西壮族自治区委员会"),
        ("110000", "全市", "北京", "共青团北京市委员会"),
        ("440100", "全市", "广州", "共青团广州市委员会"),
        ("222400", "全州", "延边朝鲜族自治州", "共青团延边朝鲜族自治州委员会"),
        ("440105", "全区", "海珠区", "共青团广州市海珠区委员会"),
        ("110105", "全区", "朝阳区", "共青团北京市朝阳区委员会"),
        ("429004", "全市", "仙桃市", "共青团仙桃市委员会"),
        ("150121", "全旗", "土默特左旗", "共青团土默特左旗委员会"),
        ("440281", "全市", "乐昌市", "共青团乐昌市委员会"),
        ("441622", "全县", "龙川县", "共青团龙川县委员会"),
    ],
)
def test_names_by_level(code, scope, short, committee):
    region = Region.objects.filter(code=code).first()
    if region is None or region.valid_to:
        pytest.fail(f"{code} is not a current division in the loaded list")
    assert (scope_word(region), short_name(region), league_committee(region)) == (
        scope,
        short,
        committee,
    )


def test_targets_met_missed_and_on_the_way(guangzhou):
    b = build("440100")
    sentence, table = blocks(b, "目标完成情况")[:2]
    # 2020-12-31: 5 of 11 (白云 still active) = 45.5% against the national 50%.
    assert "对照全国目标" in sentence
    assert "2020年12月31日前达到50%，届时为45.5%，未完成" in sentence
    assert "2021年12月31日前达到70%，目前为36.4%，落后于进度" in sentence
    assert ["县级协会覆盖率", "50%", "2020年12月31日", "45.5%", "未完成"] in table.rows
    assert ["县级协会覆盖率", "100%", "2023年12月31日", "—", "未到期"] in table.rows


def test_a_provinces_own_targets_replace_the_national_ones(guangzhou):
    province = Region.objects.get(code="440000")
    coverage_target_set(
        actor=None,
        region=province,
        measure="established",
        due_on=datetime.date(2020, 6, 30),
        rate=3,
    )
    sentence, table = blocks(build("440000"), "目标完成情况")[:2]
    assert sentence.startswith("对照广东省目标，县级协会覆盖率：2020年6月30日前达到3%，届时为")
    assert "已完成" in sentence
    assert len(table.rows) == 1


def test_projection_is_set_solid(guangzhou):
    last = blocks(build("440100"), "目标完成情况")[-1]
    assert isinstance(last, str) and " " not in last and "全覆盖" in last


def test_map_without_built_files_is_explained(guangzhou, settings, tmp_path):
    settings.MAPS_DIR = tmp_path
    b = build("440100")
    assert b.map is not None and not b.map.built
    assert [type(x) for x in blocks(b, "覆盖地图")] == [Note]
    assert "地图文件尚未生成" in blocks(b, "覆盖地图")[0].text


def test_map_units_are_the_counties_with_their_status(guangzhou, maps):
    b = build("440100")
    assert b.map.units == county_statuses(Region.objects.get(code="440100"), AS_OF)
    assert b.map.missing == [] and b.map.label_names
    assert [type(x) for x in blocks(b, "覆盖地图")] == [Figure]
    province = build("440000").map
    assert province.units["441900"] == province.units["442000"] == NOT_COUNTED
    assert province.units["440105"] == "standardized" and province.units["440111"] == "none"


def test_trend_is_the_ledger_series_with_the_targets(guangzhou):
    b = build("440100")
    assert b.series[-1].date == AS_OF and b.series[-1].coverage_rate == 36.4
    assert b.series[0].date == datetime.date(2018, 5, 31)
    assert (datetime.date(2020, 12, 31), 50.0) in b.target_points
