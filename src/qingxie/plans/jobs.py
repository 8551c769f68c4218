"""Periodic work of the plans app: closing tasks the ledger shows done, the daily digest."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from qingxie.core.context import change_context


def sync_ledger() -> int:
    """Close, as the system, every task and plan the ledger shows done."""
    from qingxie.plans.services import plans_sync_ledger

    with change_context(channel="system"):
        return plans_sync_ledger()


def daily_digest(as_of: datetime.date | None = None) -> int:
    """One in-app notification per cadre a day (email too when SMTP is set): their overdue
    tasks and those due within 14 days, as owner or as the cadre chasing the county.
    Re-running it the same day writes nothing new. Returns the notifications written."""
    from django.urls import reverse

    from qingxie.core.notifications import notify
    from qingxie.plans.models import Responsibility, Task
    from qingxie.plans.selectors import DUE_SOON_DAYS, open_on_q

    as_of = as_of or timezone.localdate()
    sync_ledger()
    soon = as_of + datetime.timedelta(days=DUE_SOON_DAYS)
    tasks = (
        Task.objects.filter(
            due__lte=soon, plan__created_on__lte=as_of, plan__completed_on__isnull=True
        )
        .filter(open_on_q(as_of))
        .select_related("plan__county", "owner")
        .order_by("due", "id")
    )
    chasers = defaultdict(set)
    for county_id, cadre_id in Responsibility.objects.filter(until__isnull=True).values_list(
        "county_id", "cadre_id"
    ):
        chasers[county_id].add(cadre_id)
    per_user: dict[int, list[Task]] = defaultdict(list)
    users = {}
    for t in tasks:
        whom = set(chasers.get(t.plan.county_id, ()))
        if t.owner_id:
            whom.add(t.owner_id)
            users[t.owner_id] = t.owner
        for uid in whom:
            per_user[uid].append(t)
    from qingxie.accounts.models import User

    users.update({u.pk: u for u in User.objects.filter(pk__in=set(per_user) - set(users))})
    written = 0
    for uid, items in per_user.items():
        user = users.get(uid)
        if user is None or not user.is_active:
            continue
        overdue = [t for t in items if t.due < as_of]
        due_soon = [t for t in items if t.due >= as_of]
        lines = [
            f"{'【逾期】' if t.due < as_of else '【将到期】'}{t.plan.county.name}·{t.title}，最迟完成 {t.due:%Y-%m-%d}"
            for t in items[:50]
        ]
        note = notify(
            user=user,
            kind="plans.digest",
            key=as_of.isoformat(),
            title=f"一县一策每日提醒（{as_of:%Y-%m-%d}）：逾期 {len(overdue)} 项，14天内到期 {len(due_soon)} 项",
            body="\n".join(lines),
            url=reverse("plans:task_list") + "?mine=1",
        )
        written += note is not None
    return written
