"""The plans demo (all marked demo): Guangdong's counties that lagged at the start of 2022 with
plans worked back from 2023-12-31, a cadre per city with patches (划片, 盯县), tasks done on time
and late, a few blockers; elsewhere plans for a share of the lagging counties.

Runs after the demo ledger (`qingxie demo`); `qingxie plans demo` loads it on its own. Plans are
generated as of `GENERATED_ON` from the county's state that day, then the ledger's facts close
what it shows done (founding, registration, verified items) with their dates; steps the ledger
does not record are closed by their owners on dates drawn from a fixed seed.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction

from qingxie.accounts.models import User
from qingxie.accounts.roles import Role
from qingxie.accounts.services import role_grant_create, user_create
from qingxie.core.changelog import log_change
from qingxie.core.models import ObjectChange
from qingxie.ledger import coverage
from qingxie.plans import services
from qingxie.plans.choices import ClosedBy, TaskStatus
from qingxie.plans.models import BlockerKind, Patch, Plan, Task
from qingxie.regions.models import Region

SEED = 20220110
GENERATED_ON = datetime.date(2022, 1, 10)
TARGET = datetime.date(2023, 12, 31)
GUANGDONG = "440000"
#: The demo accounts' password (the same as web.demo's; demo accounts only).
DEMO_PASSWORD = "qingxie-demo"
#: 从化区 lags today (its training revoked after the demo ledger's END) and is left without a
#: plan, for demo-gz to generate one and demo-conghua to work it (the walkthrough, the e2e test).
CONGHUA = "440117"
#: Share of the lagging counties outside Guangdong that get a plan.
ELSEWHERE_SHARE = 0.12
BLOCKER_NOTES = {
    "registration_blocked": ("minzheng", "民政部门要求先落实业务主管单位，登记材料被退回。"),
    "no_supervisor": ("wenmingban", "县文明办尚未同意担任业务主管单位。"),
    "no_office": ("other", "暂无固定办公场地，拟与青年之家共用。"),
    "no_funds": ("caizheng", "启动经费未列入本年度团委预算。"),
    "no_staff": ("other", "专职人员未到位，由团县委干部兼任。"),
}


def _demo_user(username: str, display: str, role: str, region: Region) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            username=username,
            password=DEMO_PASSWORD,
            display_name=display,
            is_demo=True,
            validate=False,
        )
        role_grant_create(actor=None, user=user, role=role, region=region)
    return user


def _state_on(county_id: int, established: set[int]) -> dict | None:
    """The county's state on GENERATED_ON as generation reads it: founded or not (no item
    verified yet, so each required item is a task)."""
    if county_id not in established:
        return None
    return {
        "founded_on": GENERATED_ON,
        "registered_on": None,
        "standardized_since": None,
        "verified": {},
        "submitted": set(),
    }


def _plans_for(counties, rng, *, actor=None) -> list[Plan]:
    statuses = {}
    for province in {c.province_code for c in counties}:
        statuses.update(coverage.county_statuses(Region.objects.get(code=province), GENERATED_ON))
    established = {
        c.pk for c in counties if statuses.get(c.code) == coverage.CountyStatus.ESTABLISHED
    }
    out = []
    for county in counties:
        try:
            draft = services.plan_draft(
                county=county,
                target_date=TARGET,
                today=GENERATED_ON,
                state=_state_on(county.pk, established),
                state_known=True,
            )
        except Exception:
            continue
        plan = services.plan_create(actor=actor, draft=draft, today=GENERATED_ON, is_demo=True)
        out.append(plan)
    return out


def _close(task: Task, on: datetime.date, note: str) -> None:
    before = task.snapshot()
    task.status, task.done_on, task.closed_by, task.close_note = (
        TaskStatus.DONE,
        on,
        ClosedBy.OWNER,
        note,
    )
    task.version += 1
    task.save()
    log_change(task, ObjectChange.Action.UPDATE, before=before)


def _work(plans: list[Plan], rng: random.Random) -> None:
    """Owners close the steps the ledger does not record, some on time and some late; the
    ledger closes the rest; a few open tasks meet blockers; most plans are signed off."""
    services.plans_sync_ledger(plans=plans)
    kinds = {k.code: k for k in BlockerKind.objects.all()}
    for plan in plans:
        if rng.random() < 0.8:
            services.plan_submit(actor=None, plan=plan, note="按台账现状制定，请审核（演示）。")
            services.plan_verify(
                actor=None, plan=plan, on=GENERATED_ON + datetime.timedelta(days=rng.randint(7, 30))
            )
        for task in plan.tasks.filter(status=TaskStatus.OPEN, ledger_check="").order_by("due"):
            if rng.random() < 0.75:
                slip = rng.choice([-40, -20, -5, 0, 10, 45])  # mostly on time, some late
                on = max(
                    task.start_by + datetime.timedelta(days=1),
                    task.due + datetime.timedelta(days=slip),
                )
                on = max(on, plan.created_on)
                if on <= datetime.date.today():
                    _close(task, on, "已完成（演示）。")
        open_tasks = list(plan.tasks.filter(status=TaskStatus.OPEN))
        if open_tasks and rng.random() < 0.25:
            code = rng.choice(list(BLOCKER_NOTES))
            body, note = BLOCKER_NOTES[code]
            task = rng.choice(open_tasks)
            services.blocker_raise(
                actor=None,
                task=task,
                kind=kinds[code],
                note=note,
                coordinate_with=body,
                on=max(task.start_by, plan.created_on),
            )


def _responsibility(province: Region, rng: random.Random) -> None:
    """A cadre per city of the province, two patches each, every county assigned (盯县)."""
    cities = Region.objects.filter(
        parent=province, level=Region.Level.PREFECTURE, valid_to__isnull=True
    )
    for city in cities.order_by("code"):
        counties = list(
            Region.objects.filter(
                parent=city, level=Region.Level.COUNTY, valid_to__isnull=True
            ).order_by("code")
        )
        if not counties:
            continue
        cadre = User.objects.filter(username="demo-gz").first() if city.code == "440100" else None
        if cadre is None:
            cadre = _demo_user(
                f"demo-{city.code}", f"演示·{city.name}包县干部", Role.CITY_ADMIN, city
            )
        half = (len(counties) + 1) // 2
        for name, group in (("东片", counties[:half]), ("西片", counties[half:])):
            if not group:
                continue
            patch = Patch.objects.filter(region=city, name=name).first() or services.patch_create(
                actor=None, region=city, name=name, lead=cadre
            )
            for county in group:
                services.responsibility_assign(
                    actor=None, county=county, cadre=cadre, patch=patch, on=GENERATED_ON
                )
    # Counties directly under the province (none in Guangdong) are the province's to assign.


@transaction.atomic
def demo_plans_load(seed: int = SEED) -> dict:
    """Load the plans demo once (skipped when demo plans exist or the demo ledger is absent)."""
    conghua = Region.objects.filter(code=CONGHUA).first()
    if conghua is not None:
        _demo_user("demo-conghua", "演示·从化区管理员", Role.COUNTY_ADMIN, conghua)
    if Plan.objects.filter(is_demo=True).exists():
        return {"loaded": False, "reason": "演示计划已存在，未重复载入。"}
    gd = Region.objects.filter(code=GUANGDONG).first()
    if gd is None or not coverage.county_statuses(gd, GENERATED_ON):
        return {"loaded": False, "reason": "尚未载入行政区划或演示台账。"}
    rng = random.Random(seed)
    _responsibility(gd, rng)
    lagging = [c for c in services.lagging_counties(gd, GENERATED_ON) if c.code != CONGHUA]
    gd_plans = _plans_for(lagging, rng)
    others = []
    provinces = Region.objects.filter(level=Region.Level.PROVINCE, valid_to__isnull=True).exclude(
        code=GUANGDONG
    )
    for province in provinces.order_by("code"):
        behind = services.lagging_counties(province, GENERATED_ON)
        chosen = [c for c in behind if rng.random() < ELSEWHERE_SHARE]
        others += chosen
    other_plans = _plans_for(others, rng)
    _work(gd_plans + other_plans, rng)
    return {
        "loaded": True,
        "guangdong_plans": len(gd_plans),
        "other_plans": len(other_plans),
        "tasks": Task.objects.filter(plan__is_demo=True).count(),
    }
