"""The workbench's cached parts follow every write at once: each panel whose user-independent
part is kept per region and data version (core.cache) shows a change made through the services
on the next visit, on the county's workbench and on the levels above."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from qingxie.plans import services as plans
from qingxie.plans.models import Task
from qingxie.regions.models import Region
from qingxie.teams.services import team_create
from tests.web.helpers import by_id, codes, doc, make_association, text

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def plans_seed(db):
    """The plans migration's templates (a transactional test's flush removes them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("qingxie.plans.migrations.0002_default_templates_and_blockers").seed(
        apps, None
    )


def test_a_new_team_shows_on_the_county_workbench_at_once(client_for):
    haizhu = make_association("440105")
    client = client_for("county_admin", "440105")
    tree = doc(client.get("/"))
    missing = codes(tree, "//ul[@id='townships-missing']/li")
    assert not tree.xpath("//table[@id='county-teams']")
    doc(client.get("/"))  # served from the cache

    street = Region.objects.get(code=missing[0])
    team_create(
        actor=None,
        association=haizhu,
        name=f"{street.name}青年志愿服务队",
        category="township",
        township=street,
        founded_on=datetime.date(2021, 1, 1),
    )
    tree = doc(client.get("/"))
    assert codes(tree, "//ul[@id='townships-missing']/li") == missing[1:]
    assert text(by_id(tree, "townships-missing-count")) == str(len(missing) - 1)
    assert f"{street.name}青年志愿服务队" in text(by_id(tree, "county-teams"))


def test_a_closed_task_leaves_the_overdue_list_at_once(client_for, plans_seed):
    start = TODAY - datetime.timedelta(days=100)
    draft = plans.plan_draft(
        county=Region.objects.get(code="440106"),
        target_date=TODAY + datetime.timedelta(days=60),
        today=start,
    )
    plan = plans.plan_create(actor=None, draft=draft, today=start)
    city = client_for("city_admin", "440100")
    province = client_for("province_admin", "440000")
    overdue = int(text(by_id(doc(city.get("/")), "plans-overdue-count")))
    assert overdue > 0
    assert text(by_id(doc(province.get("/")), "plans-overdue-count")) == str(overdue)

    task = Task.objects.filter(plan=plan, due__lt=TODAY).order_by("due").first()
    plans.task_close(actor=None, task=task, note="已完成")
    assert text(by_id(doc(city.get("/")), "plans-overdue-count")) == str(overdue - 1)
    assert text(by_id(doc(province.get("/")), "plans-overdue-count")) == str(overdue - 1)


def test_an_assigned_county_leaves_the_unassigned_and_joins_my_counties(
    client_for, make_user, plans_seed
):
    from django.test import Client

    cadre = make_user("city_admin", "440100")
    client = Client()
    client.force_login(cadre)
    tree = doc(client.get("/"))
    before = text(by_id(tree, "unassigned-counties"))
    assert not tree.xpath("//ul[@id='my-counties']")
    plans.responsibility_assign(actor=None, county=Region.objects.get(code="440106"), cadre=cadre)
    tree = doc(client.get("/"))
    assert codes(tree, "//ul[@id='my-counties']/li") == ["440106"]
    assert text(by_id(tree, "unassigned-counties")) != before


def test_a_returned_item_reaches_the_county_s_list_at_once(client_for, make_user):
    from qingxie.ledger import services as ledger
    from tests.web.helpers import required_items, submit

    liwan = make_association("440103")
    county = client_for("county_admin", "440103")
    assert text(by_id(doc(county.get("/")), "returned-count")) == "0"
    entry = submit(liwan, required_items()[0])
    assert text(by_id(doc(county.get("/")), "returned-count")) == "0"
    ledger.checklist_entry_return(
        actor=make_user("city_admin", "440100"), entry=entry, reason="章程未盖章"
    )
    tree = doc(county.get("/"))
    assert text(by_id(tree, "returned-count")) == "1"
    assert "章程未盖章" in text(by_id(tree, "returned-list"))


def test_a_submitted_item_reaches_the_queues_at_once_and_escalates_with_the_clock(make_user):
    """The verification queue is kept per data version, yet the city sees a submission at
    once and the province sees it the moment it has waited long enough to escalate."""
    from unittest import mock

    from django.test import Client

    from qingxie.ledger.services import CHECKLIST_ESCALATE_AFTER
    from tests.web.helpers import required_items, submit

    liwan = make_association("440103")
    city_admin, province_admin = (
        make_user("city_admin", "440100"),
        make_user("province_admin", "440000"),
    )
    city, province = Client(), Client()
    city.force_login(city_admin)
    province.force_login(province_admin)
    assert text(by_id(doc(city.get("/")), "pending-count")) == "0"
    assert text(by_id(doc(province.get("/")), "pending-count")) == "0"

    submit(liwan, required_items()[0])
    tree = doc(city.get("/"))
    assert text(by_id(tree, "pending-count")) == "1"
    assert liwan.name in text(by_id(tree, "pending-list"))
    # The city decides first: the province waits, and reads its queue from the cache.
    for _ in range(2):
        assert text(by_id(doc(province.get("/")), "pending-count")) == "0"

    later = timezone.now() + CHECKLIST_ESCALATE_AFTER + datetime.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        province.force_login(province_admin)  # the session would have expired by then
        tree = doc(province.get("/"))
    assert text(by_id(tree, "pending-count")) == "1"
    assert liwan.name in text(by_id(tree, "pending-list"))


def test_the_kept_map_panel_follows_the_date_asked(client_for):
    """The map panel is rendered once per region, date and data version: each date asked
    shows its own in the panel's controls."""
    client = client_for("city_admin", "440100")
    for day in ("2024-06-30", "2023-01-31", "2024-06-30"):
        tree = doc(client.get(f"/?as_of={day}"))
        panel = by_id(tree, "coverage-map-panel")
        assert panel.xpath(".//input[@data-map-date]/@value") == [day]
        assert f"as_of={day}" in panel.xpath(".//a[contains(@href, '/map/')]/@href")[0]
