"""Reads on the region tree, always through the permission gate."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from qingxie.core.errors import QingxieError
from qingxie.core.models import subtree_q
from qingxie.regions.models import ROOT_CODE, DivisionDataset, Region

LEVEL_NAMES = {"nation": 0, "province": 1, "prefecture": 2, "county": 3, "township": 4}


def region_queryset(user) -> QuerySet[Region]:
    """Every region the user may see."""
    return Region.objects.restrict(user, "view")


def region_get(user, code: str) -> Region | None:
    """One region by code, or None when unknown or outside the user's scope."""
    return region_queryset(user).select_related("parent", "successor").filter(code=code).first()


def region_children(user, region: Region, *, include_retired: bool = False) -> QuerySet[Region]:
    """The direct children of `region` the user may see, in code order."""
    qs = region_queryset(user).filter(parent=region)
    if not include_retired:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by("code")


def region_subtree(user, region: Region, *, level: int | None = None) -> QuerySet[Region]:
    """The current regions under `region` (inclusive), optionally of one level."""
    qs = region_queryset(user).filter(subtree_q("path", region.path), valid_to__isnull=True)
    if level is not None:
        qs = qs.filter(level=level)
    return qs


def region_breadcrumbs(region: Region) -> list[Region]:
    """The ancestors of `region` from the root down, for navigation (names are public data)."""
    codes = region.ancestor_codes
    found = {r.code: r for r in Region.objects.filter(code__in=codes).only("code", "name", "level")}
    return [found[c] for c in codes if c in found]


def region_search(
    user,
    *,
    q: str = "",
    parent: str | None = None,
    level: int | None = None,
    include_retired: bool = False,
) -> QuerySet[Region]:
    """Regions matching a name fragment or code prefix, optionally under a parent and of a level."""
    qs = region_queryset(user).select_related("parent")
    if not include_retired:
        qs = qs.filter(valid_to__isnull=True)
    if parent:
        qs = qs.filter(parent__code=parent)
    if level is not None:
        qs = qs.filter(level=level)
    q = q.strip()
    if q:
        qs = (
            qs.filter(Q(code__startswith=q) | Q(name__contains=q))
            if q.isdigit()
            else qs.filter(name__contains=q)
        )
    return qs.order_by("level", "code")


def region_by_code_or_name(value: str) -> Region | None:
    """The region a filter box names: its code, else its name ("广州", "广州市", "海珠区"),
    the highest level first (names are public data; the gate still applies to what is listed).
    "广州" finds 广州市, not 广州市's streets that happen to contain the word."""
    value = value.strip()
    if not value:
        return None
    found = Region.objects.filter(code=value).only("path").first()
    if found is not None or value.isdigit():
        return found
    current = Region.objects.filter(valid_to__isnull=True).only("path", "level", "code")
    return (
        current.filter(name=value).order_by("level", "code").first()
        or current.filter(name__startswith=value).order_by("level", "code").first()
    )


def parse_level(value: str | int | None) -> int | None:
    """Accept 'province'/'county'/… or 0–4; raise ValueError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, int) or str(value).isdigit():
        level = int(value)
        if level in LEVEL_NAMES.values():
            return level
        raise ValueError(value)
    return LEVEL_NAMES[str(value)]


def region_root() -> Region | None:
    return Region.objects.filter(code=ROOT_CODE).first()


def division_stats() -> dict:
    """Counts of current divisions by level and the data version loaded."""
    current = Region.objects.filter(valid_to__isnull=True)
    dataset = DivisionDataset.objects.order_by("-data_as_of").first()
    counts = {name: current.filter(level=lvl).count() for name, lvl in LEVEL_NAMES.items()}
    counts.pop("nation")
    return {
        "data_as_of": dataset.data_as_of.isoformat() if dataset else None,
        "source": dataset.source if dataset else None,
        **counts,
        "retired": Region.objects.filter(valid_to__isnull=False).count(),
    }


def map_units_for(region: Region) -> QuerySet[Region]:
    """The units drawn on `region`'s map: the lowest level above townships in its subtree.

    County-level units, plus prefecture-level cities without counties (东莞, 中山 …), whose
    townships sit directly beneath them. For the nation: the provinces.
    """
    current = Region.objects.filter(valid_to__isnull=True)
    if region.level == Region.Level.NATION:
        return current.filter(level=Region.Level.PROVINCE)
    return current.filter(subtree_q("path", region.path)).filter(
        Q(level=Region.Level.COUNTY) | Q(level=Region.Level.PREFECTURE, county_count=0)
    )


def region_by_code(code, field: str = "region") -> Region:
    """A region named in a request body or filter (division codes are public reference data),
    or a Chinese error on `field`; the services decide whether the caller may act there."""
    code = str(code or "").strip()
    if not code:
        raise QingxieError(gettext("请填写行政区划代码。"), field=field)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise QingxieError(gettext("行政区划代码“%(code)s”不存在。") % {"code": code}, field=field)
    return region


def map_url(name: str) -> str:
    """URL of a built map file; built after collectstatic, so not in the hashed manifest."""
    from django.conf import settings

    return f"{settings.STATIC_URL}maps/{name}.json"
