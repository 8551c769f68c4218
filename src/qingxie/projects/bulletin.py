"""The bulletin's paragraphs written from projects data: funding, pilots, programmes sunk."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils.translation import get_language, gettext, ngettext, pgettext

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


def _join(items) -> str:
    """Names listed in a sentence: 、 in Chinese, a comma in English."""
    return pgettext("list separator", "、").join(items)


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
    names = _join(_short(a.region) for a in list(associations.values())[:3])
    editions = _join(
        sorted({n if "“" in n else f"“{n}”" for n in (a.entry.competition.name for a in county)})
    )
    # The bulletin is written in the active language (the cadre's who asked); names are data.
    return ngettext(
        "依托%(editions)s，整合%(amount)s万元支持%(names)s等%(count)s个县级"
        "团属志愿服务组织打造县域示范性品牌项目。",
        "依托%(editions)s，整合%(amount)s万元支持%(names)s等%(count)s个县级"
        "团属志愿服务组织打造县域示范性品牌项目。",
        len(associations),
    ) % {
        "editions": editions,
        "amount": _wan(total),
        "names": names,
        "count": len(associations),
    }


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
        by = gettext("团中央") if pilot.organiser.is_root else pilot.organiser.name
        data = {
            "by": by,
            "pilot": pilot.name,
            "communities": communities,
            "first": first,
            "count": len(units),
        }
        if units:
            sentence = ngettext(
                "依托%(by)s“%(pilot)s”，动员%(communities)s个试点社区所在县（区）"
                "团属志愿服务组织深度参与试点工作，支持%(first)s等%(count)s个县团属志愿服务组织"
                "作为试点单位。",
                "依托%(by)s“%(pilot)s”，动员%(communities)s个试点社区所在县（区）"
                "团属志愿服务组织深度参与试点工作，支持%(first)s等%(count)s个县团属志愿服务组织"
                "作为试点单位。",
                len(units),
            )
        else:
            sentence = gettext(
                "依托%(by)s“%(pilot)s”，动员%(communities)s个试点社区所在县（区）"
                "团属志愿服务组织深度参与试点工作。"
            )
        sentence %= data
        parts.append(sentence)
    # Chinese sentences follow each other without a space; English ones take one.
    spacer = "" if (get_language() or "").startswith("zh") else " "
    return spacer.join(parts) or None


def sinking_paragraph(region: Region, as_of: datetime.date) -> str | None:
    """Programmes sunk to the county level, with how many counties run each."""
    figures = selectors.sinking(region, as_of)
    run = [p for p in figures["programmes"] if p["counties_counted"]]
    if not run:
        return None
    items = pgettext("clause separator", "，").join(
        ngettext(
            "“%(name)s”覆盖%(count)s个县（市、区）（%(rate)s%%）",
            "“%(name)s”覆盖%(count)s个县（市、区）（%(rate)s%%）",
            p["counties_counted"],
        )
        % {"name": p["name"], "count": p["counties_counted"], "rate": p["rate"]}
        for p in run
    )
    names = _join("“" + p["name"] + "”" for p in run[:3])
    data = {"names": names, "counties": figures["counties"], "items": items}
    if region.level == 1:
        text = ngettext(
            "将%(names)s等品牌项目下沉县一级：全省%(counties)s个县（市、区）中，%(items)s。",
            "将%(names)s等品牌项目下沉县一级：全省%(counties)s个县（市、区）中，%(items)s。",
            figures["counties"],
        )
    elif region.level == 2:
        text = ngettext(
            "将%(names)s等品牌项目下沉县一级：全市%(counties)s个县（市、区）中，%(items)s。",
            "将%(names)s等品牌项目下沉县一级：全市%(counties)s个县（市、区）中，%(items)s。",
            figures["counties"],
        )
    else:
        text = ngettext(
            "将%(names)s等品牌项目下沉县一级：全国%(counties)s个县（市、区）中，%(items)s。",
            "将%(names)s等品牌项目下沉县一级：全国%(counties)s个县（市、区）中，%(items)s。",
            figures["counties"],
        )
    return text % data


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
    return [BulletinSection(gettext("志愿服务项目"), paragraphs)] if paragraphs else []
