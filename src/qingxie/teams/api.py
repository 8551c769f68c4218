"""Grassroots team API: `/api/teams/` list, detail, create, correct and dissolve.

Teams are fetched through `Team.objects.restrict(user, "view")` (outside scope: 404); writes
go through `teams.services`, which re-check the scope and the rules (a township team's
township must lie inside its association's county).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qingxie.core.concurrency import request_version
from qingxie.core.models import subtree_q
from qingxie.ledger.api import (
    AttributedViewSetMixin,
    association_get,
    parse_choice,
    parse_input,
    refuse_fields,
    region_by_code,
)
from qingxie.ledger.numbering import number_normalize
from qingxie.ledger.serializers import WithdrawSerializer, mask_phone
from qingxie.teams import services
from qingxie.teams.choices import TeamCategory, TeamStatus
from qingxie.teams.models import Team


class TeamSerializer(serializers.ModelSerializer):
    """A grassroots team as the API shows it; the leader's phone is masked."""

    association = serializers.SlugRelatedField(slug_field="number", read_only=True)
    association_name = serializers.CharField(source="association.name", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township = serializers.SlugRelatedField(slug_field="code", read_only=True)
    township_name = serializers.CharField(source="township.name", read_only=True, default="")
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    leader_phone = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = [
            "version",
            "id",
            "name",
            "association",
            "association_name",
            "region",
            "category",
            "category_display",
            "township",
            "township_name",
            "leader_name",
            "leader_phone",
            "member_count",
            "founded_on",
            "status",
            "status_display",
            "dissolved_on",
            "is_demo",
        ]
        read_only_fields = fields

    def get_leader_phone(self, obj: Team) -> str:
        return mask_phone(obj.leader_phone)


class TeamUpdateSerializer(serializers.Serializer):
    """The editable fields of a team; `township` is a 9-digit township code (empty to clear)."""

    name = serializers.CharField(required=False, allow_blank=True)
    category = serializers.CharField(required=False)
    township = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    leader_name = serializers.CharField(required=False, allow_blank=True)
    leader_phone = serializers.CharField(required=False, allow_blank=True)
    member_count = serializers.IntegerField(required=False, min_value=0)
    founded_on = serializers.DateField(required=False)


class TeamCreateSerializer(TeamUpdateSerializer):
    """Build a team under the association named by its unified number."""

    association = serializers.CharField(help_text="协会统一编号")


TEAM_HINTS = {
    "association": "队伍所属协会不能修改。",
    "region": "队伍所属区划随其协会，不能修改。",
    "status": "撤销请通过 dissolve 操作记录。",
    "dissolved_on": "撤销请通过 dissolve 操作记录。",
}


def _with_township(data: dict) -> dict:
    if "township" in data:
        code = data["township"]
        data["township"] = region_by_code(code, field="township") if code else None
    return data


@extend_schema_view(
    list=extend_schema(
        summary="查询基层队伍",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="区划代码（含其下级）"),
            OpenApiParameter("association", OpenApiTypes.STR, description="协会统一编号"),
            OpenApiParameter(
                "category", OpenApiTypes.STR, enum=TeamCategory.values, description="类别"
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=TeamStatus.values, description="状态"
            ),
            OpenApiParameter("township", OpenApiTypes.STR, description="乡镇（街道）代码"),
        ],
    ),
    retrieve=extend_schema(summary="取一支基层队伍"),
    create=extend_schema(
        summary="新建基层队伍", request=TeamCreateSerializer, responses=TeamSerializer
    ),
    partial_update=extend_schema(
        summary="更正基层队伍信息", request=TeamUpdateSerializer, responses=TeamSerializer
    ),
)
class TeamViewSet(
    AttributedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Grassroots teams (基层队伍) inside the caller's scope."""

    serializer_class = TeamSerializer
    lookup_value_regex = r"[0-9]+"
    queryset = Team.objects.none()  # for the schema; real queries go through restrict()

    def get_queryset(self):
        qs = Team.objects.restrict(self.request.user, "view").select_related(
            "association", "region", "township"
        )
        if self.action != "list":
            return qs
        params = self.request.query_params
        if code := params.get("region"):
            # As on the team page: through the association's region or the team's township.
            path = region_by_code(code).path
            qs = qs.filter(subtree_q("region__path", path) | subtree_q("township__path", path))
        if number := params.get("association"):
            qs = qs.filter(association__number=number_normalize(number))
        if value := parse_choice(params, "category", TeamCategory, "类别"):
            qs = qs.filter(category=value)
        if value := parse_choice(params, "status", TeamStatus, "状态"):
            qs = qs.filter(status=value)
        if code := params.get("township"):
            qs = qs.filter(township=region_by_code(code, field="township"))
        return qs

    def get_object(self):
        team = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if team is None:
            raise exceptions.NotFound("未找到该队伍，或不在您的权限范围内。")
        return team

    def _show(self, team: Team, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=team.pk)).data, code)

    def create(self, request, *args, **kwargs):
        refuse_fields(request.data, TeamCreateSerializer().fields, Team, TEAM_HINTS)
        data = parse_input(TeamCreateSerializer, request.data)
        association = association_get(request.user, data.pop("association"))
        team = services.team_create(
            actor=request.user, association=association, **_with_township(data)
        )
        return self._show(team, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        team = self.get_object()
        expected = request_version(request)
        refuse_fields(request.data, {*services.TEAM_EDITABLE, "version"}, Team, TEAM_HINTS)
        data = parse_input(TeamUpdateSerializer, request.data, partial=True)
        services.team_update(
            actor=request.user, team=team, expected_version=expected, **_with_township(data)
        )
        return self._show(team)

    @extend_schema(summary="撤销队伍", request=WithdrawSerializer, responses=TeamSerializer)
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        team = self.get_object()
        data = parse_input(WithdrawSerializer, request.data)
        services.team_dissolve(actor=request.user, team=team, on=data["on"])
        return self._show(team)


def register(router) -> None:
    """Register the team viewset on the API router."""
    router.register("teams", TeamViewSet, basename="team")
