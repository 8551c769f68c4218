"""One search box across the ledger: association names and unified numbers, region names
and codes, grassroots teams by name — every result through the permission gate."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from qingxie.core.errors import QingxieError
from qingxie.ledger.models import Association
from qingxie.ledger.numbering import number_normalize
from qingxie.regions import selectors as region_selectors
from qingxie.teams.models import Team

LIMIT = 50
_NUMBERISH = re.compile(r"^\d{6}[\s\-－—]*\d")


@dataclass
class SearchResult:
    """What one query found, grouped by kind; `exact_url` when it names exactly one thing."""

    q: str
    regions: list = field(default_factory=list)
    associations: list = field(default_factory=list)
    teams: list = field(default_factory=list)
    regions_more: bool = False
    associations_more: bool = False
    teams_more: bool = False
    problem: str = ""
    exact_url: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.regions or self.associations or self.teams)


def _take(qs, limit: int = LIMIT) -> tuple[list, bool]:
    rows = list(qs[: limit + 1])
    return rows[:limit], len(rows) > limit


def search(user, q: str) -> SearchResult:
    """Find what `q` names among what `user` may view.

    A complete unified number (with or without hyphens) or a region code that exists goes
    straight to its page; otherwise names match by fragment and codes by prefix.
    """
    q = (q or "").strip()
    found = SearchResult(q)
    if not q:
        return found
    associations = Association.objects.restrict(user, "view").select_related("region")
    compact = re.sub(r"[\s\-－—]", "", q)
    if _NUMBERISH.match(q) and len(compact) == 10:
        try:
            number = number_normalize(q)
        except QingxieError as exc:
            found.problem = exc.message
        else:
            match = associations.filter(number=number).first()
            if match is not None:
                found.exact_url = reverse("ledger:association_detail", args=[match.number])
                return found
            found.problem = _("未找到统一编号为 %(number)s 的协会，或不在您的权限范围内。") % {
                "number": number
            }
    if q.isdigit() and len(q) == 6:
        region = region_selectors.region_search(user, q=q, include_retired=True).filter(code=q)
        region = region.first()
        if region is not None:
            found.exact_url = reverse("regions:detail", args=[region.code])
            return found
    found.regions, found.regions_more = _take(
        region_selectors.region_search(user, q=q, include_retired=True)
    )
    name_q = Q(name__contains=q)
    if compact.isdigit():
        name_q |= Q(number__startswith=q) | Q(region__code__startswith=compact)
        if 6 < len(compact) < 10:
            # The first digits of a number typed without hyphens: 4401053 → 440105-3…
            parts = [compact[:6], compact[6:7], compact[7:9]]
            name_q |= Q(number__startswith="-".join(p for p in parts if p))
    found.associations, found.associations_more = _take(
        associations.filter(name_q).order_by("region__code", "number")
    )
    found.teams, found.teams_more = _take(
        Team.objects.restrict(user, "view")
        .filter(name__contains=q)
        .select_related("region", "association")
        .order_by("region__code", "name")
    )
    return found
