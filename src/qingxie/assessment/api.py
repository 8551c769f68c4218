"""The assessment's API: rounds, scores per association, and the sheet workflow's steps."""

from __future__ import annotations

from django.urls import re_path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from qingxie.assessment import selectors, services
from qingxie.assessment.models import Indicator
from qingxie.core.errors import QingxieError
from qingxie.core.viewsets import AttributedViewSetMixin
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


class RoundListView(AttributedViewSetMixin, APIView):
    """The assessment rounds the caller may read."""

    @extend_schema(summary="年度评估轮次", responses=RoundSerializer(many=True))
    def get(self, request):
        rounds = selectors.rounds_for(request.user).order_by("-year", "region_path")
        return Response([_round_dict(r) for r in rounds])


class RoundDetailView(AttributedViewSetMixin, APIView):
    """One round."""

    @extend_schema(summary="评估轮次详情", responses=RoundSerializer)
    def get(self, request, id):
        rnd = selectors.round_for(request.user, id)
        if rnd is None:
            raise _not_found("未找到该评估轮次，或不在您的权限范围内。")
        return Response(_round_dict(rnd))


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
            raise _not_found("未找到该评估轮次，或不在您的权限范围内。")
        code = request.query_params.get("region")
        region = region_by_code(code) if code else None
        return Response(selectors.scores_payload(request.user, rnd, region))


class SheetActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=["fill", "submit", "verify", "return", "confirm", "send_back", "appeal"]
    )
    indicator = serializers.CharField(required=False, help_text="指标代码（fill）")
    value = serializers.CharField(required=False, allow_blank=True)
    grade = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


class SheetActionView(AttributedViewSetMixin, APIView):
    """One step of an assessment sheet's workflow: fill a manual indicator, submit the
    self-assessment, the city's verify/return, the province's confirm/send back, an appeal."""

    @extend_schema(
        summary="评估表操作（填报、提交、审核、确认、申诉）",
        request=SheetActionSerializer,
        responses=ScoreSerializer,
    )
    def post(self, request, id):
        sheet = selectors.sheet_for(request.user, id)
        if sheet is None:
            raise _not_found("未找到该评估表，或不在您的权限范围内。")
        data = SheetActionSerializer(data=request.data)
        if not data.is_valid():
            field, msgs = next(iter(data.errors.items()))
            raise QingxieError(f"{field}：{msgs[0]}", field=field)
        d, user = data.validated_data, request.user
        action = d["action"]
        if action == "fill":
            indicator = Indicator.objects.filter(
                indicator_version=sheet.round.indicator_version, code=d.get("indicator", "")
            ).first()
            if indicator is None:
                raise QingxieError("未找到该指标。", field="indicator")
            services.value_fill(
                actor=user,
                sheet=sheet,
                indicator=indicator,
                value=d.get("value"),
                grade=d.get("grade", ""),
                note=d.get("note", ""),
            )
        elif action == "submit":
            services.sheet_submit(actor=user, sheet=sheet, note=d.get("note", ""))
        elif action == "verify":
            services.sheet_verify(actor=user, sheet=sheet)
        elif action == "return":
            services.sheet_return(actor=user, sheet=sheet, reason=d.get("reason", ""))
        elif action == "confirm":
            services.sheet_confirm(actor=user, sheet=sheet)
        elif action == "send_back":
            services.sheet_send_back(actor=user, sheet=sheet, reason=d.get("reason", ""))
        elif action == "appeal":
            services.sheet_appeal(actor=user, sheet=sheet, reason=d.get("reason", ""))
        payload = selectors.scores_payload(user, sheet.round, sheet.region)
        mine = next(r for r in payload if r["association"] == sheet.association.number)
        return Response(mine)


urlpatterns = [
    re_path(r"^assessment/rounds/?$", RoundListView.as_view(), name="assessment-rounds"),
    re_path(
        r"^assessment/rounds/(?P<id>\d+)/?$", RoundDetailView.as_view(), name="assessment-round"
    ),
    re_path(
        r"^assessment/rounds/(?P<id>\d+)/scores/?$",
        RoundScoresView.as_view(),
        name="assessment-scores",
    ),
    re_path(
        r"^assessment/sheets/(?P<id>\d+)/actions/?$",
        SheetActionView.as_view(),
        name="assessment-sheet-action",
    ),
]


def register(router) -> None:
    """The assessment has no router viewsets; its paths are in `urlpatterns`."""
