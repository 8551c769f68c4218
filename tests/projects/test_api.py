"""The projects API: generic read/write tests, the sinking figures and the ranking."""

from __future__ import annotations

import pytest

from qingxie.projects import competitions as c
from qingxie.regions.models import Region
from tests.generic import ScopedAPIReadTests, ScopedAPIWriteTests
from tests.projects.conftest import association, project

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(gd):
    gx = association("450000", "广西壮族自治区青年志愿者协会")
    gd.hz_project = project(gd.hz, name="海珠关爱留守儿童", programme=gd.guanai)
    gd.th_project = project(
        gd.th, name="天河助残", programme=gd.yangguang, field="elderly_disabled"
    )
    gd.gd_comp = c.competition_create(
        actor=None, organiser=Region.objects.get(code="440000"), name="广东益苗计划", year=2021
    )
    gd.gx_comp = c.competition_create(
        actor=None, organiser=Region.objects.get(code="450000"), name="广西项目大赛", year=2021
    )
    gd.gx = gx
    return gd


class TestProgrammeRead(ScopedAPIReadTests):
    """National reference data: every grantee reads every programme; unknown codes are 404."""

    model_label = "projects.Programme"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/programmes/"
    api_in_scope = "/api/programmes/guanai"
    api_out_of_scope = "/api/programmes/no-such-programme"
    lookup_key = "code"
    in_scope_key = "guanai"
    out_of_scope_key = "no-such-programme"


class TestProjectRead(ScopedAPIReadTests):
    model_label = "projects.Project"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/projects/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, world):
        self.api_in_scope = f"/api/projects/{world.hz_project.pk}"
        self.api_out_of_scope = f"/api/projects/{world.th_project.pk}"
        self.in_scope_key, self.out_of_scope_key = world.hz_project.pk, world.th_project.pk


class TestProjectWrite(ScopedAPIWriteTests):
    model_label = "projects.Project"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/projects/"
    editable_patch = {"name": "海珠关爱行动", "results": "服务留守儿童 300 人次"}
    read_only_patch = {"association": "x", "county": "440106"}
    out_of_scope_status = 404

    @pytest.fixture(autouse=True)
    def _objects(self, world):
        self.world = world
        self.api_in_scope = f"/api/projects/{world.hz_project.pk}"

    def create_data(self):
        return {
            "association": self.world.hz.number,
            "name": "金晖助老",
            "programme": "jinhui",
            "field": "elderly_disabled",
            "region": "440105001",
            "target_groups": ["empty_nest"],
            "start_on": "2021-03-05",
            "status": "running",
        }

    def create_data_out_of_scope(self):
        return {**self.create_data(), "association": self.world.th.number, "region": "440106"}


class TestCompetitionRead(ScopedAPIReadTests):
    """A county cadre sees its province's contest (to enter it), not another province's."""

    model_label = "projects.Competition"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/competitions/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, world):
        self.api_in_scope = f"/api/competitions/{world.gd_comp.pk}"
        self.api_out_of_scope = f"/api/competitions/{world.gx_comp.pk}"
        self.in_scope_key, self.out_of_scope_key = world.gd_comp.pk, world.gx_comp.pk


