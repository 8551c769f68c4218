"""Reads on grassroots teams for other apps (the association page, the township coverage)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from qingxie.accounts.permissions import user_may
from qingxie.teams.models import Team


def teams_of_association(user, association) -> QuerySet[Team]:
    """The association's teams the user may see, with their townships."""
    return (
        Team.objects.restrict(user, "view")
        .filter(association=association)
        .select_related("township")
    )


def may_add_team(user, path: str) -> bool:
    """Whether the user may build a team at region `path` (the association page's button)."""
    return user_may(user, Team, "add", path)


def township_teams_on(as_of) -> QuerySet[Team]:
    """Teams in a township that exist on `as_of` (founded by then, not yet dissolved)."""
    return Team.objects.filter(township_parent__isnull=False, founded_on__lte=as_of).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of)
    )
