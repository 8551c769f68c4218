"""Assessment pages: versions, rounds with rankings and tiers, the assessment sheet and its
review, the 示范 selection and the library. Views parse, call one service, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View

from qingxie.accounts.permissions import home_region, user_may
from qingxie.assessment import selectors, services
from qingxie.assessment.choices import Grade, IndicatorKind, LibraryKind, ScoringRule, SupportKind
from qingxie.assessment.models import (
    Candidate,
    DemoQuota,
    Indicator,
    IndicatorVersion,
    LibraryEntry,
    Round,
    Sheet,
)
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.indicators import indicator_sources
from qingxie.core.models import NATION_PATH
from qingxie.ledger.models import Association
from qingxie.ledger.numbering import number_normalize
from qingxie.regions.models import Region

FIELD_LABELS = {
    "region": gettext_lazy("区划"),
    "year": gettext_lazy("年度"),
    "indicator_version": gettext_lazy("指标体系"),
    "cut_off": gettext_lazy("数据截止日期"),
    "self_until": gettext_lazy("自评截止日期"),
    "review_until": gettext_lazy("审核截止日期"),
    "appeal_until": gettext_lazy("申诉截止日期"),
    "value": gettext_lazy("数值"),
    "grade": gettext_lazy("等级"),
    "evidence": gettext_lazy("佐证材料"),
    "note": gettext_lazy("情况说明"),
    "values": gettext_lazy("评估表"),
    "state": gettext_lazy("状态"),
    "reason": gettext_lazy("原因"),
    "outcome": gettext_lazy("处理结果"),
    "quota": gettext_lazy("推荐名额"),
    "association": pgettext_lazy("assessment", "协会"),
    "weight": gettext_lazy("分值"),
    "params": gettext_lazy("计分参数"),
    "rule": gettext_lazy("计分方式"),
    "name": gettext_lazy("名称"),
    "code": gettext_lazy("代码"),
    "tiers": gettext_lazy("档次"),
    "province": gettext_lazy("省份"),
    "kind": gettext_lazy("类型"),
    "amount": gettext_lazy("金额"),
    "given_on": gettext_lazy("日期"),
    "entered_on": gettext_lazy("入库日期"),
    "on": gettext_lazy("日期"),
    "round": gettext_lazy("评估轮次"),
    "indicator": pgettext_lazy("assessment", "指标"),
    "valid_years": gettext_lazy("有效期"),
    "status": gettext_lazy("状态"),
    "dimension": gettext_lazy("维度"),
    "source": gettext_lazy("数据来源"),
    "max_value": gettext_lazy("填报上限"),
}


def _error(request, exc: QingxieError) -> None:
    for field, msgs in exc.errors.items():
        label = FIELD_LABELS.get(field)
        for msg in msgs:
            messages.error(
                request,
                _("%(label)s：%(message)s") % {"label": label, "message": msg} if label else msg,
            )


def _act(request, target: str, fn, success: str):
    """Run one service call; a refusal becomes messages naming the field (nothing saved)."""
    try:
        fn()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except QingxieError as exc:
        _error(request, exc)
    else:
        messages.success(request, success)
    return redirect(target)


def _date(raw, field: str, label: str) -> datetime.date:
    raw = (raw or "").strip()
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise QingxieError(
            _("请按“YYYY-MM-DD”填写%(label)s。") % {"label": label}, field=field
        ) from None


def _int(raw, field: str, label: str) -> int:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        raise QingxieError(_("%(label)s须为整数。") % {"label": label}, field=field) from None


def _region(request, default=None) -> Region:
    """The region asked for (?region=code), else `default`. A region outside every grant of
    the user is a 404: its page would show a title over none of its data."""
    code = (request.GET.get("region") or "").strip()
    if not code:
        return default or _home(request)
    region = Region.objects.filter(code=code).first()
    if region is None or not _in_scope(request.user, region):
        raise Http404(_("未找到该区划，或不在您的权限范围内。"))
    return region


def _in_scope(user, region) -> bool:
    from qingxie.accounts.policies import user_grants

    return user.is_superuser or any(
        region.path.startswith(g.region.path) for g in user_grants(user)
    )


def _home(request) -> Region:
    region = home_region(request.user)
    if region is None:
        if request.user.is_superuser:
            return Region.objects.get(path=NATION_PATH)
        raise Http404(_("您尚未被授予任何区划的角色。"))
    return region


# ------------------------------------------------------------------------------ index


class IndexView(View):
    """The rounds the user may read, the indicator versions and what waits for the user."""

    def get(self, request):
        region = _home(request)
        rounds = list(selectors.rounds_for(request.user).order_by("-year", "region_path"))
        return render(
            request,
            "assessment/index.html",
            {
                "region": region,
                "rounds": rounds,
                "versions": selectors.versions_for(request.user),
                "to_review": selectors.sheets_to_review(request.user)[:50],
                "to_confirm": selectors.sheets_to_confirm(request.user)[:50]
                if region.level <= 1
                else [],
                "may_open": region.level <= 1 and user_may(request.user, Round, "add", region.path),
            },
        )


# ------------------------------------------------------------------- indicator versions


class VersionDetailView(View):
    """A version's dimensions and indicators; the nation edits an unfrozen one or copies it."""

    def _version(self, request, code):
        version = selectors.versions_for(request.user).filter(code=code).first()
        if version is None:
            raise Http404(_("未找到该指标体系。"))
        return version

    def get(self, request, code):
        version = self._version(request, code)
        import json

        indicators = list(selectors.indicators_of(version))
        for i in indicators:
            i.params_json = json.dumps(i.params, ensure_ascii=False)
        return render(
            request,
            "assessment/version_detail.html",
            {
                "version": version,
                "indicators": indicators,
                "weights": services.weight_sum(version),
                "problems": services.version_problems(version),
                "may_edit": user_may(request.user, Indicator, "change", NATION_PATH),
                "rules": ScoringRule.choices,
                "kinds": IndicatorKind.choices,
                "dimensions": version.dimensions.all(),
                "sources": indicator_sources(),
                "remaining": version.total - services.weight_sum(version),
            },
        )

    def post(self, request, code):
        version = self._version(request, code)
        if not user_may(request.user, Indicator, "change", NATION_PATH):
            raise PermissionDenied(_("只有全国管理员可以修改指标体系。"))
        here = request.path
        op = request.POST.get("op")
        if op == "copy":
            created = {}

            def copy():
                created["v"] = services.version_copy(
                    actor=request.user,
                    source=version,
                    code=request.POST.get("code", ""),
                    name=request.POST.get("name", ""),
                    year=_int(request.POST.get("year"), "year", _("年度")),
                )

            response = _act(request, here, copy, _("已复制为新版本。"))
            if "v" in created:
                return redirect("assessment:version_detail", created["v"].code)
            return response
        if op == "add":
            return _act(request, here, lambda: self._add(request, version), _("已增加指标。"))
        indicator = version.indicators.filter(pk=_pk(request.POST.get("indicator"))).first()
        if indicator is None:
            messages.error(request, _("指标：请选择要修改的指标。"))
            return redirect(here)
        if op == "remove":
            return _act(
                request,
                here,
                lambda: services.indicator_remove(actor=request.user, indicator=indicator),
                _("已删除“%(name)s”。") % {"name": indicator.name},
            )

        def update():
            import json

            fields = {"weight": request.POST.get("weight", ""), "rule": request.POST.get("rule")}
            raw = (request.POST.get("params") or "").strip()
            if raw:
                try:
                    fields["params"] = json.loads(raw)
                except ValueError:
                    raise QingxieError(_("计分参数须为 JSON 格式。"), field="params") from None
            services.indicator_update(
                actor=request.user,
                indicator=indicator,
                expected_version=_int(request.POST.get("version"), "version", _("版本"))
                if request.POST.get("version")
                else None,
                **fields,
            )

        return _act(request, here, update, _("已保存“%(name)s”。") % {"name": indicator.name})

    def _add(self, request, version) -> None:
        import json

        p = request.POST
        kind = p.get("kind", "")
        dimension = version.dimensions.filter(pk=_pk(p.get("dimension"))).first()
        raw = (p.get("params") or "").strip()
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            raise QingxieError(_("计分参数须为 JSON 格式。"), field="params") from None
        services.indicator_add(
            actor=request.user,
            version=version,
            dimension=dimension,
            code=p.get("code", ""),
            name=p.get("name", ""),
            kind=kind,
            source=p.get("source", ""),
            rule=p.get("rule", ""),
            params=params,
            weight=p.get("weight", ""),
            max_value=p.get("max_value") or None,
            evidence_required=p.get("evidence_required") == "1",
            description=p.get("description", ""),
        )


