"""Who may record a 规范化认定日期 (issue 11, item 10): an administrator whose scope covers
the level above, on import and on the page, attributed to them; anyone else is told who may."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingxie.core.changelog import changes_for
from qingxie.core.context import change_context
from qingxie.core.review import ReviewDecision, review_history
from qingxie.core.tabular import run_import
from qingxie.ledger import services
from qingxie.ledger.choices import ChecklistState
from qingxie.ledger.models import Association, ChecklistEntry, ChecklistItem
from qingxie.ledger.sheets import LEDGER_KIND
from tests.sheets.files import LEDGER_HEADERS, ledger_row, xlsx

pytestmark = pytest.mark.django_db

D = dt.date


def _import(tmp_path, actor, rows):
    path = xlsx(tmp_path / "四川省县级协会台账.xlsx", LEDGER_HEADERS, rows)
    with change_context(user=actor, channel="import"):
        return run_import(LEDGER_KIND, path, filename=path.name, actor=actor)


def _county(code: str, name: str, standardized_on) -> list:
    return ledger_row(
        region=code,
        name=name,
        form="青年志愿者协会",
        established_on=D(2019, 3, 5),
        standardized_on=standardized_on,
    )


def test_the_province_records_its_counties_standardization_on_import(tmp_path, make_user):
    province = make_user("province_admin", "510000")
    report = _import(
        tmp_path,
        province,
        [
            _county("510104", "锦江区青年志愿者协会", "2021-04-20"),
            _county("510105", "青羊区青年志愿者协会", "2022-06-01"),
        ],
    )
    assert report.ok, [str(p) for p in report.problems]
    jinjiang = Association.objects.get(region__code="510104")
    assert jinjiang.standardized_since == D(2021, 4, 20)
    assert Association.objects.get(region__code="510105").standardized_since == D(2022, 6, 1)
    entries = ChecklistEntry.objects.filter(association=jinjiang)
    assert entries.count() == len(services.required_items())
    assert {e.decided_by for e in entries} == {province}
    # Attributed to the province admin in the change log and in the review history.
    logged = [c for e in entries for c in changes_for(e)]
    assert len(logged) == entries.count() and {c.user for c in logged} == {province}
    decisions = ReviewDecision.objects.filter(scope_path=jinjiang.region.path)
    assert {(d.action, d.user, d.on) for d in decisions} == {("record", province, D(2021, 4, 20))}
    assert {d.deciding_path for d in decisions} == {"000000/510000/510100/"}


def test_a_county_admin_may_not_record_its_own_standardization(tmp_path, make_user):
    county = make_user("county_admin", "510104")
    report = _import(tmp_path, county, [_county("510104", "锦江区青年志愿者协会", "2021-04-20")])
    assert [str(p) for p in report.problems] == [
        "第2行“规范化认定日期”：规范化建设只能由上一级（成都市）认定，"
        "您不能为锦江区的协会填写规范化认定日期。"
    ]
    assert not Association.objects.exists()
    assert not ReviewDecision.objects.exists()


def test_the_service_refuses_the_county_with_the_same_message(region, make_user):
    jinjiang = services.association_create(
        actor=None,
        region=region("510104"),
        name="锦江区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )
    with pytest.raises(services.PermissionDeniedError) as excinfo:
        services.association_standardize(
            actor=make_user("county_admin", "510104"), association=jinjiang, on=D(2021, 1, 1)
        )
    assert excinfo.value.message == (
        "规范化建设只能由上一级（成都市）认定，您不能为锦江区的协会填写规范化认定日期。"
    )
    assert not ChecklistEntry.objects.filter(association=jinjiang).exists()
    nation = make_user("national_admin", "000000")
    services.association_standardize(actor=nation, association=jinjiang, on=D(2021, 1, 1))
    jinjiang.refresh_from_db()
    assert jinjiang.standardized_since == D(2021, 1, 1)


def test_on_the_page_the_province_acts_once_the_city_has_not(
    region, client_for, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    jinjiang = services.association_create(
        actor=None,
        region=region("510104"),
        name="锦江区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )
    entry = services.checklist_entry_submit(
        actor=make_user("county_admin", "510104"),
        association=jinjiang,
        item=ChecklistItem.objects.get(code="charter"),
        note="章程已通过",
    )
    province = client_for("province_admin", "510000")
    url = f"/checklist/{entry.pk}/verify/"
    # First the city's: the province sees no button, and a post is refused.
    assert url not in province.get(jinjiang.get_absolute_url()).content.decode()
    province.post(url, {"on": "2021-05-01"})
    entry.refresh_from_db()
    assert entry.state == ChecklistState.SUBMITTED
    # Undecided past the wait: it is in the province's queue and the province verifies it.
    ChecklistEntry.objects.filter(pk=entry.pk).update(
        submitted_at=timezone.now() - services.CHECKLIST_ESCALATE_AFTER - dt.timedelta(days=1)
    )
    queue = province.get("/verification/").context["pending"]
    assert [e.pk for e in queue] == [entry.pk]
    assert url in province.get(jinjiang.get_absolute_url()).content.decode()
    province.post(url, {"on": "2021-05-01"}, follow=True)
    entry.refresh_from_db()
    assert entry.state == ChecklistState.VERIFIED and entry.verified_on == D(2021, 5, 1)
    assert review_history(entry).last().user.grants.get().region.code == "510000"
    assert changes_for(entry).first().user.username.endswith("510000")


def test_existing_checklist_decisions_become_review_history(region, make_user):
    """Migration ledger/0006 dates each kept step of entries written before the workflow."""
    import importlib

    from django.apps import apps

    from qingxie.ledger.models import ChecklistVerification

    migration = importlib.import_module("qingxie.ledger.migrations.0006_checklist_review_history")
    city = make_user("city_admin", "510100")
    jinjiang = services.association_create(
        actor=None,
        region=region("510104"),
        name="锦江区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=D(2019, 1, 1),
    )
    submitted = timezone.make_aware(dt.datetime(2021, 5, 20, 9))
    decided = timezone.make_aware(dt.datetime(2021, 6, 1, 15))
    charter, governance = (
        ChecklistEntry.objects.create(
            association=jinjiang,
            item=ChecklistItem.objects.get(code=code),
            note="章程",
            submitted_at=submitted,
            decided_at=decided,
            decided_by=city,
            **fields,
        )
        for code, fields in (
            ("charter", {"state": "verified", "verified_on": D(2021, 6, 1)}),
            ("governance", {"state": "returned", "return_reason": "缺少决议"}),
        )
    )
    ChecklistVerification.objects.create(entry=charter, start=D(2020, 1, 1), end=D(2021, 1, 1))
    ChecklistVerification.objects.create(entry=charter, start=D(2021, 6, 1))
    migration.forwards(apps, None)
    steps = [(d.action, d.on, d.user) for d in review_history(charter)]
    assert steps == [
        ("verify", D(2020, 1, 1), None),
        ("revoke", D(2021, 1, 1), None),
        ("submit", None, None),
        ("verify", D(2021, 6, 1), city),
    ]
    assert review_history(charter).last().time == decided
    assert [(d.action, d.reason, d.user) for d in review_history(governance)] == [
        ("submit", "", None),
        ("return", "缺少决议", city),
    ]
    assert {d.deciding_path for d in ReviewDecision.objects.all()} == {"000000/510000/510100/"}
    migration.forwards(apps, None)  # a second run adds nothing
    assert ReviewDecision.objects.count() == 6
