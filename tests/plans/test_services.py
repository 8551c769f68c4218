"""The plans' rules: generation from the ledger, refusals naming the field, automatic closing
from ledger facts, the overdue list, responsibility, sign-off, revision, digest, the map."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.core.notifications import Notification
from qingxie.ledger import services as ledger
from qingxie.ledger.models import ChecklistItem
from qingxie.plans import jobs, selectors, services
from qingxie.plans.choices import ClosedBy, PlanState, PlanStatus, TaskStatus
from qingxie.plans.models import Blocker, BlockerKind, Plan, PlanRevision, Responsibility, Task
from qingxie.regions.models import Region
from tests.plans.conftest import TARGET

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _generate(region, **kw):
    kw.setdefault("target_date", TARGET)
    return services.plans_generate(actor=None, region=region, **kw)


def test_preview_proposes_a_plan_per_lagging_county_and_saves_nothing(haizhu, gz):
    result = _generate(gz, dry_run=True)
    counties = {d.county.code: d for d in result.drafts}
    lagging = Region.objects.filter(parent=gz, level=3, valid_to__isnull=True).count()
    assert len(counties) == lagging
    # 海珠 has its association: its plan is the unverified checklist items, nothing to found.
    hz = counties["440105"]
    assert hz.goal == "standardize"
    required = ChecklistItem.objects.filter(required=True, active=True).count()
    assert len(hz.tasks) == required
    assert all(t.ledger_check == "item" for t in hz.tasks)
    # 天河 has none: founding tasks first, then the items after the founding chain.
    th = counties["440106"]
    assert th.goal == "both"
    titles = [t.title for t in th.tasks]
    assert titles[:2] == ["成立筹备组", "起草章程"] and "民政登记" in titles
    assert Plan.objects.count() == 0 and Task.objects.count() == 0


def test_generation_schedules_back_from_the_target_and_skips_planned_counties(haizhu, gz):
    result = _generate(gz)
    assert len(result.plans) == len(result.drafts) > 0
    plan = Plan.objects.get(county__code="440106")
    tasks = list(plan.tasks.prefetch_related("depends_on"))
    for t in tasks:
        assert t.due <= TARGET
        assert t.start_by == t.due - datetime.timedelta(days=t.duration_days)
        for d in t.depends_on.all():
            assert d.due <= t.start_by
    assert max(t.due for t in tasks) == TARGET
    assert ObjectChange.objects.filter(object_id=str(plan.pk), action="create").exists()
    again = _generate(gz)
    assert again.plans == [] and len(again.skipped) == len(result.plans)
    assert "已有进行中的计划" in again.skipped[0][1]


def test_a_county_that_meets_the_goal_gets_nothing(haizhu):
    with pytest.raises(QingxieError) as exc:
        services.plan_draft(county=haizhu.region, goal="found", target_date=TARGET)
    assert "已成立协会" in exc.value.errors["goal"][0]
    assert Plan.objects.count() == 0


@pytest.mark.parametrize(
    "target, message",
    [
        (TODAY - datetime.timedelta(days=1), "须晚于今天"),
        (datetime.date(2035, 1, 1), "本省允许的最晚日期"),
    ],
)
def test_target_date_in_the_past_or_beyond_the_rule_is_refused(plans_seed, region, target, message):
    with pytest.raises(QingxieError) as exc:
        services.plan_draft(county=region("440106"), target_date=target)
    assert message in exc.value.errors["target_date"][0]


def test_a_province_rule_narrows_the_latest_target(plans_seed, region):
    from qingxie.plans.models import PlanRule

    PlanRule.objects.create(region=region("440000"), grace_days=0)
    with pytest.raises(QingxieError) as exc:
        services.plan_draft(county=region("440106"), target_date=TARGET)
    assert "2023-12-31" in exc.value.errors["target_date"][0]


def test_a_dependency_cycle_in_a_revision_is_refused_and_nothing_changes(haizhu, gz):
    _generate(gz)
    plan = Plan.objects.get(county__code="440106")
    before = list(plan.tasks.values_list("code", "due"))
    with pytest.raises(QingxieError) as exc:
        services.plan_revise(
            actor=None, plan=plan, reason="调整", depends_on={"prep": ["register"]}
        )
    assert "循环" in exc.value.errors["depends_on"][0]
    assert list(plan.tasks.values_list("code", "due")) == before
    assert PlanRevision.objects.count() == 0


def test_revision_keeps_history_reschedules_and_restarts_sign_off(haizhu, gz, make_user):
    _generate(gz)
    plan = Plan.objects.get(county__code="440106")
    services.plan_submit(actor=None, plan=plan, note="请审核")
    services.plan_verify(actor=None, plan=plan)
    new_target = TARGET + datetime.timedelta(days=30)
    services.plan_revise(actor=None, plan=plan, reason="民政登记延后", target_date=new_target)
    plan.refresh_from_db()
    assert plan.state == PlanState.PENDING and plan.revision == 1
    rev = PlanRevision.objects.get(plan=plan)
    assert rev.snapshot["target_date"] == TARGET.isoformat()
    assert max(plan.tasks.values_list("due", flat=True)) == new_target


def test_closing_a_task_the_ledger_contradicts_is_refused(haizhu, gz, make_user):
    _generate(gz)
    task = Task.objects.get(plan__county__code="440106", code="congress")
    with pytest.raises(QingxieError) as exc:
        services.task_close(actor=None, task=task, note="已开会")
    assert "尚无在册协会" in exc.value.errors["status"][0]
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_closing_needs_a_note_and_the_owner_or_scope(haizhu, gz, make_user):
    _generate(gz)
    task = Task.objects.get(plan__county__code="440106", code="prep")
    with pytest.raises(QingxieError) as exc:
        services.task_close(actor=None, task=task, note=" ")
    assert exc.value.errors["note"] == ["请填写完成说明。"]
    stranger = make_user("county_admin", "440303")
    with pytest.raises(PermissionDeniedError):
        services.task_close(actor=stranger, task=task, note="完成")
    tianhe = make_user("county_admin", "440106")
    services.task_close(actor=tianhe, task=task, note="筹备组已成立")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.closed_by == ClosedBy.OWNER
    assert task.done_on == TODAY


def test_tasks_close_by_themselves_when_the_ledger_shows_them_done(haizhu, gz):
    _generate(gz)
    plan = Plan.objects.get(county__code="440106")
    founded = TODAY - datetime.timedelta(days=3)
    ledger.association_create(
        actor=None,
        region=plan.county,
        name="天河区青年志愿者协会",
        form="youth_volunteer_association",
        established_on=founded,
    )
    services.plans_sync_ledger()
    done = dict(plan.tasks.filter(status="done").values_list("code", "closed_by"))
    # The association founded: the congress and the election, and every step before them.
    assert {"prep", "charter", "supervisor", "guide", "congress", "elect"} <= set(done)
    assert set(done.values()) == {ClosedBy.LEDGER}
    assert plan.tasks.get(code="register").status == TaskStatus.OPEN
    assert plan.tasks.get(code="congress").done_on == max(founded, plan.created_on)


def test_a_verified_checklist_item_closes_its_task(haizhu, gz):
    _generate(gz)
    plan = Plan.objects.get(county__code="440105")
    item = ChecklistItem.objects.filter(required=True, active=True).first()
    entry = ledger.checklist_entry_submit(actor=None, association=haizhu, item=item, note="已完成")
    ledger.checklist_entry_verify(actor=None, entry=entry, on=TODAY)
    services.plans_sync_ledger(region=gz)
    task = plan.tasks.get(item_code=item.code)
    assert task.status == TaskStatus.DONE and task.done_on == TODAY
    assert plan.tasks.filter(status="open").count() == plan.tasks.count() - 1


def _brute_overdue(day):
    return sorted(
        t.pk
        for t in Task.objects.select_related("plan")
        if t.due < day and t.plan.created_on <= day and (t.done_on is None or t.done_on > day)
    )


def test_the_overdue_list_on_any_date_equals_a_brute_force_filter(haizhu, gz):
    _generate(
        gz,
        target_date=TODAY + datetime.timedelta(days=200),
        today=TODAY - datetime.timedelta(days=150),
    )
    rng = random.Random(7)
    tasks = list(Task.objects.all())
    for t in rng.sample(tasks, len(tasks) // 3):
        Task.objects.filter(pk=t.pk).update(
            status="done", done_on=TODAY - datetime.timedelta(days=rng.randint(0, 150))
        )
    for offset in range(-160, 220, 9):
        day = TODAY + datetime.timedelta(days=offset)
        got = sorted(selectors.overdue_tasks(None, gz, day).values_list("pk", flat=True))
        assert got == _brute_overdue(day), day


def test_owner_without_a_grant_covering_the_county_is_refused(haizhu, gz, make_user):
    _generate(gz)
    task = Task.objects.get(plan__county__code="440106", code="prep")
    outsider = make_user("county_admin", "440303")
    with pytest.raises(QingxieError) as exc:
        services.task_assign(actor=None, task=task, owner=outsider)
    assert "没有覆盖天河区的授权" in exc.value.errors["owner"][0]
    city = make_user("city_admin", "440100")
    services.task_assign(actor=None, task=task, owner=city)
    assert Task.objects.get(pk=task.pk).owner == city


def test_responsibility_is_the_citys_and_keeps_its_history(plans_seed, region, make_user):
    city = make_user("city_admin", "440100")
    county = make_user("county_admin", "440106")
    a, b = make_user("city_admin", "440100"), make_user("city_admin", "440100")
    with pytest.raises(PermissionDeniedError):
        services.responsibility_assign(actor=county, county=region("440106"), cadre=county)
    with pytest.raises(QingxieError) as exc:
        services.responsibility_assign(
            actor=city, county=region("440106"), cadre=make_user("city_admin", "440300")
        )
    assert "cadre" in exc.value.errors
    patch = services.patch_create(actor=city, region=region("440100"), name="东片", lead=a)
    services.responsibility_assign(actor=city, county=region("440106"), cadre=a, patch=patch)
    services.responsibility_assign(actor=city, county=region("440106"), cadre=b)
    rows = list(Responsibility.objects.filter(county__code="440106").order_by("id"))
    assert [r.cadre for r in rows] == [a, b]
    assert rows[0].until == TODAY and rows[1].until is None
    unassigned = selectors.unassigned_counties(city, region("440100"))
    assert region("440106") not in unassigned and region("440105") in unassigned
    # A county directly under its province is assigned by the province.
    xiantao = region("429004")
    assert services.assigning_region(xiantao).code == "420000"


def test_sign_off_is_by_the_level_above(haizhu, gz, make_user):
    _generate(gz)
    plan = Plan.objects.get(county__code="440106")
    county = make_user("county_admin", "440106")
    services.plan_submit(actor=county, plan=plan, note="请市里审核")
    with pytest.raises(PermissionDeniedError):
        services.plan_verify(actor=county, plan=plan)
    city = make_user("city_admin", "440100")
    services.plan_verify(actor=city, plan=plan)
    assert Plan.objects.get(pk=plan.pk).state == PlanState.VERIFIED


def test_plan_status_and_map_colouring(haizhu, gz, region):
    start = TODAY - datetime.timedelta(days=100)
    _generate(gz, target_date=TODAY + datetime.timedelta(days=60), today=start)
    statuses = selectors.county_plan_statuses(None, gz, TODAY)
    hz_plan = Plan.objects.get(county__code="440105")
    # Generated 100 days ago with 60 days to go: the early founding tasks are overdue.
    assert statuses["440106"] == PlanStatus.OVERDUE
    # Close every task of 海珠 on time: done.
    for t in hz_plan.tasks.all():
        Task.objects.filter(pk=t.pk).update(status="done", done_on=start)
    Plan.objects.filter(pk=hz_plan.pk).update(completed_on=start + datetime.timedelta(days=1))
    statuses = selectors.county_plan_statuses(None, gz, TODAY)
    assert statuses["440105"] == PlanStatus.DONE
    # Before any plan existed, lagging counties are "no plan".
    before = selectors.county_plan_statuses(None, gz, start - datetime.timedelta(days=1))
    assert set(before.values()) == {PlanStatus.MISSING}
    payload = selectors.map_payload(None, gz, TODAY)
    legend = {item["status"]: item["count"] for item in payload["legend"]}
    assert legend["overdue"] == sum(1 for s in statuses.values() if s == "overdue")
    assert payload["map"].endswith("province-440000.json")


def test_on_track_and_at_risk(haizhu, gz):
    _generate(gz, target_date=TODAY + datetime.timedelta(days=400))
    plan = Plan.objects.get(county__code="440106")
    tasks = list(plan.tasks.prefetch_related("depends_on"))
    assert selectors.plan_status_on(plan, tasks, TODAY) == PlanStatus.ON_TRACK
    assert selectors.plan_status_on(plan, tasks, TODAY, blocked=True) == PlanStatus.AT_RISK
    # Ten days before the first latest start the chain still fits; a day after it does not.
    first = min(t.start_by for t in tasks)
    assert not selectors.plan_infeasible(tasks, plan.target_date, first)
    assert selectors.plan_infeasible(tasks, plan.target_date, first + datetime.timedelta(days=1))


def test_blockers_are_counted_by_kind_for_the_region_and_its_children(haizhu, gz, region):
    _generate(gz)
    kind = BlockerKind.objects.get(code="registration_blocked")
    other = BlockerKind.objects.get(code="no_funds")
    for code, k in (("440106", kind), ("440106", other), ("440105", kind)):
        task = Task.objects.filter(plan__county__code=code).first()
        services.blocker_raise(
            actor=None, task=task, kind=k, note="说明", coordinate_with="minzheng"
        )
    with pytest.raises(QingxieError) as exc:
        services.blocker_raise(actor=None, task=task, kind=None, note="", coordinate_with="x")
    assert set(exc.value.errors) == {"kind", "note", "coordinate_with"}
    stats = selectors.blocker_stats(None, region("440000"), TODAY)
    by_kind = {k["code"]: k["open"] for k in stats["kinds"]}
    assert by_kind["registration_blocked"] == 2 and by_kind["no_funds"] == 1
    gz_row = next(c for c in stats["children"] if c["code"] == "440100")
    assert gz_row["open"] == 3
    services.blocker_resolve(actor=None, blocker=Blocker.objects.filter(kind=other).get())
    assert selectors.blocker_stats(None, gz, TODAY)["open"] == 2


def test_figures_per_region_and_date(haizhu, gz):
    start = TODAY - datetime.timedelta(days=100)
    _generate(gz, target_date=TODAY + datetime.timedelta(days=60), today=start)
    figures = selectors.plan_figures(gz, TODAY)
    assert figures["counties_with_plan"] == Plan.objects.count()
    assert figures["tasks_overdue"] == selectors.overdue_tasks(None, gz, TODAY).count()
    statuses = list(selectors.county_plan_statuses(None, gz, TODAY).values())
    on_track = statuses.count(PlanStatus.ON_TRACK)
    # 海珠's items run in parallel and start today: on track; the founding plans are late.
    assert on_track == 1 and statuses.count(PlanStatus.OVERDUE) == len(statuses) - 1
    assert figures["plans_on_track"] == on_track
    assert figures["share_on_track"] == round(100 * on_track / len(statuses), 1)
    assert selectors.plan_figures(gz, start - datetime.timedelta(days=1))["plans"] == 0


def test_daily_digest_once_per_cadre_a_day(haizhu, gz, make_user, region):
    _generate(
        gz,
        target_date=TODAY + datetime.timedelta(days=60),
        today=TODAY - datetime.timedelta(days=100),
    )
    cadre = make_user("city_admin", "440100")
    services.responsibility_assign(actor=None, county=region("440106"), cadre=cadre)
    assert jobs.daily_digest(TODAY) >= 1
    note = Notification.objects.get(user=cadre)
    assert "逾期" in note.title and "天河区" in note.body
    assert jobs.daily_digest(TODAY) == 0  # the same day again: nothing new
    assert Notification.objects.filter(user=cadre).count() == 1


def test_an_item_task_closes_by_hand_once_its_material_is_submitted(haizhu, gz):
    _generate(gz)
    plan = Plan.objects.get(county__code="440105")
    item = ChecklistItem.objects.filter(required=True, active=True).first()
    task = plan.tasks.get(item_code=item.code)
    with pytest.raises(QingxieError) as exc:
        services.task_close(actor=None, task=task, note="材料已备齐")
    assert "尚未在台账中提交核验" in exc.value.errors["status"][0]
    ledger.checklist_entry_submit(actor=None, association=haizhu, item=item, note="已完成")
    services.task_close(actor=None, task=task, note="材料已报市级核验")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE


def test_the_national_map_colours_each_province_by_most_of_its_counties(haizhu, gz, region):
    start = TODAY - datetime.timedelta(days=100)
    _generate(gz, target_date=TODAY + datetime.timedelta(days=60), today=start)
    payload = selectors.map_payload(None, region("000000"), TODAY)
    units = {u["code"]: u for u in payload["units"]}
    # Guangzhou's ten late plans are outnumbered by Guangdong's counties with no plan.
    assert units["440000"]["status"] == PlanStatus.MISSING
    assert units["440000"]["overdue"] == Plan.objects.count() - 1
    assert units["450000"]["status"] == PlanStatus.MISSING and units["450000"]["overdue"] == 0
    assert payload["map"].endswith("china-provinces.json")


def test_all_tasks_closed_but_goal_not_in_the_ledger_is_on_track_not_done(haizhu, gz):
    _generate(gz)
    plan = Plan.objects.get(county__code="440105")
    plan.tasks.update(status="done", done_on=TODAY)
    tasks = list(plan.tasks.prefetch_related("depends_on"))
    assert selectors.plan_status_on(plan, tasks, TODAY) == PlanStatus.ON_TRACK


def test_the_bulletin_paragraph(haizhu, gz, region):
    from qingxie.core.extensions import bulletin_sections

    assert not [s for s in bulletin_sections(gz, TODAY) if "一县一策" in s.title]
    _generate(gz)
    task = Task.objects.filter(plan__county__code="440106").first()
    services.blocker_raise(
        actor=None,
        task=task,
        kind=BlockerKind.objects.get(code="no_office"),
        note="无场地",
        coordinate_with="other",
    )
    section = next(s for s in bulletin_sections(gz, TODAY) if "一县一策" in s.title)
    assert section.paragraphs[0].startswith(
        f"广州市共为{Plan.objects.count()}个县级单位制定“一县一策”计划"
    )
    assert "无办公场地1个" in section.paragraphs[1]
