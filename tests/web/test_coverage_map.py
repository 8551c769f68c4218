"""The coverage map (挂图作战): its page, and the API whose dated spans the page replays."""

from __future__ import annotations

import datetime
import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qingxie.ledger import coverage, services
from qingxie.ledger.models import ChecklistEntry
from qingxie.regions.models import Region
from tests.generic import ScopedDetailViewTests
from tests.web.helpers import D, by_id, doc, make_association, messages

pytestmark = pytest.mark.django_db

API = "/api/coverage/map"


def status_on(unit: dict, day: datetime.date) -> str | None:
    """The map's colour rule, written again here from its definition: a unit not in force that
    day is not drawn; standardized if a standardization span covers the day, else established
    if an active span does, else none. Spans are [start, end) ISO dates, end None while open."""
    iso = day.isoformat()
    if (unit["valid_from"] and unit["valid_from"] > iso) or (
        unit["valid_to"] and unit["valid_to"] <= iso
    ):
        return None

    def covers(spans) -> bool:
        return any(start <= iso and (end is None or end > iso) for start, end in spans)

    if covers(unit["standardized"]):
        return "standardized"
    if covers(unit["established"]):
        return "established"
    return "none"


def statuses_from(payload: dict, day: datetime.date) -> dict[str, str]:
    out = {u["code"]: status_on(u, day) for u in payload["counties"]}
    return {code: status for code, status in out.items() if status is not None}


@pytest.fixture
def history(db):
    """广州's districts with every kind of dated history the map must replay.

    荔湾 standardized 2020-06-01, one verification revoked 2022-01-01; 越秀 suspended
    2020-03-01 and resumed 2021-01-01; 海珠 dissolved 2020-12-31 and refounded 2022-06-01;
    天河 standardized 2021-03-01 and suspended 2022-01-01; 白云 merged into the city
    association 2021-06-01; the rest never had one. 罗湖 in 深圳 for the province's map.
    """
    city = make_association("440100", name="广州市青年志愿者协会", on=D(2005, 1, 1))
    liwan = make_association("440103", on=D(2019, 1, 1))
    services.association_standardize(actor=None, association=liwan, on=D(2020, 6, 1))
    entry = ChecklistEntry.objects.filter(association=liwan).order_by("item__position").first()
    services.checklist_entry_revoke(actor=None, entry=entry, reason="材料失效", on=D(2022, 1, 1))
    yuexiu = make_association("440104", on=D(2019, 5, 1))
    services.association_suspend(actor=None, association=yuexiu, on=D(2020, 3, 1))
    services.association_resume(actor=None, association=yuexiu, on=D(2021, 1, 1))
    haizhu = make_association("440105", on=D(2018, 1, 1))
    services.association_dissolve(actor=None, association=haizhu, on=D(2020, 12, 31))
    make_association("440105", name="海珠区志愿者联合会", on=D(2022, 6, 1))
    tianhe = make_association("440106", on=D(2020, 6, 1))
    services.association_standardize(actor=None, association=tianhe, on=D(2021, 3, 1))
    services.association_suspend(actor=None, association=tianhe, on=D(2022, 1, 1))
    baiyun = make_association("440111", on=D(2019, 7, 1))
    services.association_merge(actor=None, association=baiyun, into=city, on=D(2021, 6, 1))
    make_association("440303", on=D(2021, 2, 1))
    return SimpleNamespace(city=city, liwan=liwan, yuexiu=yuexiu, tianhe=tianhe)


#: Days on and around every change above, and today.
DAYS = [
    D(2017, 12, 31),
    D(2018, 1, 1),
    D(2019, 12, 31),
    D(2020, 2, 29),
    D(2020, 3, 1),
    D(2020, 6, 1),
    D(2020, 12, 30),
    D(2020, 12, 31),
    D(2021, 1, 1),
    D(2021, 3, 1),
    D(2021, 5, 31),
    D(2021, 6, 1),
    D(2021, 12, 31),
    D(2022, 1, 1),
    D(2022, 6, 1),
]


# -------------------------------------------------------------------------------- API


