"""The team API: generic read/write tests, filters, township rules, dissolution."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qingxie.core.models import ObjectChange
from qingxie.teams.models import Team
from qingxie.teams.services import team_create
from tests.generic import ScopedAPIReadTests, ScopedAPIWriteTests
from tests.ledger.test_api import error_fields, make_association

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams(region):
    hz, th = make_association("440105"), make_association("440106")

    def build(association, township, name):
        return team_create(
            actor=None,
            association=association,
            name=name,
            category="township",
            township=region(township),
            founded_on=datetime.date(2021, 1, 1),
        )

    return SimpleNamespace(
        hz=hz,
        th=th,
        hz_team=build(hz, "440105001", "赤岗街道志愿服务队"),
        th_team=build(th, "440106001", "五山街道志愿服务队"),
    )


class TestTeamRead(ScopedAPIReadTests):
    model_label = "teams.Team"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/teams/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, teams):
        self.api_in_scope = f"/api/teams/{teams.hz_team.pk}"
        self.api_out_of_scope = f"/api/teams/{teams.th_team.pk}"
        self.in_scope_key, self.out_of_scope_key = teams.hz_team.pk, teams.th_team.pk


class TestTeamWrite(ScopedAPIWriteTests):
    model_label = "teams.Team"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/teams/"
    editable_patch = {"member_count": 42, "leader_name": "周青"}
    read_only_patch = {"status": "dissolved", "association": "440106-3-01-X"}
    #: The out-of-scope body names an association outside the scope: not found there.
    out_of_scope_status = 404

    @pytest.fixture(autouse=True)
    def _objects(self, teams):
        self.teams = teams
        self.api_in_scope = f"/api/teams/{teams.hz_team.pk}"

    def create_data(self):
        return {
            "association": self.teams.hz.number,
            "name": "新港街道志愿服务队",
            "category": "township",
            "township": "440105002",
            "founded_on": "2021-03-05",
            "member_count": 30,
        }

    def create_data_out_of_scope(self):
        return {**self.create_data(), "association": self.teams.th.number, "township": "440106002"}


def test_team_fields_and_filters(teams, client_for):
    client = client_for("city_admin", "440100")
    body = client.get(f"/api/teams/{teams.hz_team.pk}").json()
    assert body["association"] == teams.hz.number
    assert body["township"] == "440105001" and body["township_name"] == "赤岗街道"
    assert body["category_display"] == "乡镇/街道"

    def names(**params):
        return {row["name"] for row in client.get("/api/teams/", params).json()["results"]}

    assert names() == {"赤岗街道志愿服务队", "五山街道志愿服务队"}
    assert names(region="440106") == {"五山街道志愿服务队"}
    assert names(association=teams.hz.number.replace("-", "")) == {"赤岗街道志愿服务队"}
    assert names(township="440105001") == {"赤岗街道志愿服务队"}
    assert names(category="school") == set()
    # The page's FilterSet drives the API: its name search works here too.
    assert names(q="赤岗") == {"赤岗街道志愿服务队"}
    assert "category" in error_fields(client.get("/api/teams/", {"category": "army"}))


def test_township_outside_the_county_is_refused(teams, client_for):
    client = client_for("city_admin", "440100")
    before = Team.objects.count(), ObjectChange.objects.count()
    response = client.post(
        "/api/teams/",
        {
            "association": teams.hz.number,
            "name": "五山街道第二队",
            "category": "township",
            "township": "440106002",
            "founded_on": "2021-03-05",
        },
        content_type="application/json",
    )
    message = error_fields(response)["township"][0]
    assert "不在海珠区范围内" in message
    assert (Team.objects.count(), ObjectChange.objects.count()) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"township": "440105"}, "township"),
        ({"township": "449999999"}, "township"),
        ({"township": ""}, "township"),
        ({"founded_on": "TOMORROW"}, "founded_on"),
        ({"leader_phone": "12345"}, "leader_phone"),
        ({"member_count": -1}, "member_count"),
    ],
)
def test_bad_team_input_names_the_field(teams, client_for, body, field):
    data = {
        "association": teams.hz.number,
        "name": "某队",
        "category": "township",
        "township": "440105002",
        "founded_on": "2021-03-05",
        **body,
    }
    if data["founded_on"] == "TOMORROW":
        data["founded_on"] = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client = client_for("county_admin", "440105")
    before = Team.objects.count()
    response = client.post("/api/teams/", data, content_type="application/json")
    assert field in error_fields(response)
    assert Team.objects.count() == before


def test_county_user_cannot_touch_another_countys_team(teams, client_for):
    client = client_for("county_admin", "440105")
    url = f"/api/teams/{teams.th_team.pk}"
    assert client.patch(url, {"name": "x"}, content_type="application/json").status_code == 404
    assert client.post(url + "/dissolve", {"on": "2021-06-01"}).status_code == 404
    teams.th_team.refresh_from_db()
    assert teams.th_team.name == "五山街道志愿服务队" and teams.th_team.status == "active"


def test_dissolve(teams, client_for):
    client = client_for("county_admin", "440105")
    url = f"/api/teams/{teams.hz_team.pk}/dissolve"
    assert "on" in error_fields(client.post(url, {"on": "2020-12-31"}))
    body = client.post(url, {"on": "2021-06-01"}).json()
    assert body["status"] == "dissolved" and body["dissolved_on"] == "2021-06-01"
    assert "status" in error_fields(client.post(url, {"on": "2021-06-02"}))


def test_township_coverage_counts_the_team(teams, client_for):
    body = (
        client_for("county_admin", "440105")
        .get("/api/coverage", {"region": "440105", "as_of": "2021-05-06", "depth": 0})
        .json()
    )
    assert body["townships_with_team"] == 1 and body["townships"] == 18
    assert body["township_rate"] == 5.6


def test_region_filter_finds_a_townships_teams_as_the_page_does(teams, client_for):
    client = client_for("city_admin", "440100")
    api = [t["name"] for t in client.get("/api/teams/?region=440105001").json()["results"]]
    page = client.get("/teams/?region=440105001").content.decode()
    assert api == ["赤岗街道志愿服务队"]
    assert "赤岗街道志愿服务队" in page and "五山街道志愿服务队" not in page


def test_team_list_pages_by_cursor_without_counting(teams, client_for, region):
    """Clients follow `next`; no page counts the table, and a team built meanwhile neither
    repeats nor hides one already listed (page numbers would shift under the insert)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    more = [
        team_create(
            actor=None,
            association=teams.hz,
            name=f"第{n}志愿服务队",
            category="school",
            founded_on=datetime.date(2021, 1, 1),
        )
        for n in range(5)
    ]
    expected = {t.pk for t in [teams.hz_team, teams.th_team, *more]}
    client = client_for("city_admin", "440100")
    seen, url, pages = [], "/api/teams/?page_size=2", 0
    while url:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url).json()
        assert "count" not in body and len(body["results"]) <= 2
        assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
        seen += [row["id"] for row in body["results"]]
        if pages == 0:
            team_create(
                actor=None,
                association=teams.hz,
                name="新建队",
                category="school",
                founded_on=datetime.date(2021, 1, 1),
            )
        url, pages = body["next"], pages + 1
    assert sorted(seen) == sorted(expected) and len(seen) == len(set(seen))
    assert pages == 4
