"""What the teams app shows on a county's workbench: the townships still without a team
(each with 为该街道建队) and the county's teams by last update. Registered in TeamsConfig.ready()
as workbench panels; read through the permission gate."""

from __future__ import annotations

import datetime

from django.db.models import Q

from qingxie.accounts.permissions import user_may
from qingxie.core.cache import cached_figures
from qingxie.ledger.choices import LIVE_STATUSES
from qingxie.ledger.models import Association
from qingxie.regions.models import Region
from qingxie.teams.models import Team

#: How many teams the county panel lists (the rest are one click away on /teams/).
TEAMS_SHOWN = 8


def _active_on(as_of: datetime.date) -> Q:
    return Q(founded_on__lte=as_of) & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of))


#: What the county panels read: the teams, the ledger (the county's association) and the
#: divisions (its townships).
DOMAINS = ("teams", "ledger", "regions")


def _county_facts(region, as_of: datetime.date) -> dict:
    """The county's townships without a team, its active teams and its live association: the
    same for everyone who may view the county (both panels check that first), so read once
    per version of the data they depend on."""

    def compute():
        townships = list(
            Region.objects.filter(
                parent=region, level=Region.Level.TOWNSHIP, valid_to__isnull=True
            ).order_by("code")
        )
        served = set(
            Team.objects.filter(township_parent=region)
            .filter(_active_on(as_of))
            .values_list("township_id", flat=True)
        )
        teams = Team.objects.filter(region=region).filter(_active_on(as_of))
        # A county with few teams is counted from the rows already read (no COUNT query).
        shown = list(
            teams.select_related("township")
            .defer("leader_phone")
            .order_by("-last_updated", "-id")[: TEAMS_SHOWN + 1]
        )
        return {
            "townships": townships,
            "missing": [t for t in townships if t.pk not in served],
            "teams": shown[:TEAMS_SHOWN],
            "teams_total": len(shown) if len(shown) <= TEAMS_SHOWN else teams.count(),
            "association": Association.objects.filter(region=region, status__in=LIVE_STATUSES)
            .defer("president_phone", "secretary_phone")
            .first(),
        }

    return cached_figures(
        f"teams-county:{region.code}:{as_of.isoformat()}",
        compute,
        path=region.path,
        domains=DOMAINS,
    )


def _may_view(user, region) -> bool:
    """Whether `user` sees the county, its teams and its association (the gate's rule for
    each, asked of the user's grants without a query)."""
    return (
        user_may(user, Region, "view", region.path)
        and user_may(user, Team, "view", region.path)
        and user_may(user, Association, "view", region.path)
    )


def townships_without_team(user, region, as_of: datetime.date) -> dict | None:
    """The county's current townships and streets with no active team on `as_of`, and the
    association a new team would belong to (None when the user may not see the county)."""
    if not _may_view(user, region):
        return None
    facts = _county_facts(region, as_of)
    townships, missing = facts["townships"], facts["missing"]
    if not townships:
        return None
    association = facts["association"]
    may_add = association is not None and user_may(user, Team, "add", region.path)
    return {
        # The rest is the same for whoever may view the county (WorkbenchPanel.fragment_domains).
        "fragment": f"add={may_add:d}",
        "region": region,
        "missing": missing,
        "total": len(townships),
        "served": len(townships) - len(missing),
        "association": association,
        "may_add": may_add,
    }


def county_teams(user, region, as_of: datetime.date) -> dict | None:
    """The county's active teams, most recently updated first."""
    if not _may_view(user, region):
        return None
    facts = _county_facts(region, as_of)
    shown, total, association = facts["teams"], facts["teams_total"], facts["association"]
    may_add = association is not None and user_may(user, Team, "add", region.path)
    return {
        "fragment": f"add={may_add:d}",
        "region": region,
        "teams": shown,
        "total": total,
        "association": association,
        "may_add": may_add,
    }
