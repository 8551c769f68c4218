"""The assessment's API: rounds (open, correct, tiers, compute and close), scores per
association, the sheet workflow's steps, the 示范 quotas and candidates, and the library.

Reads go through the gate (outside scope: 404); every write is parsed here with core's shared
helpers (`refuse_fields`, `parse_input`: unknown keys and wrong types are a 400 naming the
field) and done by one service of `assessment.services`, which re-checks the scope and every
rule and writes the change log — the same services the pages call.
"""

from __future__ import annotations

from django.urls import re_path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from qingxie.assessment import selectors, services
from qingxie.assessment.choices import LibraryKind, SupportKind
from qingxie.assessment.models import (
    Candidate,
    DemoQuota,
    Indicator,
    LibraryEntry,
    Round,
    Sheet,
    Support,
)
from qingxie.core.concurrency import request_version
from qingxie.core.errors import QingxieError
from qingxie.core.inputs import FlatListField, query_integer
from qingxie.core.serializers import parse_input, refuse_fields
from qingxie.core.viewsets import AttributedViewSetMixin, KeysetPagination, fetch_or_404
from qingxie.ledger.models import Association
from qingxie.ledger.numbering import number_normalize
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_by_code


def _not_found(message: str):
    from rest_framework.exceptions import NotFound as DRFNotFound

    return DRFNotFound(message)


class RoundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    year = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    region = serializers.CharField()
    indicator_version = serializers.CharField()
    cut_off = serializers.DateField()
    self_until = serializers.DateField()
    review_until = serializers.DateField()
    appeal_until = serializers.DateField()
    tiers = serializers.JSONField()


def _round_dict(r) -> dict:
    return {
        "id": r.pk,
        "year": r.year,
        "name": r.name,
        "status": r.status,
        "status_label": r.get_status_display(),
        "region": r.region.code,
        "indicator_version": r.indicator_version.code,
        "cut_off": r.cut_off,
        "self_until": r.self_until,
        "review_until": r.review_until,
        "appeal_until": r.appeal_until,
        "tiers": r.tiers,
    }


class ScoreSerializer(serializers.Serializer):
    """One association's result in a round."""

    association = serializers.CharField(help_text="协会统一编号")
    name = serializers.CharField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    total = serializers.FloatField()
    rank = serializers.IntegerField()
    tier = serializers.CharField()
    eligible = serializers.BooleanField()
    state = serializers.CharField()
    confirmed_on = serializers.DateField(allow_null=True)
    dimensions = serializers.DictField(child=serializers.FloatField())
    indicators = serializers.DictField(child=serializers.JSONField())


ROUND_NOT_FOUND = gettext_lazy("未找到该评估轮次，或不在您的权限范围内。")


def _parse(request, serializer_class, model=None, *, partial: bool = False, hints=None) -> dict:
    """The body's values by `serializer_class`; keys it does not name are refused (400)."""
    data = request.data
    refuse_fields(data, serializer_class().fields, model, hints)
    return parse_input(serializer_class, data, partial=partial, model=model)


def _round(request, id) -> Round:
    rnd = selectors.round_for(request.user, id)
    if rnd is None:
        raise _not_found(str(ROUND_NOT_FOUND))
    return rnd


def _fresh_round(request, rnd: Round) -> Response:
    return Response(_round_dict(selectors.round_for(request.user, rnd.pk) or rnd))


def _association(request, raw, field: str = "association") -> Association:
    """An association by its unified number, through the gate (404 outside scope)."""
    try:
        number = number_normalize(raw)
    except QingxieError as exc:
        raise QingxieError(exc.message, field=field) from None
    return fetch_or_404(
        Association.objects.restrict(request.user, "view").select_related("region"),
        _("未找到统一编号为 %(number)s 的协会，或不在您的权限范围内。") % {"number": number},
        number=number,
    )


def _region_of(raw, field: str = "region") -> Region:
    """A region by its code (region codes are public)."""
    region = Region.objects.filter(code=str(raw or "").strip(), valid_to__isnull=True).first()
    if region is None:
        raise QingxieError(_("区划代码“%(code)s”不存在。") % {"code": str(raw)[:20]}, field=field)
    return region