def _pk(raw) -> int:
    """A posted object id, 0 (matching nothing) when it is not one."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else 0


# ------------------------------------------------------------------------------ rounds


class RoundCreateView(View):
    """Open a yearly round (the nation for the country, a province for its own counties)."""

    def _region(self, request) -> Region:
        region = _home(request)
        if region.level > Region.Level.PROVINCE or not user_may(
            request.user, Round, "add", region.path
        ):
            raise PermissionDenied(_("年度评估由全国或省级管理员组织。"))
        return region

    def get(self, request):
        region = self._region(request)
        return render(
            request,
            "assessment/round_form.html",
            {
                "region": region,
                "versions": selectors.versions_for(request.user),
                "year": timezone.localdate().year,
                "data": {},
            },
        )

    def post(self, request):
        region = self._region(request)
        p = request.POST
        created = {}

        def open_round():
            version = IndicatorVersion.objects.filter(code=p.get("indicator_version")).first()
            if version is None:
                raise QingxieError(_("请选择指标体系。"), field="indicator_version")
            created["r"] = services.round_open(
                actor=request.user,
                region=region,
                year=_int(p.get("year"), "year", _("年度")),
                indicator_version=version,
                cut_off=_date(p.get("cut_off"), "cut_off", _("数据截止日期")),
                self_until=_date(p.get("self_until"), "self_until", _("自评截止日期")),
                review_until=_date(p.get("review_until"), "review_until", _("审核截止日期")),
                appeal_until=_date(p.get("appeal_until"), "appeal_until", _("申诉截止日期")),
                name=p.get("name", ""),
            )

        try:
            open_round()
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except QingxieError as exc:
            _error(request, exc)
            return render(
                request,
                "assessment/round_form.html",
                {
                    "region": region,
                    "versions": selectors.versions_for(request.user),
                    "year": p.get("year"),
                    "data": p,
                    "errors": exc.errors,
                },
                status=200,
            )
        messages.success(request, _("已开启评估轮次。截止日期后由后台任务计算平台数据指标。"))
        return redirect(created["r"].get_absolute_url())


class RoundDetailView(View):
    """A round in a region: tier distribution, dimension averages against the parent region,
    weakest indicators and the ranking; the organiser computes, sets tiers and closes it."""

    def _round(self, request, pk) -> Round:
        rnd = selectors.round_for(request.user, pk)
        if rnd is None:
            raise Http404(_("未找到该评估轮次，或不在您的权限范围内。"))
        return rnd

    def get(self, request, pk):
        rnd = self._round(request, pk)
        home = _home(request)
        region = _region(request, home)
        summary = selectors.region_summary(request.user, rnd, region)
        children = (
            list(
                Region.objects.filter(
                    parent=region, level__lte=Region.Level.COUNTY, valid_to__isnull=True
                ).order_by("code")
            )
            if region.level < Region.Level.COUNTY
            else []
        )
        may_organise = user_may(request.user, Round, "change", rnd.region.path)
        province = region if region.level == Region.Level.PROVINCE else None
        return render(
            request,
            "assessment/round_detail.html",
            {
                "round": rnd,
                "region": region,
                "summary": summary,
                "children": children,
                "may_organise": may_organise,
                "may_tier_province": province is not None
                and user_may(request.user, Round, "change", province.path),
                "province": province,
                "tiers_text": "，".join(
                    f"{n}={c}" for n, c in rnd.tiers_for(province.code if province else None)
                ),
                **_tier_map(rnd, region, summary),
            },
        )

    def post(self, request, pk):
        rnd = self._round(request, pk)
        op = request.POST.get("op")
        here = request.get_full_path()
        if op == "compute":
            return _act(
                request,
                here,
                lambda: services.round_compute_start(actor=request.user, round=rnd),
                _(
                    "已提交计算任务：后台按数据截止日期计算平台数据指标，完成后刷新本页即可看到结果。"
                ),
            )
        if op == "close":
            return _act(
                request,
                here,
                lambda: services.round_close(actor=request.user, round=rnd),
                _("本轮评估已结束。"),
            )
        if op == "tiers":
            province = None
            code = request.POST.get("province")
            if code:
                province = Region.objects.filter(code=code).first()

            def set_tiers():
                tiers = []
                for part in (request.POST.get("tiers") or "").replace("，", ",").split(","):
                    if not part.strip():
                        continue
                    name, _sep, cut = part.partition("=")
                    tiers.append([name.strip(), cut.strip()])
                services.round_set_tiers(
                    actor=request.user, round=rnd, tiers=tiers, province=province
                )

            return _act(request, here, set_tiers, _("档次已调整，各协会档次已重新划分。"))
        messages.error(request, _("未知的操作。"))
        return redirect(here)


#: What the tier map says of a county with no sheet in the round (drawn grey).
NO_SHEET = gettext_lazy("本轮无评估表")


def _tier_map(rnd: Round, region: Region, summary: dict) -> dict:
    """The county map of a province or city coloured by tier (1 = the best tier … n), drawn by
    the regions app's map script from the locally built map files."""
    from django.conf import settings

    from qingxie.regions.maps import map_file_for
    from qingxie.regions.selectors import map_units_for, map_url

    if region.level not in (Region.Level.PROVINCE, Region.Level.PREFECTURE):
        return {}
    order = [t["name"] for t in summary["tiers"]]
    by_region = {r["sheet"].region_id: r["sheet"] for r in summary["ranking"]}
    name, _file = map_file_for(region)
    data = []
    for unit in map_units_for(region):
        sheet = by_region.get(unit.pk)
        if sheet is None or sheet.tier not in order:
            # No sheet in this round (no association live on the cut-off, or out of the
            # round): drawn grey, not as the lowest tier.
            data.append(
                {
                    "code": unit.code,
                    "name": f"{unit.name}·{NO_SHEET}",
                    "value": None,
                    "url": "",
                    "shape": unit.has_shape,
                }
            )
            continue
        data.append(
            {
                "code": unit.code,
                "name": f"{unit.name}·{_(sheet.tier)}",
                "value": order.index(sheet.tier) + 1,
                "url": sheet.get_absolute_url(),
                "shape": unit.has_shape,
            }
        )
    # Tier names are data; the default ones are in the catalogue (choices.DEFAULT_NAMES).
    legend = _("，").join(f"{n + 1}={_(t)}" for n, t in enumerate(order))
    return {
        "map_config": {
            "key": f"{name}:{region.code}:tiers",
            "url": map_url(name),
            "codes": [d["code"] for d in data],
            "measure": _("档次（%(legend)s）") % {"legend": legend},
            "data": data,
            "national": False,
            "nullText": str(NO_SHEET),
        },
        "map_assessed": sum(1 for d in data if d["value"] is not None),
        "maps_built": (settings.MAPS_DIR / "manifest.json").exists(),
    }


