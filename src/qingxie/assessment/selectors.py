"""Reads of the assessment for pages, the API, the command line and other apps."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from qingxie.assessment.choices import IndicatorKind, LibraryStatus
from qingxie.assessment.models import (
    Candidate,
    DemoQuota,
    Indicator,
    IndicatorVersion,
    LibraryEntry,
    Round,
    Sheet,
    Support,
    Value,
)
from qingxie.assessment.services import SHEET_REVIEW, library_active_q, may_confirm
from qingxie.core.models import subtree_q
from qingxie.core.review import may_decide, review_queue
from qingxie.regions.models import Region

#: Suggested next steps per dimension (by its code), for the three weakest of a county; each
#: can become a task in the county's plan or a topic for a training.
NEXT_STEPS = {
    "organisation": _("完成民政登记，修订章程并按期换届，健全协会团组织。"),
    "governance": _("对照规范化建设清单逐项补齐材料，提交上级核验，健全财务与信息公开制度。"),
    "teams": _("在尚未建队的乡镇（街道）组建基层志愿服务队，吸纳本地志愿服务组织为团体会员。"),
    "projects": _("承接关爱行动、阳光行动、金晖行动、社区行动等品牌项目，常态化开展活动。"),
    "training": _("安排协会负责人参加省、市级协会组织的年度培训。"),
    "impact": _("加强宣传报道，推荐优秀志愿者、项目参加各级表彰。"),
    "digital": _("依托志愿中国、i志愿等平台做好志愿者注册与服务时长记录。"),
}


def _visible(model, user) -> QuerySet:
    """Through the gate; `user` None is the operator's command line, which sees everything."""
    return model.objects.all() if user is None else model.objects.restrict(user, "view")


def rounds_for(user) -> QuerySet[Round]:
    """The rounds the user may read (every level a round concerns)."""
    return _visible(Round, user).select_related("region", "indicator_version")


def round_for(user, pk) -> Round | None:
    return rounds_for(user).filter(pk=pk).first()


def versions_for(user) -> QuerySet[IndicatorVersion]:
    return IndicatorVersion.objects.restrict(user, "view")


def sheets_of(user, rnd: Round, region=None) -> QuerySet[Sheet]:
    """The round's sheets the user may see, in `region`'s subtree when given."""
    qs = _visible(Sheet, user).filter(round=rnd)
    if region is not None and not region.is_root:
        qs = qs.filter(subtree_q("region_path", region.path))
    return qs.select_related("association", "region", "region__parent")


def ranked(sheets) -> list[dict]:
    """Sheets ranked by total, best first (ties share a rank, the next rank skips: 1, 1, 3)."""
    rows = sorted(sheets, key=lambda s: (-s.total, s.association.number))
    out, rank, last = [], 0, None
    for n, sheet in enumerate(rows, 1):
        if sheet.total != last:
            rank, last = n, sheet.total
        out.append({"rank": rank, "sheet": sheet})
    return out


def dimension_max(version: IndicatorVersion) -> dict[str, Decimal]:
    """Each dimension's maximum (the sum of its indicators' weights), by name, in order."""
    out: dict[str, Decimal] = {}
    for ind in version.indicators.exclude(kind=IndicatorKind.GATE).select_related("dimension"):
        if ind.dimension is not None:
            out[ind.dimension.name] = out.get(ind.dimension.name, Decimal(0)) + ind.weight
    return out


def _dimension_codes(version: IndicatorVersion) -> dict[str, str]:
    return {d.name: d.code for d in version.dimensions.all()}


def weakest_dimensions(sheet: Sheet, n: int = 3) -> list[dict]:
    """The sheet's `n` weakest dimensions (lowest share of their maximum) with next steps."""
    version = sheet.round.indicator_version
    maxima = dimension_max(version)
    codes = _dimension_codes(version)
    rows = []
    for name, top in maxima.items():
        got = Decimal(sheet.dimension_scores.get(name, "0"))
        share = (got / top) if top else Decimal(1)
        rows.append(
            {
                "name": name,
                "score": got,
                "max": top,
                "percent": round(float(share) * 100, 1),
                "next_step": NEXT_STEPS.get(codes.get(name, ""), ""),
            }
        )
    rows.sort(key=lambda r: (r["percent"], r["name"]))
    return rows[:n]


