"""The teams' figures offered to the assessment indicators (core.indicators), per association.

Each function returns `(value, text)`: the number scored and the figures it came from.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q

from qingxie.core.indicators import IndicatorSource, register_indicator_source
from qingxie.teams.models import Team
from qingxie.teams.selectors import township_teams_on


def live_teams(association, as_of: datetime.date) -> tuple[int, str]:
    """Teams of the association that exist on `as_of` (founded by then, not yet dissolved)."""
    n = (
        Team.objects.filter(association=association, founded_on__lte=as_of)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of))
        .count()
    )
    return n, f"在册基层队伍 {n} 支"


def township_rate(association, as_of: datetime.date) -> tuple[float, str]:
    """The share (%) of townships/streets in the association's region with a team on `as_of`:
    the township coverage the region's pages show (ledger.coverage), so they never disagree."""
    from qingxie.ledger.coverage import coverage_tree

    node = coverage_tree(association.region, as_of, depth=0)
    return (
        node.township_rate or 0.0,
        f"{node.townships_with_team}/{node.townships} 个乡镇（街道）已建队",
    )


def live_teams_batch(associations, as_of: datetime.date) -> dict:
    counts = dict(
        Team.objects.filter(association_id__in=[a.pk for a in associations], founded_on__lte=as_of)
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=as_of))
        .values_list("association_id")
        .annotate(n=Count("id"))
    )
    return {
        a.pk: (counts.get(a.pk, 0), f"在册基层队伍 {counts.get(a.pk, 0)} 支") for a in associations
    }


def township_rate_batch(associations, as_of: datetime.date) -> dict:
    """The township coverage of many associations' regions at once: townships with a team on
    `as_of` over the townships in force (the counter cache unless the divisions have history,
    as coverage_tree decides)."""
    from qingxie.ledger.coverage import rate, valid_on
    from qingxie.regions.models import DivisionDataset, Region

    region_ids = {a.region_id for a in associations}
    teams = township_teams_on(as_of).filter(township_parent_id__in=region_ids)
    # Until a second division list is loaded no township has history and the counter cache
    # is exact (ledger.coverage makes the same choice).
    exact = DivisionDataset.objects.count() > 1
    if exact:
        teams = teams.filter(valid_on(as_of, "township__"))
        totals = dict(
            Region.objects.filter(parent_id__in=region_ids, level=Region.Level.TOWNSHIP)
            .filter(valid_on(as_of))
            .values_list("parent_id")
            .annotate(n=Count("id"))
        )
    else:
        totals = {a.region_id: a.region.township_count for a in associations}
    covered = dict(
        teams.values_list("township_parent_id").annotate(n=Count("township_id", distinct=True))
    )
    out = {}
    for a in associations:
        with_team, total = covered.get(a.region_id, 0), totals.get(a.region_id, 0)
        out[a.pk] = (rate(with_team, total) or 0.0, f"{with_team}/{total} 个乡镇（街道）已建队")
    return out


def register() -> None:
    """Offer the teams' figures to the indicator system (called from TeamsConfig.ready)."""
    register_indicator_source(
        IndicatorSource(
            "teams.township_rate",
            "乡镇（街道）建队覆盖率",
            township_rate,
            app="teams",
            unit="%",
            batch=township_rate_batch,
        )
    )
    register_indicator_source(
        IndicatorSource(
            "teams.live_teams",
            "基层队伍数",
            live_teams,
            app="teams",
            unit="支",
            batch=live_teams_batch,
        )
    )
