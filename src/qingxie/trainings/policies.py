"""Who sees a training: its organiser's patch, and every patch that sent someone to it.

A county sees the province training its president attended (and on its list only its own
people); writing stays with the organiser's cadres (the role-and-region rule on the
training's own path).
"""

from __future__ import annotations

from django.db.models import Q

from qingxie.accounts.policies import RoleRegionPolicy
from qingxie.core.models import NATION_PATH, subtree_q
from qingxie.core.policies import VIEW


def _attended_q(paths: list[str], field: str) -> Q:
    condition = Q()
    for path in paths:
        condition |= subtree_q(field, path)
    return condition


class TrainingPolicy(RoleRegionPolicy):
    """View: the organiser's subtree or an attendee's association's subtree; else the
    role-and-region rule."""

    def restrict(self, queryset, user, action: str):
        own = super().restrict(queryset, user, action)
        if action != VIEW:
            return own
        paths = self.scope_paths(user, VIEW)
        if not paths or NATION_PATH in paths:
            return own
        from qingxie.trainings.models import Attendee

        sent = Attendee.objects.filter(_attended_q(paths, "association_path"))
        return queryset.filter(Q(pk__in=own.values("pk")) | Q(pk__in=sent.values("training_id")))

    def user_may(self, user, action: str, *, obj=None, path: str | None = None) -> bool:
        if super().user_may(user, action, obj=obj, path=path):
            return True
        if action != VIEW or obj is None:
            return False
        return self.restrict(type(obj).objects.filter(pk=obj.pk), user, VIEW).exists()


class AttendeePolicy(RoleRegionPolicy):
    """View: the training organiser's subtree, or the attendee's own association's subtree."""

    def restrict(self, queryset, user, action: str):
        own = super().restrict(queryset, user, action)
        if action != VIEW:
            return own
        paths = self.scope_paths(user, VIEW)
        if not paths or NATION_PATH in paths:
            return own
        return queryset.filter(Q(pk__in=own.values("pk")) | _attended_q(paths, "association_path"))
