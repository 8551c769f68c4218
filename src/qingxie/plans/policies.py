"""Who may do what with plans: the level above signs off (`verify`), cities and provinces
assign responsibility, county staff work their own tasks."""

from __future__ import annotations

from qingxie.accounts.policies import RoleRegionPolicy
from qingxie.accounts.roles import Role, role_table
from qingxie.core.review import decider_q, may_decide, review_for

VERIFY = "verify"


class PlanPolicy(RoleRegionPolicy):
    """Counties draft and revise their plan (change); the level above signs it off (`verify`),
    by the review workflow's one rule."""

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


#: Responsibility and patches are the city's (or province's) to set, not the county's own.
ASSIGNING = role_table(
    revoke={
        Role.COUNTY_ADMIN: {"add", "change", "delete"},
        Role.ASSOCIATION_STAFF: {"add", "change", "delete"},
    }
)


def register() -> None:
    from qingxie.core.policies import register_policy
    from qingxie.plans.models import Patch, Plan, Responsibility

    register_policy(Plan, PlanPolicy(Plan))
    register_policy(Responsibility, RoleRegionPolicy(Responsibility, role_actions=ASSIGNING))
    register_policy(Patch, RoleRegionPolicy(Patch, role_actions=ASSIGNING))
