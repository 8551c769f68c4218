"""Who may do what with programmes, projects, the library and competitions.

Reference rows a level sets for its subtree (programmes, competitions and their setup, pilot
programmes) are read by the cadres of that subtree *and* of every region below it (a county
cadre sees the national programmes and the provincial contest it enters); they are written by
the administrators of the setting level. The library's decisions (`verify`) follow the review
workflow's one rule (core.review.may_decide / decider_q).
"""

from __future__ import annotations

from django.db.models import Q

from qingxie.accounts.policies import RoleRegionPolicy, user_grants
from qingxie.accounts.roles import Role, role_table
from qingxie.core.models import path_in_scope
from qingxie.core.policies import register_policy
from qingxie.core.review import decider_q, may_decide, review_for

VERIFY = "verify"

#: Association staff run projects; only administrators set programmes and competitions up.
ADMIN_WRITES = role_table(revoke={Role.ASSOCIATION_STAFF: {"add", "change", "delete"}})


def _ancestor_paths(user) -> set[str]:
    """Paths of the regions above each of the user's grants (their own excluded)."""
    out: set[str] = set()
    for grant in user_grants(user):
        codes = grant.region.path.rstrip("/").split("/")[:-1]
        for i in range(1, len(codes) + 1):
            out.add("/".join(codes[:i]) + "/")
    return out


class ReadFromBelowPolicy(RoleRegionPolicy):
    """A role table for writes; `view` also reaches rows set by a region above a grant."""

    def restrict(self, queryset, user, action: str):
        own = super().restrict(queryset, user, action)
        if action != "view" or user is None or not getattr(user, "is_authenticated", False):
            return own
        if not user.is_active or user.is_superuser:
            return own
        above = _ancestor_paths(user)
        if not above:
            return own
        field = queryset.model.scope_path_field
        paths = self.scope_paths(user, action) or []
        condition = Q(**{f"{field}__in": sorted(above)})
        for path in paths:
            condition |= Q(**{f"{field}__gte": path, f"{field}__lt": path + "~"})
        return queryset.filter(condition)

    def user_may(self, user, action: str, *, obj=None, path: str | None = None) -> bool:
        if super().user_may(user, action, obj=obj, path=path):
            return True
        if action != "view" or user is None or not getattr(user, "is_authenticated", False):
            return False
        if obj is not None and path is None:
            path = getattr(obj, obj.scope_path_field, "")
        return bool(path) and path in _ancestor_paths(user)


class LibraryEntryPolicy(RoleRegionPolicy):
    """Associations submit (change); the level above decides (`verify`): approve into the
    library, return, recommend, publish and withdraw."""

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


def judge_conflict_paths(user, organiser_path: str) -> list[tuple[str, str]]:
    """(path, name) of the regions a judge is local to below the organiser: their grants'
    regions strictly inside the organiser's subtree (a province judge has none in a
    provincial contest; a Guangzhou cadre has 广州市)."""
    out = []
    for grant in user_grants(user):
        path = grant.region.path
        if path != organiser_path and path_in_scope([organiser_path], path):
            out.append((path, grant.region.name))
    return out


def register() -> None:
    """Register the app's policies (called once from ProjectsConfig.ready())."""
    from qingxie.projects import models as m

    for model in (m.Project, m.Activity, m.Entry, m.ScoreSheet):
        register_policy(model, RoleRegionPolicy(model))
    for model in (m.Award, m.Disbursement, m.PilotUnit, m.PilotCommunity):
        register_policy(model, RoleRegionPolicy(model, role_actions=ADMIN_WRITES))
    register_policy(m.Programme, RoleRegionPolicy(m.Programme, role_actions=ADMIN_WRITES))
    for model in (
        m.Competition,
        m.Category,
        m.Quota,
        m.Stage,
        m.Criterion,
        m.JudgeAssignment,
        m.PilotProgramme,
    ):
        register_policy(model, ReadFromBelowPolicy(model, role_actions=ADMIN_WRITES))
    register_policy(m.LibraryEntry, LibraryEntryPolicy(m.LibraryEntry))
