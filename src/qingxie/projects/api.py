"""Projects API: `/api/programmes/` and `/api/programmes/sinking`, `/api/projects/` (with
activities and the library submission), `/api/competitions/` (editions, their set-up,
advancement, the judge's tasks and the `ranking`) and `/api/competition-entries/` (submit,
withdraw, score, award, disburse).

Lists come through `restrict(user, "view")`; writes go to the services, which re-check.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from qingxie.accounts.permissions import home_region
from qingxie.core.api import Pagination
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.inputs import FlatDictField, FlatListField
from qingxie.core.serializers import parse_date
from qingxie.core.viewsets import AttributedViewSetMixin, ServiceViewSet, fetch_or_404
from qingxie.ledger.selectors import association_number_normalize, associations_by_number
from qingxie.projects import competitions as contest
from qingxie.projects import selectors, services
from qingxie.projects.filtersets import CompetitionFilterSet, EntryFilterSet, ProjectFilterSet
from qingxie.projects.models import (
    Category,
    Competition,
    Entry,
    JudgeAssignment,
    LibraryEntry,
    Programme,
    Project,
    ScoreSheet,
    Stage,
)
from qingxie.regions.models import Region
from qingxie.regions.selectors import region_by_code


class ProgrammeSerializer(serializers.ModelSerializer):
    """A brand programme."""

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Programme
        fields = ["id", "code", "name", "description", "parent", "region", "active"]
        read_only_fields = fields


class ActivitySerializer(serializers.Serializer):
    """An activity: time, place, posts."""

    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    township = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    posts = serializers.IntegerField()


class ProjectSerializer(serializers.ModelSerializer):
    """A project as the API shows it, with its activities and library standing."""

    association = serializers.SlugRelatedField(slug_field="number", read_only=True)
    association_name = serializers.CharField(source="association.name", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county = serializers.SlugRelatedField(slug_field="code", read_only=True)
    activities = serializers.SerializerMethodField()
    library = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "version",
            "id",
            "name",
            "association",
            "association_name",
            "programme",
            "field",
            "region",
            "county",
            "target_groups",
            "start_on",
            "end_on",
            "status",
            "goals",
            "results",
            "budget",
            "funding_sources",
            "partners",
            "activities",
            "library",
            "is_demo",
        ]
        read_only_fields = fields

    def get_activities(self, obj) -> list[dict]:
        return [
            {
                "id": a.pk,
                "title": a.title,
                "starts_at": a.starts_at.isoformat(),
                "ends_at": a.ends_at.isoformat(),
                "place": a.place,
                "township": a.township.code if a.township else None,
                "posts": a.posts,
            }
            for a in obj.activities.select_related("township").order_by("starts_at", "id")
        ]

    def get_library(self, obj) -> dict | None:
        entry = getattr(obj, "library_entry", None)
        if entry is None:
            return None
        return {
            "state": entry.state,
            "listing": entry.listing,
            "number": entry.number,
            "year": entry.year,
            "return_reason": entry.return_reason,
        }


class ProjectUpdateSerializer(serializers.Serializer):
    """The editable fields of a project (codes for programme and region)."""

    name = serializers.CharField(required=False, allow_blank=True)
    programme = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    field = serializers.CharField(required=False)
    region = serializers.CharField(required=False)
    target_groups = FlatListField(child=serializers.CharField(max_length=40), required=False)
    start_on = serializers.DateField(required=False)
    end_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.CharField(required=False)
    goals = serializers.CharField(required=False, allow_blank=True)
    results = serializers.CharField(required=False, allow_blank=True)
    budget = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    funding_sources = serializers.CharField(required=False, allow_blank=True)
    partners = serializers.CharField(required=False, allow_blank=True)


class ProjectCreateSerializer(ProjectUpdateSerializer):
    """A new project under the association named by its unified number."""

    association = serializers.CharField(help_text="协会统一编号")


class LibrarySubmitSerializer(serializers.Serializer):
    """The note sent with a library submission."""

    note = serializers.CharField()


PROJECT_HINTS = {
    "association": gettext_lazy("项目的实施协会不能修改。"),
    "county": gettext_lazy("所在县级单位随服务区域确定。"),
    "library": gettext_lazy("入库请通过 library 操作申报。"),
    "activities": gettext_lazy("活动请通过 activities 操作添加。"),
}


def _resolve(data: dict) -> dict:
    if "region" in data:
        data["region"] = region_by_code(data["region"], field="region")
    if "programme" in data:
        code = data["programme"]
        data["programme"] = None
        if code:
            data["programme"] = Programme.objects.filter(code=code).first()
            if data["programme"] is None:
                raise QingxieError(
                    _("未找到代码为“%(code)s”的品牌项目。") % {"code": code}, field="programme"
                )
    return data


@extend_schema_view(
    list=extend_schema(summary="查询品牌项目"), retrieve=extend_schema(summary="取一个品牌项目")
)
class ProgrammeViewSet(ServiceViewSet):
    """Brand programmes (品牌项目): reference data every cadre reads."""

    model = Programme
    queryset = Programme.objects.none()
    serializer_class = ProgrammeSerializer
    select_related = ("parent", "region")
    pagination_class = Pagination
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_-]+"
    not_found_message = gettext_lazy("未找到该品牌项目。")

    def get_queryset(self):
        return super().get_queryset().order_by("position", "code")


@extend_schema_view(
    list=extend_schema(summary="查询志愿服务项目"),
    retrieve=extend_schema(summary="取一个志愿服务项目"),
    create=extend_schema(
        summary="新建项目", request=ProjectCreateSerializer, responses=ProjectSerializer
    ),
    partial_update=extend_schema(
        summary="更正项目信息", request=ProjectUpdateSerializer, responses=ProjectSerializer
    ),
)
class ProjectViewSet(ServiceViewSet):
    """Volunteer service projects inside the caller's scope."""

    model = Project
    queryset = Project.objects.none()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    select_related = ("association", "programme", "region", "county")
    not_found_message = gettext_lazy("未找到该项目，或不在您的权限范围内。")

    @property
    def refused_hints(self) -> dict[str, str]:
        # core joins the hints into one message: text, in the request's language.
        return {key: str(hint) for key, hint in PROJECT_HINTS.items()}

    def create(self, request, *args, **kwargs):
        data = self.parse(ProjectCreateSerializer)
        number = association_number_normalize(data.pop("association"))
        association = associations_by_number(request.user, [number]).get(number)
        if association is None:
            raise exceptions.NotFound(
                _("未找到统一编号为 %(number)s 的协会，或不在您的权限范围内。") % {"number": number}
            )
        project = services.project_create(
            actor=request.user, association=association, **_resolve(data)
        )
        return self.respond(project, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        expected = self.expected_version()
        allowed = {*ProjectUpdateSerializer().fields, "version"}
        data = self.parse(ProjectUpdateSerializer, allowed=allowed, partial=True)
        services.project_update(
            actor=request.user, project=project, expected_version=expected, **_resolve(data)
        )
        return self.respond(project)

    @extend_schema(summary="添加项目活动", request=ActivitySerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def activities(self, request, pk=None):
        project = self.get_object()
        data = self.parse(ActivitySerializer)
        if data.get("township"):
            data["township"] = region_by_code(data["township"], field="township")
        else:
            data.pop("township", None)
        services.activity_create(actor=request.user, project=project, **data)
        return self.respond(project, status.HTTP_201_CREATED)

    @extend_schema(summary="申报入库", request=LibrarySubmitSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def library(self, request, pk=None):
        project = self.get_object()
        data = self.parse(LibrarySubmitSerializer)
        services.library_submit(actor=request.user, project=project, note=data["note"])
        return self.respond(project)


class CompetitionSerializer(serializers.ModelSerializer):
    """An edition with its categories and stages."""

    organiser = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    categories = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    quotas = serializers.SerializerMethodField()

    class Meta:
        model = Competition
        fields = [
            "id",
            "name",
            "year",
            "organiser",
            "programme",
            "upper",
            "tie_rule",
            "entries_open",
            "entries_close",
            "notice_starts",
            "notice_ends",
            "categories",
            "stages",
            "quotas",
        ]
        read_only_fields = fields

    def get_quotas(self, obj) -> list[dict]:
        return [
            {"region": q.region.code, "name": q.region.name, "max_entries": q.max_entries}
            for q in obj.quotas.select_related("region").order_by("region__code")
        ]

    def get_categories(self, obj) -> list[dict]:
        return [{"id": c.pk, "name": c.name} for c in obj.categories.all()]

    def get_stages(self, obj) -> list[dict]:
        return [
            {
                "kind": s.kind,
                "name": s.get_kind_display(),
                "drop_extremes": s.drop_extremes,
                "criteria": [
                    {
                        "id": c.pk,
                        "name": c.name,
                        "weight": str(c.weight),
                        "max_score": str(c.max_score),
                    }
                    for c in s.criteria.all()
                ],
            }
            for s in obj.stages.all()
        ]


def ranking_payload(competition: Competition, result) -> dict:
    """The ranking as the API returns it."""
    return {
        "competition": competition.pk,
        "stage": result.stage.kind if result.stage else None,
        "tie_rule": result.tie_rule,
        "results": [
            {
                "entry": r["entry"].pk,
                "project": r["entry"].project_id,
                "project_name": r["entry"].project.name,
                "category": block["category"].name,
                "region": r["entry"].submitting_region.code,
                "association": r["entry"].project.association.name,
                "score": str(r["row"].score_display) if r["row"].score is not None else None,
                "sheets": r["row"].sheets,
                "rank": r["row"].rank,
                "award": r["award"].tier if r["award"] else None,
                "amount": str(r["award"].amount) if r["award"] else None,
            }
            for block in result.categories
            for r in block["rows"]
        ],
    }


class CompetitionCreateSerializer(serializers.Serializer):
    """A new edition, organised by a region the caller administers."""

    organiser = serializers.CharField(help_text="主办层级的区划代码（全国、省级或地市级）")
    name = serializers.CharField(allow_blank=True)
    year = serializers.IntegerField()
    programme = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    upper = serializers.IntegerField(
        required=False, allow_null=True, help_text="上一级赛事（由上一级地区举办）的编号"
    )
    tie_rule = serializers.CharField(required=False, help_text="top_criterion 或 shared")
    entries_open = serializers.DateField(required=False, allow_null=True)
    entries_close = serializers.DateField(required=False, allow_null=True)
    notice_starts = serializers.DateField(required=False, allow_null=True)
    notice_ends = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)


class CategoryCreateSerializer(serializers.Serializer):
    """A category (组别) of an edition."""

    name = serializers.CharField(allow_blank=True)
    position = serializers.IntegerField(required=False, min_value=0, max_value=32767)


class QuotaSerializer(serializers.Serializer):
    """How many entries a child region of the organiser may send."""

    region = serializers.CharField(help_text="主办层级下一级地区的区划代码")
    max_entries = serializers.IntegerField(min_value=0, max_value=100000)


class StageCreateSerializer(serializers.Serializer):
    """A stage: application, preliminary, semifinal, roadshow or final."""

    kind = serializers.CharField(
        help_text="application 申报、preliminary 初审、semifinal 复审、roadshow 路演、final 终审"
    )
    drop_extremes = serializers.BooleanField(required=False, default=False)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


class CriterionInputSerializer(serializers.Serializer):
    """One scoring criterion: name, weight (%) and maximum score."""

    name = serializers.CharField(allow_blank=True)
    weight = serializers.CharField()
    max_score = serializers.CharField(required=False, default="100")


class CriteriaSerializer(serializers.Serializer):
    """A stage's criteria, replaced as a whole; the weights add up to 100."""

    stage = serializers.CharField(help_text="阶段，如 preliminary")
    criteria = FlatListField(child=CriterionInputSerializer(), max_length=50)


class JudgeCreateSerializer(serializers.Serializer):
    """A judge (by user name) assigned to a category at a stage."""

    stage = serializers.CharField()
    category = serializers.CharField(help_text="组别名称或编号")
    judge = serializers.CharField(help_text="评委的用户名")
    home_region = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="评委所在地区（须回避）"
    )


class JudgeAssignmentSerializer(serializers.ModelSerializer):
    """A judge's assignment as the API shows it."""

    stage = serializers.CharField(source="stage.kind", read_only=True)
    category = serializers.CharField(source="category.name", read_only=True)
    judge = serializers.CharField(source="judge.username", read_only=True)
    home_region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = JudgeAssignment
        fields = ["id", "stage", "category", "judge", "home_region"]
        read_only_fields = fields


class AdvanceSerializer(serializers.Serializer):
    """The entries of a stage that move on (晋级); the others stop."""

    stage = serializers.CharField()
    entries = FlatListField(child=serializers.IntegerField(min_value=1), max_length=5000)


def _category(competition: Competition, raw) -> Category:
    """A category of the edition by id or name, or an error naming `category`."""
    raw = str(raw or "").strip()
    qs = competition.categories.all()
    by_id = raw.isascii() and raw.isdigit() and len(raw) <= 9
    found = (qs.filter(pk=raw).first() if by_id else None) or qs.filter(name=raw).first()
    if found is None:
        raise QingxieError(_("该赛事没有“%(name)s”组别。") % {"name": raw}, field="category")
    return found


def _stage(competition: Competition, kind) -> Stage:
    found = competition.stages.filter(kind=str(kind or "").strip()).first()
    if found is None:
        raise QingxieError(_("该赛事没有“%(name)s”阶段。") % {"name": kind}, field="stage")
    return found


def _judge(username: str):
    from qingxie.accounts.models import User

    user = User.objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        raise QingxieError(
            _("未找到用户名为“%(username)s”的用户。") % {"username": username}, field="judge"
        )
    return user


@extend_schema_view(
    list=extend_schema(summary="查询项目大赛"),
    retrieve=extend_schema(summary="取一届项目大赛"),
    create=extend_schema(
        summary="举办一届项目大赛",
        request=CompetitionCreateSerializer,
        responses=CompetitionSerializer,
    ),
)
class CompetitionViewSet(ServiceViewSet):
    """Competition editions the caller may see (organised in their subtree or above)."""

    model = Competition
    queryset = Competition.objects.none()
    serializer_class = CompetitionSerializer
    filterset_class = CompetitionFilterSet
    select_related = ("organiser", "programme")
    pagination_class = Pagination
    not_found_message = gettext_lazy("未找到该赛事，或不在您的权限范围内。")

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "judging":
            # A judge reaches the editions they are assigned to, whatever their grants.
            qs = qs | Competition.objects.filter(
                pk__in=selectors.judge_assignments(self.request.user).values("stage__competition")
            )
        return qs.order_by("-year", "id")

    def create(self, request, *args, **kwargs):
        data = self.parse(CompetitionCreateSerializer)
        data["organiser"] = region_by_code(data["organiser"], field="organiser")
        code = data.pop("programme", None)
        if code:
            data["programme"] = Programme.objects.filter(code=code).first()
            if data["programme"] is None:
                raise QingxieError(
                    _("未找到代码为“%(code)s”的品牌项目。") % {"code": code}, field="programme"
                )
        upper = data.pop("upper", None)
        if upper is not None:
            data["upper"] = fetch_or_404(
                Competition.objects.restrict(request.user, "view"),
                _("未找到编号为 %(id)s 的上一级赛事，或不在您的权限范围内。") % {"id": upper},
                pk=upper,
            )
        competition = contest.competition_create(actor=request.user, **data)
        return self.respond(competition, status.HTTP_201_CREATED)

    @extend_schema(
        summary="添加组别", request=CategoryCreateSerializer, responses=CompetitionSerializer
    )
    @action(detail=True, methods=["post"])
    def categories(self, request, pk=None):
        competition = self.get_object()
        data = self.parse(CategoryCreateSerializer)
        contest.category_add(actor=request.user, competition=competition, **data)
        return self.respond(competition, status.HTTP_201_CREATED)

    @extend_schema(
        summary="设置下一级地区的报送名额", request=QuotaSerializer, responses=CompetitionSerializer
    )
    @action(detail=True, methods=["post"])
    def quotas(self, request, pk=None):
        competition = self.get_object()
        data = self.parse(QuotaSerializer)
        contest.quota_set(
            actor=request.user,
            competition=competition,
            region=region_by_code(data["region"], field="region"),
            max_entries=data["max_entries"],
        )
        return self.respond(competition)

    @extend_schema(
        summary="添加评审阶段", request=StageCreateSerializer, responses=CompetitionSerializer
    )
    @action(detail=True, methods=["post"])
    def stages(self, request, pk=None):
        competition = self.get_object()
        data = self.parse(StageCreateSerializer)
        contest.stage_add(actor=request.user, competition=competition, **data)
        return self.respond(competition, status.HTTP_201_CREATED)

    @extend_schema(
        summary="设置一个阶段的评分标准（权重之和为 100）",
        request=CriteriaSerializer,
        responses=CompetitionSerializer,
    )
    @action(detail=True, methods=["post"])
    def criteria(self, request, pk=None):
        competition = self.get_object()
        data = self.parse(CriteriaSerializer)
        contest.criteria_set(
            actor=request.user,
            stage=_stage(competition, data["stage"]),
            criteria=[dict(c) for c in data["criteria"]],
        )
        return self.respond(competition)

    @extend_schema(
        summary="分配评委", request=JudgeCreateSerializer, responses=JudgeAssignmentSerializer
    )
    @action(detail=True, methods=["post"])
    def judges(self, request, pk=None):
        competition = self.get_object()
        data = self.parse(JudgeCreateSerializer)
        home = data.get("home_region")
        assignment = contest.judge_assign(
            actor=request.user,
            stage=_stage(competition, data["stage"]),
            category=_category(competition, data["category"]),
            judge=_judge(data["judge"]),
            home_region=region_by_code(home, field="home_region") if home else None,
        )
        return Response(JudgeAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="决定晋级：所列参赛项目进入下一阶段，其余未晋级",
        request=AdvanceSerializer,
        responses=CompetitionSerializer,
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        competition = self.get_object()
        data = self.parse(AdvanceSerializer)
        stage = _stage(competition, data["stage"])
        chosen = list(Entry.objects.filter(competition=competition, pk__in=data["entries"]))
        missing = sorted(set(data["entries"]) - {e.pk for e in chosen})
        if missing:
            raise QingxieError(
                _("参赛项目 %(ids)s 不属于该赛事。") % {"ids": _("、").join(map(str, missing))},
                field="entries",
            )
        contest.stage_advance(actor=request.user, stage=stage, entries=chosen)
        return self.respond(competition)

    @extend_schema(
        summary="本人的评审任务（仅分配给本人的参赛项目）", responses=OpenApiTypes.OBJECT
    )
    @action(detail=True, methods=["get"])
    def judging(self, request, pk=None):
        competition = self.get_object()
        rows = selectors.judge_entries(request.user, competition)
        return Response(
            {
                "competition": competition.pk,
                "results": [
                    {
                        "entry": r["entry"].pk,
                        "project_name": r["entry"].project.name,
                        "region": r["entry"].submitting_region.code,
                        "category": r["assignment"].category.name,
                        "stage": r["assignment"].stage.kind,
                        "criteria": [
                            {
                                "id": c.pk,
                                "name": c.name,
                                "weight": str(c.weight),
                                "max_score": str(c.max_score),
                            }
                            for c in r["assignment"].stage.criteria.all()
                        ],
                        "sheet": sheet_payload(r["sheet"]) if r["sheet"] else None,
                        "conflict": r["conflict"],
                    }
                    for r in rows
                ],
            }
        )

    @extend_schema(
        summary="赛事排名",
        parameters=[
            OpenApiParameter(
                "stage", OpenApiTypes.STR, description="阶段（默认：最近有评分的阶段）"
            ),
            OpenApiParameter(
                "category", OpenApiTypes.STR, description="组别名称或编号（默认：全部）"
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        competition = self.get_object()
        stage = category = None
        if raw := request.query_params.get("stage"):
            stage = competition.stages.filter(kind=raw).first()
            if stage is None:
                raise QingxieError(_("该赛事没有“%(name)s”阶段。") % {"name": raw}, field="stage")
        if raw := request.query_params.get("category"):
            qs = competition.categories.all()
            by_id = raw.isascii() and raw.isdigit() and len(raw) <= 9
            category = (qs.filter(pk=raw).first() if by_id else None) or qs.filter(name=raw).first()
            if category is None:
                raise QingxieError(
                    _("该赛事没有“%(name)s”组别。") % {"name": raw}, field="category"
                )
        result = selectors.competition_ranking(competition, stage=stage, category=category)
        return Response(ranking_payload(competition, result))


def sheet_payload(sheet: ScoreSheet) -> dict:
    """A judge's score sheet as the API shows it (to the judge)."""
    return {
        "id": sheet.pk,
        "entry": sheet.entry_id,
        "state": sheet.state,
        "scores": sheet.scores,
        "submitted_at": sheet.submitted_at.isoformat() if sheet.submitted_at else None,
        "version": sheet.version,
    }


class EntrySerializer(serializers.ModelSerializer):
    """An entry: its edition, category, project, submitting region, stage, state (with the
    withdrawal's date and reason) and award with the funding paid so far."""

    category = serializers.CharField(source="category.name", read_only=True)
    project_name = serializers.CharField(source="project.name", read_only=True)
    association = serializers.CharField(source="project.association.number", read_only=True)
    submitting_region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    stage = serializers.SlugRelatedField(slug_field="kind", read_only=True)
    award = serializers.SerializerMethodField()

    class Meta:
        model = Entry
        fields = [
            "version",
            "id",
            "competition",
            "category",
            "project",
            "project_name",
            "association",
            "submitting_region",
            "list_position",
            "stage",
            "state",
            "withdrawn_on",
            "withdraw_reason",
            "award",
        ]
        read_only_fields = fields

    def get_award(self, obj) -> dict | None:
        award = getattr(obj, "award", None)
        if award is None:
            return None
        payments = list(award.disbursements.order_by("paid_on", "id"))
        return {
            "tier": award.tier,
            "amount": str(award.amount),
            "awarded_on": award.awarded_on.isoformat(),
            "disbursed": str(sum((d.amount for d in payments), start=award.amount * 0)),
            "disbursements": [
                {"amount": str(d.amount), "paid_on": d.paid_on.isoformat(), "note": d.note}
                for d in payments
            ],
        }


class EntryCreateSerializer(serializers.Serializer):
    """A project sent by the level directly below the organiser, at a place of its list."""

    competition = serializers.IntegerField(min_value=1)
    category = serializers.CharField(help_text="组别名称或编号")
    project = serializers.IntegerField(min_value=1)
    list_position = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=10000
    )


class EntryWithdrawSerializer(serializers.Serializer):
    """Why the entry is withdrawn."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ScoresSerializer(serializers.Serializer):
    """A judge's scores, criterion id → score; `submit` makes the sheet final."""

    scores = FlatDictField(child=serializers.CharField(allow_blank=True))
    submit = serializers.BooleanField(required=False, default=False)


class AwardCreateSerializer(serializers.Serializer):
    """An award (金奖, 示范项目 …) with the funding it carries (元)."""

    tier = serializers.CharField(allow_blank=True)
    amount = serializers.CharField(required=False, allow_blank=True, default="0")
    awarded_on = serializers.DateField(required=False, allow_null=True)


class DisbursementCreateSerializer(serializers.Serializer):
    """One dated payment of an award's funding (a negative amount corrects an earlier one)."""

    amount = serializers.CharField()
    paid_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


ENTRY_HINTS = {
    "state": gettext_lazy("撤回请通过 withdraw 操作，晋级请通过赛事的 advance 操作。"),
    "award": gettext_lazy("奖项请通过 award 操作评定。"),
    "stage": gettext_lazy("晋级请通过赛事的 advance 操作。"),
}


@extend_schema_view(
    list=extend_schema(summary="查询参赛项目（?competition=赛事编号）"),
    retrieve=extend_schema(summary="取一个参赛项目"),
    create=extend_schema(
        summary="推荐报送参赛项目（主办层级的下一级）",
        request=EntryCreateSerializer,
        responses=EntrySerializer,
    ),
)
class EntryViewSet(ServiceViewSet):
    """Entries of competitions inside the caller's scope; writes: submit, withdraw, score
    (the judge, by assignment), award and disbursements (the organiser)."""

    model = Entry
    queryset = Entry.objects.none()
    serializer_class = EntrySerializer
    filterset_class = EntryFilterSet
    select_related = ("category", "project__association", "submitting_region", "stage", "award")
    not_found_message = gettext_lazy("未找到该参赛项目，或不在您的权限范围内。")

    @property
    def refused_hints(self) -> dict[str, str]:
        return {key: str(hint) for key, hint in ENTRY_HINTS.items()}

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "scores":
            # A judge reaches the entries of their assignments (category and current stage),
            # wherever the entries come from; the service then refuses a conflict, saying why.
            assigned = JudgeAssignment.objects.filter(
                judge=self.request.user, stage=OuterRef("stage"), category=OuterRef("category")
            )
            qs = qs | Entry.objects.filter(Exists(assigned))
        return qs.prefetch_related("award__disbursements")

    def create(self, request, *args, **kwargs):
        data = self.parse(EntryCreateSerializer)
        competition = fetch_or_404(
            Competition.objects.restrict(request.user, "view"),
            _("未找到该赛事，或不在您的权限范围内。"),
            pk=data["competition"],
        )
        project = fetch_or_404(
            Project.objects.restrict(request.user, "view"),
            _("未找到该项目，或不在您的权限范围内。"),
            pk=data["project"],
        )
        entry = contest.entry_submit(
            actor=request.user,
            competition=competition,
            category=_category(competition, data["category"]),
            project=project,
            list_position=data["list_position"],
        )
        return self.respond(entry, status.HTTP_201_CREATED)

    @extend_schema(
        summary="撤回参赛项目（须说明原因）",
        request=EntryWithdrawSerializer,
        responses=EntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        entry = self.get_object()
        data = self.parse(EntryWithdrawSerializer, allowed={"reason", "version"})
        contest.entry_withdraw(
            actor=request.user,
            entry=entry,
            reason=data["reason"],
            expected_version=self.expected_version(),
        )
        return self.respond(entry)

    @extend_schema(
        summary="评委评分：保存草稿或提交（回避时拒绝并说明原因）",
        request=ScoresSerializer,
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=True, methods=["post"])
    def scores(self, request, pk=None):
        entry = self.get_object()
        data = self.parse(ScoresSerializer)
        try:
            sheet = contest.sheet_save(
                actor=request.user, entry=entry, scores=data["scores"], submit=data["submit"]
            )
        except PermissionDeniedError as exc:
            # A 403 saying why (须回避：…), with a code a client can act on.
            raise exceptions.PermissionDenied(exc.message, code=exc.code) from exc
        return Response(sheet_payload(sheet))

    @extend_schema(
        summary="评定奖项与资助金额", request=AwardCreateSerializer, responses=EntrySerializer
    )
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        entry = self.get_object()
        data = self.parse(AwardCreateSerializer)
        contest.award_grant(
            actor=request.user,
            entry=entry,
            tier=data["tier"],
            amount=data["amount"],
            on=data.get("awarded_on"),
        )
        return self.respond(entry, status.HTTP_201_CREATED)

    @extend_schema(
        summary="登记资金拨付（合计不超过奖项金额）",
        request=DisbursementCreateSerializer,
        responses=EntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def disbursements(self, request, pk=None):
        entry = self.get_object()
        data = self.parse(DisbursementCreateSerializer)
        award = getattr(entry, "award", None)
        if award is None:
            raise QingxieError(_("该参赛项目尚未评定奖项，不能拨付资金。"), field="award")
        contest.disbursement_record(
            actor=request.user,
            award=award,
            amount=data["amount"],
            paid_on=data["paid_on"],
            note=data["note"],
        )
        return self.respond(entry, status.HTTP_201_CREATED)


class SinkingView(AttributedViewSetMixin, APIView):
    """Which counties run each brand programme on a date (逐级下沉), per child region."""

    @extend_schema(
        summary="品牌项目下沉情况",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="区划代码，默认为本人区划"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="统计日期，默认今天"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        region = sinking_region(request.user, request.query_params.get("region"))
        raw = request.query_params.get("as_of")
        as_of = parse_date(raw, field="as_of", label=_("统计日期")) if raw else timezone.localdate()
        return Response(selectors.sinking(region, as_of))


def sinking_region(user, code: str | None) -> Region:
    """The region asked about, or the user's home region; 404 outside the user's scope."""
    if not code:
        region = home_region(user)
        if region is None:
            raise exceptions.NotFound(_("您还没有任何区划的权限。"))
        return region
    region = fetch_or_404(
        Region.objects.restrict(user, "view"),
        _("未找到行政区划代码 %(code)s，或不在您的权限范围内。") % {"code": code},
        code=code.strip(),
    )
    if region.level >= Region.Level.TOWNSHIP:
        raise QingxieError(_("下沉情况按县级单位统计，请选择县级及以上区划。"), field="region")
    return region


class LibraryEntrySerializer(serializers.ModelSerializer):
    """A project's standing in the library."""

    project_name = serializers.CharField(source="project.name", read_only=True)
    association = serializers.CharField(source="project.association.number", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    listing_display = serializers.CharField(source="get_listing_display", read_only=True)

    class Meta:
        model = LibraryEntry
        fields = [
            "version",
            "id",
            "project",
            "project_name",
            "association",
            "state",
            "state_display",
            "listing",
            "listing_display",
            "number",
            "year",
            "note",
            "submitted_at",
            "return_reason",
            "verified_on",
            "published_on",
            "withdrawn_on",
            "withdraw_reason",
        ]
        read_only_fields = fields


class LibraryDecisionSerializer(serializers.Serializer):
    """One decision of the level above on a library entry."""

    step = serializers.ChoiceField(
        choices=["approve", "return", "recommend", "publish", "withdraw"]
    )
    number = serializers.CharField(required=False, allow_blank=True)
    reason = serializers.CharField(required=False, allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="查询项目库条目（?queue=1：待本人审核）"),
    retrieve=extend_schema(summary="取一个项目库条目"),
)
class LibraryEntryViewSet(ServiceViewSet):
    """The project library (项目库): submissions and listed projects in the caller's scope."""

    model = LibraryEntry
    queryset = LibraryEntry.objects.none()
    serializer_class = LibraryEntrySerializer
    select_related = ("project__association",)
    not_found_message = gettext_lazy("未找到该项目库条目，或不在您的权限范围内。")

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list" and self.request.query_params.get("queue"):
            return qs.filter(pk__in=selectors.library_queue(self.request.user).values("pk"))
        return qs

    @extend_schema(
        summary="审核入库：approve 批准入库、return 退回、recommend 推荐上线、publish 上线推介、withdraw 退库",
        request=LibraryDecisionSerializer,
        responses=LibraryEntrySerializer,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        entry = self.get_object()
        data = self.parse(LibraryDecisionSerializer)
        step, user = data["step"], request.user
        if step == "approve":
            services.library_approve(actor=user, entry=entry, number=data.get("number"))
        elif step == "return":
            services.library_return(actor=user, entry=entry, reason=data.get("reason", ""))
        else:
            services.library_listing_change(
                actor=user, entry=entry, step=step, reason=data.get("reason", "")
            )
        return self.respond(entry)


def register(router) -> None:
    """Register the viewsets on the API router."""
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("competitions", CompetitionViewSet, basename="competition")
    router.register("competition-entries", EntryViewSet, basename="competitionentry")
    router.register("library", LibraryEntryViewSet, basename="libraryentry")


from django.urls import re_path  # noqa: E402

urlpatterns = [re_path(r"^programmes/sinking/?$", SinkingView.as_view(), name="programme-sinking")]