# ------------------------------------------------------------------------------- sheets


class SheetDetailView(View):
    """An association's assessment sheet: computed values with their source figures, manual
    values with evidence, the review status and history, the weakest dimensions."""

    def _sheet(self, request, pk) -> Sheet:
        sheet = selectors.sheet_for(request.user, pk)
        if sheet is None:
            raise Http404(_("未找到该评估表，或不在您的权限范围内。"))
        return sheet

    def get(self, request, pk):
        from qingxie.core.changelog import changes_for
        from qingxie.core.review import review_history

        sheet = self._sheet(request, pk)
        values = selectors.sheet_values(sheet)
        for v in values:
            v.evidence_name = v.evidence.name.rsplit("/", 1)[-1] if v.evidence else ""
        dims: dict = {}
        for v in values:
            if v.indicator.kind == IndicatorKind.GATE:
                continue
            dims.setdefault(v.indicator.dimension.name if v.indicator.dimension else "", []).append(
                v
            )
        gates = [v for v in values if v.indicator.kind == IndicatorKind.GATE]
        maxima = selectors.dimension_max(sheet.round.indicator_version)
        return render(
            request,
            "assessment/sheet_detail.html",
            {
                "sheet": sheet,
                "round": sheet.round,
                "dimensions": [
                    {
                        "name": name,
                        "values": rows,
                        "score": sheet.dimension_scores.get(name, "0"),
                        "max": maxima.get(name),
                    }
                    for name, rows in dims.items()
                ],
                "gates": gates,
                "actions": selectors.sheet_actions(request.user, sheet),
                "missing": services.sheet_missing(sheet),
                "weakest": selectors.weakest_dimensions(sheet),
                "history": review_history(sheet),
                "changes": changes_for(sheet)[:20],
                "grades": Grade.choices,
            },
        )

    def post(self, request, pk):
        sheet = self._sheet(request, pk)
        op = request.POST.get("op")
        here = sheet.get_absolute_url()
        p, user = request.POST, request.user
        if op == "fill":
            indicator = Indicator.objects.filter(
                pk=p.get("indicator") or 0, indicator_version=sheet.round.indicator_version
            ).first()
            if indicator is None:
                messages.error(request, _("指标：请选择要填报的指标。"))
                return redirect(here)
            return _act(
                request,
                here + f"#ind-{indicator.code}",
                lambda: services.value_fill(
                    actor=user,
                    sheet=sheet,
                    indicator=indicator,
                    value=p.get("value"),
                    grade=p.get("grade", ""),
                    note=p.get("note", ""),
                    evidence=request.FILES.get("evidence"),
                ),
                _("已保存“%(name)s”。") % {"name": indicator.name},
            )
        ops = {
            "submit": (
                lambda: services.sheet_submit(actor=user, sheet=sheet, note=p.get("note", "")),
                _("自评已提交，等待上一级审核。"),
            ),
            "verify": (lambda: services.sheet_verify(actor=user, sheet=sheet), _("已审核通过。")),
            "return": (
                lambda: services.sheet_return(actor=user, sheet=sheet, reason=p.get("reason", "")),
                _("已退回，县级协会将看到退回原因。"),
            ),
            "confirm": (
                lambda: services.sheet_confirm(actor=user, sheet=sheet),
                _("已确认评估结果。"),
            ),
            "send_back": (
                lambda: services.sheet_send_back(
                    actor=user, sheet=sheet, reason=p.get("reason", "")
                ),
                _("已退回县级协会重新自评。"),
            ),
            "appeal": (
                lambda: services.sheet_appeal(actor=user, sheet=sheet, reason=p.get("reason", "")),
                _("申诉已提交。"),
            ),
            "appeal_decide": (
                lambda: services.sheet_appeal_decide(
                    actor=user,
                    sheet=sheet,
                    upheld=p.get("upheld") == "1",
                    outcome=p.get("outcome", ""),
                ),
                _("申诉已处理。"),
            ),
        }
        if op not in ops:
            messages.error(request, _("未知的操作。"))
            return redirect(here)
        fn, success = ops[op]
        return _act(request, here, fn, success)