class RoundOpenSerializer(serializers.Serializer):
    """A new round: the organising region (the nation 000000 or a province), the year, the
    indicator version's code, the four dates and optionally a name and tiers."""

    region = serializers.CharField(max_length=12, help_text="组织区划代码（全国 000000 或省级）")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    indicator_version = serializers.CharField(max_length=40, help_text="指标体系代码")
    cut_off = serializers.DateField()
    self_until = serializers.DateField()
    review_until = serializers.DateField()
    appeal_until = serializers.DateField()
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    tiers = FlatListField(
        child=serializers.ListField(min_length=2, max_length=2),
        required=False,
        help_text="档次，由高到低：[[名称, 最低分], …]",
    )


class RoundUpdateSerializer(serializers.Serializer):
    """A round's name and timetable (the cut-off only before the figures are computed)."""

    version = serializers.IntegerField(required=False, help_text="所修改的版本（乐观锁）")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    cut_off = serializers.DateField(required=False)
    self_until = serializers.DateField(required=False)
    review_until = serializers.DateField(required=False)
    appeal_until = serializers.DateField(required=False)


ROUND_HINTS = {
    "region": gettext_lazy("组织区划不能修改。"),
    "year": gettext_lazy("年度不能修改。"),
    "indicator_version": gettext_lazy("指标体系不能修改；请另开评估轮次。"),
    "tiers": gettext_lazy("档次请通过 tiers 操作调整。"),
    "status": gettext_lazy("状态请通过 advance 操作推进（compute 计算、close 结束）。"),
}


class RoundListView(AttributedViewSetMixin, GenericAPIView):
    """The assessment rounds the caller may read (keyset pages, newest first); a national or
    provincial administrator opens one."""

    pagination_class = KeysetPagination
    cursor_ordering = ("-id",)
    serializer_class = RoundSerializer

    def get_queryset(self):
        return selectors.rounds_for(self.request.user)

    @extend_schema(summary="年度评估轮次", responses=RoundSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_round_dict(r) for r in page])

    @extend_schema(
        summary="开启评估轮次", request=RoundOpenSerializer, responses={201: RoundSerializer}
    )
    def post(self, request):
        data = _parse(request, RoundOpenSerializer, Round)
        region = _region_of(data.pop("region"))
        code = data.pop("indicator_version")
        version = selectors.versions_for(request.user).filter(code=code).first()
        if version is None:
            raise QingxieError(
                _("未找到代码为“%(code)s”的指标体系。") % {"code": code}, field="indicator_version"
            )
        rnd = services.round_open(
            actor=request.user, region=region, indicator_version=version, **data
        )
        return Response(_round_dict(rnd), status=status.HTTP_201_CREATED)


class RoundDetailView(AttributedViewSetMixin, APIView):
    """One round; its organiser corrects its name or timetable."""

    @extend_schema(summary="评估轮次详情", responses=RoundSerializer)
    def get(self, request, id):
        return Response(_round_dict(_round(request, id)))

    @extend_schema(
        summary="修改评估轮次（名称、日程）",
        request=RoundUpdateSerializer,
        responses=RoundSerializer,
    )
    def patch(self, request, id):
        rnd = _round(request, id)
        expected = request_version(request)
        data = _parse(
            request,
            RoundUpdateSerializer,
            Round,
            partial=True,
            hints={k: str(v) for k, v in ROUND_HINTS.items()},
        )
        data.pop("version", None)
        services.round_update(actor=request.user, round=rnd, expected_version=expected, **data)
        return _fresh_round(request, rnd)


class RoundJobSerializer(RoundSerializer):
    job = serializers.IntegerField(help_text="计算任务的 id")


class RoundAdvanceSerializer(serializers.Serializer):
    step = serializers.ChoiceField(
        choices=[("compute", "按截止日期计算平台数据指标"), ("close", "结束本轮评估")]
    )


class RoundAdvanceView(AttributedViewSetMixin, APIView):
    """Move a round on: `compute` queues the computation of the platform's figures as of the
    cut-off date (202, the job's id; the periodic job does the same once the date passed),
    `close` makes scores and tiers final."""

    @extend_schema(
        summary="推进评估轮次（计算、结束）",
        request=RoundAdvanceSerializer,
        responses={200: RoundSerializer, 202: RoundJobSerializer},
    )
    def post(self, request, id):
        rnd = _round(request, id)
        step = _parse(request, RoundAdvanceSerializer)["step"]
        if step == "compute":
            job = services.round_compute_start(actor=request.user, round=rnd)
            return Response(
                {**_round_dict(Round.objects.get(pk=rnd.pk)), "job": job.pk},
                status=status.HTTP_202_ACCEPTED,
            )
        services.round_close(actor=request.user, round=rnd)
        return _fresh_round(request, rnd)


