"""The ledger's permission policies, registered in LedgerConfig.ready().

Each model follows the roles and their regions (accounts.policies); the checklist entries add
the custom action `verify`: only an administrator holding a grant on the level directly above
the association (`services.may_verify`) decides, wherever else their grants reach.
"""

from __future__ import annotations

from django.db.models import Q

from qingxie.accounts.policies import RoleRegionPolicy, user_grants
from qingxie.accounts.roles import ROLE_LEVEL
from qingxie.core.policies import register_policy

VERIFY = "verify"


class ChecklistEntryPolicy(RoleRegionPolicy):
    """Staff submit checklist material (change); the level directly above verifies it."""

    def __init__(self, model=None, **kwargs):
        kwargs.setdefault("custom_actions", {VERIFY})
        super().__init__(model, **kwargs)

    def user_may(self, user, action: str, *, obj=None, path: str | None = None) -> bool:
        if action != VERIFY:
            return super().user_may(user, action, obj=obj, path=path)
        self.check_action(action)
        if obj is None:
            return False
        from qingxie.ledger.services import may_verify

        return user is not None and user.is_active and may_verify(user, obj.association)

    def restrict(self, queryset, user, action: str):
        if action != VERIFY:
            return super().restrict(queryset, user, action)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return queryset.none()
        if user.is_superuser:
            return queryset.all()
        regions = [g.region for g in user_grants(user) if ROLE_LEVEL.get(g.role) is not None]
        condition = Q(association__region__parent__in=[r.pk for r in regions])
        if any(r.parent_id is None for r in regions):  # the nation verifies itself
            condition |= Q(association__region__parent__isnull=True)
        return queryset.filter(condition) if regions else queryset.none()


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
