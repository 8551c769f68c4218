"""Training API: `/api/trainings/` (list, detail, create, correct, status, attendance),
`/api/training-attendees/` (the lists) and `GET /api/trainings/compliance` (the yearly rule).

Reads go through `restrict(user, "view")` (outside scope: 404); writes through
`trainings.services`, which re-check the scope and every rule.
"""

from __future__ import annotations

from django.urls import re_path
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from qingxie.core.errors import QingxieError
from qingxie.core.inputs import FlatListField, query_integer
from qingxie.core.serializers import mask_phone
from qingxie.core.viewsets import AttributedViewSetMixin, ServiceViewSet, fetch_or_404
from qingxie.ledger.models import Association
from qingxie.ledger.numbering import number_normalize
from qingxie.trainings import selectors, services
from qingxie.trainings.filtersets import TrainingFilterSet
from qingxie.trainings.models import Attendee, Training


class TrainingSerializer(serializers.ModelSerializer):
    """A training as the API shows it."""

    organiser = serializers.SlugRelatedField(slug_field="number", read_only=True)
    organiser_name = serializers.CharField(source="organiser.name", read_only=True)
    audience = serializers.ListField(source="audience_codes", child=serializers.CharField())
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Training
        fields = [
            "version",
            "id",
            "title",
            "organiser",
            "organiser_name",
            "kind",
            "kind_display",
            "audience",
            "mode",
            "start_date",
            "end_date",
            "place",
            "class_hours",
            "topics",
            "capacity",
            "status",
            "status_display",
            "note",
            "is_demo",
        ]
        read_only_fields = fields


class TrainingUpdateSerializer(serializers.Serializer):
    """The editable fields of a training; `audience` is a list of codes."""

    title = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(required=False)
    audience = FlatListField(child=serializers.CharField(max_length=40), required=False)
    mode = serializers.CharField(required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    place = serializers.CharField(required=False, allow_blank=True)
    class_hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )
    topics = serializers.CharField(required=False, allow_blank=True)
    capacity = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True)


class TrainingCreateSerializer(TrainingUpdateSerializer):
    """A new training by its organiser's unified number; status planned (default) or held."""

    organiser = serializers.CharField(help_text="主办协会统一编号")
    status = serializers.CharField(required=False)


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField()


class AttendanceMarkSerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    attended = serializers.BooleanField()
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )


class AttendanceSerializer(serializers.Serializer):
    """The tick list: one mark per attendee."""

    marks = FlatListField(child=AttendanceMarkSerializer())


class AttendeeSerializer(serializers.ModelSerializer):
    """One person on a training's list; the phone is masked."""

    association = serializers.SlugRelatedField(slug_field="number", read_only=True)
    association_name = serializers.CharField(source="association.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    phone = serializers.SerializerMethodField()

    class Meta:
        model = Attendee
        fields = [
            "version",
            "id",
            "training",
            "name",
            "association",
            "association_name",
            "role",
            "role_display",
            "phone",
            "attended",
            "hours",
            "completion_number",
            "volunteer_number",
        ]
        read_only_fields = fields

    def get_phone(self, obj: Attendee) -> str:
        return mask_phone(obj.phone)


class AttendeeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True)
    role = serializers.CharField(required=False)
    phone = serializers.CharField(required=False, allow_blank=True)
    attended = serializers.BooleanField(required=False)
    hours = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True
    )
    completion_number = serializers.CharField(required=False, allow_blank=True)
    volunteer_number = serializers.CharField(required=False, allow_blank=True)


class AttendeeCreateSerializer(AttendeeUpdateSerializer):
    training = serializers.IntegerField()
    association = serializers.CharField(help_text="所在协会统一编号")


TRAINING_HINTS = {
    "organiser": gettext_lazy("主办协会不能修改。"),
    "status": gettext_lazy("状态请通过 status 操作更改。"),
}
ATTENDEE_HINTS = {
    "training": gettext_lazy("参训人员所属培训不能修改。"),
    "association": gettext_lazy("所在协会不能修改，请删除后重新登记。"),
}


def organiser_for(user, number) -> Association:
    """The organiser of a new training, by unified number, through the gate (404)."""
    canonical = number_normalize(number)
    return fetch_or_404(
        Association.objects.restrict(user, "view").select_related("region"),
        gettext("未找到统一编号为 %(canonical)s 的协会，或不在您的权限范围内。")
        % {"canonical": canonical},
        number=canonical,
    )