class RoundTiersSerializer(serializers.Serializer):
    tiers = FlatListField(
        child=serializers.ListField(min_length=2, max_length=2),
        help_text="档次，由高到低：[[名称, 最低分], …]",
    )
    province = serializers.CharField(
        required=False, allow_blank=True, max_length=12, help_text="省级代码：只调整该省的档次"
    )


class RoundTiersView(AttributedViewSetMixin, APIView):
    """Set the round's tier cut-offs, or a province's own; every sheet concerned is re-tiered."""

    @extend_schema(summary="调整档次", request=RoundTiersSerializer, responses=RoundSerializer)
    def post(self, request, id):
        rnd = _round(request, id)
        data = _parse(request, RoundTiersSerializer)
        code = data.get("province")
        province = _region_of(code, "province") if code else None
        services.round_set_tiers(
            actor=request.user, round=rnd, tiers=data["tiers"], province=province
        )
        return _fresh_round(request, rnd)


class RoundScoresView(AttributedViewSetMixin, APIView):
    """Scores, ranks and tiers per association in a round, in a region's subtree."""

    @extend_schema(
        summary="评估得分、排名与档次",
        parameters=[
            OpenApiParameter(
                "region", OpenApiTypes.STR, description="区划代码，默认为全部可见范围"
            ),
        ],
        responses=ScoreSerializer(many=True),
    )
    def get(self, request, id):
        rnd = selectors.round_for(request.user, id)
        if rnd is None:
            raise _not_found(_("未找到该评估轮次，或不在您的权限范围内。"))
        code = request.query_params.get("region")
        region = region_by_code(code) if code else None
        return Response(selectors.scores_payload(request.user, rnd, region))


class SheetActionSerializer(serializers.Serializer):
    """One step of a sheet; `evidence` (a file) only in a multipart `fill`."""

    action = serializers.ChoiceField(
        choices=[
            "fill",
            "submit",
            "verify",
            "return",
            "revoke",
            "confirm",
            "send_back",
            "appeal",
            "appeal_decide",
        ]
    )
    indicator = serializers.CharField(required=False, max_length=40, help_text="指标代码（fill）")
    value = serializers.CharField(required=False, allow_blank=True, max_length=40)
    grade = serializers.CharField(required=False, allow_blank=True, max_length=2)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    evidence = serializers.FileField(required=False, help_text="佐证材料（fill，multipart）")
    upheld = serializers.BooleanField(required=False, help_text="申诉是否成立（appeal_decide）")
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SheetActionView(AttributedViewSetMixin, APIView):
    """One step of an assessment sheet's workflow: fill a manual indicator (with evidence in a
    multipart body), submit the self-assessment, the city's verify/return/revoke, the
    province's confirm/send back, an appeal and its decision."""

    @extend_schema(
        summary="评估表操作（填报、提交、审核、撤销、确认、申诉）",
        request={
            "application/json": SheetActionSerializer,
            "multipart/form-data": SheetActionSerializer,
        },
        responses=ScoreSerializer,
    )
    def post(self, request, id):
        sheet = selectors.sheet_for(request.user, id)
        if sheet is None:
            raise _not_found(_("未找到该评估表，或不在您的权限范围内。"))
        d, user = _parse(request, SheetActionSerializer, Sheet), request.user
        action = d["action"]
        reason = d.get("reason", "")
        if action == "fill":
            indicator = Indicator.objects.filter(
                indicator_version=sheet.round.indicator_version, code=d.get("indicator", "")
            ).first()
            if indicator is None:
                raise QingxieError(_("未找到该指标。"), field="indicator")
            services.value_fill(
                actor=user,
                sheet=sheet,
                indicator=indicator,
                value=d.get("value"),
                grade=d.get("grade", ""),
                note=d.get("note", ""),
                evidence=d.get("evidence"),
            )
        elif action == "submit":
            services.sheet_submit(actor=user, sheet=sheet, note=d.get("note", ""))
        elif action == "verify":
            services.sheet_verify(actor=user, sheet=sheet)
        elif action == "return":
            services.sheet_return(actor=user, sheet=sheet, reason=reason)
        elif action == "revoke":
            services.sheet_revoke(actor=user, sheet=sheet, reason=reason)
        elif action == "confirm":
            services.sheet_confirm(actor=user, sheet=sheet)
        elif action == "send_back":
            services.sheet_send_back(actor=user, sheet=sheet, reason=reason)
        elif action == "appeal":
            services.sheet_appeal(actor=user, sheet=sheet, reason=reason)
        elif action == "appeal_decide":
            if "upheld" not in d:
                raise QingxieError(_("请说明申诉是否成立（upheld）。"), field="upheld")
            services.sheet_appeal_decide(
                actor=user, sheet=sheet, upheld=d["upheld"], outcome=d.get("outcome", "")
            )
        payload = selectors.scores_payload(user, sheet.round, sheet.region)
        mine = next(r for r in payload if r["association"] == sheet.association.number)
        return Response(mine)


