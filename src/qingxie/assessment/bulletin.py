"""The assessment's paragraphs of the 工作信息 bulletin, written from the data."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Sum
from django.utils.translation import gettext, ngettext, pgettext

from qingxie.assessment.models import Round, Sheet, Support
from qingxie.core.extensions import BulletinSection
from qingxie.core.models import subtree_q


def _ancestors(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def sections(region, as_of: datetime.date) -> list[BulletinSection]:
    """Tiers of the latest computed round covering `region` by `as_of`, and the year's 示范
    library entries with the support given (the caller has checked the region)."""
    from qingxie.assessment.selectors import library_selected_in

    paragraphs = []
    rnd = (
        Round.objects.filter(region_path__in=_ancestors(region.path), cut_off__lte=as_of)
        .exclude(status="open")
        .order_by("-year", "-id")
        .first()
    )
    if rnd is not None:
        sheets = Sheet.objects.filter(round=rnd)
        if not region.is_root:
            sheets = sheets.filter(subtree_q("region_path", region.path))
        tiers = Counter(sheets.values_list("tier", flat=True))
        total = sum(tiers.values())
        if total:
            # The tiers' names are the round's data (stored Chinese); the sentence is not.
            parts = pgettext("list separator", "、").join(
                gettext("%(tier)s%(count)s个") % {"tier": name, "count": tiers.get(name, 0)}
                for name, _ in rnd.tiers_for(None)
            )
            confirmed = sheets.filter(confirmed_on__isnull=False).count()
            paragraphs.append(
                ngettext(
                    "%(year)s年度县级青年志愿者协会建设评估中，%(region)s共有%(total)s个县级协会参评，"
                    "经省级确认%(confirmed)s个；按分类指导档次，%(parts)s。",
                    "%(year)s年度县级青年志愿者协会建设评估中，%(region)s共有%(total)s个县级协会参评，"
                    "经省级确认%(confirmed)s个；按分类指导档次，%(parts)s。",
                    total,
                )
                % {
                    "year": rnd.year,
                    "region": region.name,
                    "total": total,
                    "confirmed": confirmed,
                    "parts": parts,
                }
            )
    entries = library_selected_in(region, as_of.year)
    if entries:
        names = pgettext("list separator", "、").join(e.name for e in entries)
        support = Support.objects.filter(entry__in=entries).aggregate(s=Sum("amount"))["s"]
        data = {
            "year": as_of.year,
            "region": region.name,
            "count": len(entries),
            "names": names,
            "support": f"{support or 0:,.0f}",
        }
        if support:
            text = ngettext(
                "%(year)s年，%(region)s遴选%(count)s个县级协会入选示范性志愿服务组织库"
                "（%(names)s），并通过公益创投等方式提供资金扶持%(support)s元。",
                "%(year)s年，%(region)s遴选%(count)s个县级协会入选示范性志愿服务组织库"
                "（%(names)s），并通过公益创投等方式提供资金扶持%(support)s元。",
                len(entries),
            )
        else:
            text = ngettext(
                "%(year)s年，%(region)s遴选%(count)s个县级协会入选示范性志愿服务组织库（%(names)s）。",
                "%(year)s年，%(region)s遴选%(count)s个县级协会入选示范性志愿服务组织库（%(names)s）。",
                len(entries),
            )
        paragraphs.append(text % data)
    if not paragraphs:
        return []
    return [BulletinSection(gettext("年度评估与示范选树"), paragraphs)]
