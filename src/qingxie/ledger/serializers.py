"""Ledger API serializers: what the API shows of each object, what a write accepts, and the
coverage payload shared by `GET /api/coverage` and `qingxie coverage --json`.

Output serializers are read-only; input serializers only parse types (dates, booleans) and
hand the values to the services, which hold every business rule and write.
"""

from __future__ import annotations

import datetime
from pathlib import PurePosixPath

from django.utils.translation import gettext
from rest_framework import serializers

from qingxie.core.errors import QingxieError
from qingxie.core.serializers import mask_phone
from qingxie.ledger import coverage
from qingxie.ledger.models import (
    Association,
    ChecklistEntry,
    ChecklistItem,
    CoverageTarget,
    GroupMember,
    Seat,
)
from qingxie.regions.models import Region

#: Level names as the API shows them (the region API calls level 0 "nation").
LEVEL_KEYS = {0: "national", 1: "province", 2: "prefecture", 3: "county"}
#: Level names and numbers the API accepts for an association's level.
LEVEL_INPUT = {
    **{name: level for level, name in LEVEL_KEYS.items()},
    "nation": 0,
    **{str(level): level for level in LEVEL_KEYS},
}


def parse_level(value) -> int | None:
    """An association level from "national"/"province"/"prefecture"/"county" or 0–3."""
    if value in (None, ""):
        return None
    level = LEVEL_INPUT.get(str(value).strip().lower())
    if level is None:
        raise QingxieError(
            gettext("层级“%(value)s”不对，应为 national、province、prefecture、county 或 0–3。")
            % {"value": value},
            field="level",
        )
    return level


# --------------------------------------------------------------------------- outputs


class AssociationSerializer(serializers.ModelSerializer):
    """An association as the API shows it: looked up by its unified number; phones masked."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    level = serializers.SerializerMethodField()
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    form_display = serializers.CharField(source="get_form_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    merged_into = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    standardized = serializers.BooleanField(source="is_standardized", read_only=True)
    president_phone = serializers.SerializerMethodField()
    secretary_phone = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(
        view_name="api:association-detail", lookup_field="number", read_only=True
    )

    class Meta:
        model = Association
        fields = [
            "version",
            "number",
            "name",
            "region",
            "region_name",
            "level",
            "level_display",
            "form",
            "form_display",
            "supervisor",
            "established_on",
            "registered",
            "uscc",
            "registered_on",
            "address",
            "president_name",
            "president_phone",
            "secretary_name",
            "secretary_phone",
            "status",
            "status_display",
            "status_since",
            "merged_into",
            "standardized",
            "standardized_since",
            "note",
            "is_demo",
            "url",
        ]
        read_only_fields = fields

    def get_level(self, obj: Association) -> str:
        return LEVEL_KEYS[obj.level]

    def get_president_phone(self, obj: Association) -> str:
        return mask_phone(obj.president_phone)

    def get_secretary_phone(self, obj: Association) -> str:
        return mask_phone(obj.secretary_phone)


class ChecklistItemSerializer(serializers.ModelSerializer):
    """One item of the standardization checklist (national reference data)."""

    class Meta:
        model = ChecklistItem
        fields = ["code", "title", "description", "basis", "required", "active", "position"]
        read_only_fields = fields


class ChecklistEntrySerializer(serializers.ModelSerializer):
    """One checklist item of one association, with its evidence and the upper level's decision."""

    association = serializers.SlugRelatedField(slug_field="number", read_only=True)
    association_name = serializers.CharField(source="association.name", read_only=True)
    item = serializers.SlugRelatedField(slug_field="code", read_only=True)
    item_title = serializers.CharField(source="item.title", read_only=True)
    required = serializers.BooleanField(source="item.required", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    evidence = serializers.SerializerMethodField()
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ChecklistEntry
        fields = [
            "id",
            "association",
            "association_name",
            "item",
            "item_title",
            "required",
            "state",
            "state_display",
            "note",
            "evidence",
            "submitted_at",
            "submitted_by",
            "decided_at",
            "decided_by",
            "verified_on",
            "return_reason",
        ]
        read_only_fields = fields

    def get_evidence(self, obj: ChecklistEntry) -> str:
        """The evidence file's name (the file itself is not public)."""
        return PurePosixPath(obj.evidence.name).name if obj.evidence else ""


class SeatSerializer(serializers.ModelSerializer):
    """A seat an upper association holds for a live association on the level below."""

    holder = serializers.SlugRelatedField(slug_field="number", read_only=True)
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    member = serializers.SlugRelatedField(slug_field="number", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    member_region = serializers.CharField(source="member.region.code", read_only=True)
    open = serializers.SerializerMethodField()

    class Meta:
        model = Seat
        fields = [
            "version",
            "id",
            "holder",
            "holder_name",
            "member",
            "member_name",
            "member_region",
            "representative",
            "since",
            "until",
            "open",
        ]
        read_only_fields = fields

    def get_open(self, obj: Seat) -> bool:
        return obj.until is None


class GroupMemberSerializer(serializers.ModelSerializer):
    """A group member (团体会员) of an association; the contact phone is masked."""

    association = serializers.SlugRelatedField(slug_field="number", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = GroupMember
        fields = [
            "version",
            "id",
            "association",
            "name",
            "kind",
            "kind_display",
            "admitted_on",
            "uscc",
            "contact_name",
            "contact_phone",
            "status",
            "status_display",
            "left_on",
            "is_demo",
        ]
        read_only_fields = fields

    def get_contact_phone(self, obj: GroupMember) -> str:
        return mask_phone(obj.contact_phone)


class CoverageTargetSerializer(serializers.ModelSerializer):
    """A target rate for one measure by a due date, set nationally or by a province."""

    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    measure_display = serializers.CharField(source="get_measure_display", read_only=True)
    rate = serializers.FloatField(read_only=True)

    class Meta:
        model = CoverageTarget
        fields = ["id", "region", "region_name", "measure", "measure_display", "due_on", "rate"]
        read_only_fields = fields


# ---------------------------------------------------------------------------- inputs


class AssociationCreateSerializer(serializers.Serializer):
    """What `POST /api/associations/` accepts; `region` is a division code."""

    region = serializers.CharField(help_text="行政区划代码（6位）")
    level = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="national / province / prefecture / county 或 0–3",
    )
    name = serializers.CharField(allow_blank=True)
    form = serializers.CharField(help_text="组织形式，如 youth_volunteer_association")
    established_on = serializers.DateField()
    supervisor = serializers.CharField(required=False, allow_blank=True)
    registered = serializers.BooleanField(required=False, default=False)
    uscc = serializers.CharField(required=False, allow_blank=True)
    registered_on = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True)
    president_name = serializers.CharField(required=False, allow_blank=True)
    president_phone = serializers.CharField(required=False, allow_blank=True)
    secretary_name = serializers.CharField(required=False, allow_blank=True)
    secretary_phone = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class AssociationUpdateSerializer(serializers.Serializer):
    """What `PATCH /api/associations/<number>` accepts: the editable fields only."""

    name = serializers.CharField(required=False, allow_blank=True)
    form = serializers.CharField(required=False)
    supervisor = serializers.CharField(required=False, allow_blank=True)
    established_on = serializers.DateField(required=False)
    registered = serializers.BooleanField(required=False)
    uscc = serializers.CharField(required=False, allow_blank=True)
    registered_on = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(required=False, allow_blank=True)
    president_name = serializers.CharField(required=False, allow_blank=True)
    president_phone = serializers.CharField(required=False, allow_blank=True)
    secretary_name = serializers.CharField(required=False, allow_blank=True)
    secretary_phone = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)