def sheet_values(sheet: Sheet) -> list[Value]:
    return list(
        sheet.values.select_related("indicator", "indicator__dimension").order_by(
            "indicator__position", "indicator__code"
        )
    )


def sheet_for(user, pk) -> Sheet | None:
    return (
        _visible(Sheet, user)
        .select_related(
            "association", "region", "round", "round__indicator_version", "round__region"
        )
        .filter(pk=pk)
        .first()
    )


def sheet_of_association(user, association, year: int | None = None) -> Sheet | None:
    """The association's latest sheet (of `year` when given) the user may see."""
    qs = Sheet.objects.restrict(user, "view").filter(association=association)
    if year:
        qs = qs.filter(round__year=year)
    return qs.select_related("round").order_by("-round__year", "-id").first()


def sheet_actions(user, sheet: Sheet) -> dict:
    """Which of the workflow's buttons the user sees on a sheet."""
    from qingxie.accounts.permissions import user_may

    may_change = user_may(user, Sheet, "change", sheet.region_path)
    editable = sheet.state in ("pending", "returned") and sheet.round.status == "computed"
    deciding = may_decide(user, sheet, SHEET_REVIEW)
    confirming = may_confirm(user, sheet) and not deciding
    return {
        "fill": may_change and editable and not deciding,
        "submit": may_change and editable and not deciding,
        "review": deciding and sheet.state == "submitted",
        "confirm": confirming and sheet.state == "verified" and not sheet.confirmed_on,
        "appeal": may_change
        and not deciding
        and not confirming
        and bool(sheet.confirmed_on)
        and not sheet.appeal_state,
        "appeal_decide": confirming and sheet.appeal_state == "submitted",
    }


def region_summary(user, rnd: Round, region) -> dict:
    """Tier distribution, dimension averages (with the parent region's), weakest indicators
    and the ranking of `region`'s sheets in the round."""
    sheets = list(sheets_of(user, rnd, region))
    tiers = Counter(s.tier for s in sheets)
    order = [name for name, _ in rnd.tiers_for(_province_code(region.path))]
    maxima = dimension_max(rnd.indicator_version)

    def averages(rows) -> dict[str, Decimal]:
        out = {}
        for name in maxima:
            vals = [Decimal(s.dimension_scores.get(name, "0")) for s in rows]
            out[name] = (sum(vals) / len(vals)).quantize(Decimal("0.01")) if vals else None
        return out

    mine = averages(sheets)
    parent_avg = {}
    if region.parent_id and not region.is_root:
        parent_avg = averages(
            list(
                Sheet.objects.filter(round=rnd).filter(subtree_q("region_path", region.parent.path))
            )
        )
    dimensions = [
        {"name": n, "max": maxima[n], "average": mine[n], "parent": parent_avg.get(n)}
        for n in maxima
    ]
    weakest = weakest_indicators(rnd, [s.pk for s in sheets])
    return {
        "count": len(sheets),
        "tiers": [{"name": n, "count": tiers.get(n, 0)} for n in order],
        "dimensions": dimensions,
        "weakest": weakest,
        "ranking": ranked(sheets),
        "submitted": sum(1 for s in sheets if s.state != "pending"),
        "confirmed": sum(1 for s in sheets if s.confirmed_on),
    }


def weakest_indicators(rnd: Round, sheet_ids, n: int = 5) -> list[dict]:
    """The indicators with the lowest average share of their weight among these sheets."""
    if not sheet_ids:
        return []
    rows = (
        Value.objects.filter(sheet_id__in=sheet_ids)
        .exclude(indicator__kind=IndicatorKind.GATE)
        .values("indicator_id")
        .annotate(total=Sum("points"), n=Count("id"))
    )
    indicators = {i.pk: i for i in rnd.indicator_version.indicators.all()}
    out = []
    for row in rows:
        ind = indicators[row["indicator_id"]]
        if not ind.weight or not row["n"]:
            continue
        avg = Decimal(row["total"]) / row["n"]
        out.append(
            {
                "name": ind.name,
                "weight": ind.weight,
                "average": avg.quantize(Decimal("0.01")),
                "percent": round(float(avg / ind.weight) * 100, 1),
            }
        )
    out.sort(key=lambda r: (r["percent"], r["name"]))
    return out[:n]


