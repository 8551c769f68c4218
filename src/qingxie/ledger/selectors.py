"""Reads of the ledger that pages and the API share (coverage figures are in coverage.py)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qingxie.accounts.permissions import user_grants
from qingxie.core.review import decider_q, review_queue
from qingxie.ledger.models import Association, ChecklistEntry, CoverageTarget
from qingxie.ledger.numbering import number_normalize
from qingxie.ledger.services import CHECKLIST_REVIEW


def verifiable_q(user) -> Q:
    """Entries whose decision is `user`'s: the query form of `services.may_decide_entry`.

    An admin grant on the region directly above (the national association, with no region
    above, is verified by the national level itself); a level above that once a submitted
    item has waited `services.CHECKLIST_ESCALATE_AFTER` undecided.
    """
    return decider_q(user, CHECKLIST_REVIEW)


def entries_to_verify(user) -> QuerySet[ChecklistEntry]:
    """Submitted checklist entries waiting for `user`'s decision, oldest first."""
    return review_queue(user, CHECKLIST_REVIEW)


def coverage_targets_for(user) -> QuerySet[CoverageTarget]:
    """Targets the user may read: those set inside their scope, and those set above it.

    A province's cadres follow the national targets unless their province sets its own, so
    they must see them; only the level that set a target may change it (the services check).
    """
    own = CoverageTarget.objects.restrict(user, "view")
    if user.is_superuser:
        return own
    above = {code for g in user_grants(user) for code in g.region.path.rstrip("/").split("/")[:-1]}
    return (own | CoverageTarget.objects.filter(region__code__in=above)).distinct()


def association_number_normalize(raw: str) -> str:
    """A 统一编号 as typed (with or without hyphens), checked by its check character;
    QingxieError when it is not one."""
    return number_normalize(raw)


def associations_by_number(actor, numbers) -> dict[str, Association]:
    """The associations `actor` may see among these unified numbers, with their regions."""
    qs = Association.objects.all() if actor is None else Association.objects.restrict(actor, "view")
    return {a.number: a for a in qs.filter(number__in=set(numbers)).select_related("region")}


def required_checklist_items() -> list[tuple[str, str]]:
    """(code, title) of the checklist items required today, in checklist order (for the
    plans app: one standardization task per item not yet verified)."""
    from django.utils import timezone

    from qingxie.ledger.models import ChecklistItem

    today = timezone.localdate()
    qs = ChecklistItem.objects.filter(required=True, active=True)
    qs = qs.filter(Q(required_from__isnull=True) | Q(required_from__lte=today))
    qs = qs.filter(Q(required_until__isnull=True) | Q(required_until__gt=today))
    return list(qs.order_by("position", "code").values_list("code", "title"))


def standardized_since_by_region(region_ids) -> dict[int, object]:
    """Region id → its live association's 规范化认定日期 (None when not standardized), for the
    regions of `region_ids` that have a live association: the one fact the plans workbench
    needs, in one query instead of `county_ledger_states`' three."""
    from qingxie.ledger.choices import LIVE_STATUSES

    return dict(
        Association.objects.filter(
            region_id__in=list(region_ids), status__in=LIVE_STATUSES
        ).values_list("region_id", "standardized_since")
    )


def county_ledger_states(region_ids) -> dict[int, dict]:
    """What the ledger shows today for each region id, as plain data for the plans app:
    `founded_on` (its live association's founding date, None without one), `registered_on`
    (民政登记 date or None), `standardized_since`, `verified` ({item code: verified on}) and
    `submitted` (item codes whose material waits for the level above's verification)."""
    from qingxie.ledger.choices import LIVE_STATUSES, ChecklistState

    out: dict[int, dict] = {}
    live = Association.objects.filter(region_id__in=list(region_ids), status__in=LIVE_STATUSES)
    rows = live.values_list(
        "id", "region_id", "established_on", "registered", "registered_on", "standardized_since"
    )
    by_assoc = {}
    for pk, region_id, founded, registered, registered_on, std in rows:
        by_assoc[pk] = region_id
        out[region_id] = {
            "founded_on": founded,
            "registered_on": (registered_on or founded) if registered else None,
            "standardized_since": std,
            "verified": {},
            "submitted": set(),
        }
    entries = ChecklistEntry.objects.filter(
        association_id__in=list(by_assoc), state=ChecklistState.VERIFIED
    ).values_list("association_id", "item__code", "verified_on")
    for assoc_id, code, on in entries:
        out[by_assoc[assoc_id]]["verified"][code] = on
    waiting = ChecklistEntry.objects.filter(
        association_id__in=list(by_assoc), state=ChecklistState.SUBMITTED
    ).values_list("association_id", "item__code")
    for assoc_id, code in waiting:
        out[by_assoc[assoc_id]]["submitted"].add(code)
    return out
