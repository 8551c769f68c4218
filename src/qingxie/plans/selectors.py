"""Reads of the plans app: plan status on a date, the overdue list, the map colouring,
blocker statistics, figures per region and date, and the workbench panels."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from qingxie.core.models import subtree_q
from qingxie.ledger import coverage
from qingxie.plans.choices import STATUS_COLOURS, OwnerLevel, PlanStatus, TaskStatus
from qingxie.plans.models import Blocker, BlockerKind, Plan, Responsibility, Task
from qingxie.plans.scheduling import earliest_finish
from qingxie.regions.models import Region

#: From least to most pressing (breaks ties on the national map).
SEVERITY = [
    PlanStatus.NOT_NEEDED,
    PlanStatus.DONE,
    PlanStatus.ON_TRACK,
    PlanStatus.MISSING,
    PlanStatus.AT_RISK,
    PlanStatus.OVERDUE,
]
#: Tasks due within this many days count as "due soon" (at risk).
DUE_SOON_DAYS = 14


def open_on_q(as_of: datetime.date, prefix: str = "") -> Q:
    """Tasks not done on `as_of` (still open, or done only later)."""
    return Q(**{f"{prefix}done_on__isnull": True}) | Q(**{f"{prefix}done_on__gt": as_of})


def plans_in(user, region: Region) -> QuerySet[Plan]:
    """The plans under `region` the user may see (`user` None: every plan; the caller checked)."""
    qs = Plan.objects.all() if user is None else Plan.objects.restrict(user, "view")
    return qs.filter(subtree_q("region_path", region.path)).select_related("county__parent")


def tasks_in(user, region: Region) -> QuerySet[Task]:
    """The tasks under `region` the user may see (`user` None: all)."""
    qs = Task.objects.all() if user is None else Task.objects.restrict(user, "view")
    return qs.filter(subtree_q("region_path", region.path))


def overdue_tasks(user, region: Region, as_of: datetime.date) -> QuerySet[Task]:
    """Tasks overdue on `as_of`: due before that day, of a plan made by then, not done by then."""
    return (
        tasks_in(user, region)
        .filter(due__lt=as_of, plan__created_on__lte=as_of)
        .filter(open_on_q(as_of))
        .select_related("plan__county", "owner")
        .order_by("due", "id")
    )


def due_soon_tasks(user, region: Region, as_of: datetime.date) -> QuerySet[Task]:
    """Open tasks due within DUE_SOON_DAYS from `as_of` (not yet overdue)."""
    until = as_of + datetime.timedelta(days=DUE_SOON_DAYS)
    return (
        tasks_in(user, region)
        .filter(due__gte=as_of, due__lte=until, plan__created_on__lte=as_of)
        .filter(open_on_q(as_of))
        .select_related("plan__county", "owner")
        .order_by("due", "id")
    )


def plan_status_on(
    plan: Plan, tasks: list[Task], as_of: datetime.date, blocked: bool = False
) -> str:
    """A plan's standing on `as_of`: done, overdue (a task late), at risk (a task due within
    14 days, an open blocker, or the remaining chain no longer fits before the target date),
    else on track."""
    if plan.completed_on is not None and plan.completed_on <= as_of:
        return PlanStatus.DONE
    open_tasks = [t for t in tasks if t.done_on is None or t.done_on > as_of]
    if not open_tasks:
        # Every task closed, the goal not yet shown in the ledger (material awaiting the
        # level above's verification): on track, not done.
        return PlanStatus.ON_TRACK
    if any(t.due < as_of for t in open_tasks):
        return PlanStatus.OVERDUE
    soon = as_of + datetime.timedelta(days=DUE_SOON_DAYS)
    if blocked or any(t.due <= soon for t in open_tasks):
        return PlanStatus.AT_RISK
    if plan_infeasible(tasks, plan.target_date, as_of):
        return PlanStatus.AT_RISK
    return PlanStatus.ON_TRACK


def plan_infeasible(tasks: list[Task], target: datetime.date, as_of: datetime.date) -> bool:
    """Whether the tasks still open on `as_of` cannot all finish by `target` starting that day."""
    deps = {t.code: [d.code for d in t.depends_on.all()] for t in tasks}
    done = {t.code for t in tasks if t.done_on is not None and t.done_on <= as_of}
    return earliest_finish({t.code: t.duration_days for t in tasks}, deps, done, as_of) > target


@dataclass
class PlanRow:
    """A plan with its standing on a date, for lists, the map and the figures."""

    plan: Plan
    status: str
    tasks: int
    done: int
    overdue: int
    blockers: int

    @property
    def status_label(self) -> str:
        return PlanStatus(self.status).label


def plan_rows(user, region: Region, as_of: datetime.date, *, plans=None) -> list[PlanRow]:
    """Every plan under `region` made by `as_of`, with its status and counts on that day."""
    qs = plans if plans is not None else plans_in(user, region).filter(created_on__lte=as_of)
    plans = list(qs.prefetch_related("tasks__depends_on"))
    blocked = Counter(
        Blocker.objects.filter(task__plan__in=plans, raised_on__lte=as_of)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of))
        .values_list("task__plan_id", flat=True)
    )
    rows = []
    for plan in plans:
        tasks = list(plan.tasks.all())
        open_tasks = [t for t in tasks if t.done_on is None or t.done_on > as_of]
        rows.append(
            PlanRow(
                plan=plan,
                status=plan_status_on(plan, tasks, as_of, blocked=bool(blocked[plan.pk])),
                tasks=len(tasks),
                done=len(tasks) - len(open_tasks),
                overdue=sum(1 for t in open_tasks if t.due < as_of),
                blockers=blocked[plan.pk],
            )
        )
    return rows


def _latest_plans(rows: list[PlanRow]) -> dict[int, PlanRow]:
    """One row per county: the open plan, else the latest completed one."""
    by_county: dict[int, PlanRow] = {}
    for row in sorted(
        rows, key=lambda r: (r.plan.completed_on is None, r.plan.created_on, r.plan.pk)
    ):
        by_county[row.plan.county_id] = row
    return by_county


def county_plan_statuses(user, region: Region, as_of: datetime.date) -> dict[str, str]:
    """County code → PlanStatus for every county-level unit under `region` on `as_of`: a plan's
    status where there is one, else "no plan needed" for a standardized county and "no plan"
    for a lagging one. The caller checks the user may see `region`."""
    ledger = coverage.county_statuses(region, as_of)
    rows = _latest_plans(plan_rows(user, region, as_of))
    by_code = {r.plan.county.code: r.status for r in rows.values()}
    out = {}
    for code, status in ledger.items():
        if code in by_code:
            out[code] = by_code[code]
        elif status == coverage.CountyStatus.STANDARDIZED:
            out[code] = PlanStatus.NOT_NEEDED
        else:
            out[code] = PlanStatus.MISSING
    return out


def map_payload(user, region: Region, as_of: datetime.date) -> dict:
    """What the plan-status map draws: the map file, the units with status and name, the legend."""
    from qingxie.regions.maps import map_file_for
    from qingxie.regions.selectors import map_url

    statuses = county_plan_statuses(user, region, as_of)
    counts = Counter(statuses.values())
    per_province: dict[str, Counter] = {}
    if region.level == Region.Level.NATION:
        # The national map draws provinces, each in the colour most of its counties that need
        # a plan share (ties: the more pressing); a table beside it gives the counts.
        for code, status in statuses.items():
            per_province.setdefault(code[:2] + "0000", Counter())[status] += 1
        statuses = {}
        for province, tally in per_province.items():
            needing = {s: n for s, n in tally.items() if s != PlanStatus.NOT_NEEDED}
            statuses[province] = (
                max(needing, key=lambda s: (needing[s], SEVERITY.index(s)))
                if needing
                else PlanStatus.NOT_NEEDED
            )
    names = dict(Region.objects.filter(code__in=list(statuses)).values_list("code", "name"))
    name, _keep = map_file_for(region)
    return {
        "region": region.code,
        "name": region.name,
        "as_of": as_of.isoformat(),
        "map": map_url(name),
        "strings": {"no_map": gettext("地图文件暂不可用，请见下表。")},
        "units": [
            {
                "code": c,
                "name": names.get(c, c),
                "status": s,
                "label": PlanStatus(s).label,
                "overdue": per_province[c][PlanStatus.OVERDUE] if per_province else None,
                "missing": per_province[c][PlanStatus.MISSING] if per_province else None,
            }
            for c, s in sorted(statuses.items())
        ],
        "legend": [
            {
                "status": s.value,
                "label": s.label,
                "colour": STATUS_COLOURS[s],
                "count": counts[s.value],
            }
            for s in PlanStatus
        ],
    }


def plan_figures(region: Region, as_of: datetime.date) -> dict:
    """Plain figures of `region`'s plans on `as_of`, for the page, the API and the assessment
    ("tasks on time"): counties with a plan, tasks, done, done on time, overdue, plans on
    track and their share. Unrestricted: the caller checks the user may see `region`."""
    rows = plan_rows(None, region, as_of)
    tasks = [t for r in rows for t in r.plan.tasks.all()]
    due = [t for t in tasks if t.due <= as_of]
    done = [t for t in tasks if t.done_on is not None and t.done_on <= as_of]
    on_time = [t for t in due if t.done_on is not None and t.done_on <= t.due]
    open_rows = [r for r in rows if r.status != PlanStatus.DONE]
    on_track = sum(1 for r in open_rows if r.status == PlanStatus.ON_TRACK)
    return {
        "region": region.code,
        "as_of": as_of.isoformat(),
        "counties_with_plan": len({r.plan.county_id for r in rows}),
        "plans": len(rows),
        "plans_done": len(rows) - len(open_rows),
        "plans_on_track": on_track,
        "share_on_track": round(100 * on_track / len(open_rows), 1) if open_rows else None,
        "tasks": len(tasks),
        "tasks_done": len(done),
        "tasks_due": len(due),
        "tasks_done_on_time": len(on_time),
        "tasks_on_time_rate": round(100 * len(on_time) / len(due), 1) if due else None,
        "tasks_overdue": sum(r.overdue for r in rows),
    }


def blocker_stats(user, region: Region, as_of: datetime.date) -> dict:
    """Blockers open on `as_of` by kind, for `region` and each child (what the province takes
    to 文明办 and 民政), plus all raised by then."""
    qs = Blocker.objects.all() if user is None else Blocker.objects.restrict(user, "view")
    qs = qs.filter(subtree_q("region_path", region.path), raised_on__lte=as_of)
    kinds = list(BlockerKind.objects.filter(active=True))
    children = list(region.children.filter(valid_to__isnull=True).order_by("code"))
    depth = len(region.ancestor_codes) + 1  # the index of the child's code in a path
    table: dict[str, Counter] = {c.code: Counter() for c in children}
    total, opened, by_body = Counter(), Counter(), Counter()
    for kind_id, path, resolved, body in qs.values_list(
        "kind_id", "region_path", "resolved_on", "coordinate_with"
    ):
        total[kind_id] += 1
        if resolved is None or resolved > as_of:
            opened[kind_id] += 1
            by_body[body] += 1
            parts = path.strip("/").split("/")
            if len(parts) > depth and parts[depth] in table:
                table[parts[depth]][kind_id] += 1
    from qingxie.plans.choices import COORDINATE_WITH

    return {
        "kinds": [
            {
                "id": k.pk,
                "code": k.code,
                "label": k.label,
                "open": opened[k.pk],
                "total": total[k.pk],
            }
            for k in kinds
        ],
        "children": [
            {
                "code": c.code,
                "name": c.name,
                "counts": [table[c.code][k.pk] for k in kinds],
                "open": sum(table[c.code].values()),
            }
            for c in children
        ],
        "bodies": [
            {"code": code, "label": label, "open": by_body[code]} for code, label in COORDINATE_WITH
        ],
        "open": sum(opened.values()),
        "total": sum(total.values()),
    }


def responsibility_rows(user, region: Region) -> list[dict]:
    """Each current county under `region` with its open responsibility (or none)."""
    counties = list(
        Region.objects.filter(
            subtree_q("path", region.path), level=Region.Level.COUNTY, valid_to__isnull=True
        )
        .select_related("parent")
        .order_by("code")
    )
    qs = (
        Responsibility.objects.restrict(user, "view")
        if user is not None
        else Responsibility.objects.all()
    )
    open_ = {
        r.county_id: r
        for r in qs.filter(
            subtree_q("region_path", region.path), until__isnull=True
        ).select_related("cadre", "patch")
    }
    return [{"county": c, "responsibility": open_.get(c.pk)} for c in counties]


def responsibility_history(user, county: Region) -> QuerySet[Responsibility]:
    return (
        Responsibility.objects.restrict(user, "view")
        .filter(county=county)
        .select_related("cadre", "patch", "assigned_by")
    )


def my_counties(user, as_of: datetime.date) -> list[dict]:
    """The counties `user` chases (盯县), with their plan status on `as_of`."""
    resps = list(
        Responsibility.objects.filter(cadre=user, until__isnull=True).select_related(
            "county__parent", "patch"
        )
    )
    if not resps:
        return []
    ids = [r.county_id for r in resps]
    plans = Plan.objects.filter(county_id__in=ids, created_on__lte=as_of).select_related(
        "county__parent"
    )
    rows = _latest_plans(plan_rows(None, None, as_of, plans=plans))
    from qingxie.ledger.selectors import standardized_since_by_region

    standardized = standardized_since_by_region(ids)
    out = []
    for r in resps:
        row = rows.get(r.county_id)
        needed = not standardized.get(r.county_id)
        out.append({"county": r.county, "patch": r.patch, "row": row, "needed": needed})
    # What needs chasing first: late, at risk, no plan yet, then the rest.
    order = {PlanStatus.OVERDUE: 0, PlanStatus.AT_RISK: 1}
    out.sort(
        key=lambda m: (
            order.get(m["row"].status, 3) if m["row"] else (2 if m["needed"] else 4),
            m["county"].code,
        )
    )
    return out


def unassigned_counties(user, region: Region) -> list[Region]:
    """Counties under `region` with no one responsible, for the level that should assign them
    (a city for its counties; a province for those directly under it)."""
    return [
        row["county"] for row in responsibility_rows(user, region) if row["responsibility"] is None
    ]


def _level_label(level: int) -> str:
    return OwnerLevel(level).label


def attention_tasks(user, region: Region, as_of: datetime.date, limit: int = 8) -> dict:
    """Overdue and due-soon tasks under `region`, counted per owner level, first few listed."""
    overdue = overdue_tasks(user, region, as_of)
    soon = due_soon_tasks(user, region, as_of)
    # The per-level counts sum to the overdue total, and a short due-soon list counts
    # itself: two COUNT queries fewer on every workbench visit.
    per_level = Counter(overdue.values_list("owner_level", flat=True))
    soon_first = list(soon[: limit + 1])
    return {
        "overdue_total": sum(per_level.values()),
        "soon_total": len(soon_first) if len(soon_first) <= limit else soon.count(),
        "overdue": list(overdue[:limit]) if per_level else [],
        "soon": soon_first[:limit],
        "per_level": [
            {"label": _level_label(lv), "count": per_level[lv]} for lv in sorted(per_level)
        ],
    }


def workbench_tasks_context(user, region: Region, as_of: datetime.date) -> dict | None:
    """The workbench panel of overdue and due-soon tasks (需要处理)."""
    if region.level > Region.Level.COUNTY:
        return None
    from qingxie.accounts.permissions import user_may
    from qingxie.core.cache import cached_figures

    def compute():
        data = attention_tasks(user, region, as_of)
        if not data["overdue_total"] and not data["soon_total"]:
            data["any_plan"] = plans_in(user, region).exists()
        return data

    if user_may(user, Task, "view", region.path) and user_may(user, Plan, "view", region.path):
        # Who sees the whole subtree sees the same lists: read once per version of the plans,
        # and the shell keeps the rendered panel (WorkbenchPanel.fragment_domains).
        data = cached_figures(
            f"plans-tasks:{region.code}:{as_of.isoformat()}",
            compute,
            path=region.path,
            domains=("plans", "regions"),
        )
        data = {**data, "fragment": ""}
    else:
        data = compute()
    if not data["overdue_total"] and not data["soon_total"] and not data.get("any_plan"):
        return None
    return {**data, "region": region, "as_of": as_of}


def _unassigned(region: Region) -> tuple[int, list[Region]]:
    """How many counties this level assigns have no one responsible, and the first 20."""
    counties = Region.objects.filter(
        subtree_q("path", region.path), level=Region.Level.COUNTY, valid_to__isnull=True
    )
    if region.level == Region.Level.PROVINCE:
        counties = counties.filter(parent=region)
    taken = Responsibility.objects.filter(
        subtree_q("region_path", region.path), until__isnull=True
    ).values("county_id")
    counties = counties.exclude(pk__in=taken).order_by("code")
    total = counties.count()
    return total, (list(counties[:20]) if total else [])


def workbench_counties_context(user, region: Region, as_of: datetime.date) -> dict | None:
    """The "my counties" panel: what the cadre chases, and counties with no one responsible."""
    from qingxie.accounts.permissions import user_may
    from qingxie.core.cache import cached_figures, cached_for_user

    # The cadre's own list (six queries when they chase counties), kept until a write in the
    # plans, the ledger or the divisions anywhere: their counties may lie outside `region`.
    mine = cached_for_user(
        user,
        f"plans-mine:{as_of.isoformat()}",
        lambda: my_counties(user, as_of),
        domains=("plans", "ledger", "regions"),
    )
    unassigned: list[Region] = []
    unassigned_total = 0

    if region.level in (Region.Level.PROVINCE, Region.Level.PREFECTURE) and user_may(
        user, Responsibility, "change", region.path
    ):
        # Counted and cut in the database (as `unassigned_counties` decides, for the counties
        # this level assigns): a province's 1,700 regions are no longer loaded on every visit.
        # Who may change responsibilities here sees them all: the same for every such user,
        # read once per version of the plans and the divisions.
        unassigned_total, unassigned = cached_figures(
            f"plans-unassigned:{region.code}",
            lambda: _unassigned(region),
            path=region.path,
            domains=("plans", "regions"),
        )
    if not mine and not unassigned:
        return None
    return {
        "mine": mine,
        "unassigned": unassigned,
        "unassigned_total": unassigned_total,
        "region": region,
    }


def plan_tasks(plan: Plan) -> list[Task]:
    """A plan's tasks with owners, dependencies and blockers, in due order."""
    return list(
        plan.tasks.all()
        .select_related("owner")
        .prefetch_related("depends_on", "blockers__kind")
        .order_by("due", "position", "id")
    )