class StatusChangeSerializer(serializers.Serializer):
    """A dated status change (suspend, resume, dissolve) with an optional note."""

    on = serializers.DateField(help_text="生效日期 YYYY-MM-DD")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MergeSerializer(StatusChangeSerializer):
    """A merge into another association, named by its unified number."""

    into = serializers.CharField(help_text="合并入的协会统一编号")


class ChecklistSubmitSerializer(serializers.Serializer):
    """An association submits one checklist item with a note and/or an evidence file."""

    association = serializers.CharField(help_text="协会统一编号")
    item = serializers.CharField(help_text="事项代码")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.FileField(required=False, allow_null=True)


class ChecklistVerifySerializer(serializers.Serializer):
    """The level above verifies a submitted item, on a date (default today)."""

    on = serializers.DateField(required=False, allow_null=True)


class ChecklistReturnSerializer(serializers.Serializer):
    """The level above returns a submitted item with the reason."""

    reason = serializers.CharField(allow_blank=True)


class ChecklistRevokeSerializer(ChecklistReturnSerializer):
    """The level above withdraws a verification from a date (default today)."""

    on = serializers.DateField(required=False, allow_null=True)


class SeatUpdateSerializer(serializers.Serializer):
    """Only the representative of a seat is edited by hand; the rest follows the ledger."""

    representative = serializers.CharField(allow_blank=True)


class GroupMemberUpdateSerializer(serializers.Serializer):
    """The editable fields of a group member."""

    name = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(required=False)
    admitted_on = serializers.DateField(required=False, allow_null=True)
    uscc = serializers.CharField(required=False, allow_blank=True)
    contact_name = serializers.CharField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(required=False, allow_blank=True)


class GroupMemberCreateSerializer(GroupMemberUpdateSerializer):
    """Admit an organisation as a group member of the association named by its number."""

    association = serializers.CharField(help_text="协会统一编号")


class CoverageTargetCreateSerializer(serializers.Serializer):
    """Set a target (upsert on region, measure and due date)."""

    region = serializers.CharField(help_text="全国（000000）或省级区划代码")
    measure = serializers.CharField(help_text="established / standardized / township_teams")
    due_on = serializers.DateField()
    rate = serializers.CharField(help_text="目标百分比，0–100，一位小数")