# ------------------------------------------------------------------- 示范 selection


def _year(request) -> int | None:
    return query_integer(request.query_params, "year", "年度", low=2000, high=2100)


YEAR_PARAM = OpenApiParameter("year", OpenApiTypes.INT, description="年度")


class DemoQuotaSerializer(serializers.Serializer):
    """A province's 示范 quota for a year and how many it has recommended."""

    id = serializers.IntegerField()
    region = serializers.CharField()
    region_name = serializers.CharField()
    year = serializers.IntegerField()
    quota = serializers.IntegerField()
    recommended = serializers.IntegerField()


class DemoQuotaSetSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=12, help_text="省级区划代码")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quota = serializers.IntegerField(min_value=0, max_value=100)


def _quota_dict(q: DemoQuota) -> dict:
    return {
        "id": q.pk,
        "region": q.region.code,
        "region_name": q.region.name,
        "year": q.year,
        "quota": q.quota,
        "recommended": Candidate.objects.filter(
            region_path__startswith=q.region.path, year=q.year
        ).count(),
    }


class QuotaListView(AttributedViewSetMixin, APIView):
    """The 示范 quotas per province the caller may see; the nation sets them."""

    @extend_schema(
        summary="示范推荐名额", parameters=[YEAR_PARAM], responses=DemoQuotaSerializer(many=True)
    )
    def get(self, request):
        qs = DemoQuota.objects.restrict(request.user, "view").select_related("region")
        if (year := _year(request)) is not None:
            qs = qs.filter(year=year)
        return Response([_quota_dict(q) for q in qs.order_by("-year", "region_path")])

    @extend_schema(
        summary="设定示范推荐名额", request=DemoQuotaSetSerializer, responses=DemoQuotaSerializer
    )
    def post(self, request):
        data = _parse(request, DemoQuotaSetSerializer, DemoQuota)
        region = _region_of(data["region"])
        row = services.quota_set(
            actor=request.user, region=region, year=data["year"], quota=data["quota"]
        )
        return Response(_quota_dict(row))


class CandidateSerializer(serializers.Serializer):
    """A recommended county association, its score and the nation's decision."""

    id = serializers.IntegerField()
    association = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    year = serializers.IntegerField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    total = serializers.FloatField(allow_null=True)
    tier = serializers.CharField()
    note = serializers.CharField()
    decided_on = serializers.DateField(allow_null=True)


def _candidate_dict(c: Candidate) -> dict:
    return {
        "id": c.pk,
        "association": c.association.number,
        "name": c.association.name,
        "region": c.association.region.code,
        "year": c.year,
        "state": c.state,
        "state_label": c.get_state_display(),
        "total": float(c.sheet.total) if c.sheet else None,
        "tier": c.sheet.tier if c.sheet else "",
        "note": c.note,
        "decided_on": c.decided_on,
    }


class CandidateRecommendSerializer(serializers.Serializer):
    association = serializers.CharField(max_length=40, help_text="县级协会统一编号")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CandidateDecideSerializer(serializers.Serializer):
    selected = serializers.BooleanField(help_text="true 入选（并纳入示范库），false 未入选")
    on = serializers.DateField(required=False, help_text="遴选日期，默认今天")


