"""The plans API: plans, their tasks and responsibility through the gate; generation,
figures and blocker statistics; every write done by one service."""

from __future__ import annotations

from django.urls import re_path
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from qingxie.accounts.models import User
from qingxie.core.errors import QingxieError
from qingxie.core.inputs import FlatDictField, FlatListField
from qingxie.core.serializers import parse_date, parse_input
from qingxie.core.viewsets import AttributedViewSetMixin, ServiceViewSet, fetch_or_404
from qingxie.plans import selectors, services
from qingxie.plans.choices import Goal
from qingxie.plans.filtersets import PlanFilterSet, ResponsibilityFilterSet, TaskFilterSet
from qingxie.plans.models import BlockerKind, Patch, Plan, Responsibility, Task
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_by_code


class PlanSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True)
    county_name = serializers.CharField(source="county.name", read_only=True)
    status = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = [
            "version",
            "id",
            "county",
            "county_name",
            "goal",
            "target_date",
            "status",
            "state",
            "created_on",
            "completed_on",
            "revision",
            "note",
            "return_reason",
        ]

    def get_status(self, plan) -> str:
        tasks = list(plan.tasks.all())
        blocked = any(b.resolved_on is None for t in tasks for b in t.blockers.all())
        return selectors.plan_status_on(plan, tasks, timezone.localdate(), blocked=blocked)


class TaskSerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="plan.county.code", read_only=True)
    plan = serializers.IntegerField(source="plan_id", read_only=True)
    owner = serializers.SerializerMethodField()
    depends_on = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "version",
            "id",
            "county",
            "plan",
            "code",
            "title",
            "duration_days",
            "depends_on",
            "owner_level",
            "owner",
            "start_by",
            "due",
            "status",
            "done_on",
            "closed_by",
            "close_note",
        ]

    def get_owner(self, task) -> str | None:
        return task.owner.username if task.owner else None

    def get_depends_on(self, task) -> list[str]:
        return [d.code for d in task.depends_on.all()]


class ResponsibilitySerializer(serializers.ModelSerializer):
    county = serializers.CharField(source="county.code", read_only=True)
    cadre = serializers.CharField(source="cadre.username", read_only=True)
    patch = serializers.CharField(source="patch.name", read_only=True, default=None)

    class Meta:
        model = Responsibility
        fields = ["id", "county", "cadre", "patch", "since", "until"]


class PlanCreateSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="县级单位代码")
    goal = serializers.ChoiceField(choices=Goal.choices, required=False, allow_blank=True)
    target_date = serializers.DateField(required=False, allow_null=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReviseSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    target_date = serializers.DateField(required=False, allow_null=True)
    durations = FlatDictField(
        child=serializers.IntegerField(min_value=-(2**31), max_value=2**31 - 1), required=False
    )
    depends_on = FlatDictField(
        child=FlatListField(child=serializers.CharField(max_length=40)), required=False
    )


class EmptySerializer(serializers.Serializer):
    """An action that takes no fields (its body, when sent, is still parsed and checked)."""


class CloseSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(required=False, allow_null=True)


class BlockerSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="堵点类型代码")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    coordinate_with = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    owner = serializers.CharField(help_text="用户名")


class ResponsibilityCreateSerializer(serializers.Serializer):
    county = serializers.CharField(help_text="县级单位代码")
    cadre = serializers.CharField(help_text="责任人用户名")
    patch = serializers.IntegerField(required=False, allow_null=True)


class GenerateSerializer(serializers.Serializer):
    region = serializers.CharField(help_text="省或地市区划代码")
    goal = serializers.ChoiceField(choices=Goal.choices, required=False, allow_blank=True)
    target_date = serializers.DateField(required=False, allow_null=True)
    dry_run = serializers.BooleanField(required=False, default=True)


def _user(username: str, field: str) -> User:
    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise QingxieError(
            gettext("用户“%(username)s”不存在。") % {"username": username}, field=field
        )
    return user


def _county(code: str) -> Region:
    county = region_by_code(code, field="county")
    if county.level != Region.Level.COUNTY:
        raise QingxieError(
            gettext("%(county)s（%(code)s）不是县级单位。")
            % {"county": county.name, "code": county.code},
            field="county",
        )
    return county


