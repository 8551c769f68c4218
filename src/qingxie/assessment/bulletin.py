"""The assessment's paragraphs of the 工作信息 bulletin, written from the data."""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Sum

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
            parts = "、".join(f"{name}{tiers.get(name, 0)}个" for name, _ in rnd.tiers_for(None))
            confirmed = sheets.filter(confirmed_on__isnull=False).count()
            paragraphs.append(
                f"{rnd.year}年度县级青年志愿者协会建设评估中，{region.name}共有{total}个县级协会参评，"
                f"经省级确认{confirmed}个；按分类指导档次，{parts}。"
            )
    entries = library_selected_in(region, as_of.year)
    if entries:
        names = "、".join(e.name for e in entries)
        support = Support.objects.filter(entry__in=entries).aggregate(s=Sum("amount"))["s"]
        text = (
            f"{as_of.year}年，{region.name}遴选{len(entries)}个县级协会入选示范性志愿服务组织库"
            f"（{names}）"
        )
        if support:
            text += f"，并通过公益创投等方式提供资金扶持{support:,.0f}元"
        paragraphs.append(text + "。")
    if not paragraphs:
        return []
    return [BulletinSection("年度评估与示范选树", paragraphs)]