class CoverageTargetUpdateSerializer(serializers.Serializer):
    """Only the rate of a target changes in place; other keys mean a new target."""

    rate = serializers.CharField()


class ChecklistItemWriteSerializer(serializers.Serializer):
    """Add or edit a checklist item (national administrators only)."""

    code = serializers.SlugField(required=False, max_length=40)
    title = serializers.CharField(required=False, allow_blank=True, max_length=100)
    description = serializers.CharField(required=False, allow_blank=True)
    basis = serializers.CharField(required=False, allow_blank=True, max_length=200)
    required = serializers.BooleanField(required=False)
    active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=32767)


# -------------------------------------------------------------------------- coverage


def _with_as_of(data: dict, as_of: datetime.date) -> dict:
    out = {
        "region": data["region"],
        "name": data["name"],
        "level": LEVEL_KEYS.get(data["level"], data["level"]),
        "as_of": as_of.isoformat(),
    }
    out.update((k, v) for k, v in data.items() if k not in out)
    out["children"] = [_with_as_of(child, as_of) for child in data["children"]]
    return out


def coverage_payload(region: Region, as_of: datetime.date, *, depth: int = 1) -> dict:
    """Coverage of `region` on `as_of` with its children, targets and projection.

    The caller has already checked that the user may see `region`. Children carry the same
    figures (counties, established, standardized, rates, townships) and always sum to it.
    """
    node = coverage.coverage_tree(region, as_of, depth=depth)
    data = _with_as_of(node.as_dict(), as_of)
    data["missing"] = node.missing
    data["targets"] = coverage.target_report(region, node, as_of)
    projection = coverage.coverage_projection(region, as_of)
    data["projection"] = {
        "pace_per_month": round(projection.pace_per_month, 2),
        "remaining": projection.remaining,
        "date": projection.date.isoformat() if projection.date else None,
        "message": projection.message,
    }
    return data


def coverage_series_payload(region: Region, start: datetime.date, end: datetime.date) -> dict:
    """Month-end coverage of `region` from `start` to `end`."""
    return {
        "region": region.code,
        "name": region.name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "points": [p.as_dict() for p in coverage.coverage_series(region, start, end)],
    }


class CoverageSerializer(serializers.Serializer):
    """The coverage payload, for the schema only (the data is built by `coverage_payload`)."""

    region = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    as_of = serializers.DateField()
    counties = serializers.IntegerField()
    established = serializers.IntegerField()
    standardized = serializers.IntegerField()
    coverage_rate = serializers.FloatField(allow_null=True)
    standardized_rate = serializers.FloatField(allow_null=True)
    townships = serializers.IntegerField()
    townships_with_team = serializers.IntegerField()
    township_rate = serializers.FloatField(allow_null=True)
    missing = serializers.IntegerField()
    targets = serializers.ListField(child=serializers.DictField())
    projection = serializers.DictField()
    children = serializers.ListField(child=serializers.DictField())


class CoverageSeriesSerializer(serializers.Serializer):
    """The monthly coverage series, for the schema only."""

    region = serializers.CharField()
    name = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    points = serializers.ListField(child=serializers.DictField())


def coverage_map_payload(region: Region) -> dict:
    """What the coverage map of `region` draws and replays: the map file, the units coloured
    (provinces on the national map, county-level units below), every county's dated spans
    (`coverage.county_timelines`) and the units not counted (no county-level units)."""
    from qingxie.core.cache import cached_figures
    from qingxie.regions.maps import map_file_for
    from qingxie.regions.selectors import map_units_for, map_url

    def compute() -> dict:
        name, codes = map_file_for(region)
        if region.level == Region.Level.NATION:
            units = list(map_units_for(region).values_list("code", "county_count"))
            codes, unit = None, "province"
        elif region.level == Region.Level.COUNTY or codes:
            units, codes, unit = [(region.code, region.county_count)], [region.code], "county"
        else:
            units = list(map_units_for(region).values_list("code", "county_count", "level"))
            codes, unit = [u[0] for u in units], "county"
            units = [(code, 1 if level == Region.Level.COUNTY else n) for code, n, level in units]
        return {
            "region": region.code,
            "name": region.name,
            "level": region.level,
            "map": {"url": map_url(name), "key": f"{name}:{region.code}", "codes": codes},
            "unit": unit,
            "uncounted": [code for code, n in units if not n],
            "counties": coverage.county_timelines(region),
        }

    return cached_figures(
        f"map:{region.code}", compute, path=region.path, domains=coverage.FIGURE_DOMAINS
    )


class CoverageMapSerializer(serializers.Serializer):
    """The coverage map payload, for the schema only (built by `coverage_map_payload`)."""

    region = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    map = serializers.DictField()
    unit = serializers.ChoiceField(choices=["province", "county"])
    uncounted = serializers.ListField(child=serializers.CharField())
    counties = serializers.ListField(child=serializers.DictField())
