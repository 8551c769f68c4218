"""The bulletin's paragraphs written from projects data: funding, pilots, programmes sunk."""

from __future__ import annotations

import datetime
from decimal import Decimal

from qingxie.core.extensions import BulletinSection
from qingxie.core.models import subtree_q
from qingxie.projects import selectors
from qingxie.projects.models import Award, PilotCommunity, PilotProgramme, PilotUnit
from qingxie.regions.models import Region


def _short(region: Region) -> str:
    """深圳盐田区: the city's short name and the county's, as the bulletin writes them."""
    parent = region.parent
    if region.level == Region.Level.COUNTY and parent is not None and parent.level == 2:
        return parent.name.removesuffix("市") + region.name
    return region.name


def _wan(amount: Decimal) -> str:
    value = (amount / Decimal(10000)).normalize()
    return f"{value:f}"


def funding_paragraph(region: Region, as_of: datetime.date) -> str | None:
    """整合N万元支持…等N个县级…打造县域示范性品牌项目 (awards of the past year)."""
    since = as_of - datetime.timedelta(days=365)
    awards = list(
        Award.objects.filter(
            subtree_q("entry__competition__region_path", region.path),
            entry__competition__organiser=region,
            awarded_on__gt=since,
            awarded_on__lte=as_of,
            amount__gt=0,
        ).select_related("entry__project__association__region__parent", "entry__competition")
    )
    county = [a for a in awards if a.entry.project.association.level == Region.Level.COUNTY]
    if not county:
        return None
    total = sum((a.amount for a in county), Decimal(0))
    associations = {}
    for a in sorted(county, key=lambda a: -a.amount):
        associations.setdefault(a.entry.project.association_id, a.entry.project.association)
    names = "、".join(_short(a.region) for a in list(associations.values())[:3])
    editions = "、".join(
        sorted({n if "“" in n else f"“{n}”" for n in (a.entry.competition.name for a in county)})
    )
    return (
        f"依托{editions}，整合{_wan(total)}万元支持{names}等{len(associations)}个县级"
        "团属志愿服务组织打造县域示范性品牌项目。"
    )


def pilot_paragraph(region: Region, as_of: datetime.date) -> str | None:
    """动员N个试点社区所在县（区）…支持…等N个县团属志愿服务组织作为试点单位."""
    pilots = (
        PilotProgramme.objects.filter(starts_on__lte=as_of)
        .exclude(ends_on__lt=as_of)
        .select_related("organiser")
    )
    parts = []
    for pilot in pilots:
        communities = PilotCommunity.objects.filter(
            subtree_q("region_path", region.path), pilot=pilot
        ).count()
        units = list(
            PilotUnit.objects.filter(
                subtree_q("region_path", region.path), pilot=pilot, joined_on__lte=as_of
            )
            .select_related("association")
            .order_by("joined_on", "id")
        )
        if not communities and not units:
            continue
        first = units[0].association.name if units else ""
        by = "团中央" if pilot.organiser.is_root else pilot.organiser.name
        parts.append(
            f"依托{by}“{pilot.name}”，动员{communities}个试点社区所在县（区）团属志愿服务组织深度参与试点工作"
            + (f"，支持{first}等{len(units)}个县团属志愿服务组织作为试点单位。" if units else "。")
        )
    return "".join(parts) or None


def sinking_paragraph(region: Region, as_of: datetime.date) -> str | None:
    """Programmes sunk to the county level, with how many counties run each."""
    figures = selectors.sinking(region, as_of)
    run = [p for p in figures["programmes"] if p["counties_counted"]]
    if not run:
        return None
    items = "，".join(
        f"“{p['name']}”覆盖{p['counties_counted']}个县（市、区）（{p['rate']}%）" for p in run
    )
    return (
        f"将{'、'.join('“' + p['name'] + '”' for p in run[:3])}等品牌项目下沉县一级："
        f"全{'省' if region.level == 1 else '市' if region.level == 2 else '国'}"
        f"{figures['counties']}个县（市、区）中，{items}。"
    )


def sections(region: Region, as_of: datetime.date) -> list[BulletinSection]:
    """The projects section of the bulletin, or [] when there is nothing to report."""
    paragraphs = [
        p
        for p in (
            sinking_paragraph(region, as_of),
            funding_paragraph(region, as_of),
            pilot_paragraph(region, as_of),
        )
        if p
    ]
    return [BulletinSection("志愿服务项目", paragraphs)] if paragraphs else []
