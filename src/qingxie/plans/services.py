"""Writes of the plans app: generating plans from the ledger, closing tasks, blockers,
responsibility, revisions and the sign-off. Each is keyword-only, atomic, scope-checked and
change-logged; `actor=None` is the system (command line, demo loader, the ledger sync job)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, pgettext, pgettext_lazy

from qingxie.accounts.models import RoleGrant
from qingxie.accounts.permissions import require_scope, user_may
from qingxie.accounts.policies import admin_paths
from qingxie.accounts.roles import Role
from qingxie.core.changelog import log_change
from qingxie.core.concurrency import check_version
from qingxie.core.errors import ErrorCollector, QingxieError
from qingxie.core.models import ObjectChange, subtree_q
from qingxie.core.review import (
    ANY_ABOVE,
    Review,
    ReviewState,
    register_review,
    review_return,
    review_submit,
    review_verify,
)
from qingxie.ledger import coverage
from qingxie.ledger.selectors import county_ledger_states, required_checklist_items
from qingxie.plans.choices import ClosedBy, Goal, LedgerCheck, OwnerLevel, TaskStatus
from qingxie.plans.models import (
    Blocker,
    BlockerKind,
    Patch,
    Plan,
    PlanRevision,
    PlanRule,
    Responsibility,
    Task,
    TaskTemplate,
)
from qingxie.plans.scheduling import schedule_backward
from qingxie.regions.models import ROOT_CODE, Region

#: The checklist tasks' template code: its duration and level apply to each item's task.
CHECKLIST_TEMPLATE = "checklist-item"
#: Days a plan's sign-off waits for the city before the province may take it.
PLAN_ESCALATE_AFTER = datetime.timedelta(days=14)

PLAN_REVIEW = register_review(
    Review(
        key="plans.plan",
        model=Plan,
        region_field="county",
        decider_paths=admin_paths,
        mode=ANY_ABOVE,
        escalate_after=PLAN_ESCALATE_AFTER,
        verb=pgettext_lazy("review", "审核"),
        noun=pgettext_lazy("review", "计划"),
        thing=pgettext_lazy("review", "计划"),
        owner_name=lambda plan: plan.county.name,
        select_related=("county__parent",),
    )
)


def _today() -> datetime.date:
    return timezone.localdate()


# --------------------------------------------------------------------------- rules as data


def templates_for(county: Region) -> list[TaskTemplate]:
    """The active task templates the county's province uses (its own, else the nation's)."""
    province = county.province_code
    rows = list(
        TaskTemplate.objects.filter(region__code__in=[ROOT_CODE, province], active=True)
        .select_related("region")
        .order_by("position", "code")
    )
    own = [t for t in rows if t.region.code == province]
    return own or [t for t in rows if t.region.code == ROOT_CODE]


def target_bounds(county: Region) -> tuple[datetime.date | None, datetime.date | None]:
    """The final national target date and the latest target date the county's province allows
    (that date plus the nearest PlanRule's grace), None when no target is set."""
    root = Region.objects.filter(code=ROOT_CODE).first()
    national = coverage.targets_for(root).get("established", []) if root else []
    final = max((t.due_on for t in national), default=None)
    codes = [*county.ancestor_codes, county.code]
    rules = {
        r.region.code: r
        for r in PlanRule.objects.filter(region__code__in=codes).select_related("region")
    }
    nearest = next((rules[c] for c in reversed(codes) if c in rules), None)
    if final is None:
        return None, None
    grace = nearest.grace_days if nearest else 0
    return final, final + datetime.timedelta(days=grace)


def default_target_date(county: Region, today: datetime.date) -> datetime.date:
    """The next coverage target the county's province follows, else the latest date allowed."""
    targets = coverage.targets_for(county).get("established", [])
    upcoming = sorted(t.due_on for t in targets if t.due_on >= today)
    if upcoming:
        return upcoming[0]
    _final, latest = target_bounds(county)
    return latest or today + datetime.timedelta(days=365)


# --------------------------------------------------------------------------- drafts


@dataclass
class TaskDraft:
    """A task before it is saved: what generation proposes and the preview shows."""

    code: str
    title: str
    duration_days: int
    depends_on: list[str]
    owner_level: int
    ledger_check: str = ""
    item_code: str = ""
    owner: object = None
    start_by: datetime.date | None = None
    due: datetime.date | None = None
    position: int = 0

    @property
    def owner_level_label(self) -> str:
        return OwnerLevel(self.owner_level).label


@dataclass
class PlanDraft:
    """A county's plan before it is saved, with its scheduled tasks."""

    county: Region
    goal: str
    target_date: datetime.date
    tasks: list[TaskDraft] = field(default_factory=list)
    infeasible: bool = False

    @property
    def goal_label(self) -> str:
        return Goal(self.goal).label

    @property
    def first_start(self) -> datetime.date | None:
        return min((t.start_by for t in self.tasks), default=None)


def county_goal(county: Region, state: dict | None) -> str | None:
    """The goal a county still needs (None: it meets full standardization already)."""
    if state is None:
        return Goal.BOTH
    if state["standardized_since"] is None:
        return Goal.STANDARDIZE
    return None


def _goal_met(goal: str, state: dict | None) -> bool:
    if state is None:
        return False
    if goal == Goal.FOUND:
        return True
    return state["standardized_since"] is not None


def _owner_for(county: Region, level: int) -> object:
    """The default named owner: the county's responsible cadre for city tasks, the county's
    own administrator (when there is exactly one) for county tasks."""
    if level == OwnerLevel.CITY:
        resp = Responsibility.objects.filter(county=county, until__isnull=True).first()
        return resp.cadre if resp else None
    if level == OwnerLevel.COUNTY:
        grants = list(
            RoleGrant.objects.filter(
                region=county, role=Role.COUNTY_ADMIN, user__is_active=True
            ).select_related("user")[:2]
        )
        return grants[0].user if len(grants) == 1 else None
    return None


def plan_draft(
    *,
    county: Region,
    goal: str | None = None,
    target_date: datetime.date | None = None,
    today: datetime.date | None = None,
    state: dict | None = None,
    state_known: bool = False,
) -> PlanDraft:
    """The plan generation proposes for `county` from its state in the ledger, scheduled back
    from `target_date`; a QingxieError naming the field when the request is refused."""
    today = today or _today()
    errors = ErrorCollector()
    if county.level != Region.Level.COUNTY:
        errors.add(
            "county",
            gettext("%(county)s（%(code)s）不是县级单位，一县一策计划按县制定。")
            % {"county": county.name, "code": county.code},
        )
        errors.raise_if_any()
    if not state_known:
        state = county_ledger_states([county.pk]).get(county.pk)
    needed = county_goal(county, state)
    if goal in (None, ""):
        goal = needed or Goal.STANDARDIZE
    if goal not in Goal.values:
        errors.add(
            "goal",
            gettext("目标“%(goal)s”不在可选范围内（found、standardize、both）。") % {"goal": goal},
        )
    elif _goal_met(goal, state):
        if goal == Goal.FOUND:
            met = gettext("%(county)s已成立协会，已达到该目标，无需制定计划。")
        else:
            met = gettext("%(county)s已完成规范化建设，已达到该目标，无需制定计划。")
        errors.add("goal", met % {"county": county.name})
    elif goal == Goal.STANDARDIZE and state is None:
        errors.add(
            "goal",
            gettext("%(county)s尚未成立协会，请选择“成立协会”或“成立并规范化”。")
            % {"county": county.name},
        )
    elif goal == Goal.BOTH and state is not None:
        errors.add(
            "goal", gettext("%(county)s已成立协会，请选择“规范化建设”。") % {"county": county.name}
        )
    if target_date is None:
        target_date = default_target_date(county, today)
    if target_date <= today:
        errors.add(
            "target_date",
            gettext("目标日期（%(target_date)s）须晚于今天（%(today)s）。")
            % {"target_date": format(target_date, "%Y-%m-%d"), "today": format(today, "%Y-%m-%d")},
        )
    _final, latest = target_bounds(county)
    if latest is not None and target_date > latest:
        errors.add(
            "target_date",
            gettext("目标日期（%(target_date)s）晚于本省允许的最晚日期（%(latest)s）。")
            % {
                "target_date": format(target_date, "%Y-%m-%d"),
                "latest": format(latest, "%Y-%m-%d"),
            },
        )
    if Plan.objects.filter(county=county, completed_on__isnull=True).exists():
        errors.add(
            "county",
            gettext("%(county)s已有进行中的计划，请修订该计划。") % {"county": county.name},
        )
    errors.raise_if_any()

    tasks: list[TaskDraft] = []
    templates = templates_for(county)
    founding = [t for t in templates if t.ledger_check != LedgerCheck.ITEM]
    item_template = next((t for t in templates if t.ledger_check == LedgerCheck.ITEM), None)
    if goal in (Goal.FOUND, Goal.BOTH):
        for t in founding:
            tasks.append(
                TaskDraft(
                    code=t.code,
                    title=t.title,
                    duration_days=t.duration_days,
                    depends_on=[d for d in t.depends_on if any(f.code == d for f in founding)],
                    owner_level=t.owner_level,
                    ledger_check=t.ledger_check,
                )
            )
    if goal in (Goal.STANDARDIZE, Goal.BOTH):
        verified = (state or {}).get("verified", {})
        # Items follow the founding: each waits for the founding chain's last tasks.
        has_successor = {d for t in tasks for d in t.depends_on}
        sinks = [t.code for t in tasks if t.code not in has_successor]
        for code, title in required_checklist_items():
            if code in verified:
                continue
            tasks.append(
                TaskDraft(
                    code=f"item-{code}",
                    title=f"规范化：{title}",
                    duration_days=item_template.duration_days if item_template else 60,
                    depends_on=list(sinks),
                    owner_level=item_template.owner_level if item_template else OwnerLevel.COUNTY,
                    ledger_check=LedgerCheck.ITEM,
                    item_code=code,
                )
            )
    for n, t in enumerate(tasks):
        t.position = n
        t.owner = _owner_for(county, t.owner_level)
    draft = PlanDraft(county=county, goal=goal, target_date=target_date, tasks=tasks)
    _schedule(draft.tasks, target_date)
    draft.infeasible = bool(tasks) and draft.first_start < today
    return draft


def _schedule(tasks, target_date: datetime.date) -> None:
    """Set start_by and due on drafts or saved tasks (whose depends_on are codes)."""
    slots = schedule_backward(
        {t.code: t.duration_days for t in tasks},
        {t.code: list(t.depends_on) for t in tasks},
        target_date,
        {t.code: t.title for t in tasks},
    )
    for t in tasks:
        t.start_by, t.due = slots[t.code].start_by, slots[t.code].due


# --------------------------------------------------------------------------- create


def _owner_check(owner, county: Region, errors: ErrorCollector, field_name: str = "owner") -> None:
    if owner is None:
        return
    paths = [g.region.path for g in RoleGrant.objects.filter(user=owner).select_related("region")]
    if not owner.is_superuser and not any(county.path.startswith(p) for p in paths):
        errors.add(
            field_name,
            gettext("%(owner)s没有覆盖%(county)s的授权，不能担任责任人。")
            % {"owner": owner, "county": county.name},
        )


@transaction.atomic
def plan_create(
    *, actor, draft: PlanDraft, today: datetime.date | None = None, is_demo: bool = False
) -> Plan:
    """Save a generated (and possibly edited) draft as the county's plan, pending sign-off."""
    county = draft.county
    require_scope(
        actor,
        Plan,
        "add",
        county.path,
        pgettext("permission", "为%(county)s制定计划") % {"county": county.name},
    )
    errors = ErrorCollector()
    for t in draft.tasks:
        _owner_check(t.owner, county, errors)
    errors.raise_if_any()
    if Plan.objects.select_for_update().filter(county=county, completed_on__isnull=True).exists():
        raise QingxieError(
            gettext("%(county)s已有进行中的计划，请修订该计划。") % {"county": county.name},
            field="county",
        )
    _schedule(draft.tasks, draft.target_date)
    plan = Plan(
        county=county,
        goal=draft.goal,
        target_date=draft.target_date,
        created_on=today or _today(),
        is_demo=is_demo,
    )
    plan.save()
    log_change(plan, ObjectChange.Action.CREATE)
    saved: dict[str, Task] = {}
    for t in draft.tasks:
        task = Task(
            plan=plan,
            code=t.code,
            title=t.title,
            duration_days=t.duration_days,
            owner_level=t.owner_level,
            owner=t.owner,
            ledger_check=t.ledger_check,
            item_code=t.item_code,
            start_by=t.start_by,
            due=t.due,
            position=t.position,
        )
        task.save()
        task.depends_on.set([saved[d] for d in t.depends_on])
        saved[t.code] = task
        log_change(task, ObjectChange.Action.CREATE)
    return plan


@dataclass
class GenerationResult:
    """What bulk generation proposed (drafts) or saved (plans), and the counties skipped."""

    drafts: list[PlanDraft] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    skipped: list[tuple[Region, str]] = field(default_factory=list)


def lagging_counties(region: Region, today: datetime.date) -> list[Region]:
    """The current county-level units under `region` not standardized today."""
    statuses = coverage.county_statuses(region, today)
    codes = [c for c, s in statuses.items() if s != coverage.CountyStatus.STANDARDIZED]
    return list(Region.objects.filter(code__in=codes).order_by("code"))


@transaction.atomic
def plans_generate(
    *,
    actor,
    region: Region,
    goal: str | None = None,
    target_date: datetime.date | None = None,
    today: datetime.date | None = None,
    dry_run: bool = False,
    is_demo: bool = False,
) -> GenerationResult:
    """One plan for every lagging county of `region` that has none (一县一策), each from the
    county's state in the ledger; `dry_run` returns the drafts for the preview, saves nothing.

    Counties the goal does not fit, or already planned, are skipped with the reason.
    """
    today = today or _today()
    require_scope(
        actor,
        Plan,
        "add",
        region.path,
        pgettext("permission", "为%(region)s的县级单位制定计划") % {"region": region.name},
    )
    if goal not in (None, "") and goal not in Goal.values:
        raise QingxieError(
            gettext("目标“%(goal)s”不在可选范围内（found、standardize、both）。") % {"goal": goal},
            field="goal",
        )
    if target_date is not None and target_date <= today:
        raise QingxieError(
            gettext("目标日期（%(target_date)s）须晚于今天（%(today)s）。")
            % {"target_date": format(target_date, "%Y-%m-%d"), "today": format(today, "%Y-%m-%d")},
            field="target_date",
        )
    result = GenerationResult()
    counties = lagging_counties(region, today)
    states = county_ledger_states([c.pk for c in counties])
    for county in counties:
        try:
            draft = plan_draft(
                county=county,
                goal=goal,
                target_date=target_date,
                today=today,
                state=states.get(county.pk),
                state_known=True,
            )
        except QingxieError as exc:
            result.skipped.append((county, exc.message))
            continue
        result.drafts.append(draft)
    if not dry_run:
        for draft in result.drafts:
            result.plans.append(plan_create(actor=actor, draft=draft, today=today, is_demo=is_demo))
    return result


# --------------------------------------------------------------------------- tasks


def _lock_task(task: Task) -> Task:
    return Task.objects.select_for_update().select_related("plan__county").get(pk=task.pk)


def ledger_contradiction(task: Task, state: dict | None) -> str | None:
    """Why the ledger says a task cannot be done yet (None: it does not contradict)."""
    if task.ledger_check == LedgerCheck.FOUNDED and state is None:
        return gettext("台账中%(county)s尚无在册协会，不能关闭“%(title)s”。") % {
            "county": task.plan.county.name,
            "title": task.title,
        }
    if task.ledger_check == LedgerCheck.REGISTERED and not (state and state["registered_on"]):
        return gettext("台账中%(county)s的协会尚未在民政部门登记，不能关闭“%(title)s”。") % {
            "county": task.plan.county.name,
            "title": task.title,
        }
    if task.ledger_check == LedgerCheck.ITEM:
        # The county's work is the material; verifying it is the level above's (then the task
        # closes by itself). Closing by hand needs the material submitted at least.
        done = set((state or {}).get("verified", {})) | set((state or {}).get("submitted", ()))
        if task.item_code not in done:
            return gettext("该规范化事项的材料尚未在台账中提交核验，不能关闭“%(title)s”。") % {
                "title": task.title
            }
    return None


@transaction.atomic
def task_close(
    *,
    actor,
    task: Task,
    note: str,
    on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Task:
    """The task's owner (or an administrator over the county) closes it with a note."""
    task = _lock_task(task)
    county = task.plan.county
    if actor is not None and task.owner_id != actor.pk:
        require_scope(
            actor,
            Task,
            "change",
            task.region_path,
            pgettext("permission", "关闭%(county)s的任务") % {"county": county.name},
        )
    check_version(task, expected_version, pgettext("object", "任务"))
    today = _today()
    on = on or today
    errors = ErrorCollector()
    if task.status == TaskStatus.DONE:
        errors.add(
            "status",
            gettext("任务“%(title)s”已于%(done_on)s完成。")
            % {"title": task.title, "done_on": format(task.done_on, "%Y-%m-%d")},
        )
    note = (note or "").strip()
    if not note:
        errors.add("note", gettext("请填写完成说明。"))
    if on > today:
        errors.add(
            "on", gettext("完成日期（%(on)s）不能晚于今天。") % {"on": format(on, "%Y-%m-%d")}
        )
    if on < task.plan.created_on:
        errors.add(
            "on",
            gettext("完成日期（%(on)s）不能早于计划制定日期。") % {"on": format(on, "%Y-%m-%d")},
        )
    state = county_ledger_states([county.pk]).get(county.pk)
    if problem := ledger_contradiction(task, state):
        errors.add("status", problem)
    errors.raise_if_any()
    before = task.snapshot()
    task.status, task.done_on, task.closed_by, task.close_note = (
        TaskStatus.DONE,
        on,
        ClosedBy.OWNER,
        note[:500],
    )
    task.version += 1
    task.save()
    log_change(task, ObjectChange.Action.UPDATE, before=before)
    return task


@transaction.atomic
def task_assign(*, actor, task: Task, owner, expected_version: int | None = None) -> Task:
    """Name a task's owner: a user whose grant covers the county."""
    task = _lock_task(task)
    require_scope(
        actor, Task, "change", task.region_path, pgettext("permission", "指定该任务的责任人")
    )
    check_version(task, expected_version, pgettext("object", "任务"))
    errors = ErrorCollector()
    _owner_check(owner, task.plan.county, errors)
    errors.raise_if_any()
    before = task.snapshot()
    task.owner = owner
    task.version += 1
    task.save()
    log_change(task, ObjectChange.Action.UPDATE, before=before)
    return task


def _close_by_ledger(plan: Plan, state: dict | None) -> int:
    """Close the plan's tasks the ledger shows done (and what they depend on), and the plan
    once the ledger shows its goal met. Returns the number of rows changed."""
    tasks = {t.pk: t for t in plan.tasks.all().prefetch_related("depends_on")}
    done_on: dict[int, datetime.date] = {}
    for t in tasks.values():
        if t.status == TaskStatus.DONE or state is None:
            continue
        fact = None
        if t.ledger_check == LedgerCheck.FOUNDED:
            fact = state["founded_on"]
        elif t.ledger_check == LedgerCheck.REGISTERED:
            fact = state["registered_on"]
        elif t.ledger_check == LedgerCheck.ITEM:
            fact = state["verified"].get(t.item_code)
        if fact is not None:
            done_on[t.pk] = fact
    # A fact implies the steps before it: the association founded means its charter was drafted.
    stack = list(done_on)
    while stack:
        pk = stack.pop()
        for dep in tasks[pk].depends_on.all():
            if tasks[dep.pk].status != TaskStatus.DONE and dep.pk not in done_on:
                done_on[dep.pk] = done_on[pk]
                stack.append(dep.pk)
    met = _goal_met(plan.goal, state)
    if met:
        for t in tasks.values():
            if t.status != TaskStatus.DONE and t.pk not in done_on:
                done_on[t.pk] = state["standardized_since"] or state["founded_on"]
    changed = 0
    for pk, on in done_on.items():
        t = tasks[pk]
        before = t.snapshot()
        # A fact dated before the plan was made counts from the plan's first day.
        t.status, t.done_on, t.closed_by = (
            TaskStatus.DONE,
            max(on, plan.created_on),
            ClosedBy.LEDGER,
        )
        t.close_note = gettext_noop("台账显示已完成，系统自动关闭。")
        t.version += 1
        t.save()
        log_change(t, ObjectChange.Action.UPDATE, before=before)
        changed += 1
    if met and plan.completed_on is None:
        before = plan.snapshot()
        fact = state["founded_on"] if plan.goal == Goal.FOUND else state["standardized_since"]
        plan.completed_on = max(fact, plan.created_on)
        plan.version += 1
        plan.save()
        log_change(
            plan, ObjectChange.Action.UPDATE, before=before, note=gettext_noop("台账显示目标已达成")
        )
        changed += 1
    return changed


@transaction.atomic
def plans_sync_ledger(*, plans=None, region: Region | None = None) -> int:
    """Close, by the ledger's facts, the tasks and plans it shows done (the system's write,
    run by the periodic job, before a digest and when a plan's page is read)."""
    if plans is None:
        qs = Plan.objects.filter(completed_on__isnull=True)
        if region is not None:
            qs = qs.filter(subtree_q("region_path", region.path))
        plans = list(qs.select_related("county"))
    plans = [p for p in plans if p.completed_on is None]
    if not plans:
        return 0
    states = county_ledger_states([p.county_id for p in plans])
    # Lock only the plans the ledger has news for, so that reading a list of plans (which
    # syncs first) does not serialize every reader on every open plan.
    waiting = Task.objects.filter(plan__in=plans, status=TaskStatus.OPEN).exclude(ledger_check="")
    news = {p.pk for p in plans if _goal_met(p.goal, states.get(p.county_id))}
    for plan_id, county_id, check, item in waiting.values_list(
        "plan_id", "plan__county_id", "ledger_check", "item_code"
    ):
        state = states.get(county_id)
        if state is None:
            continue
        if (
            (check == LedgerCheck.FOUNDED and state["founded_on"])
            or (check == LedgerCheck.REGISTERED and state["registered_on"])
            or (check == LedgerCheck.ITEM and item in state["verified"])
        ):
            news.add(plan_id)
    if not news:
        return 0
    changed = 0
    for plan in Plan.objects.select_for_update().filter(pk__in=news).select_related("county"):
        changed += _close_by_ledger(plan, states.get(plan.county_id))
    return changed


# --------------------------------------------------------------------------- blockers


@transaction.atomic
def blocker_raise(
    *,
    actor,
    task: Task,
    kind: BlockerKind | None,
    note: str,
    coordinate_with: str,
    on: datetime.date | None = None,
) -> Blocker:
    """Record a blocker (堵点) on a task, of a listed kind, with the body to coordinate with."""
    task = _lock_task(task)
    if actor is not None and task.owner_id != actor.pk:
        require_scope(
            actor, Blocker, "add", task.region_path, pgettext("permission", "为该任务登记堵点")
        )
    from qingxie.plans.choices import COORDINATE_WITH

    errors = ErrorCollector()
    if kind is None or not kind.active:
        errors.add("kind", gettext("请选择堵点类型。"))
    note = (note or "").strip()
    if not note:
        errors.add("note", gettext("请填写堵点情况说明。"))
    if coordinate_with not in dict(COORDINATE_WITH):
        errors.add("coordinate_with", gettext("请选择需要协调的部门。"))
    on = on or _today()
    if on > _today():
        errors.add(
            "on", gettext("提出日期（%(on)s）不能晚于今天。") % {"on": format(on, "%Y-%m-%d")}
        )
    errors.raise_if_any()
    blocker = Blocker(
        task=task,
        kind=kind,
        note=note[:500],
        coordinate_with=coordinate_with,
        raised_on=on,
        raised_by=actor,
    )
    blocker.save()
    log_change(blocker, ObjectChange.Action.CREATE)
    return blocker


@transaction.atomic
def blocker_resolve(*, actor, blocker: Blocker, on: datetime.date | None = None) -> Blocker:
    """Mark a blocker resolved on a date."""
    blocker = Blocker.objects.select_for_update().get(pk=blocker.pk)
    require_scope(
        actor, Blocker, "change", blocker.region_path, pgettext("permission", "解决该堵点")
    )
    on = on or _today()
    if blocker.resolved_on is not None:
        raise QingxieError(gettext("该堵点已解决。"), field="resolved_on")
    if on < blocker.raised_on or on > _today():
        raise QingxieError(gettext("解决日期须在提出日期与今天之间。"), field="on")
    before = blocker.snapshot()
    blocker.resolved_on = on
    blocker.save()
    log_change(blocker, ObjectChange.Action.UPDATE, before=before)
    return blocker


# --------------------------------------------------------------------------- revisions, sign-off


def plan_snapshot(plan: Plan) -> dict:
    """The plan and its tasks as plain data (what a revision keeps)."""
    return {
        "goal": plan.goal,
        "target_date": plan.target_date.isoformat(),
        "state": plan.state,
        "tasks": [
            {
                "code": t.code,
                "title": t.title,
                "duration_days": t.duration_days,
                "depends_on": [d.code for d in t.depends_on.all()],
                "owner": t.owner_id,
                "due": t.due.isoformat(),
                "status": t.status,
            }
            for t in plan.tasks.all().prefetch_related("depends_on")
        ],
    }


@transaction.atomic
def plan_revise(
    *,
    actor,
    plan: Plan,
    reason: str,
    target_date: datetime.date | None = None,
    durations: dict[str, int] | None = None,
    depends_on: dict[str, list[str]] | None = None,
    expected_version: int | None = None,
) -> Plan:
    """Revise a plan (target date, task durations, dependencies): the old plan is kept as a
    revision, the tasks are scheduled back again, and the sign-off starts over."""
    plan = Plan.objects.select_for_update().select_related("county").get(pk=plan.pk)
    require_scope(
        actor,
        Plan,
        "change",
        plan.region_path,
        pgettext("permission", "修订%(county)s的计划") % {"county": plan.county.name},
    )
    check_version(plan, expected_version, pgettext("object", "计划"))
    today = _today()
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", gettext("请填写修订原因。"))
    if plan.completed_on is not None:
        errors.add("plan", gettext("计划已完成，不能修订。"))
    if target_date is not None:
        if target_date <= today:
            errors.add(
                "target_date",
                gettext("目标日期（%(target_date)s）须晚于今天。")
                % {"target_date": format(target_date, "%Y-%m-%d")},
            )
        _final, latest = target_bounds(plan.county)
        if latest is not None and target_date > latest:
            errors.add(
                "target_date",
                gettext("目标日期（%(target_date)s）晚于本省允许的最晚日期（%(latest)s）。")
                % {
                    "target_date": format(target_date, "%Y-%m-%d"),
                    "latest": format(latest, "%Y-%m-%d"),
                },
            )
    tasks = list(plan.tasks.all().prefetch_related("depends_on"))
    by_code = {t.code: t for t in tasks}
    for code, days in (durations or {}).items():
        if code not in by_code:
            errors.add("durations", gettext("任务“%(code)s”不在本计划中。") % {"code": code})
        elif not isinstance(days, int) or days < 1 or days > 3650:
            errors.add(
                "durations",
                gettext("任务“%(title)s”的工期须为1至3650天。") % {"title": by_code[code].title},
            )
    deps = {t.code: [d.code for d in t.depends_on.all()] for t in tasks}
    for code, new in (depends_on or {}).items():
        if code not in by_code:
            errors.add("depends_on", gettext("任务“%(code)s”不在本计划中。") % {"code": code})
        else:
            deps[code] = list(new)
    errors.raise_if_any()
    snapshot = plan_snapshot(plan)
    new_target = target_date or plan.target_date
    lengths = {t.code: (durations or {}).get(t.code, t.duration_days) for t in tasks}
    slots = schedule_backward(lengths, deps, new_target, {t.code: t.title for t in tasks})
    plan_before = plan.snapshot()
    plan.revision += 1
    PlanRevision.objects.create(
        plan=plan, number=plan.revision, reason=reason[:500], snapshot=snapshot, created_by=actor
    )
    plan.target_date = new_target
    if plan.state != ReviewState.PENDING:
        plan.state = ReviewState.PENDING  # a revised plan is signed off again
    plan.version += 1
    plan.save()
    log_change(plan, ObjectChange.Action.UPDATE, before=plan_before, note=f"修订：{reason}"[:200])
    for t in tasks:
        before = t.snapshot()
        t.duration_days = lengths[t.code]
        t.start_by, t.due = slots[t.code].start_by, slots[t.code].due
        t.version += 1
        t.save()
        t.depends_on.set([by_code[d] for d in deps[t.code]])
        log_change(t, ObjectChange.Action.UPDATE, before=before)
    return plan


@transaction.atomic
def plan_submit(*, actor, plan: Plan, note: str) -> Plan:
    """Submit the plan for the level above to sign off."""
    plan = Plan.objects.select_for_update().select_related("county").get(pk=plan.pk)
    require_scope(
        actor,
        Plan,
        "change",
        plan.region_path,
        pgettext("permission", "报审%(county)s的计划") % {"county": plan.county.name},
    )
    return review_submit(spec=PLAN_REVIEW, actor=actor, obj=plan, note=note)


def plan_verify(*, actor, plan: Plan, on: datetime.date | None = None) -> Plan:
    """The level above signs the plan off."""
    return review_verify(spec=PLAN_REVIEW, actor=actor, obj=plan, on=on)


def plan_return(*, actor, plan: Plan, reason: str) -> Plan:
    """The level above sends the plan back with the reason."""
    return review_return(spec=PLAN_REVIEW, actor=actor, obj=plan, reason=reason)


# --------------------------------------------------------------------------- responsibility


def assigning_region(county: Region) -> Region:
    """The level that assigns a county's cadre: its city, or its province when it lies
    directly under the province (省直辖县级行政单位)."""
    return county.parent


@transaction.atomic
def responsibility_assign(
    *, actor, county: Region, cadre, patch: Patch | None = None, on: datetime.date | None = None
) -> Responsibility:
    """Name the cadre who chases `county` (盯县), optionally within a patch (划片); the open
    assignment is closed the same day, so its history stays."""
    errors = ErrorCollector()
    if county.level != Region.Level.COUNTY:
        errors.add(
            "county",
            gettext("%(county)s（%(code)s）不是县级单位。")
            % {"county": county.name, "code": county.code},
        )
        errors.raise_if_any()
    require_scope(
        actor,
        Responsibility,
        "change",
        county.path,
        pgettext("permission", "指派%(county)s的责任人") % {"county": county.name},
    )
    on = on or _today()
    if cadre is None:
        errors.add("cadre", gettext("请选择责任人。"))
    else:
        _owner_check(cadre, county, errors, "cadre")
    if patch is not None and not county.path.startswith(patch.region.path):
        errors.add(
            "patch",
            gettext("%(county)s不在片区“%(patch)s”所属的%(region)s范围内。")
            % {"county": county.name, "patch": patch.name, "region": patch.region.name},
        )
    if on > _today():
        errors.add("on", gettext("起始日期不能晚于今天。"))
    errors.raise_if_any()
    current = (
        Responsibility.objects.select_for_update().filter(county=county, until__isnull=True).first()
    )
    if current is not None:
        if current.cadre_id == cadre.pk and current.patch_id == (patch.pk if patch else None):
            return current
        before = current.snapshot()
        current.until = max(on, current.since)
        current.save()
        log_change(current, ObjectChange.Action.UPDATE, before=before, note=gettext_noop("改派"))
    resp = Responsibility(county=county, cadre=cadre, patch=patch, since=on, assigned_by=actor)
    resp.save()
    log_change(resp, ObjectChange.Action.CREATE)
    return resp


@transaction.atomic
def patch_create(*, actor, region: Region, name: str, lead) -> Patch:
    """Group a city's (or province's) counties into a patch (片) under a lead cadre."""
    require_scope(
        actor,
        Patch,
        "add",
        region.path,
        pgettext("permission", "为%(region)s划片") % {"region": region.name},
    )
    errors = ErrorCollector()
    name = (name or "").strip()
    if region.level not in (Region.Level.PROVINCE, Region.Level.PREFECTURE):
        errors.add("region", gettext("片区由地市或省级划分。"))
    if not name:
        errors.add("name", gettext("请填写片区名称。"))
    elif Patch.objects.filter(region=region, name=name).exists():
        errors.add(
            "name",
            gettext("%(region)s已有名为“%(name)s”的片区。") % {"region": region.name, "name": name},
        )
    if lead is None:
        errors.add("lead", gettext("请选择片长。"))
    else:
        _owner_check(lead, region, errors, "lead")
    errors.raise_if_any()
    patch = Patch(region=region, name=name, lead=lead)
    patch.save()
    log_change(patch, ObjectChange.Action.CREATE)
    return patch


def may_close(user, task: Task) -> bool:
    """Whether `user` may close `task` (its owner, or whoever may change it)."""
    return task.owner_id == user.pk or user_may(user, Task, "change", task.region_path)