def test_project_refusals_name_the_field(world, client_for):
    client = client_for("county_admin", "440105")
    response = client.post(
        "/api/projects/",
        {
            "association": world.hz.number,
            "name": "",
            "field": "children",
            "region": "440303",
            "start_on": "2021-03-05",
            "end_on": "2021-03-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["name"] == ["请填写项目名称。"]
    assert fields["end_on"] == ["结束日期不能早于开始日期。"]
    assert "不在海珠区青年志愿者协会的区划范围内" in fields["region"][0]


def test_activity_and_library_through_the_api(world, client_for):
    client = client_for("county_admin", "440105")
    url = f"/api/projects/{world.hz_project.pk}"
    bad = client.post(
        f"{url}/activities/",
        {
            "title": "探访",
            "starts_at": "2021-06-01T12:00:00+08:00",
            "ends_at": "2021-06-01T09:00:00+08:00",
            "place": "赤岗",
            "posts": 5,
        },
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["ends_at"] == ["结束时间须晚于开始时间。"]
    ok = client.post(
        f"{url}/activities/",
        {
            "title": "探访",
            "starts_at": "2021-06-01T09:00:00+08:00",
            "ends_at": "2021-06-01T12:00:00+08:00",
            "place": "赤岗",
            "posts": 5,
        },
        content_type="application/json",
    )
    assert ok.status_code == 201
    assert ok.json()["activities"][0]["posts"] == 5
    submitted = client.post(
        f"{url}/library/", {"note": "申报入库"}, content_type="application/json"
    )
    assert submitted.status_code == 200
    assert submitted.json()["library"]["state"] == "submitted"


def test_sinking_api(world, client_for):
    client = client_for("city_admin", "440100")
    body = client.get("/api/programmes/sinking", {"region": "440100", "as_of": "2021-05-06"}).json()
    assert body["region"] == "440100" and body["counties"] == 11
    guanai = next(p for p in body["programmes"] if p["programme"] == "guanai")
    assert guanai["counties_counted"] == 1 and guanai["counties"] == ["440105"]
    assert guanai["rate"] == 9.1
    haizhu = next(ch for ch in guanai["children"] if ch["region"] == "440105")
    assert haizhu == {
        "region": "440105",
        "name": "海珠区",
        "counties": 1,
        "counted": 1,
        "rate": 100.0,
    }
    # Before the project started nothing had sunk.
    early = client.get(
        "/api/programmes/sinking", {"region": "440100", "as_of": "2020-12-31"}
    ).json()
    assert all(p["counties_counted"] == 0 for p in early["programmes"])
    assert client.get("/api/programmes/sinking", {"region": "450000"}).status_code == 404
    assert client.get("/api/programmes/sinking", {"as_of": "2021-13-01"}).status_code == 400


def test_ranking_api(world, make_user, client_for):
    province = make_user("province_admin", "440000")
    comp = world.gd_comp
    cat = c.category_add(actor=province, competition=comp, name="关爱少年儿童")
    stage = c.stage_add(actor=province, competition=comp, kind="final")
    c.criteria_set(actor=province, stage=stage, criteria=[{"name": "现场表现", "weight": 100}])
    city = make_user("city_admin", "440100")
    e1 = c.entry_submit(actor=city, competition=comp, category=cat, project=world.hz_project)
    e2 = c.entry_submit(actor=city, competition=comp, category=cat, project=world.th_project)
    judge = make_user("viewer", "450000")
    c.judge_assign(actor=province, stage=stage, category=cat, judge=judge)
    crit = stage.criteria.get()
    c.sheet_save(actor=judge, entry=e1, scores={str(crit.pk): 70}, submit=True)
    c.sheet_save(actor=judge, entry=e2, scores={str(crit.pk): 85.5}, submit=True)
    c.award_grant(actor=province, entry=e2, tier="金奖", amount=30000)
    client = client_for("county_admin", "440105")
    body = client.get(f"/api/competitions/{comp.pk}/ranking").json()
    assert body["stage"] == "final"
    rows = [
        (r["entry"], r["project"], r["region"], r["score"], r["rank"], r["award"])
        for r in body["results"]
    ]
    assert rows == [
        (e2.pk, world.th_project.pk, "440100", "85.50", 1, "金奖"),
        (e1.pk, world.hz_project.pk, "440100", "70.00", 2, None),
    ]
    assert (
        client.get(f"/api/competitions/{comp.pk}/ranking", {"stage": "roadshow"}).status_code == 400
    )
    listed = client.get("/api/competitions/").json()["results"]
    assert [x["name"] for x in listed] == ["广东益苗计划"]


@pytest.fixture
def library(world):
    from qingxie.projects import services

    world.hz_lib = services.library_submit(actor=None, project=world.hz_project, note="申报")
    world.th_lib = services.library_submit(actor=None, project=world.th_project, note="申报")
    return world


class TestLibraryRead(ScopedAPIReadTests):
    model_label = "projects.LibraryEntry"
    role = "county_admin"
    grant_code = "440105"
    api_list = "/api/library/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, library):
        self.api_in_scope = f"/api/library/{library.hz_lib.pk}"
        self.api_out_of_scope = f"/api/library/{library.th_lib.pk}"
        self.in_scope_key, self.out_of_scope_key = library.hz_lib.pk, library.th_lib.pk


class TestLibraryWrite(ScopedAPIWriteTests):
    """Entries are made by submitting a project (POST /api/projects/<id>/library/) and
    decided by `decide`; no create or PATCH here."""

    model_label = "projects.LibraryEntry"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/library/"

    @pytest.fixture(autouse=True)
    def _objects(self, library):
        self.api_in_scope = f"/api/library/{library.hz_lib.pk}"


def test_library_decisions_through_the_api(library, client_for):
    city = client_for("city_admin", "440100")
    queue = city.get("/api/library/", {"queue": 1}).json()["results"]
    assert {e["id"] for e in queue} == {library.hz_lib.pk, library.th_lib.pk}
    county = client_for("county_admin", "440105")
    refused = county.post(
        f"/api/library/{library.hz_lib.pk}/decide/",
        {"step": "approve"},
        content_type="application/json",
    )
    assert refused.status_code == 403 and "广州市" in refused.json()["error"]["message"]
    url = f"/api/library/{library.hz_lib.pk}/decide/"
    body = city.post(
        url, {"step": "approve", "number": "GZ-2021-001"}, content_type="application/json"
    ).json()
    assert body["listing"] == "listed" and body["number"] == "GZ-2021-001"
    reused = city.post(
        f"/api/library/{library.th_lib.pk}/decide/",
        {"step": "approve", "number": "GZ-2021-001"},
        content_type="application/json",
    )
    assert reused.status_code == 400
    assert reused.json()["error"]["fields"]["number"] == ["入库编号“GZ-2021-001”已被使用。"]
    no_reason = city.post(url, {"step": "withdraw"}, content_type="application/json")
    assert no_reason.json()["error"]["fields"]["reason"] == ["请填写退库原因。"]
    assert (
        city.post(url, {"step": "publish"}, content_type="application/json").json()["listing"]
        == "published"
    )
