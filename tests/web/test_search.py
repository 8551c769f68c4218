"""One search box: a unified number or a region code goes straight to its page; a fragment
finds associations, regions and teams, only within the user's scope."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from qingxie.teams.services import team_create
from tests.web.helpers import D, by_id, doc, make_association, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(db):
    """Associations and teams in 广州, 深圳 and 南宁 (广西), each with a team named 海珠…"""
    haizhu = make_association("440105")
    tianhe = make_association("440106")
    luohu = make_association("440303")
    nanning = make_association("450102", name="兴宁区青年志愿者协会")
    teams = {}
    for key, association in (("haizhu", haizhu), ("luohu", luohu), ("nanning", nanning)):
        teams[key] = team_create(
            actor=None,
            association=association,
            name=f"海珠路{association.region.name}志愿服务队",
            category="community",
            founded_on=D(2021, 6, 1),
        )
    return SimpleNamespace(haizhu=haizhu, tianhe=tianhe, luohu=luohu, nanning=nanning, teams=teams)


def search(client, q: str):
    return client.get("/search/", {"q": q})


def section(tree, name: str) -> list[str]:
    """The rows of one result section (#result-associations, -regions, -teams), as text with
    the cells separated by " | "."""
    return [
        " | ".join(text(td) for td in tr.xpath("./td"))
        for tr in tree.xpath(f"//section[@id='result-{name}']//tbody/tr")
    ]


def first_cells(rows: list[str]) -> list[str]:
    return [row.split(" | ")[0] for row in rows]


# --------------------------------------------------------------------- exact numbers


def test_a_unified_number_with_or_without_hyphens_opens_the_association(client_for, ledger):
    client = client_for("city_admin", "440100")
    number = ledger.haizhu.number
    assert number.count("-") == 3
    for typed in (number, number.replace("-", ""), number.replace("-", " "), f" {number} "):
        response = search(client, typed)
        assert response.status_code == 302, typed
        assert response.url == f"/associations/{number}/"
    # A check character X may be typed in lower case.
    tianhe = ledger.tianhe.number
    response = search(client, tianhe.replace("-", "").lower())
    assert response.url == f"/associations/{tianhe}/"


def test_a_wrong_check_character_is_named(client_for, ledger):
    client = client_for("city_admin", "440100")
    number = ledger.haizhu.number
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    tree = doc(search(client, wrong))
    problem = text(by_id(tree, "search-problem"))
    assert f"统一编号“{wrong}”的校验位不对" in problem
    assert not tree.xpath("//section[@id='result-associations']")


def test_a_number_outside_the_scope_is_not_found_and_not_revealed(client_for, ledger):
    client = client_for("city_admin", "440100")
    tree = doc(search(client, ledger.luohu.number))
    problem = text(by_id(tree, "search-problem"))
    assert f"未找到统一编号为 {ledger.luohu.number} 的协会" in problem
    assert "罗湖" not in text(tree.xpath("//main")[0])
    # The same answer for a number nobody has, so the two cannot be told apart.
    nobody = doc(search(client, "440118-3-01-" + _check("440118301")))
    assert "未找到统一编号为 440118-3-01-" in text(by_id(nobody, "search-problem"))


def _check(body: str) -> str:
    from stdnum.iso7064 import mod_11_2

    return mod_11_2.calc_check_digit(body)


# ----------------------------------------------------------------------- region codes


def test_a_region_code_opens_the_region_within_the_scope(client_for, ledger):
    client = client_for("city_admin", "440100")
    response = search(client, "440105")
    assert response.status_code == 302 and response.url == "/regions/440105/"
    assert search(client, "440100").url == "/regions/440100/"
    # Outside the scope: no redirect, nothing found.
    for other in ("440303", "440000", "000000"):
        tree = doc(search(client, other))
        assert tree.xpath("//*[@id='search-empty']"), other


def test_a_code_prefix_lists_regions_and_associations_under_it(client_for, ledger):
    tree = doc(search(client_for("city_admin", "440100"), "44010"))
    regions = section(tree, "regions")
    assert regions and all(code.startswith("44010") for code in first_cells(regions))
    assert any("海珠区" in row for row in regions)
    associations = section(tree, "associations")
    assert any(ledger.haizhu.number in row for row in associations)
    assert not any(ledger.luohu.number in row for row in associations)


# -------------------------------------------------------------------- name fragments


def test_a_name_fragment_finds_only_what_the_user_may_see(client_for, ledger):
    city = doc(search(client_for("city_admin", "440100"), "海珠"))
    associations = section(city, "associations")
    assert len(associations) == 1 and "海珠区青年志愿者协会" in associations[0]
    assert any("海珠区" in row for row in section(city, "regions"))
    teams = section(city, "teams")
    assert len(teams) == 1 and ledger.teams["haizhu"].name in teams[0]
    assert "罗湖" not in text(city.xpath("//main")[0])

    province = doc(search(client_for("province_admin", "440000"), "海珠路"))
    names = " ".join(section(province, "teams"))
    assert ledger.teams["haizhu"].name in names and ledger.teams["luohu"].name in names
    assert ledger.teams["nanning"].name not in names  # another province's team


def test_another_province_s_association_is_not_found(client_for, ledger):
    tree = doc(search(client_for("province_admin", "440000"), "青年志愿者协会"))
    rows = " ".join(section(tree, "associations"))
    for association in (ledger.haizhu, ledger.tianhe, ledger.luohu):
        assert association.number in rows
    assert ledger.nanning.number not in rows and "兴宁区" not in rows
    guangxi = doc(search(client_for("province_admin", "450000"), "青年志愿者协会"))
    assert [ledger.nanning.number in row for row in section(guangxi, "associations")] == [True]


def test_region_names_are_matched_within_the_province(client_for):
    rows = section(doc(search(client_for("province_admin", "320000"), "鼓楼")), "regions")
    codes = set(first_cells(rows))
    assert {"320106", "320302"} <= codes  # 南京 and 徐州
    assert "350102" not in codes  # 福州's 鼓楼区 is in 福建
    assert all(code.startswith("32") for code in codes)
    links = doc(search(client_for("province_admin", "320000"), "鼓楼")).xpath(
        "//section[@id='result-regions']//a/@href"
    )
    assert "/regions/320106/" in links


def test_nothing_found_and_an_empty_box(client_for, ledger):
    client = client_for("county_admin", "440105")
    tree = doc(search(client, "不存在的名字"))
    assert "没有找到与“不存在的名字”相符" in text(by_id(tree, "search-empty"))
    empty = doc(client.get("/search/"))
    assert not empty.xpath("//*[@id='search-empty']") and not empty.xpath("//section")
    # The county cadre's own things are found; the neighbour's are not.
    assert section(doc(search(client, "天河")), "associations") == []
    assert len(section(doc(search(client, "海珠")), "associations")) == 1


def test_anonymous_is_sent_to_login(client):
    response = client.get("/search/", {"q": "海珠"})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_search_box_is_on_every_page(client_for):
    tree = doc(client_for("county_admin", "440105").get("/"))
    (form,) = tree.xpath("//header//form[@role='search']")
    assert form.get("action") == "/search/"
    assert form.xpath(".//input/@name") == ["q"]


def test_the_first_digits_of_a_number_without_hyphens_find_it(client_for):
    association = make_association("440105", name="海珠区青年志愿者协会")
    page = client_for("city_admin", "440100").get(
        "/search/", {"q": association.number[:8].replace("-", "")}
    )
    assert association.number in page.content.decode()