def _province_code(path: str) -> str | None:
    parts = path.rstrip("/").split("/")
    return parts[1] if len(parts) > 1 else None


def scores_payload(user, rnd: Round, region=None) -> list[dict]:
    """Per association: number, region, total, tier, rank, dimensions and indicators (what
    `GET /api/assessment/rounds/<id>/scores` and `qingxie assessment score --json` return)."""
    sheets = sheets_of(user, rnd, region)
    values = defaultdict(dict)
    for v in (
        Value.objects.filter(sheet__in=sheets)
        .select_related("indicator")
        .order_by("indicator__position")
    ):
        values[v.sheet_id][v.indicator.code] = {
            "value": float(v.value) if v.value is not None else None,
            "grade": v.grade or None,
            "points": float(v.points),
            "kind": v.indicator.kind,
        }
    out = []
    for row in ranked(sheets):
        s = row["sheet"]
        out.append(
            {
                "association": s.association.number,
                "name": s.association.name,
                "region": s.region.code,
                "region_name": s.region.name,
                "total": float(s.total),
                "rank": row["rank"],
                "tier": s.tier,
                "eligible": s.eligible,
                "state": s.state,
                "confirmed_on": s.confirmed_on.isoformat() if s.confirmed_on else None,
                "dimensions": {k: float(v) for k, v in s.dimension_scores.items()},
                "indicators": values.get(s.pk, {}),
            }
        )
    return out


def sheets_to_review(user) -> QuerySet[Sheet]:
    """Self-assessments waiting for the user's review (the city's queue), oldest first."""
    return review_queue(user, SHEET_REVIEW)


def sheets_to_confirm(user, rnd: Round | None = None) -> QuerySet[Sheet]:
    """Reviewed sheets waiting for a province's confirmation inside the user's scope."""
    from qingxie.accounts.policies import admin_paths

    paths = admin_paths(user)
    qs = Sheet.objects.restrict(user, "view").filter(state="verified", confirmed_on__isnull=True)
    if rnd is not None:
        qs = qs.filter(round=rnd)
    if paths is not None:
        # Only provincial or national grants confirm.
        q = Q(pk__in=[])
        for p in paths:
            if p.count("/") <= 2:
                q |= subtree_q("region_path", p)
        qs = qs.filter(q)
    return qs.select_related("association", "region")


def quotas_for(user, year: int) -> QuerySet[DemoQuota]:
    return DemoQuota.objects.restrict(user, "view").filter(year=year).select_related("region")


def candidates_for(user, year: int) -> QuerySet[Candidate]:
    return (
        _visible(Candidate, user)
        .filter(year=year)
        .select_related("association", "association__region", "sheet")
        .order_by("region_path", "-sheet__total", "id")
    )


def library_for(user, region=None) -> QuerySet[LibraryEntry]:
    qs = _visible(LibraryEntry, user).select_related("association__region")
    if region is not None and not region.is_root:
        qs = qs.filter(subtree_q("region_path", region.path))
    return qs.annotate(support_total=Sum("supports__amount"))


def library_totals(user, region, on: datetime.date) -> dict:
    """In the library on `on` (by kind) and support given per year and kind, in `region`."""
    entries = library_for(user, region)
    active = entries.filter(library_active_q(on), status=LibraryStatus.ACTIVE)
    supports = _visible(Support, user)
    if not region.is_root:
        supports = supports.filter(subtree_q("region_path", region.path))
    by_year = defaultdict(lambda: {"amount": Decimal(0), "count": 0})
    for year, _kind, amount, n in (
        supports.values_list("year", "kind")
        .annotate(s=Sum("amount"), n=Count("id"))
        .values_list("year", "kind", "s", "n")
    ):
        by_year[year]["amount"] += amount or 0
        by_year[year]["count"] += n
    return {
        "active": active.count(),
        "support_total": sum((v["amount"] for v in by_year.values()), Decimal(0)),
        "by_year": [{"year": y, **by_year[y]} for y in sorted(by_year, reverse=True)],
    }


