"""Filters of the ledger lists, on the page and the API: associations (region subtree, level,
status, form, registration, standardization, search), group members and seats."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingxie.core.errors import QingxieError
from qingxie.ledger.choices import AssociationForm, AssociationStatus, GroupMemberStatus
from qingxie.ledger.models import Association, GroupMember, Seat
from qingxie.ledger.numbering import number_normalize
from qingxie.ledger.serializers import LEVEL_KEYS, parse_level
from qingxie.regions.filters import RegionFilter

YES_NO = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def with_number(field: str):
    """A filter method: the association numbered `value`, typed with or without hyphens."""

    def method(queryset, name, value):
        if not value.strip():
            return queryset
        try:
            return queryset.filter(**{field: number_normalize(value)})
        except QingxieError:
            return queryset.none()

    return method


def _yes_no(label: str, **kwargs) -> django_filters.BooleanFilter:
    return django_filters.BooleanFilter(label=label, widget=forms.Select(choices=YES_NO), **kwargs)


class AssociationFilterSet(django_filters.FilterSet):
    """What the ledger list can be narrowed and sorted by."""

    q = django_filters.CharFilter(label=_("名称或统一编号"), method="search")
    region = RegionFilter("region__path")
    level = django_filters.CharFilter(
        label=_("层级"),
        method="at_level",
        widget=forms.HiddenInput,
        help_text="、".join(LEVEL_KEYS.values()),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=AssociationStatus.choices, empty_label=_("全部")
    )
    form = django_filters.ChoiceFilter(
        label=_("组织形式"), choices=AssociationForm.choices, empty_label=_("全部")
    )
    registered = _yes_no(_("已登记"))
    standardized = _yes_no(_("已规范化"), method="is_standardized")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("number", "number"),
            ("name", "name"),
            ("region__code", "region"),
            ("level", "level"),
            ("form", "form"),
            ("established_on", "established_on"),
            ("registered", "registered"),
            ("standardized_since", "standardized_since"),
            ("status", "status"),
        ),
        label=_("排序"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Association
        fields = ["q", "region", "level", "status", "form", "registered", "standardized"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        compact = re.sub(r"[\s\-]", "", value)
        condition = Q(name__icontains=value) | Q(number__icontains=value)
        if compact.isalnum() and compact != value:
            condition |= Q(number__icontains=compact)
        if re.fullmatch(r"\d{7,10}X?", compact.upper()):
            # "4401053" or "440105301" typed without hyphens: match the number's digits.
            digits = compact.upper()
            parts = [digits[:6], digits[6:7], digits[7:9], digits[9:10]]
            condition |= Q(number__startswith="-".join(p for p in parts if p))
        return queryset.filter(condition)

    def is_standardized(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(standardized_since__isnull=not value)

    def at_level(self, queryset, name, value):
        # national/province/prefecture/county or 0–3, as the API has always taken it.
        try:
            level = parse_level(value)
        except QingxieError:
            return queryset.none()
        return queryset if level is None else queryset.filter(level=level)


class GroupMemberFilterSet(django_filters.FilterSet):
    """What the group member list can be narrowed by."""

    region = RegionFilter("association__region__path")
    association = django_filters.CharFilter(
        label=_("协会统一编号"), method=with_number("association__number")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=GroupMemberStatus.choices, empty_label=_("全部")
    )

    class Meta:
        model = GroupMember
        fields = ["region", "association", "status"]


class SeatFilterSet(django_filters.FilterSet):
    """What the seat list can be narrowed by."""

    region = RegionFilter("holder__region__path")
    holder = django_filters.CharFilter(
        label=_("席位所在协会统一编号"), method=with_number("holder__number")
    )
    member = django_filters.CharFilter(
        label=_("成员协会统一编号"), method=with_number("member__number")
    )
    open = _yes_no(_("只列出现有（未终止）席位"), field_name="until", lookup_expr="isnull")

    class Meta:
        model = Seat
        fields = ["region", "holder", "member", "open"]
