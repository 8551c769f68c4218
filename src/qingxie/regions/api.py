"""Region API: `GET /api/regions/<code>` and `GET /api/regions/?parent=&level=&q=`."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets

from qingxie.core.api import error_documenting_schema
from qingxie.regions import selectors
from qingxie.regions.models import Region

LEVEL_KEYS = {v: k for k, v in selectors.LEVEL_NAMES.items()}


class RegionSerializer(serializers.ModelSerializer):
    """A region as the API shows it; `level` is a name (province, prefecture, county, township)."""

    level = serializers.SerializerMethodField()
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:region-detail", lookup_field="code", read_only=True
    )

    class Meta:
        model = Region
        fields = [
            "code",
            "name",
            "level",
            "level_display",
            "kind",
            "parent",
            "county_count",
            "township_count",
            "valid_from",
            "valid_to",
            "successor",
            "has_shape",
            "url",
        ]
        read_only_fields = fields

    def get_level(self, obj: Region) -> str:
        return LEVEL_KEYS[obj.level]


@extend_schema_view(
    list=extend_schema(
        summary="查询行政区划",
        parameters=[
            OpenApiParameter("parent", OpenApiTypes.STR, description="上级区划代码"),
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                enum=list(selectors.LEVEL_NAMES),
                description="层级：province / prefecture / county / township",
            ),
            OpenApiParameter("q", OpenApiTypes.STR, description="名称片段或代码前缀"),
            OpenApiParameter("include_retired", OpenApiTypes.BOOL, description="包含已撤销的区划"),
        ],
    ),
    retrieve=extend_schema(summary="按代码取一个行政区划"),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Administrative divisions inside the caller's scope (read-only reference data)."""

    schema = error_documenting_schema()
    serializer_class = RegionSerializer
    lookup_field = "code"
    # Any code reaches get_object(), so a malformed one gets the API's JSON 404 too
    # (not Django's HTML page for an unmatched URL).
    lookup_value_regex = r"[^/]+"
    queryset = Region.objects.none()  # for the schema; real queries go through restrict()

    def get_queryset(self):
        params = self.request.query_params
        if self.action != "list":
            return selectors.region_queryset(self.request.user).select_related(
                "parent", "successor"
            )
        try:
            level = selectors.parse_level(params.get("level"))
        except (KeyError, ValueError) as exc:
            raise exceptions.ValidationError(
                {"level": [gettext("层级须为 province、prefecture、county 或 township。")]}
            ) from exc
        return selectors.region_search(
            self.request.user,
            q=params.get("q", ""),
            parent=params.get("parent") or None,
            level=level,
            include_retired=params.get("include_retired") in {"1", "true", "yes"},
        ).select_related("successor")

    def get_object(self):
        code = self.kwargs["code"]
        obj = self.get_queryset().filter(code=code).first()
        if obj is None:
            raise exceptions.NotFound(
                gettext("未找到行政区划代码 %(code)s，或不在您的权限范围内。") % {"code": code}
            )
        return obj