@extend_schema_view(
    list=extend_schema(
        summary="一县一策计划列表", parameters=[OpenApiParameter("region", OpenApiTypes.STR)]
    ),
    retrieve=extend_schema(summary="一县一策计划"),
    create=extend_schema(
        summary="为一个县级单位生成计划", request=PlanCreateSerializer, responses=PlanSerializer
    ),
)
class PlanViewSet(ServiceViewSet):
    """Per-county plans (一县一策) inside the caller's scope."""

    model = Plan
    queryset = Plan.objects.none()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    select_related = ("county",)
    not_found_message = gettext_lazy("未找到该计划，或不在您的权限范围内。")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tasks__blockers")

    def create(self, request, *args, **kwargs):
        data = self.parse(PlanCreateSerializer)
        draft = services.plan_draft(
            county=_county(data["county"]),
            goal=data.get("goal") or None,
            target_date=data.get("target_date"),
        )
        plan = services.plan_create(actor=request.user, draft=draft)
        return self.respond(plan, status.HTTP_201_CREATED)

    @extend_schema(summary="报上级审核", request=NoteSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = self.get_object()
        data = self.parse(NoteSerializer)
        services.plan_submit(actor=request.user, plan=plan, note=data["note"])
        return self.respond(plan)

    @extend_schema(summary="审核通过（上一级）", request=EmptySerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        plan = self.get_object()
        self.parse(EmptySerializer)
        services.plan_verify(actor=request.user, plan=plan)
        return self.respond(plan)

    @extend_schema(summary="退回（上一级）", request=ReasonSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        plan = self.get_object()
        data = self.parse(ReasonSerializer)
        services.plan_return(actor=request.user, plan=plan, reason=data["reason"])
        return self.respond(plan)

    @extend_schema(summary="修订计划并重新倒排", request=ReviseSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        plan = self.get_object()
        data = self.parse(ReviseSerializer, allowed={*ReviseSerializer().fields, "version"})
        services.plan_revise(
            actor=request.user,
            plan=plan,
            reason=data["reason"],
            target_date=data.get("target_date"),
            durations=data.get("durations"),
            depends_on=data.get("depends_on"),
            expected_version=self.expected_version(),
        )
        return self.respond(plan)


@extend_schema_view(
    list=extend_schema(
        summary="计划任务列表",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR),
            OpenApiParameter("overdue_on", OpenApiTypes.DATE),
        ],
    ),
    retrieve=extend_schema(summary="计划任务"),
)
class TaskViewSet(ServiceViewSet):
    """Tasks of the plans inside the caller's scope; `?overdue_on=` those overdue that day."""

    model = Task
    queryset = Task.objects.none()
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet
    select_related = ("plan__county", "owner")
    not_found_message = gettext_lazy("未找到该任务，或不在您的权限范围内。")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("depends_on")

    @extend_schema(
        summary="关闭任务（附完成说明）", request=CloseSerializer, responses=TaskSerializer
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        task = self.get_object()
        data = self.parse(CloseSerializer, allowed={*CloseSerializer().fields, "version"})
        services.task_close(
            actor=request.user,
            task=task,
            note=data["note"],
            on=data.get("on"),
            expected_version=self.expected_version(),
        )
        return self.respond(task)

    @extend_schema(summary="登记堵点", request=BlockerSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def blockers(self, request, pk=None):
        task = self.get_object()
        data = self.parse(BlockerSerializer)
        kind = BlockerKind.objects.filter(code=data["kind"], active=True).first()
        services.blocker_raise(
            actor=request.user,
            task=task,
            kind=kind,
            note=data["note"],
            coordinate_with=data["coordinate_with"],
        )
        return self.respond(task, status.HTTP_201_CREATED)

    @extend_schema(summary="指定责任人", request=AssignSerializer, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        task = self.get_object()
        data = self.parse(AssignSerializer)
        services.task_assign(actor=request.user, task=task, owner=_user(data["owner"], "owner"))
        return self.respond(task)


@extend_schema_view(
    list=extend_schema(summary="包县责任（盯县）"),
    retrieve=extend_schema(summary="一条包县责任"),
    create=extend_schema(
        summary="指定县级单位的责任人",
        request=ResponsibilityCreateSerializer,
        responses=ResponsibilitySerializer,
    ),
)
class ResponsibilityViewSet(ServiceViewSet):
    """Who chases each county (盯县), with the history of reassignments."""

    model = Responsibility
    queryset = Responsibility.objects.none()
    serializer_class = ResponsibilitySerializer
    filterset_class = ResponsibilityFilterSet
    select_related = ("county", "cadre", "patch")
    not_found_message = gettext_lazy("未找到该责任记录，或不在您的权限范围内。")

    def create(self, request, *args, **kwargs):
        data = self.parse(ResponsibilityCreateSerializer)
        county = _county(data["county"])
        patch = None
        if data.get("patch"):
            patch = fetch_or_404(
                Patch.objects.restrict(request.user, "view"),
                gettext("未找到该片区。"),
                pk=data["patch"],
            )
        resp = services.responsibility_assign(
            actor=request.user, county=county, cadre=_user(data["cadre"], "cadre"), patch=patch
        )
        return self.respond(resp, status.HTTP_201_CREATED)


def _region_param(request, name: str = "region") -> Region:
    from qingxie.accounts.permissions import home_region

    code = request.query_params.get(name) or ""
    if not code:
        region = home_region(request.user)
        if region is None:
            raise QingxieError(gettext("请指定区划代码。"), field=name)
        return region
    region = Region.objects.restrict(request.user, "view").filter(code=str(code).strip()).first()
    if region is None:
        from rest_framework.exceptions import NotFound

        raise NotFound(gettext("未找到该行政区划，或不在您的权限范围内。"))
    return region


def _as_of(request):
    raw = request.query_params.get("as_of")
    return (
        parse_date(raw, field="as_of", label=pgettext("field", "统计日期"))
        if raw
        else timezone.localdate()
    )


class GenerateView(AttributedViewSetMixin, APIView):
    """Bulk generation for every lagging county of a region (dry_run: the preview only)."""

    @extend_schema(
        summary="批量生成一县一策计划（dry_run 为预览）",
        request=GenerateSerializer,
        responses=OpenApiTypes.OBJECT,
    )
    def post(self, request):
        data = parse_input(GenerateSerializer, request.data, model=Plan)
        region = (
            Region.objects.restrict(request.user, "view")
            .filter(code=data["region"].strip())
            .first()
        )
        if region is None:
            from rest_framework.exceptions import NotFound

            raise NotFound(gettext("未找到该行政区划，或不在您的权限范围内。"))
        result = services.plans_generate(
            actor=request.user,
            region=region,
            goal=data.get("goal") or None,
            target_date=data.get("target_date"),
            dry_run=data["dry_run"],
        )
        body = {
            "dry_run": data["dry_run"],
            "plans": [
                {
                    "county": d.county.code,
                    "goal": d.goal,
                    "target_date": d.target_date.isoformat(),
                    "infeasible": d.infeasible,
                    "tasks": [
                        {
                            "code": t.code,
                            "title": t.title,
                            "start_by": t.start_by.isoformat(),
                            "due": t.due.isoformat(),
                            "depends_on": t.depends_on,
                            "owner_level": t.owner_level,
                        }
                        for t in d.tasks
                    ],
                }
                for d in result.drafts
            ],
            "created": [p.pk for p in result.plans],
            "skipped": [{"county": c.code, "reason": r} for c, r in result.skipped],
        }
        return Response(
            body, status=status.HTTP_200_OK if data["dry_run"] else status.HTTP_201_CREATED
        )


class FiguresView(AttributedViewSetMixin, APIView):
    """A region's plan figures on a date (counties with a plan, tasks done, overdue, on track)."""

    @extend_schema(
        summary="一县一策推进情况统计",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR),
            OpenApiParameter("as_of", OpenApiTypes.DATE),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        region = _region_param(request)
        return Response(selectors.plan_figures(region, _as_of(request)))


class BlockerStatsView(AttributedViewSetMixin, APIView):
    """Blockers by kind for a region and its children."""

    @extend_schema(
        summary="堵点分类统计",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR),
            OpenApiParameter("as_of", OpenApiTypes.DATE),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        region = _region_param(request)
        return Response(selectors.blocker_stats(request.user, region, _as_of(request)))


def register(router) -> None:
    """Register the plans viewsets on the API router."""
    router.register("plans/tasks", TaskViewSet, basename="plantask")
    router.register("plans/responsibilities", ResponsibilityViewSet, basename="responsibility")
    router.register("plans", PlanViewSet, basename="plan")


urlpatterns: list = [
    re_path(r"^plans/generate/?$", GenerateView.as_view(), name="plans-generate"),
    re_path(r"^plans/figures/?$", FiguresView.as_view(), name="plans-figures"),
    re_path(r"^plans/blocker-stats/?$", BlockerStatsView.as_view(), name="plans-blocker-stats"),
]