@pytest.mark.parametrize(("role", "code"), [("city_admin", "440100"), ("province_admin", "440000")])
def test_spans_reproduce_county_statuses_on_every_day(client_for, history, role, code):
    response = client_for(role, code).get(API, {"region": code})
    assert response.status_code == 200, response.content.decode()
    payload = response.json()
    region = Region.objects.get(code=code)
    assert payload["region"] == code and payload["unit"] == "county"
    units = Region.objects.filter(path__startswith=region.path, level=Region.Level.COUNTY)
    assert sorted(u["code"] for u in payload["counties"]) == sorted(
        units.values_list("code", flat=True)
    )
    for day in [*DAYS, timezone.localdate()]:
        assert statuses_from(payload, day) == coverage.county_statuses(region, day), day


def test_spans_say_what_happened_in_each_district(client_for, history):
    payload = client_for("city_admin", "440100").get(API).json()
    assert payload["region"] == "440100"  # the user's own region by default

    def on(code: str, day: datetime.date) -> str:
        (unit,) = [u for u in payload["counties"] if u["code"] == code]
        return status_on(unit, day)

    # 荔湾: founded, standardized, then a revoked verification ends standardization.
    assert [on("440103", d) for d in (D(2019, 1, 1), D(2020, 6, 1), D(2022, 1, 1))] == [
        "established",
        "standardized",
        "established",
    ]
    # 越秀: suspended from 2020-03-01 until it resumed on 2021-01-01.
    assert [on("440104", d) for d in (D(2020, 2, 29), D(2020, 3, 1), D(2021, 1, 1))] == [
        "established",
        "none",
        "established",
    ]
    # 海珠: dissolved on 2020-12-31 (not counted that day), refounded 2022-06-01.
    assert [on("440105", d) for d in (D(2020, 12, 30), D(2020, 12, 31), D(2022, 6, 1))] == [
        "established",
        "none",
        "established",
    ]
    # 天河: a suspension ends standardization too.
    assert [on("440106", d) for d in (D(2021, 3, 1), D(2022, 1, 1))] == ["standardized", "none"]
    # 白云 merged into the city association: no county association from then on.
    assert [on("440111", d) for d in (D(2021, 5, 31), D(2021, 6, 1))] == ["established", "none"]
    assert on("440118", timezone.localdate()) == "none"
    # The figures the map's counts line shows agree with the coverage tree.
    for day in DAYS:
        shown = statuses_from(payload, day)
        node = coverage.coverage_tree(Region.objects.get(code="440100"), day, depth=0)
        assert len(shown) == node.counties
        assert sum(s != "none" for s in shown.values()) == node.established
        assert sum(s == "standardized" for s in shown.values()) == node.standardized


def test_province_map_lists_the_cities_without_counties_as_uncounted(client_for, history):
    payload = client_for("province_admin", "440000").get(API, {"region": "440000"}).json()
    assert payload["name"] == "广东省" and payload["level"] == 1
    assert sorted(payload["uncounted"]) == ["441900", "442000"]  # 东莞, 中山
    assert len(payload["counties"]) == 122
    assert {"441900", "442000", "440523"} <= set(payload["map"]["codes"])
    for unit in payload["counties"]:
        assert unit["province"] == "440000"
        assert unit["code"].startswith(unit["prefecture"][:4])
    assert payload["map"]["url"].endswith(".json")


def test_national_map_is_coloured_by_province(client_for, history):
    payload = client_for("national_admin", "000000").get(API).json()
    assert payload["unit"] == "province" and payload["map"]["codes"] is None
    # 台湾, 香港, 澳门: no county-level units in the division list.
    assert sorted(payload["uncounted"]) == ["710000", "810000", "820000"]
    provinces = {u["province"] for u in payload["counties"]}
    assert len(provinces) == 31
    root = Region.objects.get(code="000000")
    day = D(2021, 6, 1)
    by_province = {}
    for code, status in statuses_from(payload, day).items():
        by_province.setdefault(code[:2], []).append(status)
    tree = coverage.coverage_tree(root, day, depth=1)
    for child in tree.children:
        shown = by_province.get(child.code[:2], [])
        assert len(shown) == child.counties, child.code
        assert sum(s != "none" for s in shown) == child.established, child.code


def test_a_county_map_holds_the_county_alone(client_for, history):
    payload = client_for("county_admin", "440105").get(API).json()
    assert payload["region"] == "440105" and payload["unit"] == "county"
    assert payload["map"]["codes"] == ["440105"]
    (unit,) = payload["counties"]
    assert unit["code"] == "440105"
    assert unit["established"] == [["2018-01-01", "2020-12-31"], ["2022-06-01", None]]
    assert unit["standardized"] == []


