"""Who may do what in the assessment (the rest follows the default role-and-region table)."""

from __future__ import annotations

from django.db.models import Q

from qingxie.accounts.policies import RoleRegionPolicy, user_grants
from qingxie.core.models import subtree_q


def _ancestors(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


class RoundPolicy(RoleRegionPolicy):
    """A round is read by every level it concerns: the organiser's subtree (a county sees the
    national round) and the levels above it; it is opened and changed by the organiser's
    administrators (the default table)."""

    def _view_q(self, user) -> Q | None:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return Q(pk__in=[])
        if user.is_superuser:
            return None
        q = Q(pk__in=[])
        for grant in user_grants(user):
            path = grant.region.path
            q |= Q(region_path__in=_ancestors(path)) | subtree_q("region_path", path)
        return q

    def restrict(self, queryset, user, action: str):
        if action != "view":
            return super().restrict(queryset, user, action)
        self.check_action(action)
        q = self._view_q(user)
        return queryset if q is None else queryset.filter(q)

    def user_may(self, user, action: str, *, obj=None, path: str | None = None) -> bool:
        if action != "view":
            return super().user_may(user, action, obj=obj, path=path)
        self.check_action(action)
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if user.is_superuser:
            return True
        path = path or getattr(obj, "region_path", "")
        return any(
            path.startswith(g.region.path) or g.region.path.startswith(path)
            for g in user_grants(user)
        )


def register() -> None:
    """Register the assessment's policies (AssessmentConfig.ready)."""
    from qingxie.assessment.models import (
        Candidate,
        DemoQuota,
        LibraryEntry,
        Round,
        Sheet,
        Support,
        Value,
    )
    from qingxie.core.policies import register_policy

    register_policy(Round, RoundPolicy(Round))
    for model in (Sheet, Value, DemoQuota, Candidate, LibraryEntry, Support):
        register_policy(model, RoleRegionPolicy(model))
