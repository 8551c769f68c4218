"""What the teams app shows on a county's workbench: the townships still without a team
(each with 为该街道建队) and the county's teams by last update. Registered in TeamsConfig.ready()
as workbench panels; read through the permission gate."""

from __future__ import annotations

import datetime

from django.db.models import Q

from qingxie.accounts.permissions import user_may
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.regions.models import Region
from qingxie.teams.models import Team

#: How many teams the county panel lists (the rest are one click away on /teams/).
TEAMS_SHOWN = 8


def _active_on(as_of: datetime.date) -> Q:
    return Q(founded_on__lte=as_of) & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of))


def townships_without_team(user, region, as_of: datetime.date) -> dict | None:
    """The county's current townships and streets with no active team on `as_of`, and the
    association a new team would belong to (None when the user may not see the county)."""
    if not Region.objects.restrict(user, "view").filter(pk=region.pk).exists():
        return None
    townships = list(
        Region.objects.filter(
            parent=region, level=Region.Level.TOWNSHIP, valid_to__isnull=True
        ).order_by("code")
    )
    if not townships:
        return None
    served = set(
        Team.objects.filter(township_parent=region)
        .filter(_active_on(as_of))
        .values_list("township_id", flat=True)
    )
    missing = [t for t in townships if t.pk not in served]
    association = (
        Association.objects.restrict(user, "view")
        .filter(region=region, status__in=LIVE_STATUSES)
        .first()
    )
    may_add = association is not None and user_may(user, Team, "add", region.path)
    return {
        "region": region,
        "missing": missing,
        "total": len(townships),
        "served": len(townships) - len(missing),
        "association": association,
        "may_add": may_add,
    }


def county_teams(user, region, as_of: datetime.date) -> dict | None:
    """The county's active teams, most recently updated first."""
    teams = (
        Team.objects.restrict(user, "view")
        .filter(region=region)
        .filter(_active_on(as_of))
        .select_related("township")
    )
    # A county with few teams is counted from the rows already read (no COUNT query).
    shown = list(teams.order_by("-last_updated", "-id")[: TEAMS_SHOWN + 1])
    total = len(shown) if len(shown) <= TEAMS_SHOWN else teams.count()
    association = (
        Association.objects.restrict(user, "view")
        .filter(region=region, status__in=LIVE_STATUSES)
        .first()
    )
    return {
        "region": region,
        "teams": shown[:TEAMS_SHOWN],
        "total": total,
        "association": association,
        "may_add": association is not None and user_may(user, Team, "add", region.path),
    }