# ------------------------------------------------------------------- 示范 selection


class DemonstrationView(View):
    """The year's quotas, the provinces' recommendations with ranks, the nation's selection."""

    def get(self, request):
        year = _year(request)
        region = _home(request)
        quotas = list(selectors.quotas_for(request.user, year))
        candidates = list(selectors.candidates_for(request.user, year))
        used = {}
        for c in candidates:
            code = c.region_path.split("/")[1] if c.region_path.count("/") > 1 else ""
            used[code] = used.get(code, 0) + 1
        eligible = []
        if region.level == Region.Level.PROVINCE:
            rnd = (
                selectors.rounds_for(request.user)
                .filter(year=year)
                .exclude(status="open")
                .order_by("-region__level")
                .first()
            )
            if rnd is not None:
                chosen = {c.association_id for c in candidates}
                # Ranks among all the province's counties; only the eligible are offered.
                rows = selectors.ranked(selectors.sheets_of(request.user, rnd, region))
                eligible = [
                    r
                    for r in rows
                    if r["sheet"].eligible
                    and r["sheet"].confirmed_on
                    and r["sheet"].association_id not in chosen
                ][:30]
        own = next((q for q in quotas if q.region_id == region.pk), None)
        left = (own.quota - used.get(region.code, 0)) if own else 0
        return render(
            request,
            "assessment/demonstration.html",
            {
                "quota_left": left,
                "year": year,
                "region": region,
                "quotas": [{"q": q, "used": used.get(q.region.code, 0)} for q in quotas],
                "candidates": candidates,
                "eligible": eligible,
                "is_nation": user_may(request.user, Candidate, "change", NATION_PATH),
                "may_recommend": region.level == Region.Level.PROVINCE
                and user_may(request.user, Candidate, "add", region.path),
                "provinces": Region.objects.filter(level=1, valid_to__isnull=True).order_by("code")
                if user_may(request.user, DemoQuota, "change", NATION_PATH)
                else [],
            },
        )

    def post(self, request):
        year = _year(request)
        here = request.get_full_path()
        p, user = request.POST, request.user
        op = p.get("op")
        if op == "quota":

            def set_quota():
                region = Region.objects.filter(code=p.get("region"), level=1).first()
                if region is None:
                    raise QingxieError(_("请选择省份。"), field="region")
                services.quota_set(
                    actor=user,
                    region=region,
                    year=year,
                    quota=_int(p.get("quota"), "quota", _("推荐名额")),
                )

            return _act(request, here, set_quota, _("推荐名额已设定。"))
        if op == "recommend":

            def recommend():
                association = _association(user, p.get("association"))
                services.candidate_recommend(
                    actor=user, association=association, year=year, note=p.get("note", "")
                )

            return _act(request, here, recommend, _("已推荐。"))
        if op in ("select", "reject"):
            candidate = (
                Candidate.objects.restrict(user, "view").filter(pk=p.get("candidate") or 0).first()
            )
            if candidate is None:
                raise Http404(_("未找到该候选。"))
            return _act(
                request,
                here,
                lambda: services.candidate_decide(
                    actor=user, candidate=candidate, selected=op == "select"
                ),
                _("已入选并纳入示范库。") if op == "select" else _("已标记为未入选。"),
            )
        messages.error(request, _("未知的操作。"))
        return redirect(here)


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or 0) or timezone.localdate().year
    except ValueError:
        return timezone.localdate().year


