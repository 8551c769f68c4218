"""The competition write API: one edition set up, entered, judged (回避 refused with its
reason), advanced, awarded and funded through JSON, with the pages' rules and error shape."""

from __future__ import annotations

import pytest

from qingxie.core.models import ObjectChange
from qingxie.projects.models import Award, Competition, Disbursement, Entry, ScoreSheet
from tests.generic import ScopedAPIReadTests, ScopedAPIWriteTests
from tests.projects.conftest import project

pytestmark = pytest.mark.django_db


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_an_edition_from_set_up_to_funding_through_the_api(gd, client_for, make_user):
    province = client_for("province_admin", "440000")
    made = post(
        province, "/api/competitions/", {"organiser": "440000", "name": "益苗计划", "year": 2021}
    )
    assert made.status_code == 201, made.content
    cid = made.json()["id"]
    assert (
        post(province, f"/api/competitions/{cid}/categories/", {"name": "关爱少年儿童"}).status_code
        == 201
    )
    assert (
        post(province, f"/api/competitions/{cid}/stages/", {"kind": "preliminary"}).status_code
        == 201
    )
    assert post(province, f"/api/competitions/{cid}/stages/", {"kind": "final"}).status_code == 201
    bad = post(
        province,
        f"/api/competitions/{cid}/criteria/",
        {
            "stage": "preliminary",
            "criteria": [{"name": "项目创意", "weight": 50}, {"name": "受益覆盖", "weight": 30}],
        },
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"]["criteria"] == ["各评分项权重之和须为 100，现为 80。"]
    body = post(
        province,
        f"/api/competitions/{cid}/criteria/",
        {"stage": "preliminary", "criteria": [{"name": "项目创意", "weight": 100}]},
    ).json()
    crit = body["stages"][0]["criteria"][0]["id"]
    quota = post(
        province, f"/api/competitions/{cid}/quotas/", {"region": "440100", "max_entries": 1}
    )
    assert quota.json()["quotas"] == [{"region": "440100", "name": "广州市", "max_entries": 1}]

    hz, th = project(gd.hz, name="海珠项目"), project(gd.th, name="天河项目")
    county = client_for("county_admin", "440105")
    skipped = post(
        county,
        "/api/competition-entries/",
        {"competition": cid, "category": "关爱少年儿童", "project": hz.pk},
    )
    assert (
        skipped.status_code == 400
        and "不能越级报送" in skipped.json()["error"]["fields"]["project"][0]
    )
    city = client_for("city_admin", "440100")
    entry = post(
        city,
        "/api/competition-entries/",
        {"competition": cid, "category": "关爱少年儿童", "project": hz.pk},
    )
    assert entry.status_code == 201, entry.content
    eid = entry.json()["id"]
    over = post(
        city,
        "/api/competition-entries/",
        {"competition": cid, "category": "关爱少年儿童", "project": th.pk},
    )
    assert over.json()["error"]["fields"]["quota"] == ["广州市的报送名额为 1 个，已报送 1 个。"]

    # Judges: a Guangzhou cadre must stand aside for Guangzhou's entry and is told why.
    gz_judge = make_user("viewer", "440100")
    outsider = make_user("viewer", "450000")
    for judge in (gz_judge, outsider):
        assigned = post(
            province,
            f"/api/competitions/{cid}/judges/",
            {"stage": "preliminary", "category": "关爱少年儿童", "judge": judge.username},
        )
        assert assigned.status_code == 201, assigned.content
    from django.test import Client

    gz_client, out_client = Client(), Client()
    gz_client.force_login(gz_judge)
    out_client.force_login(outsider)
    refused = post(
        gz_client, f"/api/competition-entries/{eid}/scores/", {"scores": {str(crit): 80}}
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == {
        "code": "conflict_of_interest",
        "message": "须回避：评委的权限区划为广州市，不能为广州市报送的参赛项目评分。",
    }
    tasks = out_client.get(f"/api/competitions/{cid}/judging/").json()["results"]
    assert [t["entry"] for t in tasks] == [eid] and tasks[0]["conflict"] is None
    too_high = post(
        out_client,
        f"/api/competition-entries/{eid}/scores/",
        {"scores": {str(crit): 101}, "submit": True},
    )
    assert too_high.json()["error"]["fields"][f"criterion_{crit}"] == [
        "“项目创意”的得分须在 0 到 100 之间。"
    ]
    assert not ScoreSheet.objects.exists()
    sheet = post(
        out_client,
        f"/api/competition-entries/{eid}/scores/",
        {"scores": {str(crit): 88}, "submit": True},
    )
    assert sheet.status_code == 200 and sheet.json()["state"] == "submitted"
    ranking = county.get(f"/api/competitions/{cid}/ranking").json()["results"]
    assert [(r["entry"], r["score"], r["rank"]) for r in ranking] == [(eid, "88.00", 1)]

    # Advancement, award, disbursements (never above the award).
    assert (
        post(
            city, f"/api/competitions/{cid}/advance/", {"stage": "preliminary", "entries": [eid]}
        ).status_code
        == 403
    )
    moved = post(
        province, f"/api/competitions/{cid}/advance/", {"stage": "preliminary", "entries": [eid]}
    )
    assert moved.status_code == 200 and Entry.objects.get(pk=eid).stage.kind == "final"
    awarded = post(
        province, f"/api/competition-entries/{eid}/award/", {"tier": "示范项目", "amount": "50000"}
    )
    assert awarded.status_code == 201 and awarded.json()["award"]["amount"] == "50000.00"
    paid = post(
        province,
        f"/api/competition-entries/{eid}/disbursements/",
        {"amount": "30000", "paid_on": "2021-06-01"},
    )
    assert paid.json()["award"]["disbursed"] == "30000.00"
    over_paid = post(
        province,
        f"/api/competition-entries/{eid}/disbursements/",
        {"amount": "20000.01", "paid_on": "2021-07-01"},
    )
    assert over_paid.json()["error"]["fields"]["amount"] == [
        "拨付合计 50000.01 元将超过奖项金额 50000.00 元（已拨付 30000.00 元）。"
    ]
    huge = post(
        province,
        f"/api/competition-entries/{eid}/disbursements/",
        {"amount": "1e400", "paid_on": "2021-07-01"},
    )
    assert huge.status_code == 400 and "amount" in huge.json()["error"]["fields"]
    assert Disbursement.objects.count() == 1 and Award.objects.count() == 1
    assert Competition.objects.filter(pk=cid).exists()


def test_an_entry_is_withdrawn_with_a_reason_by_the_level_that_sent_it(gd, client_for, make_user):
    from qingxie.projects import competitions as c
    from qingxie.regions.models import Region

    comp = c.competition_create(
        actor=None, organiser=Region.objects.get(code="440000"), name="益苗", year=2021
    )
    cat = c.category_add(actor=None, competition=comp, name="社区治理")
    c.quota_set(
        actor=None, competition=comp, region=Region.objects.get(code="440100"), max_entries=1
    )
    entry = c.entry_submit(actor=None, competition=comp, category=cat, project=project(gd.hz))
    url = f"/api/competition-entries/{entry.pk}/withdraw/"
    county = client_for("county_admin", "440105")
    refused = post(county, url, {"reason": "重复申报"})
    assert refused.status_code == 403 and "广州市" in refused.json()["error"]["message"]
    city = client_for("city_admin", "440100")
    before = ObjectChange.objects.count()
    no_reason = post(city, url, {})
    assert no_reason.json()["error"]["fields"]["reason"] == ["请填写撤回原因。"]
    assert ObjectChange.objects.count() == before
    done = post(city, url, {"reason": "项目负责人调整，暂缓参赛"}).json()
    assert done["state"] == "withdrawn" and done["withdraw_reason"] == "项目负责人调整，暂缓参赛"
    assert post(city, url, {"reason": "again"}).json()["error"]["fields"]["entry"] == [
        "该参赛项目已撤回。"
    ]
    # The place in the quota is free again.
    again = post(
        city,
        "/api/competition-entries/",
        {"competition": comp.pk, "category": "社区治理", "project": project(gd.th).pk},
    )
    assert again.status_code == 201


def test_withdrawal_on_the_pages(gd, client_for):
    from qingxie.projects import competitions as c
    from qingxie.regions.models import Region

    comp = c.competition_create(
        actor=None, organiser=Region.objects.get(code="440000"), name="益苗", year=2021
    )
    cat = c.category_add(actor=None, competition=comp, name="社区治理")
    entry = c.entry_submit(actor=None, competition=comp, category=cat, project=project(gd.hz))
    city = client_for("city_admin", "440100")
    page = city.get(f"/competitions/{comp.pk}/").content.decode()
    url = f"/competitions/{comp.pk}/entries/{entry.pk}/withdraw/"
    assert url in page
    county = client_for("county_admin", "440105")
    assert url not in county.get(f"/competitions/{comp.pk}/").content.decode()
    assert county.post(url, {"reason": "x", "version": 1}).status_code == 403
    empty = city.post(url, {"reason": "", "version": 1})
    assert "请填写撤回原因。" in empty.content.decode()
    assert city.post(url, {"reason": "材料不全", "version": 1}).status_code == 302
    page = city.get(f"/competitions/{comp.pk}/").content.decode()
    assert "撤回原因：材料不全" in page and url not in page


@pytest.fixture
def contest_world(gd):
    from qingxie.projects import competitions as c
    from qingxie.regions.models import Region

    gd.comp = c.competition_create(
        actor=None, organiser=Region.objects.get(code="440000"), name="广东益苗计划", year=2021
    )
    gd.cat = c.category_add(actor=None, competition=gd.comp, name="关爱少年儿童")
    gd.th_project = project(gd.th, name="天河项目")
    gd.hz_entry = c.entry_submit(
        actor=None, competition=gd.comp, category=gd.cat, project=project(gd.hz, name="海珠项目")
    )
    gd.lh_entry = c.entry_submit(
        actor=None, competition=gd.comp, category=gd.cat, project=project(gd.lh, name="罗湖项目")
    )
    return gd


class TestCompetitionWrite(ScopedAPIWriteTests):
    """Editions are opened by a level's administrators; no PATCH (set-up goes by actions)."""

    model_label = "projects.Competition"
    role = "province_admin"
    grant_code = "440000"
    api_list = "/api/competitions/"
    out_of_scope_code = "450000"

    @pytest.fixture(autouse=True)
    def _objects(self, contest_world):
        self.api_in_scope = f"/api/competitions/{contest_world.comp.pk}/"

    def create_data(self):
        return {"organiser": "440000", "name": "益苗计划2023", "year": 2023}


class TestEntryRead(ScopedAPIReadTests):
    model_label = "projects.Entry"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/competition-entries/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, contest_world):
        self.api_in_scope = f"/api/competition-entries/{contest_world.hz_entry.pk}/"
        self.api_out_of_scope = f"/api/competition-entries/{contest_world.lh_entry.pk}/"
        self.in_scope_key = contest_world.hz_entry.pk
        self.out_of_scope_key = contest_world.lh_entry.pk


class TestEntryWrite(ScopedAPIWriteTests):
    """Entries are sent by the level below the organiser; another city cannot see the project."""

    model_label = "projects.Entry"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/competition-entries/"
    out_of_scope_code = "440300"
    out_of_scope_status = 404

    @pytest.fixture(autouse=True)
    def _objects(self, contest_world):
        self.world = contest_world
        self.api_in_scope = f"/api/competition-entries/{contest_world.hz_entry.pk}/"

    def create_data(self):
        return {
            "competition": self.world.comp.pk,
            "category": "关爱少年儿童",
            "project": self.world.th_project.pk,
        }
