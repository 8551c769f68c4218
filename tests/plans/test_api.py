"""The plans API: generic read/write tests, the endpoints the issue names, generation,
closing a task, figures and blocker statistics."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import timezone

from qingxie.plans import services
from qingxie.plans.models import Plan, Task
from qingxie.regions.models import Region
from tests.generic import ScopedAPIReadTests, ScopedAPIWriteTests
from tests.plans.conftest import TARGET

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _plan(code: str, **kw) -> Plan:
    draft = services.plan_draft(county=Region.objects.get(code=code), target_date=TARGET, **kw)
    return services.plan_create(actor=None, draft=draft)


@pytest.fixture
def plans(plans_seed):
    return SimpleNamespace(th=_plan("440106"), yx=_plan("440104"))


class TestPlanRead(ScopedAPIReadTests):
    model_label = "plans.Plan"
    role = "county_admin"
    grant_code = "440106"
    api_list = "/api/plans/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, plans):
        self.api_in_scope = f"/api/plans/{plans.th.pk}/"
        self.api_out_of_scope = f"/api/plans/{plans.yx.pk}/"
        self.in_scope_key, self.out_of_scope_key = plans.th.pk, plans.yx.pk


class TestPlanWrite(ScopedAPIWriteTests):
    model_label = "plans.Plan"
    role = "county_admin"
    grant_code = "440106"
    api_list = "/api/plans/"

    @pytest.fixture(autouse=True)
    def _objects(self, plans_seed):
        self.api_in_scope = f"/api/plans/{_plan('440105').pk}/"

    def create_data(self):
        return {"county": "440106", "goal": "both", "target_date": TARGET.isoformat()}

    def create_data_out_of_scope(self):
        return {"county": "440104", "goal": "both", "target_date": TARGET.isoformat()}


class TestTaskRead(ScopedAPIReadTests):
    model_label = "plans.Task"
    role = "county_admin"
    grant_code = "440106"
    api_list = "/api/plans/tasks/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, plans):
        mine, other = plans.th.tasks.first(), plans.yx.tasks.first()
        self.api_in_scope = f"/api/plans/tasks/{mine.pk}/"
        self.api_out_of_scope = f"/api/plans/tasks/{other.pk}/"
        self.in_scope_key, self.out_of_scope_key = mine.pk, other.pk


class TestTaskWrite(ScopedAPIWriteTests):
    model_label = "plans.Task"
    role = "county_admin"
    grant_code = "440106"
    api_list = "/api/plans/tasks/"

    @pytest.fixture(autouse=True)
    def _objects(self, plans):
        self.api_in_scope = f"/api/plans/tasks/{plans.th.tasks.first().pk}/"


@pytest.fixture
def duty(plans_seed, make_user, region):
    cadre = make_user("city_admin", "440100", username="gz-cadre")
    sz = make_user("city_admin", "440300")
    return SimpleNamespace(
        cadre=cadre,
        th=services.responsibility_assign(actor=None, county=region("440106"), cadre=cadre),
        lh=services.responsibility_assign(actor=None, county=region("440303"), cadre=sz),
    )


class TestResponsibilityRead(ScopedAPIReadTests):
    model_label = "plans.Responsibility"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/plans/responsibilities/"
    lookup_key = "id"

    @pytest.fixture(autouse=True)
    def _objects(self, duty):
        self.api_in_scope = f"/api/plans/responsibilities/{duty.th.pk}/"
        self.api_out_of_scope = f"/api/plans/responsibilities/{duty.lh.pk}/"
        self.in_scope_key, self.out_of_scope_key = duty.th.pk, duty.lh.pk


class TestResponsibilityWrite(ScopedAPIWriteTests):
    model_label = "plans.Responsibility"
    role = "city_admin"
    grant_code = "440100"
    api_list = "/api/plans/responsibilities/"

    @pytest.fixture(autouse=True)
    def _objects(self, duty):
        self.api_in_scope = f"/api/plans/responsibilities/{duty.th.pk}/"

    def create_data(self):
        return {"county": "440105", "cadre": "gz-cadre"}

    def create_data_out_of_scope(self):
        return {"county": "440303", "cadre": "gz-cadre"}


def _client(make_user, role, code):
    client = Client()
    client.force_login(make_user(role, code))
    return client


def test_plan_list_by_region_has_the_named_fields(plans, make_user):
    client = _client(make_user, "city_admin", "440100")
    body = client.get("/api/plans/?region=440106").json()
    assert [row["id"] for row in body["results"]] == [plans.th.pk]
    row = body["results"][0]
    assert row["county"] == "440106" and row["goal"] == "both"
    assert row["target_date"] == TARGET.isoformat() and row["status"] == "on_track"


def test_task_list_overdue_on_a_date(plans, make_user):
    client = _client(make_user, "city_admin", "440100")
    prep = plans.th.tasks.get(code="prep")
    day = prep.due + datetime.timedelta(days=1)
    body = client.get(f"/api/plans/tasks/?region=440106&overdue_on={day.isoformat()}").json()
    rows = body["results"]
    assert {r["title"] for r in rows} == {"成立筹备组"}
    assert rows[0]["county"] == "440106" and rows[0]["plan"] == plans.th.pk
    assert rows[0]["due"] == prep.due.isoformat() and rows[0]["status"] == "open"
    assert "owner" in rows[0]


def test_generate_preview_then_save(plans_seed, make_user):
    client = _client(make_user, "city_admin", "440100")
    body = {"region": "440100", "target_date": TARGET.isoformat(), "dry_run": True}
    preview = client.post("/api/plans/generate", body, content_type="application/json")
    assert preview.status_code == 200
    assert Plan.objects.count() == 0
    counties = {p["county"] for p in preview.json()["plans"]}
    assert "440106" in counties
    saved = client.post(
        "/api/plans/generate", {**body, "dry_run": False}, content_type="application/json"
    )
    assert saved.status_code == 201
    assert Plan.objects.count() == len(counties)


def test_generate_in_the_past_names_the_field(plans_seed, make_user):
    client = _client(make_user, "city_admin", "440100")
    body = {"region": "440100", "target_date": "2020-01-01", "dry_run": False}
    response = client.post("/api/plans/generate", body, content_type="application/json")
    assert response.status_code == 400
    assert "target_date" in response.json()["error"]["fields"]
    assert Plan.objects.count() == 0


def test_close_a_task_over_the_api_and_a_contradiction(plans, make_user):
    client = _client(make_user, "county_admin", "440106")
    prep = plans.th.tasks.get(code="prep")
    ok = client.post(
        f"/api/plans/tasks/{prep.pk}/close/",
        {"note": "已成立筹备组"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "done"
    congress = plans.th.tasks.get(code="congress")
    refused = client.post(
        f"/api/plans/tasks/{congress.pk}/close/", {"note": "x"}, content_type="application/json"
    )
    assert refused.status_code == 400
    assert "尚无在册协会" in refused.json()["error"]["fields"]["status"][0]
    assert Task.objects.get(pk=congress.pk).status == "open"


def test_figures_and_blocker_stats(plans, make_user):
    client = _client(make_user, "province_admin", "440000")
    figures = client.get("/api/plans/figures?region=440100").json()
    assert figures["counties_with_plan"] == 2 and figures["tasks"] == Task.objects.count()
    stats = client.get("/api/plans/blocker-stats?region=440000").json()
    assert stats["open"] == 0 and any(k["label"] == "民政登记受阻" for k in stats["kinds"])
    other = _client(make_user, "province_admin", "450000")
    assert other.get("/api/plans/figures?region=440100").status_code == 404


def test_a_plan_number_past_the_column_or_not_whole_is_a_400_naming_it(plans, make_user):
    client = _client(make_user, "city_admin", "440100")
    for raw in ("-1.7976931348623157e+308", "99999999999999999999", "1.5", "abc"):
        response = client.get("/api/plans/tasks/", {"plan": raw})
        assert response.status_code == 400, (raw, response.content[:200])
        assert response.json()["error"]["fields"]["plan"], raw
    ok = client.get("/api/plans/tasks/", {"plan": plans.th.pk, "region": "440106"})
    assert ok.status_code == 200 and ok.json()["results"]


def test_verify_refuses_a_body_that_is_not_an_object_and_verifies_nothing(plans, make_user):
    from qingxie.plans import services

    services.plan_submit(actor=None, plan=plans.th, note="请审核")
    client = _client(make_user, "city_admin", "440100")
    url = f"/api/plans/{plans.th.pk}/verify/"
    refused = client.post(url, "[]", content_type="application/json")
    assert refused.status_code == 400
    assert "必须是 JSON 对象" in refused.json()["error"]["message"]
    plans.th.refresh_from_db()
    assert plans.th.state == "submitted"
    assert client.post(url, {}, content_type="application/json").status_code == 200