def timeline_chart(plan: Plan, tasks: list[Task], as_of: datetime.date) -> dict:
    """The plan's timeline (ECharts custom series data): one bar per task from its latest start
    to its due date, coloured by state, with the target date and today marked."""
    items = []
    for n, t in enumerate(tasks):
        late = t.due < (t.done_on or as_of)
        state = "done" if t.done_on else ("overdue" if t.due < as_of else "open")
        items.append(
            {
                "i": n,
                "title": t.title,
                "start": t.start_by.isoformat(),
                "due": t.due.isoformat(),
                "done_on": t.done_on.isoformat() if t.done_on else None,
                "state": state,
                "late": late,
                "owner_level": _level_label(t.owner_level),
            }
        )
    return {
        "tasks": items,
        "target": plan.target_date.isoformat(),
        "today": as_of.isoformat(),
        # The script's words, translated here (it has none of its own).
        "strings": {
            "start": gettext("最迟开始"),
            "due": gettext("最迟完成"),
            "done": gettext("完成于"),
            "target": gettext("目标日期"),
            "today": gettext("今天"),
        },
    }


def pending_signoff(user) -> QuerySet[Plan]:
    """Plans waiting for `user`'s sign-off."""
    from qingxie.core.review import review_queue
    from qingxie.plans.services import PLAN_REVIEW

    return review_queue(user, PLAN_REVIEW)


def task_status_label(task: Task) -> str:
    return TaskStatus(task.status).label