def library_selected_in(region, year: int) -> list[LibraryEntry]:
    """County associations entering the library in `year` inside `region` (for the bulletin;
    the caller has checked the region)."""
    qs = LibraryEntry.objects.filter(year=year, kind="association")
    if not region.is_root:
        qs = qs.filter(subtree_q("region_path", region.path))
    return list(qs.select_related("association__region").order_by("region_path"))


def association_tier(user, association) -> dict | None:
    """The association's latest tier and score (for its page and other apps)."""
    sheet = sheet_of_association(user, association)
    if sheet is None:
        return None
    return {"year": sheet.round.year, "tier": sheet.tier, "total": sheet.total, "sheet": sheet}


#: What the workbench panel reads besides the user's own queues.
WORKBENCH_DOMAINS = ("assessment", "ledger", "regions")


def workbench_context(user, region, as_of: datetime.date) -> dict | None:
    """The workbench panel: the latest round's tiers in the region and what waits for the user."""
    from qingxie.accounts.permissions import user_may
    from qingxie.core.cache import cached_figures, cached_for_user

    def compute():
        return _workbench_figures(user, region)

    shared = user_may(user, Region, "view", region.path) and user_may(
        user, Sheet, "view", region.path
    )
    if shared:
        # Who sees the region's subtree sees every round above it and every sheet in it: the
        # tiers are the same for all of them, read once per version of the assessment data.
        figures = cached_figures(
            f"assessment-workbench:{region.code}",
            compute,
            path=region.path,
            domains=WORKBENCH_DOMAINS,
        )
    else:
        figures = compute()
    if figures is None:
        return None
    rnd = figures["round"]
    # The user's two queues change with the data alone (no escalation with the clock).
    to_review = cached_for_user(
        user,
        "assessment-to-review",
        lambda: sheets_to_review(user).count(),
        domains=WORKBENCH_DOMAINS,
    )
    to_confirm = 0
    if region.level <= 1:
        to_confirm = cached_for_user(
            user,
            f"assessment-to-confirm:{rnd.pk}",
            lambda: sheets_to_confirm(user, rnd).count(),
            domains=WORKBENCH_DOMAINS,
        )
    context = {**figures, "region": region, "to_review": to_review, "to_confirm": to_confirm}
    if shared:
        # The shell keeps the rendered panel per pair of the user's counts.
        context["fragment"] = f"{context['to_review']}:{context['to_confirm']}"
    return context


def _workbench_figures(user, region) -> dict | None:
    """The user-independent part of the workbench panel (for a user who sees the subtree)."""
    rnd = (
        rounds_for(user)
        .filter(Q(region_path__in=_ancestor_paths(region.path)) | Q(region=region))
        .order_by("-year", "-id")
        .first()
    )
    if rnd is None or rnd.status == "open":
        return None
    sheets = sheets_of(user, rnd, region)
    tiers = Counter(sheets.values_list("tier", flat=True))
    order = [name for name, _ in rnd.tiers_for(_province_code(region.path))]
    own = None
    if region.level == 3:
        own = sheets.first()
    return {
        "round": rnd,
        "tiers": [{"name": n, "count": tiers.get(n, 0)} for n in order],
        "count": sum(tiers.values()),
        "own": own,
        "weakest": weakest_dimensions(own) if own else [],
    }


def _ancestor_paths(path: str) -> list[str]:
    parts = path.rstrip("/").split("/")
    return ["/".join(parts[: n + 1]) + "/" for n in range(len(parts))]


def indicators_of(version: IndicatorVersion) -> QuerySet[Indicator]:
    return version.indicators.select_related("dimension").order_by("position", "code")


def association_panel(user, association) -> dict | None:
    """The association page's panel: its latest assessment sheet, total, tier and its three
    weakest dimensions with the suggested next steps (None when it has no sheet the user sees)."""
    sheet = sheet_of_association(user, association)
    if sheet is None or sheet.round.status == "open":
        return None
    return {"sheet": sheet, "weakest": weakest_dimensions(sheet)}