@extend_schema_view(
    list=extend_schema(summary="查询培训"),
    retrieve=extend_schema(summary="取一期培训"),
    create=extend_schema(
        summary="新建培训", request=TrainingCreateSerializer, responses=TrainingSerializer
    ),
    partial_update=extend_schema(
        summary="更正培训信息", request=TrainingUpdateSerializer, responses=TrainingSerializer
    ),
)
class TrainingViewSet(ServiceViewSet):
    """Trainings (培训) organised in the caller's scope or attended from it."""

    model = Training
    queryset = Training.objects.none()  # for the schema; real queries go through restrict()
    serializer_class = TrainingSerializer
    filterset_class = TrainingFilterSet
    select_related = ("organiser",)
    not_found_message = gettext_lazy("未找到该培训，或不在您的权限范围内。")
    refused_hints = TRAINING_HINTS

    def create(self, request, *args, **kwargs):
        data = self.parse(TrainingCreateSerializer)
        organiser = organiser_for(request.user, data.pop("organiser"))
        training = services.training_create(actor=request.user, organiser=organiser, **data)
        return self.respond(training, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        training = self.get_object()
        expected = self.expected_version()
        allowed = {*services.TRAINING_EDITABLE, "version"}
        data = self.parse(TrainingUpdateSerializer, allowed=allowed, partial=True)
        services.training_update(
            actor=request.user, training=training, expected_version=expected, **data
        )
        return self.respond(training)

    @extend_schema(summary="更改培训状态", request=StatusSerializer, responses=TrainingSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        training = self.get_object()
        expected = self.expected_version()
        data = self.parse(StatusSerializer, allowed={"status", "version"})
        services.training_set_status(
            actor=request.user, training=training, status=data["status"], expected_version=expected
        )
        return self.respond(training)

    @extend_schema(
        summary="登记出勤（整份名单）",
        request=AttendanceSerializer,
        responses=AttendeeSerializer(many=True),
    )
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        training = self.get_object()
        data = self.parse(AttendanceSerializer)
        marks = {m["id"]: m for m in data["marks"]}
        changed = services.attendance_record(actor=request.user, training=training, marks=marks)
        return Response(AttendeeSerializer(changed, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="查询参训人员",
        parameters=[OpenApiParameter("training", OpenApiTypes.INT, description="培训 id")],
    ),
    retrieve=extend_schema(summary="取一名参训人员"),
    create=extend_schema(
        summary="登记参训人员", request=AttendeeCreateSerializer, responses=AttendeeSerializer
    ),
    partial_update=extend_schema(
        summary="更正参训人员或登记出勤",
        request=AttendeeUpdateSerializer,
        responses=AttendeeSerializer,
    ),
)
class AttendeeViewSet(ServiceViewSet):
    """People on the training lists the caller may see."""

    model = Attendee
    queryset = Attendee.objects.none()
    serializer_class = AttendeeSerializer
    select_related = ("association",)
    not_found_message = gettext_lazy("未找到该参训人员，或不在您的权限范围内。")
    refused_hints = ATTENDEE_HINTS

    def get_queryset(self):
        qs = super().get_queryset()
        training = query_integer(self.request.query_params, "training", "培训 id")
        return qs if training is None else qs.filter(training_id=training)

    def create(self, request, *args, **kwargs):
        data = self.parse(AttendeeCreateSerializer)
        training = fetch_or_404(
            selectors.trainings_visible(request.user).select_related("organiser"),
            gettext_lazy("未找到该培训，或不在您的权限范围内。"),
            pk=data.pop("training"),
        )
        number = number_normalize(data.pop("association"))
        association = selectors.trainable_association(training, number)
        if association is None:
            raise QingxieError(
                gettext("未找到统一编号为 %(number)s 的协会，或不在主办协会的范围内。")
                % {"number": number},
                field="association",
            )
        attendee = services.attendee_add(
            actor=request.user, training=training, association=association, **data
        )
        return self.respond(attendee, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        attendee = self.get_object()
        expected = self.expected_version()
        allowed = {*services.ATTENDEE_EDITABLE, "version"}
        data = self.parse(AttendeeUpdateSerializer, allowed=allowed, partial=True)
        services.attendee_update(
            actor=request.user, attendee=attendee, expected_version=expected, **data
        )
        return self.respond(attendee)


class ComplianceSerializer(serializers.Serializer):
    """The yearly rule of a region (children carry the same fields, without children)."""

    region = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    year = serializers.IntegerField()
    as_of = serializers.DateField()
    organisers_required = serializers.IntegerField()
    organisers_held = serializers.IntegerField()
    organiser_rate = serializers.FloatField(allow_null=True)
    counties_required = serializers.IntegerField()
    counties_trained = serializers.IntegerField()
    county_rate = serializers.FloatField(allow_null=True)
    own_required = serializers.BooleanField()
    own_held = serializers.BooleanField()
    children = serializers.ListField(child=serializers.DictField())


def compliance_payload(user, code: str | None, year_raw, as_of_raw) -> dict:
    """The API's answer: `selectors.compliance_query` (the command prints the same), 404 for
    a region outside the caller's scope."""
    payload = selectors.compliance_query(user, code, year_raw, as_of_raw)
    if payload is None:
        raise exceptions.NotFound(
            gettext("未找到行政区划代码 %(code)s，或不在您的权限范围内。") % {"code": code}
        )
    return payload


class ComplianceView(AttributedViewSetMixin, APIView):
    """每年至少培训一次: province and city associations that organised a leaders' training,
    county associations whose leaders attended one, for a region and year (as of a date)."""

    @extend_schema(
        summary="年度培训情况（省、市协会举办培训，县级协会负责人参训）",
        parameters=[
            OpenApiParameter("region", OpenApiTypes.STR, description="区划代码，默认为本人区划"),
            OpenApiParameter("year", OpenApiTypes.INT, description="年度，默认今年"),
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="统计日期（须在该年度内），默认年底或今天"
            ),
        ],
        responses=ComplianceSerializer,
    )
    def get(self, request):
        params = request.query_params
        return Response(
            compliance_payload(request.user, params.get("region"), params.get("year"),
                               params.get("as_of"))
        )  # fmt: skip


def register(router) -> None:
    """Register the training viewsets on the API router."""
    router.register("trainings", TrainingViewSet, basename="training")
    router.register("training-attendees", AttendeeViewSet, basename="trainingattendee")


#: Fixed API paths, mounted before the router's so `compliance` is not taken for an id.
urlpatterns: list = [
    re_path(r"^trainings/compliance/?$", ComplianceView.as_view(), name="training-compliance"),
]