def test_a_new_association_shows_in_the_spans_at_once(client_for, history):
    client = client_for("city_admin", "440100")
    before = client.get(API).json()
    assert statuses_from(before, timezone.localdate())["440118"] == "none"
    make_association("440118", on=D(2023, 4, 1))
    after = client.get(API).json()
    (unit,) = [u for u in after["counties"] if u["code"] == "440118"]
    assert unit["established"] == [["2023-04-01", None]]
    assert statuses_from(after, timezone.localdate())["440118"] == "established"


def test_map_api_scope(client, client_for, history):
    response = client.get(API, {"region": "440100"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    county = client_for("county_admin", "440105")
    for other in ("440106", "440100", "440000", "999999"):
        response = county.get(API, {"region": other})
        assert response.status_code == 404, other
        assert "权限范围" in response.json()["error"]["message"]
    township = client_for("province_admin", "440000").get(API, {"region": "440105001"})
    assert township.status_code == 400
    assert "县级及以上" in township.json()["error"]["fields"]["region"][0]
    assert client_for().get(API).status_code == 404  # no grants: no home region


# ------------------------------------------------------------------------------ page


class TestCoverageMapPage(ScopedDetailViewTests):
    """/regions/<code>/map/ opens only inside the user's scope."""

    role = "city_admin"
    grant_code = "440100"
    url_in_scope = "/regions/440105/map/"
    url_out_of_scope = "/regions/440303/map/"
    expected_text = "<h1>海珠区"


def map_config(tree) -> dict:
    return json.loads(by_id(tree, "coverage-map-config").text)


def test_map_page_configures_the_map_for_its_region_and_date(client_for, history):
    client = client_for("city_admin", "440100")
    tree = doc(client.get("/regions/440100/map/", {"as_of": "2021-05-06"}))
    config = map_config(tree)
    assert config["data_url"] == f"{API}?region=440100"
    assert config["as_of"] == "2021-05-06"
    assert config["today"] == timezone.localdate().isoformat()
    assert config["link"] == "map"
    # The unit tests run without the map files `qingxie setup` builds: the page says so.
    drawn = tree.xpath("//div[@id='coverage-map']/@data-config") == ["coverage-map-config"]
    assert drawn or "qingxie setup" in by_id(tree, "coverage-map-panel").text_content()
    assert tree.xpath("//input[@data-map-date]/@value") == ["2021-05-06"]
    assert tree.xpath("//tbody[@data-county-table]")
    # The children listed beside the map lead to their own maps on the same date.
    links = tree.xpath("//section[@id='units-panel']//a/@href")
    assert "/regions/440105/map/?as_of=2021-05-06" in links
    assert len(links) == 11
    # The dashboard carries the same map, linking to workbenches instead.
    board = map_config(doc(client.get("/", {"as_of": "2021-05-06"})))
    assert board["link"] == "dashboard" and board["data_url"] == config["data_url"]


def test_map_page_names_a_bad_date_and_shows_today(client_for, history):
    tree = doc(client_for("city_admin", "440100").get("/regions/440100/map/", {"as_of": "5月6日"}))
    assert any("格式不对" in m for m in messages(tree))
    assert map_config(tree)["as_of"] == timezone.localdate().isoformat()


def test_map_home_opens_the_user_s_own_region(client_for):
    assert client_for("county_admin", "440105").get("/map/").url == "/regions/440105/map/"
    assert client_for("province_admin", "440000").get("/map/").url == "/regions/440000/map/"
    assert client_for().get("/map/").status_code == 404


def test_a_county_user_cannot_open_a_township_or_a_neighbour_s_map(client_for):
    client = client_for("county_admin", "440105")
    assert client.get("/regions/440105001/map/").status_code == 404
    assert client.get("/regions/440106/map/").status_code == 404
    assert client.get("/regions/440105/map/").status_code == 200


def test_national_map_page_lists_the_provinces(client_for):
    tree = doc(client_for("national_admin", "000000").get("/regions/000000/map/"))
    config = map_config(tree)
    assert config["national"] is True
    links = tree.xpath("//section[@id='units-panel']//a/@href")
    assert any(link.startswith("/regions/440000/map/") for link in links)
    assert len(links) == Region.objects.filter(level=1, valid_to__isnull=True).count()