def _candidates(request):
    return (
        Candidate.objects.restrict(request.user, "view")
        .select_related("association__region", "sheet")
        .order_by("-year", "region_path", "id")
    )


class CandidateListView(AttributedViewSetMixin, APIView):
    """示范 candidates the caller may see; a province recommends within its quota."""

    @extend_schema(
        summary="示范候选", parameters=[YEAR_PARAM], responses=CandidateSerializer(many=True)
    )
    def get(self, request):
        qs = _candidates(request)
        if (year := _year(request)) is not None:
            qs = qs.filter(year=year)
        return Response([_candidate_dict(c) for c in qs])

    @extend_schema(
        summary="推荐示范候选",
        request=CandidateRecommendSerializer,
        responses={201: CandidateSerializer},
    )
    def post(self, request):
        data = _parse(request, CandidateRecommendSerializer, Candidate)
        association = _association(request, data["association"])
        row = services.candidate_recommend(
            actor=request.user,
            association=association,
            year=data["year"],
            note=data.get("note", ""),
        )
        fresh = _candidates(request).filter(pk=row.pk).first() or row
        return Response(_candidate_dict(fresh), status=status.HTTP_201_CREATED)


class CandidateDecideView(AttributedViewSetMixin, APIView):
    """The nation selects (or not) a recommended candidate; a selected one enters the library."""

    @extend_schema(
        summary="遴选示范协会", request=CandidateDecideSerializer, responses=CandidateSerializer
    )
    def post(self, request, id):
        candidate = fetch_or_404(
            _candidates(request), _("未找到该示范候选，或不在您的权限范围内。"), pk=id
        )
        data = _parse(request, CandidateDecideSerializer, Candidate)
        services.candidate_decide(
            actor=request.user, candidate=candidate, selected=data["selected"], on=data.get("on")
        )
        return Response(_candidate_dict(_candidates(request).get(pk=candidate.pk)))


# ---------------------------------------------------------------------- the library


class LibrarySupportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    given_on = serializers.DateField()
    year = serializers.IntegerField()
    note = serializers.CharField()


class DemoLibraryEntrySerializer(serializers.Serializer):
    """An organisation in the 示范性志愿服务组织库 with the support it was given."""

    id = serializers.IntegerField()
    association = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField()
    year = serializers.IntegerField()
    entered_on = serializers.DateField()
    valid_until = serializers.DateField()
    reviewed_on = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    removed_on = serializers.DateField(allow_null=True)
    removed_reason = serializers.CharField()
    version = serializers.IntegerField()
    support_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    supports = LibrarySupportSerializer(many=True)


def _entry_dict(e: LibraryEntry) -> dict:
    supports = list(Support.objects.filter(entry=e).order_by("given_on", "id"))
    return {
        "id": e.pk,
        "association": e.association.number,
        "kind": e.kind,
        "name": e.name,
        "region": e.association.region.code,
        "year": e.year,
        "entered_on": e.entered_on,
        "valid_until": e.valid_until,
        "reviewed_on": e.reviewed_on,
        "status": e.status,
        "removed_on": e.removed_on,
        "removed_reason": e.removed_reason,
        "version": e.version,
        "support_total": str(sum((s.amount for s in supports), 0)),
        "supports": [
            {
                "id": s.pk,
                "kind": s.kind,
                "kind_label": s.get_kind_display(),
                "amount": str(s.amount),
                "given_on": s.given_on,
                "year": s.year,
                "note": s.note,
            }
            for s in supports
        ],
    }


class LibraryAddSerializer(serializers.Serializer):
    association = serializers.CharField(max_length=40, help_text="所属协会统一编号")
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    entered_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=LibraryKind.choices, required=False)
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="团体会员或队伍的名称"
    )
    valid_years = serializers.IntegerField(required=False, min_value=1, max_value=10)


class LibraryRenewSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="复核日期")
    valid_years = serializers.IntegerField(required=False, min_value=1, max_value=10)


class LibraryRemoveSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="移出日期")
    reason = serializers.CharField(allow_blank=True, max_length=300)


class LibrarySupportAddSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SupportKind.choices)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    given_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)


def _entries(request):
    return LibraryEntry.objects.restrict(request.user, "view").select_related("association__region")


