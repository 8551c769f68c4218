"""The plans pages: a plan's page, the list, generation with preview, closing a task with a
note, the responsibility page, the map, blockers, exports, the workbench panels."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.utils import timezone

from qingxie.core.models import ObjectChange
from qingxie.plans import services
from qingxie.plans.models import Blocker, Plan, Responsibility, Task
from qingxie.regions.models import Region
from tests.generic import ScopedDetailViewTests
from tests.plans.conftest import TARGET

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _plan(code: str) -> Plan:
    draft = services.plan_draft(county=Region.objects.get(code=code), target_date=TARGET)
    return services.plan_create(actor=None, draft=draft)


class TestPlanDetailView(ScopedDetailViewTests):
    model_label = "plans.Plan"
    role = "county_admin"
    grant_code = "440106"
    expected_text = "倒排工期时间轴"

    @pytest.fixture(autouse=True)
    def _data(self, plans_seed):
        self.url_in_scope = _plan("440106").get_absolute_url()
        self.url_out_of_scope = _plan("440104").get_absolute_url()


def _client(make_user, role, code):
    client = Client()
    user = make_user(role, code)
    client.force_login(user)
    return client, user


def test_city_generates_with_a_preview_first(plans_seed, make_user):
    client, _ = _client(make_user, "city_admin", "440100")
    page = client.get("/plans/generate/?region=440100")
    assert page.status_code == 200 and "批量生成一县一策计划" in page.content.decode()
    preview = client.post(
        "/plans/generate/?region=440100",
        {"region": "440100", "target_date": TARGET.isoformat(), "confirm": "0"},
    )
    html = preview.content.decode()
    assert "预览：将为" in html and "天河区" in html
    assert Plan.objects.count() == 0
    saved = client.post(
        "/plans/generate/?region=440100",
        {"region": "440100", "target_date": TARGET.isoformat(), "confirm": "1"},
    )
    assert saved.status_code == 302
    assert Plan.objects.filter(county__code="440106").exists()
    listing = client.get("/plans/?region=440100").content.decode()
    assert "天河区" in listing and "按计划推进" in listing


def test_generation_refused_names_the_field_and_saves_nothing(plans_seed, make_user):
    client, _ = _client(make_user, "city_admin", "440100")
    response = client.post(
        "/plans/generate/", {"region": "440100", "target_date": "2020-01-01", "confirm": "1"}
    )
    assert response.status_code == 200
    assert "须晚于今天" in response.content.decode()
    assert Plan.objects.count() == 0


def test_a_county_cannot_generate_for_another(plans_seed, make_user):
    client, _ = _client(make_user, "county_admin", "440106")
    assert client.get("/plans/generate/?region=440104").status_code == 404


def test_county_closes_a_task_with_a_note(plans_seed, make_user):
    plan = _plan("440106")
    client, user = _client(make_user, "county_admin", "440106")
    prep = plan.tasks.get(code="prep")
    response = client.post(
        f"/plans/tasks/{prep.pk}/act/", {"action": "close", "note": "筹备组已成立"}
    )
    assert response.status_code == 302
    prep.refresh_from_db()
    assert prep.status == "done" and prep.close_note == "筹备组已成立"
    assert ObjectChange.objects.filter(object_id=str(prep.pk), user=user, action="update").exists()
    congress = plan.tasks.get(code="congress")
    client.post(f"/plans/tasks/{congress.pk}/act/", {"action": "close", "note": "x"})
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "尚无在册协会" in page
    assert Task.objects.get(pk=congress.pk).status == "open"


def test_blocker_and_sign_off_from_the_page(plans_seed, make_user):
    plan = _plan("440106")
    county, _ = _client(make_user, "county_admin", "440106")
    task = plan.tasks.get(code="register")
    from qingxie.plans.models import BlockerKind

    kind = BlockerKind.objects.get(code="registration_blocked")
    county.post(
        f"/plans/tasks/{task.pk}/act/",
        {
            "action": "blocker",
            "kind": kind.pk,
            "coordinate_with": "minzheng",
            "note": "业务主管单位未落实",
        },
    )
    assert Blocker.objects.get(task=task).kind == kind
    county.post(f"/plans/{plan.pk}/act/", {"action": "submit", "note": "请审核"})
    assert Plan.objects.get(pk=plan.pk).state == "submitted"
    city, _ = _client(make_user, "city_admin", "440100")
    assert "审核通过" in city.get(plan.get_absolute_url()).content.decode()
    city.post(f"/plans/{plan.pk}/act/", {"action": "verify"})
    assert Plan.objects.get(pk=plan.pk).state == "verified"
    stats = city.get("/plans/blockers/?region=440100").content.decode()
    assert "民政登记受阻" in stats and "共登记堵点 1 个" in stats


def test_responsibility_page_assigns_and_lists_the_unassigned(plans_seed, make_user):
    client, city = _client(make_user, "city_admin", "440100")
    page = client.get("/plans/responsibility/?region=440100").content.decode()
    assert "尚无责任人的县级单位" in page
    client.post(
        "/plans/responsibility/?region=440100",
        {"region": "440100", "county": ["440105", "440106"], "cadre": city.pk},
    )
    assert Responsibility.objects.filter(cadre=city, until__isnull=True).count() == 2
    county, _ = _client(make_user, "county_admin", "440106")
    response = county.post(
        "/plans/responsibility/", {"region": "440106", "county": ["440106"], "cadre": city.pk}
    )
    assert response.status_code == 403


def test_workbench_shows_my_counties_and_overdue_tasks(plans_seed, make_user):
    start = TODAY - __import__("datetime").timedelta(days=100)
    draft = services.plan_draft(
        county=Region.objects.get(code="440106"),
        target_date=TODAY + __import__("datetime").timedelta(days=60),
        today=start,
    )
    services.plan_create(actor=None, draft=draft, today=start)
    client, city = _client(make_user, "city_admin", "440100")
    services.responsibility_assign(actor=None, county=Region.objects.get(code="440106"), cadre=city)
    html = client.get("/").content.decode()
    assert 'id="panel-plans-counties"' in html and "我包联的县" in html
    assert 'id="panel-plans-tasks"' in html and "一县一策任务" in html
    assert html.index("panel-plans-counties") < html.index("panel-plans-tasks")


def test_map_and_exports(plans_seed, make_user):
    _plan("440106")
    client, _ = _client(make_user, "province_admin", "440000")
    page = client.get("/plans/map/?region=440100").content.decode()
    assert "计划状态地图" in page and "plan-map-data" in page and "尚无计划" in page
    xlsx = client.get("/plans/export/?region=440100&format=xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == "县级单位代码" and any(r[5] == "成立筹备组" for r in rows[2:])
    docx = client.get("/plans/export/?region=440100&format=docx")
    from docx import Document

    text = "\n".join(
        c.text for t in Document(io.BytesIO(docx.content)).tables for r in t.rows for c in r.cells
    )
    assert "成立筹备组" in text and "天河区" in text
    outsider, _ = _client(make_user, "province_admin", "450000")
    assert outsider.get("/plans/export/?region=440100&format=xlsx").status_code == 404


def test_counts_on_the_pages_take_english_plurals(plans_seed, make_user):
    """ "1 blocker", "2 days", "a plan for 1 county unit": English counts agree with the number."""
    plan = _plan("440106")
    county, _ = _client(make_user, "county_admin", "440106")
    task = plan.tasks.get(code="register")
    from qingxie.plans.models import BlockerKind

    county.post(
        f"/plans/tasks/{task.pk}/act/",
        {
            "action": "blocker",
            "kind": BlockerKind.objects.get(code="registration_blocked").pk,
            "coordinate_with": "minzheng",
            "note": "业务主管单位未落实",
        },
    )
    Task.objects.filter(pk=task.pk).update(duration_days=1)
    Task.objects.filter(plan=plan).exclude(pk=task.pk).update(duration_days=2)
    city, _ = _client(make_user, "city_admin", "440100")
    city.cookies["django_language"] = "en"
    stats = city.get("/plans/blockers/?region=440100").content.decode()
    assert "has 1 blocker recorded, 1 still open." in stats
    page = city.get(plan.get_absolute_url()).content.decode()
    assert "1 day<" in page and "2 days<" in page and "1 days" not in page
    preview = city.post(
        "/plans/generate/?region=440100",
        {"region": "440100", "target_date": TARGET.isoformat(), "confirm": "0"},
    ).content.decode()
    assert re.search(r"Preview: (a plan for 1 county unit|plans for \d+ county units)", preview)
    assert "plans for 1 county units" not in preview