def _association(user, raw) -> Association:
    try:
        number = number_normalize(raw or "")
    except QingxieError:
        raise QingxieError(_("请填写正确的协会统一编号。"), field="association") from None
    association = Association.objects.restrict(user, "view").filter(number=number).first()
    if association is None:
        raise QingxieError(_("未找到该协会，或不在您的权限范围内。"), field="association")
    return association


# ---------------------------------------------------------------------------- library


def _shown_totals(totals: dict) -> dict:
    """Amounts in yuan with thousands separators, as cadres write them (320,000)."""
    totals["support_shown"] = f"{totals['support_total']:,.0f}"
    for y in totals["by_year"]:
        y["shown"] = f"{y['amount']:,.0f}"
    return totals


class LibraryView(View):
    """The 示范性志愿服务组织库 of a region: entries, validity, support and totals."""

    def get(self, request):
        region = _region(request, _home(request))
        today = timezone.localdate()
        entries = list(
            selectors.library_for(request.user, region).order_by("region_path", "entered_on")
        )
        for e in entries:
            e.support_shown = f"{e.support_total or 0:,.0f}"
            e.expired = e.valid_until < today
            e.may_change = user_may(request.user, LibraryEntry, "change", e.region_path)
        return render(
            request,
            "assessment/library.html",
            {
                "region": region,
                "entries": entries,
                "totals": _shown_totals(selectors.library_totals(request.user, region, today)),
                "today": today,
                "kinds": LibraryKind.choices,
                "support_kinds": SupportKind.choices,
                "may_add": user_may(request.user, LibraryEntry, "add", region.path)
                and region.level <= Region.Level.PROVINCE,
            },
        )

    def post(self, request):
        here = request.get_full_path()
        p, user = request.POST, request.user
        op = p.get("op")
        today = timezone.localdate()
        if op == "add":

            def add():
                association = _association(user, p.get("association"))
                services.library_add(
                    actor=user,
                    association=association,
                    year=today.year,
                    entered_on=_date(p.get("entered_on"), "entered_on", _("入库日期")),
                    kind=p.get("kind") or LibraryKind.ASSOCIATION,
                    name=p.get("name", ""),
                )

            return _act(request, here, add, _("已纳入示范库。"))
        entry = LibraryEntry.objects.restrict(user, "view").filter(pk=p.get("entry") or 0).first()
        if entry is None:
            raise Http404(_("未找到该入库组织。"))
        if op == "support":
            return _act(
                request,
                here,
                lambda: services.support_add(
                    actor=user,
                    entry=entry,
                    kind=p.get("kind", ""),
                    amount=p.get("amount", ""),
                    given_on=_date(p.get("given_on"), "given_on", _("日期")),
                    note=p.get("note", ""),
                ),
                _("扶持记录已登记。"),
            )
        if op == "renew":
            return _act(
                request,
                here,
                lambda: services.library_renew(actor=user, entry=entry, on=today),
                _("已复核续期。"),
            )
        if op == "remove":
            return _act(
                request,
                here,
                lambda: services.library_remove(
                    actor=user, entry=entry, on=today, reason=p.get("reason", "")
                ),
                _("已移出示范库。"),
            )
        messages.error(request, _("未知的操作。"))
        return redirect(here)


class RoundReportView(View):
    """The assessment report of a region in a round, as Word or PDF."""

    def get(self, request, pk, fmt):
        from django.http import HttpResponse

        from qingxie.assessment.report import report_content, report_docx, report_pdf

        rnd = selectors.round_for(request.user, pk)
        if rnd is None or fmt not in ("docx", "pdf"):
            raise Http404(_("未找到该评估轮次，或不在您的权限范围内。"))
        region = _region(request, _home(request))
        # The report is a Chinese document (like the bulletin), whatever the page language.
        try:
            with translation.override("zh-hans"):
                content = report_content(request.user, rnd, region)
                data = report_docx(content) if fmt == "docx" else report_pdf(content)
        except QingxieError as exc:
            messages.error(request, exc.message)
            return redirect(rnd.get_absolute_url())
        types = {
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "pdf": "application/pdf",
        }
        response = HttpResponse(data, content_type=types[fmt])
        from urllib.parse import quote

        name = quote(f"{region.name}{rnd.year}年度评估报告.{fmt}")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
        return response
