"""The ledger's permission policies, registered in LedgerConfig.ready().

Each model follows the roles and their regions (accounts.policies); the checklist entries add
the custom action `verify`, decided by the review workflow's rule (core.review): the level
directly above first, a level above it once the entry has waited undecided.
"""

from __future__ import annotations

from qingxie.accounts.policies import RoleRegionPolicy
from qingxie.core.policies import register_policy
from qingxie.core.review import decider_q, may_decide, review_for

VERIFY = "verify"


class ChecklistEntryPolicy(RoleRegionPolicy):
    """Staff submit checklist material (change); the level above decides it (`verify`).

    Who decides is the review workflow's one rule (core.review.may_decide for one entry,
    decider_q for the queue), so the policy, the services and the pages cannot disagree.
    """

    def __init__(self, model=None, **kwargs):
        kwargs.setdefault("custom_actions", {VERIFY})
        super().__init__(model, **kwargs)

    def user_may(self, user, action: str, *, obj=None, path: str | None = None) -> bool:
        if action != VERIFY:
            return super().user_may(user, action, obj=obj, path=path)
        self.check_action(action)
        if obj is None or user is None or not user.is_active:
            return False
        return may_decide(user, obj, review_for(obj))

    def restrict(self, queryset, user, action: str):
        if action != VERIFY:
            return super().restrict(queryset, user, action)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        return queryset.filter(decider_q(user, review_for(queryset.model)))


def register() -> None:
    """Register the ledger's policies (called once from LedgerConfig.ready())."""
    from qingxie.ledger.models import (
        Association,
        ChecklistEntry,
        ChecklistItem,
        CoverageTarget,
        GroupMember,
        Seat,
    )

    for model in (Association, Seat, GroupMember, CoverageTarget, ChecklistItem):
        register_policy(model, RoleRegionPolicy(model))
    register_policy(ChecklistEntry, ChecklistEntryPolicy(ChecklistEntry))
