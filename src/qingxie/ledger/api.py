"""Ledger API: associations, checklist, seats, group members, targets and coverage.

Every object is fetched through `Model.objects.restrict(user, "view")`, so anything outside
the caller's scope is a 404; every write goes through a service in `ledger.services`, which
re-checks the scope (403) and the business rules (400 with Chinese messages per field) and
records the change. Serializers only parse types; see `ledger.serializers`.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from qingxie.accounts.permissions import home_region
from qingxie.core.errors import QingxieError
from qingxie.core.models import subtree_q
from qingxie.core.serializers import (
    WithdrawSerializer,
    parse_choice,
    parse_date,
    parse_flag,
    parse_input,
    refuse_fields,
)
from qingxie.core.viewsets import AttributedViewSetMixin, ServiceViewSet, fetch_or_404
from qingxie.ledger import serializers as s
from qingxie.ledger import services
from qingxie.ledger.choices import (
    ChecklistState,
    CoverageMeasure,
)
from qingxie.ledger.filtersets import AssociationFilterSet, GroupMemberFilterSet, SeatFilterSet
from qingxie.ledger.models import (
    Association,
    ChecklistEntry,
    ChecklistItem,
    CoverageTarget,
    GroupMember,
    Seat,
)
from qingxie.ledger.numbering import number_normalize
from qingxie.ledger.selectors import coverage_targets_for, verifiable_q
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_by_code

# ----------------------------------------------------------------------------- helpers


def association_get(user, number, *, action: str = "view") -> Association:
    """One association by unified number (with or without hyphens) through the gate, or 404."""
    canonical = number_normalize(number)
    return fetch_or_404(
        Association.objects.restrict(user, action).select_related("region", "merged_into"),
        gettext("未找到统一编号为 %(canonical)s 的协会，或不在您的权限范围内。")
        % {"canonical": canonical},
        number=canonical,
    )


def _subtree_filter(qs, params, path_field: str):
    """Apply `?region=<code>` as a subtree filter on `path_field`."""
    code = params.get("region")
    if code:
        qs = qs.filter(subtree_q(path_field, region_by_code(code).path))
    return qs


REGION_PARAM = OpenApiParameter("region", OpenApiTypes.STR, description="区划代码（含其下级）")
ASSOCIATION_PARAM = OpenApiParameter("association", OpenApiTypes.STR, description="协会统一编号")


# ------------------------------------------------------------------------ associations

ASSOCIATION_HINTS = {
    "number": gettext_lazy("统一编号由系统分配，不能修改。"),
    "level": gettext_lazy("协会层级随其行政区划，不能修改。"),
    "region": gettext_lazy("协会所在行政区划不能修改；如区划调整，请注销或合并后在新区划录入。"),
    "status": gettext_lazy("状态请通过 suspend、resume、dissolve、merge 操作变更。"),
    "status_since": gettext_lazy("状态起始日期随状态变更记录，不能直接修改。"),
    "merged_into": gettext_lazy("合并请通过 merge 操作记录。"),
    "standardized_since": gettext_lazy("规范化认定日期由核验结果计算，不能直接修改。"),
    "standardized": gettext_lazy("规范化状态由核验结果计算，不能直接修改。"),
    "is_demo": gettext_lazy("演示数据标记不能修改。"),
}


@extend_schema_view(
    list=extend_schema(summary="查询协会台账"),
    retrieve=extend_schema(summary="按统一编号取一个协会（可不带连字符）"),
    create=extend_schema(
        summary="录入协会", request=s.AssociationCreateSerializer, responses=s.AssociationSerializer
    ),
    partial_update=extend_schema(
        summary="更正协会信息",
        request=s.AssociationUpdateSerializer,
        responses=s.AssociationSerializer,
    ),
)
class AssociationViewSet(ServiceViewSet):
    """The association ledger (台账) inside the caller's scope, looked up by unified number."""

    model = Association
    queryset = Association.objects.none()  # for the schema; real queries go through restrict()
    serializer_class = s.AssociationSerializer
    filterset_class = AssociationFilterSet
    select_related = ("region", "merged_into")
    cursor_ordering = ("number",)
    lookup_field = "number"
    lookup_value_regex = r"[0-9A-Za-z\-]+"
    refused_hints = ASSOCIATION_HINTS

    def lookup_value(self, raw: str) -> str:
        canonical = number_normalize(raw)
        self.not_found_message = gettext(
            "未找到统一编号为 %(canonical)s 的协会，或不在您的权限范围内。"
        ) % {"canonical": canonical}
        return canonical

    def create(self, request, *args, **kwargs):
        data = self.parse(s.AssociationCreateSerializer)
        region = region_by_code(data.pop("region"))
        level = s.parse_level(data.pop("level", None))
        association = services.association_create(
            actor=request.user, region=region, level=level, **data
        )
        return self.respond(association, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        association = self.get_object()
        expected = self.expected_version()
        allowed = {*services.ASSOCIATION_EDITABLE, "version"}
        data = self.parse(s.AssociationUpdateSerializer, allowed=allowed, partial=True)
        services.association_update(
            actor=request.user, association=association, expected_version=expected, **data
        )
        return self.respond(association)

    def _status_change(self, request, service, serializer_class=s.StatusChangeSerializer):
        association = self.get_object()
        data = parse_input(serializer_class, request.data)
        if "into" in data:
            data["into"] = association_get(request.user, data["into"])
        service(actor=request.user, association=association, **data)
        return self.respond(association)

    @extend_schema(
        summary="暂停活动", request=s.StatusChangeSerializer, responses=s.AssociationSerializer
    )
    @action(detail=True, methods=["post"])
    def suspend(self, request, number=None):
        return self._status_change(request, services.association_suspend)

    @extend_schema(
        summary="恢复活动", request=s.StatusChangeSerializer, responses=s.AssociationSerializer
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, number=None):
        return self._status_change(request, services.association_resume)

    @extend_schema(
        summary="注销协会", request=s.StatusChangeSerializer, responses=s.AssociationSerializer
    )
    @action(detail=True, methods=["post"])
    def dissolve(self, request, number=None):
        return self._status_change(request, services.association_dissolve)

    @extend_schema(
        summary="合并入另一协会", request=s.MergeSerializer, responses=s.AssociationSerializer
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, number=None):
        return self._status_change(request, services.association_merge, s.MergeSerializer)

    @extend_schema(
        summary="该协会的规范化建设清单（含未提交事项）",
        responses=s.ChecklistEntrySerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def checklist(self, request, number=None):
        association = self.get_object()
        entries = {
            e.item_id: e
            for e in ChecklistEntry.objects.restrict(request.user, "view")
            .filter(association=association)
            .select_related("item", "submitted_by", "decided_by")
        }
        rows = []
        for item in ChecklistItem.objects.filter(Q(active=True) | Q(pk__in=list(entries))):
            entry = entries.get(item.pk) or ChecklistEntry(association=association, item=item)
            rows.append(entry)
        data = s.ChecklistEntrySerializer(rows, many=True, context={"request": request}).data
        return Response(data)

    @extend_schema(
        summary="该协会持有的席位",
        parameters=[OpenApiParameter("all", OpenApiTypes.BOOL, description="包含已终止的席位")],
        responses=s.SeatSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def seats(self, request, number=None):
        association = self.get_object()
        qs = (
            Seat.objects.restrict(request.user, "view")
            .filter(holder=association)
            .select_related("holder", "member__region")
        )
        if not parse_flag(request.query_params, "all"):
            qs = qs.filter(until__isnull=True)
        return Response(s.SeatSerializer(qs, many=True).data)

    @extend_schema(summary="该协会的团体会员", responses=s.GroupMemberSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="group-members")
    def group_members(self, request, number=None):
        association = self.get_object()
        qs = (
            GroupMember.objects.restrict(request.user, "view")
            .filter(association=association)
            .select_related("association")
        )
        return Response(s.GroupMemberSerializer(qs, many=True).data)


# --------------------------------------------------------------------------- checklist


@extend_schema_view(
    list=extend_schema(
        summary="查询规范化建设材料（含核验队列）",
        parameters=[
            ASSOCIATION_PARAM,
            REGION_PARAM,
            OpenApiParameter(
                "state", OpenApiTypes.STR, enum=ChecklistState.values, description="状态"
            ),
            OpenApiParameter("item", OpenApiTypes.STR, description="事项代码"),
            OpenApiParameter("queue", OpenApiTypes.BOOL, description="只列出由我核验的待核验材料"),
        ],
    ),
    retrieve=extend_schema(summary="取一条规范化建设材料"),
    create=extend_schema(
        summary="提交一项规范化建设材料（可上传佐证文件）",
        request={
            "multipart/form-data": s.ChecklistSubmitSerializer,
            "application/json": s.ChecklistSubmitSerializer,
        },
        responses=s.ChecklistEntrySerializer,
    ),
)
class ChecklistEntryViewSet(ServiceViewSet):
    """Standardization checklist entries: submitted by the association, decided by the level above."""

    model = ChecklistEntry
    queryset = ChecklistEntry.objects.none()
    serializer_class = s.ChecklistEntrySerializer
    select_related = ("association__region", "item", "submitted_by", "decided_by")
    not_found_message = gettext_lazy("未找到该规范化建设材料，或不在您的权限范围内。")

    def get_queryset(self):
        user = self.request.user
        qs = super().get_queryset()
        if self.action != "list":
            return qs
        params = self.request.query_params
        qs = _subtree_filter(qs, params, "association__region__path")
        if number := params.get("association"):
            qs = qs.filter(association__number=number_normalize(number))
        if value := parse_choice(params, "state", ChecklistState, gettext("状态")):
            qs = qs.filter(state=value)
        if code := params.get("item"):
            qs = qs.filter(item__code=code)
        if parse_flag(params, "queue"):
            qs = qs.filter(verifiable_q(user), state=ChecklistState.SUBMITTED)
        return qs

    def create(self, request, *args, **kwargs):
        refuse_fields(request.data, {"association", "item", "note", "evidence"}, ChecklistEntry)
        data = parse_input(s.ChecklistSubmitSerializer, request.data)
        association = association_get(request.user, data["association"])
        item = (
            ChecklistItem.objects.restrict(request.user, "view").filter(code=data["item"]).first()
        )
        if item is None:
            raise QingxieError(
                gettext("没有代码为“%(item)s”的规范化建设事项。") % {"item": data["item"]},
                field="item",
            )
        existed = ChecklistEntry.objects.filter(association=association, item=item).exists()
        entry = services.checklist_entry_submit(
            actor=request.user,
            association=association,
            item=item,
            note=data.get("note", ""),
            evidence=data.get("evidence"),
        )
        return self.respond(entry, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="核验通过（上一级）",
        request=s.ChecklistVerifySerializer,
        responses=s.ChecklistEntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        entry = self.get_object()
        data = parse_input(s.ChecklistVerifySerializer, request.data)
        services.checklist_entry_verify(actor=request.user, entry=entry, on=data.get("on"))
        return self.respond(entry)

    @extend_schema(
        summary="退回修改（上一级）",
        request=s.ChecklistReturnSerializer,
        responses=s.ChecklistEntrySerializer,
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        entry = self.get_object()
        data = parse_input(s.ChecklistReturnSerializer, request.data)
        services.checklist_entry_return(actor=request.user, entry=entry, reason=data["reason"])
        return self.respond(entry)

    @extend_schema(
        summary="撤销核验（上一级）",
        request=s.ChecklistRevokeSerializer,
        responses=s.ChecklistEntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        entry = self.get_object()
        data = parse_input(s.ChecklistRevokeSerializer, request.data)
        services.checklist_entry_revoke(
            actor=request.user, entry=entry, reason=data["reason"], on=data.get("on")
        )
        return self.respond(entry)


# -------------------------------------------------------------------------------- seats


@extend_schema_view(
    list=extend_schema(summary="查询席位"),
    retrieve=extend_schema(summary="取一个席位"),
    partial_update=extend_schema(
        summary="指定席位代表", request=s.SeatUpdateSerializer, responses=s.SeatSerializer
    ),
)
class SeatViewSet(ServiceViewSet):
    """Seats (席位制) kept in step with the ledger; only the representative is edited by hand."""

    model = Seat
    queryset = Seat.objects.none()
    serializer_class = s.SeatSerializer
    filterset_class = SeatFilterSet
    select_related = ("holder", "member__region")
    not_found_message = gettext_lazy("未找到该席位，或不在您的权限范围内。")

    def partial_update(self, request, *args, **kwargs):
        seat = self.get_object()
        expected = self.expected_version()
        refuse_fields(request.data, {"representative", "version"}, Seat)
        data = parse_input(s.SeatUpdateSerializer, request.data)
        services.seat_update(
            actor=request.user,
            seat=seat,
            representative=data["representative"],
            expected_version=expected,
        )
        return self.respond(seat)


# ------------------------------------------------------------------------ group members


@extend_schema_view(
    list=extend_schema(summary="查询团体会员"),
    retrieve=extend_schema(summary="取一个团体会员"),
    create=extend_schema(
        summary="接收团体会员",
        request=s.GroupMemberCreateSerializer,
        responses=s.GroupMemberSerializer,
    ),
    partial_update=extend_schema(
        summary="更正团体会员信息",
        request=s.GroupMemberUpdateSerializer,
        responses=s.GroupMemberSerializer,
    ),
)
class GroupMemberViewSet(ServiceViewSet):
    """Group members (团体会员) admitted by associations inside the caller's scope."""

    model = GroupMember
    queryset = GroupMember.objects.none()
    serializer_class = s.GroupMemberSerializer
    filterset_class = GroupMemberFilterSet
    select_related = ("association",)
    not_found_message = gettext_lazy("未找到该团体会员，或不在您的权限范围内。")

    def create(self, request, *args, **kwargs):
        refuse_fields(request.data, {"association", *services.GROUP_MEMBER_EDITABLE}, GroupMember)
        data = parse_input(s.GroupMemberCreateSerializer, request.data)
        association = association_get(request.user, data.pop("association"))
        member = services.group_member_create(actor=request.user, association=association, **data)
        return self.respond(member, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        member = self.get_object()
        expected = self.expected_version()
        refuse_fields(
            request.data,
            {*services.GROUP_MEMBER_EDITABLE, "version"},
            GroupMember,
            {
                "status": gettext("退出请通过 withdraw 操作记录。"),
                "left_on": gettext("退出请通过 withdraw 操作记录。"),
            },
        )
        data = parse_input(s.GroupMemberUpdateSerializer, request.data, partial=True)
        services.group_member_update(
            actor=request.user, member=member, expected_version=expected, **data
        )
        return self.respond(member)

    @extend_schema(
        summary="团体会员退出", request=WithdrawSerializer, responses=s.GroupMemberSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        member = self.get_object()
        data = parse_input(WithdrawSerializer, request.data)
        services.group_member_withdraw(actor=request.user, member=member, on=data["on"])
        return self.respond(member)


# ------------------------------------------------------------------------------ targets


@extend_schema_view(
    list=extend_schema(
        summary="查询覆盖目标",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="设定目标的区划代码"),
            OpenApiParameter(
                "measure", OpenApiTypes.STR, enum=CoverageMeasure.values, description="指标"
            ),
        ],
    ),
    retrieve=extend_schema(summary="取一个覆盖目标"),
    create=extend_schema(
        summary="设定覆盖目标（同区划同指标同截止日期则更新）",
        request=s.CoverageTargetCreateSerializer,
        responses=s.CoverageTargetSerializer,
    ),
    partial_update=extend_schema(
        summary="修改目标值",
        request=s.CoverageTargetUpdateSerializer,
        responses=s.CoverageTargetSerializer,
    ),
    destroy=extend_schema(summary="删除覆盖目标"),
)
class CoverageTargetViewSet(
    AttributedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Coverage targets set nationally or by a province, inside the caller's scope."""

    serializer_class = s.CoverageTargetSerializer
    lookup_value_regex = r"[0-9]+"
    queryset = CoverageTarget.objects.none()

    def get_queryset(self):
        qs = coverage_targets_for(self.request.user).select_related("region")
        if self.action != "list":
            return qs
        params = self.request.query_params
        if code := params.get("region"):
            qs = qs.filter(region=region_by_code(code))
        if value := parse_choice(params, "measure", CoverageMeasure, gettext("指标")):
            qs = qs.filter(measure=value)
        return qs

    def get_object(self):
        target = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if target is None:
            raise exceptions.NotFound(gettext("未找到该覆盖目标，或不在您的权限范围内。"))
        return target

    def create(self, request, *args, **kwargs):
        refuse_fields(request.data, {"region", "measure", "due_on", "rate"}, CoverageTarget)
        data = parse_input(s.CoverageTargetCreateSerializer, request.data)
        region = region_by_code(data.pop("region"))
        existed = CoverageTarget.objects.filter(
            region=region, measure=data["measure"], due_on=data["due_on"]
        ).exists()
        target = services.coverage_target_set(actor=request.user, region=region, **data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(self.get_serializer(target).data, status=code)

    def partial_update(self, request, *args, **kwargs):
        target = self.get_object()
        fixed = gettext("目标的区划、指标和截止日期不能修改，请删除后重新设定。")
        refuse_fields(
            request.data,
            {"rate"},
            CoverageTarget,
            {"region": fixed, "measure": fixed, "due_on": fixed},
        )
        data = parse_input(s.CoverageTargetUpdateSerializer, request.data)
        target = services.coverage_target_set(
            actor=request.user,
            region=target.region,
            measure=target.measure,
            due_on=target.due_on,
            rate=data["rate"],
        )
        return Response(self.get_serializer(target).data)

    def destroy(self, request, *args, **kwargs):
        target = self.get_object()
        services.coverage_target_delete(actor=request.user, target=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------------ checklist items


@extend_schema_view(
    list=extend_schema(summary="规范化建设事项清单"),
    retrieve=extend_schema(summary="按代码取一个规范化建设事项"),
    create=extend_schema(
        summary="新增规范化建设事项（全国管理员）",
        request=s.ChecklistItemWriteSerializer,
        responses=s.ChecklistItemSerializer,
    ),
    partial_update=extend_schema(
        summary="修改规范化建设事项（全国管理员）",
        request=s.ChecklistItemWriteSerializer,
        responses=s.ChecklistItemSerializer,
    ),
)
class ChecklistItemViewSet(
    AttributedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The standardization checklist, national reference data: everyone reads, the nation writes."""

    serializer_class = s.ChecklistItemSerializer
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    queryset = ChecklistItem.objects.none()

    def get_queryset(self):
        return ChecklistItem.objects.restrict(self.request.user, "view")

    def get_object(self):
        item = self.get_queryset().filter(code=self.kwargs["code"]).first()
        if item is None:
            raise exceptions.NotFound(
                gettext("没有代码为 %(code)s 的规范化建设事项。") % {"code": self.kwargs["code"]}
            )
        return item

    def create(self, request, *args, **kwargs):
        refuse_fields(request.data, s.ChecklistItemWriteSerializer().fields, ChecklistItem)
        data = parse_input(s.ChecklistItemWriteSerializer, request.data)
        if data.get("code") and ChecklistItem.objects.filter(code=data["code"]).exists():
            raise QingxieError(
                gettext("事项代码“%(code)s”已存在。") % {"code": data["code"]}, field="code"
            )
        item = services.checklist_item_save(actor=request.user, **data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        editable = set(s.ChecklistItemWriteSerializer().fields) - {"code"}
        refuse_fields(
            request.data, editable, ChecklistItem, {"code": gettext("事项代码是其标识，不能修改。")}
        )
        data = parse_input(s.ChecklistItemWriteSerializer, request.data, partial=True)
        item = services.checklist_item_save(actor=request.user, item=item, **data)
        return Response(self.get_serializer(item).data)


# ----------------------------------------------------------------------------- coverage


def coverage_region(user, code: str | None) -> Region:
    """The region a coverage query is about: `code`, or the user's home region; 404 outside scope."""
    if not code:
        region = home_region(user)
        if region is None:
            raise exceptions.NotFound(gettext("您还没有任何区划的权限，无法查询覆盖率。"))
        return region
    region = Region.objects.restrict(user, "view").filter(code=code.strip()).first()
    if region is None:
        raise exceptions.NotFound(
            gettext("未找到行政区划代码 %(code)s，或不在您的权限范围内。") % {"code": code}
        )
    if region.level >= Region.Level.TOWNSHIP:
        raise QingxieError(gettext("覆盖率按县级单位统计，请选择县级及以上区划。"), field="region")
    return region


def parse_depth(raw, *, maximum: int = 3) -> int:
    """How many levels of children to include (0–3), with a Chinese error."""
    if raw in (None, ""):
        return 1
    try:
        depth = int(raw)
    except (TypeError, ValueError):
        depth = -1
    if not 0 <= depth <= maximum:
        raise QingxieError(
            gettext("层数 depth 应为 0 到 %(maximum)s 之间的整数。") % {"maximum": maximum},
            field="depth",
        )
    return depth


class CoverageView(AttributedViewSetMixin, APIView):
    """County-level coverage (覆盖率) of a region on a date, with its children and targets."""

    @extend_schema(
        summary="县级协会覆盖率与规范化建设覆盖率",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="区划代码，默认为本人区划"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="统计日期，默认今天"),
            OpenApiParameter("depth", OpenApiTypes.INT, description="下级层数（0–3，默认 1）"),
        ],
        responses=s.CoverageSerializer,
    )
    def get(self, request):
        params = request.query_params
        region = coverage_region(request.user, params.get("region"))
        raw = params.get("as_of")
        as_of = (
            parse_date(raw, field="as_of", label=gettext("统计日期"))
            if raw
            else timezone.localdate()
        )
        depth = parse_depth(params.get("depth"))
        return Response(s.coverage_payload(region, as_of, depth=depth))


class CoverageSeriesView(AttributedViewSetMixin, APIView):
    """Month-end coverage of a region between two dates (at most 20 years)."""

    @extend_schema(
        summary="覆盖率月度序列",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="区划代码，默认为本人区划"),
            OpenApiParameter("start", OpenApiTypes.DATE, description="起始日期，默认一年前"),
            OpenApiParameter("end", OpenApiTypes.DATE, description="截止日期，默认今天"),
        ],
        responses=s.CoverageSeriesSerializer,
    )
    def get(self, request):
        params = request.query_params
        region = coverage_region(request.user, params.get("region"))
        end = (
            parse_date(params["end"], field="end", label=gettext("截止日期"))
            if params.get("end")
            else timezone.localdate()
        )
        start = (
            parse_date(params["start"], field="start", label=gettext("起始日期"))
            if params.get("start")
            else end.replace(day=1) - datetime.timedelta(days=334)
        )
        if start > end:
            raise QingxieError(gettext("起始日期不能晚于截止日期。"), field="start")
        if (end.year - start.year) * 12 + end.month - start.month > 240:
            raise QingxieError(gettext("序列最长 20 年（240 个月）。"), field="start")
        return Response(s.coverage_series_payload(region, start, end))


class CoverageMapView(AttributedViewSetMixin, APIView):
    """Every county-level unit's dated coverage spans under a region, for the map's replay."""

    @extend_schema(
        summary="覆盖地图数据（各县级单位成立、规范化的起止日期）",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="区划代码，默认为本人区划"),
        ],
        responses=s.CoverageMapSerializer,
    )
    def get(self, request):
        region = coverage_region(request.user, request.query_params.get("region"))
        return Response(s.coverage_map_payload(region))


def register(router) -> None:
    """Register the ledger's viewsets on the API router."""
    router.register("associations", AssociationViewSet, basename="association")
    router.register("checklist-entries", ChecklistEntryViewSet, basename="checklistentry")
    router.register("checklist-items", ChecklistItemViewSet, basename="checklistitem")
    router.register("seats", SeatViewSet, basename="seat")
    router.register("group-members", GroupMemberViewSet, basename="groupmember")
    router.register("coverage-targets", CoverageTargetViewSet, basename="coveragetarget")


#: Plain API paths that are not viewsets.
urlpatterns: list = [
    re_path(r"^coverage/?$", CoverageView.as_view(), name="coverage"),
    re_path(r"^coverage/series/?$", CoverageSeriesView.as_view(), name="coverage-series"),
    re_path(r"^coverage/map/?$", CoverageMapView.as_view(), name="coverage-map"),
]
