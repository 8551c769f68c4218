"""Region pages: drill-down, search, scope, retired regions."""

from __future__ import annotations

import pytest

from tests.generic import ScopedDetailViewTests

pytestmark = pytest.mark.django_db


class TestRegionDetailView(ScopedDetailViewTests):
    model_label = "regions.Region"
    url_in_scope = "/regions/440105/"
    url_out_of_scope = "/regions/440300/"
    role = "city_admin"
    grant_code = "440100"
    expected_text = "海珠区"


def test_national_page_lists_all_provinces(client_for):
    page = client_for("national_admin", "000000").get("/regions/").content.decode()
    for name in ("北京市", "广东省", "台湾省", "香港特别行政区", "澳门特别行政区"):
        assert name in page
    assert "2845 个县级单位" in page


def test_province_page_lists_its_21_prefectures_and_map(client_for):
    response = client_for("province_admin", "440000").get("/regions/440000/")
    page = response.content.decode()
    rows = response.context["children"]
    assert len(rows) == 21
    assert "共 21 个" in page
    config = response.context["map_config"]
    assert config["url"].endswith("maps/province-440000.json")
    assert len(config["codes"]) == 122 + 2  # counties, plus 东莞 and 中山 without counties


def test_users_below_national_level_land_on_their_region(client_for):
    response = client_for("city_admin", "440100").get("/regions/")
    assert response.status_code == 302
    assert response["Location"] == "/regions/440100/"


def test_breadcrumbs_walk_back_to_the_country(client_for):
    page = client_for("national_admin", "000000").get("/regions/440105001/").content.decode()
    for crumb in ('href="/regions/"', 'href="/regions/440000/"', 'href="/regions/440100/"'):
        assert crumb in page


def test_county_page_lists_its_townships(client_for, region):
    response = client_for("county_admin", "440105").get("/regions/440105/")
    assert len(response.context["children"]) == region("440105").township_count
    assert "乡级单位（乡、镇、街道）" in response.content.decode()


@pytest.mark.parametrize(
    ("q", "expected"), [("海珠", "440105"), ("4401", "440103"), ("东莞", "441900")]
)
def test_search_by_name_or_code(client_for, q, expected):
    page = client_for("national_admin", "000000").get("/regions/", {"q": q}).content.decode()
    assert expected in page


def test_search_stays_inside_the_scope(client_for):
    page = client_for("city_admin", "440100").get("/regions/", {"q": "深圳"}).content.decode()
    assert "440300" not in page
    assert "没有找到" in page


def test_unknown_region_is_404_in_chinese(client_for):
    response = client_for("national_admin", "000000").get("/regions/999999/")
    assert response.status_code == 404


def test_404_page_is_in_chinese_and_explains_the_scope(client_for, settings):
    settings.DEBUG = False
    page = client_for("county_admin", "440105").get("/regions/440106/").content.decode()
    assert "未找到该行政区划，或不在您的权限范围内。" in page


def test_region_page_shows_its_association_or_offers_to_enter_one(client_for, region):
    import datetime as dt

    from qingxie.ledger.services import association_create

    client = client_for("city_admin", "440100")
    page = client.get("/regions/440105/").content.decode()
    assert "尚未录入本级团属志愿服务组织" in page and "/associations/new/?region=440105" in page
    a = association_create(
        actor=None,
        region=region("440105"),
        name="海珠区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=dt.date(2019, 1, 1),
    )
    page = client.get("/regions/440105/").content.decode()
    assert a.number in page and "/associations/new/?region=440105" not in page
    viewer_page = client_for("viewer", "440100").get("/regions/440106/").content.decode()
    assert "/associations/new/" not in viewer_page