def _entry(request, id) -> LibraryEntry:
    return fetch_or_404(_entries(request), _("未找到该入库组织，或不在您的权限范围内。"), pk=id)


class LibraryListView(AttributedViewSetMixin, APIView):
    """The library's entries the caller may see (`?region=` narrows); a province enters one."""

    @extend_schema(
        summary="示范性志愿服务组织库",
        parameters=[OpenApiParameter("region", OpenApiTypes.STR, description="区划代码")],
        responses=DemoLibraryEntrySerializer(many=True),
    )
    def get(self, request):
        code = request.query_params.get("region")
        region = region_by_code(code) if code else None
        qs = selectors.library_for(request.user, region).order_by("region_path", "id")
        return Response([_entry_dict(e) for e in qs])

    @extend_schema(
        summary="纳入示范库",
        request=LibraryAddSerializer,
        responses={201: DemoLibraryEntrySerializer},
    )
    def post(self, request):
        data = _parse(request, LibraryAddSerializer, LibraryEntry)
        association = _association(request, data.pop("association"))
        entry = services.library_add(actor=request.user, association=association, **data)
        return Response(_entry_dict(_entry(request, entry.pk)), status=status.HTTP_201_CREATED)


class LibraryRenewView(AttributedViewSetMixin, APIView):
    """Review an entry at expiry and keep it for another term."""

    @extend_schema(
        summary="到期复核续期", request=LibraryRenewSerializer, responses=DemoLibraryEntrySerializer
    )
    def post(self, request, id):
        entry = _entry(request, id)
        data = _parse(request, LibraryRenewSerializer, LibraryEntry)
        services.library_renew(actor=request.user, entry=entry, **data)
        return Response(_entry_dict(_entry(request, id)))


class LibraryRemoveView(AttributedViewSetMixin, APIView):
    """Remove an organisation from the library, with the reason."""

    @extend_schema(
        summary="移出示范库", request=LibraryRemoveSerializer, responses=DemoLibraryEntrySerializer
    )
    def post(self, request, id):
        entry = _entry(request, id)
        data = _parse(request, LibraryRemoveSerializer, LibraryEntry)
        services.library_remove(actor=request.user, entry=entry, **data)
        return Response(_entry_dict(_entry(request, id)))


class LibrarySupportView(AttributedViewSetMixin, APIView):
    """Record support given to a library organisation (公益创投资金, 贫困地区建设支持, …)."""

    @extend_schema(
        summary="登记扶持",
        request=LibrarySupportAddSerializer,
        responses={201: DemoLibraryEntrySerializer},
    )
    def post(self, request, id):
        entry = _entry(request, id)
        data = _parse(request, LibrarySupportAddSerializer, Support)
        services.support_add(actor=request.user, entry=entry, **data)
        return Response(_entry_dict(_entry(request, id)), status=status.HTTP_201_CREATED)


def _path(pattern: str, view, name: str):
    return re_path(rf"^assessment/{pattern}/?$", view.as_view(), name=name)


urlpatterns = [
    _path("rounds", RoundListView, "assessment-rounds"),
    _path(r"rounds/(?P<id>\d+)", RoundDetailView, "assessment-round"),
    _path(r"rounds/(?P<id>\d+)/scores", RoundScoresView, "assessment-scores"),
    _path(r"rounds/(?P<id>\d+)/advance", RoundAdvanceView, "assessment-round-advance"),
    _path(r"rounds/(?P<id>\d+)/tiers", RoundTiersView, "assessment-round-tiers"),
    _path(r"sheets/(?P<id>\d+)/actions", SheetActionView, "assessment-sheet-action"),
    _path("quotas", QuotaListView, "assessment-quotas"),
    _path("candidates", CandidateListView, "assessment-candidates"),
    _path(r"candidates/(?P<id>\d+)/decide", CandidateDecideView, "assessment-candidate-decide"),
    _path("library", LibraryListView, "assessment-library"),
    _path(r"library/(?P<id>\d+)/renew", LibraryRenewView, "assessment-library-renew"),
    _path(r"library/(?P<id>\d+)/remove", LibraryRemoveView, "assessment-library-remove"),
    _path(r"library/(?P<id>\d+)/support", LibrarySupportView, "assessment-library-support"),
]


def register(router) -> None:
    """The assessment has no router viewsets; its paths are in `urlpatterns`."""
