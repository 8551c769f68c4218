"""The ledger's figures offered to the assessment indicators (core.indicators), per association.

Each function returns `(value, text)`: the number scored and the figures it came from. The texts
are stored with the assessment values (data, written once), so they stay Chinese.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from qingxie.core.indicators import IndicatorSource, register_indicator_source
from qingxie.ledger.choices import AssociationStatus
from qingxie.ledger.models import (
    AssociationStatusPeriod,
    ChecklistItem,
    ChecklistVerification,
    GroupMember,
    StandardizationPeriod,
)


def _covers(as_of: datetime.date) -> Q:
    return Q(start__lte=as_of) & (Q(end__isnull=True) | Q(end__gt=as_of))


def registered(association, as_of: datetime.date) -> tuple[int, str]:
    """1 when the association was registered with civil affairs by `as_of`, else 0."""
    yes = association.registered and (
        association.registered_on is None or association.registered_on <= as_of
    )
    return int(yes), "已登记" if yes else "未登记"


def _required_on(as_of: datetime.date) -> list[int]:
    """The checklist items required on `as_of` (the rule of standardization on a past date)."""
    items = ChecklistItem.objects.filter(
        Q(required=True, active=True) | Q(required_until__isnull=False)
    ).values_list("pk", "required_from", "required_until", "required", "active")
    return [
        pk
        for pk, start, until, required, active in items
        if (start is None or start <= as_of)
        and ((required and active) or (until is not None and as_of < until))
    ]


def checklist_rate(association, as_of: datetime.date) -> tuple[float, str]:
    """The share (%) of the checklist items required on `as_of` that stood verified that day."""
    required = _required_on(as_of)
    verified = (
        ChecklistVerification.objects.filter(
            _covers(as_of), entry__association=association, entry__item_id__in=required
        )
        .values("entry__item_id")
        .distinct()
        .count()
    )
    rate = round(100 * verified / len(required), 1) if required else 0.0
    return rate, f"规范化建设事项已核验 {verified}/{len(required)} 项"


def standardized(association, as_of: datetime.date) -> tuple[int, str]:
    """1 when the association was standardized on `as_of`, as the coverage figures count it."""
    yes = StandardizationPeriod.objects.filter(_covers(as_of), association=association).exists()
    return int(yes), "规范化建设已达标" if yes else "规范化建设未达标"


def group_members(association, as_of: datetime.date) -> tuple[int, str]:
    """Group members (团体会员) in the association on `as_of`."""
    n = (
        GroupMember.objects.filter(association=association, admitted_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=as_of))
        .count()
    )
    return n, f"在册团体会员 {n} 个"


def active_all_year(association, as_of: datetime.date) -> tuple[int, str]:
    """1 when one active status period covers 1 January of `as_of`'s year through `as_of`."""
    start = datetime.date(as_of.year, 1, 1)
    yes = (
        AssociationStatusPeriod.objects.filter(
            association=association, status=AssociationStatus.ACTIVE, start__lte=start
        )
        .filter(Q(end__isnull=True) | Q(end__gt=as_of))
        .exists()
    )
    return int(yes), "全年正常活动" if yes else "年内曾暂停活动或为年内新成立"


# ------------------------------------------------ batches: the same figures, a few queries


def _ids(associations) -> list[int]:
    return [a.pk for a in associations]


def registered_batch(associations, as_of: datetime.date) -> dict:
    return {a.pk: registered(a, as_of) for a in associations}


def checklist_rate_batch(associations, as_of: datetime.date) -> dict:
    required = _required_on(as_of)
    counts = dict(
        ChecklistVerification.objects.filter(
            _covers(as_of),
            entry__association_id__in=_ids(associations),
            entry__item_id__in=required,
        )
        .values_list("entry__association_id")
        .annotate(n=Count("entry__item_id", distinct=True))
    )
    out = {}
    for a in associations:
        verified = counts.get(a.pk, 0)
        rate = round(100 * verified / len(required), 1) if required else 0.0
        out[a.pk] = (rate, f"规范化建设事项已核验 {verified}/{len(required)} 项")
    return out


def standardized_batch(associations, as_of: datetime.date) -> dict:
    yes = set(
        StandardizationPeriod.objects.filter(
            _covers(as_of), association_id__in=_ids(associations)
        ).values_list("association_id", flat=True)
    )
    return {
        a.pk: (int(a.pk in yes), "规范化建设已达标" if a.pk in yes else "规范化建设未达标")
        for a in associations
    }


def group_members_batch(associations, as_of: datetime.date) -> dict:
    counts = dict(
        GroupMember.objects.filter(association_id__in=_ids(associations), admitted_on__lte=as_of)
        .filter(Q(left_on__isnull=True) | Q(left_on__gt=as_of))
        .values_list("association_id")
        .annotate(n=Count("id"))
    )
    return {
        a.pk: (counts.get(a.pk, 0), f"在册团体会员 {counts.get(a.pk, 0)} 个") for a in associations
    }


def active_all_year_batch(associations, as_of: datetime.date) -> dict:
    start = datetime.date(as_of.year, 1, 1)
    yes = set(
        AssociationStatusPeriod.objects.filter(
            association_id__in=_ids(associations),
            status=AssociationStatus.ACTIVE,
            start__lte=start,
        )
        .filter(Q(end__isnull=True) | Q(end__gt=as_of))
        .values_list("association_id", flat=True)
    )
    return {
        a.pk: (int(a.pk in yes), "全年正常活动" if a.pk in yes else "年内曾暂停活动或为年内新成立")
        for a in associations
    }


def register() -> None:
    """Offer the ledger's figures to the indicator system (called from LedgerConfig.ready)."""
    for code, label, fn, batch, unit in (
        ("ledger.registered", "已在民政部门登记", registered, registered_batch, "是/否"),
        (
            "ledger.checklist_rate",
            "规范化建设事项核验比例",
            checklist_rate,
            checklist_rate_batch,
            "%",
        ),
        ("ledger.standardized", "规范化建设达标", standardized, standardized_batch, "是/否"),
        ("ledger.group_members", "团体会员数", group_members, group_members_batch, "个"),
        ("ledger.active_all_year", "全年正常活动", active_all_year, active_all_year_batch, "是/否"),
    ):
        register_indicator_source(
            IndicatorSource(code, label, fn, app="ledger", unit=unit, batch=batch)
        )
