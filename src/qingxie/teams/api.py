"""Grassroots team API: `/api/teams/` list, detail, create, correct and dissolve.

Teams are fetched through `Team.objects.restrict(user, "view")` (outside scope: 404); writes
go through `teams.services`, which re-check the scope and the rules (a township team's
township must lie inside its association's county).
"""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action

from qingxie.core.serializers import WithdrawSerializer, mask_phone
from qingxie.core.viewsets import ServiceViewSet, fetch_or_404
from qingxie.ledger.models import Association
from qingxie.ledger.numbering import number_normalize
from qingxie.regions.selectors import region_by_code
from qingxie.teams import services
from qingxie.teams.filtersets import TeamFilterSet
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
    "association": gettext_lazy("队伍所属协会不能修改。"),
    "region": gettext_lazy("队伍所属区划随其协会，不能修改。"),
    "status": gettext_lazy("撤销请通过 dissolve 操作记录。"),
    "dissolved_on": gettext_lazy("撤销请通过 dissolve 操作记录。"),
}


def _with_township(data: dict) -> dict:
    if "township" in data:
        code = data["township"]
        data["township"] = region_by_code(code, field="township") if code else None
    return data


def association_for(user, number) -> Association:
    """The association a new team is built under, by unified number, through the gate (404)."""
    canonical = number_normalize(number)
    message = gettext("未找到统一编号为 %(canonical)s 的协会，或不在您的权限范围内。") % {
        "canonical": canonical
    }
    return fetch_or_404(
        Association.objects.restrict(user, "view").select_related("region"),
        message,
        number=canonical,
    )


@extend_schema_view(
    list=extend_schema(summary="查询基层队伍"),
    retrieve=extend_schema(summary="取一支基层队伍"),
    create=extend_schema(
        summary="新建基层队伍", request=TeamCreateSerializer, responses=TeamSerializer
    ),
    partial_update=extend_schema(
        summary="更正基层队伍信息", request=TeamUpdateSerializer, responses=TeamSerializer
    ),
)
class TeamViewSet(ServiceViewSet):
    """Grassroots teams (基层队伍) inside the caller's scope."""

    model = Team
    queryset = Team.objects.none()  # for the schema; real queries go through restrict()
    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    select_related = ("association", "region", "township")
    not_found_message = gettext_lazy("未找到该队伍，或不在您的权限范围内。")
    refused_hints = TEAM_HINTS

    def create(self, request, *args, **kwargs):
        data = self.parse(TeamCreateSerializer)
        association = association_for(request.user, data.pop("association"))
        team = services.team_create(
            actor=request.user, association=association, **_with_township(data)
        )
        return self.respond(team, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        team = self.get_object()
        expected = self.expected_version()
        allowed = {*services.TEAM_EDITABLE, "version"}
        data = self.parse(TeamUpdateSerializer, allowed=allowed, partial=True)
        services.team_update(
            actor=request.user, team=team, expected_version=expected, **_with_township(data)
        )
        return self.respond(team)

    @extend_schema(summary="撤销队伍", request=WithdrawSerializer, responses=TeamSerializer)
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        team = self.get_object()
        data = self.parse(WithdrawSerializer)
        services.team_dissolve(actor=request.user, team=team, on=data["on"])
        return self.respond(team)


def register(router) -> None:
    """Register the team viewset on the API router."""
    router.register("teams", TeamViewSet, basename="team")
