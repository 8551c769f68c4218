"""Filters of the association ledger, on the page and the API: region subtree, level, status,
form, registration, standardization, search."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.db.models import Q

from qingxie.core.errors import QingxieError
from qingxie.core.models import subtree_q
from qingxie.ledger.choices import AssociationForm, AssociationStatus
from qingxie.ledger.models import Association
from qingxie.ledger.serializers import LEVEL_KEYS, parse_level
from qingxie.regions.models import Region

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


def _yes_no(label: str, **kwargs) -> django_filters.BooleanFilter:
    return django_filters.BooleanFilter(label=label, widget=forms.Select(choices=YES_NO), **kwargs)


class AssociationFilterSet(django_filters.FilterSet):
    """What the ledger list can be narrowed and sorted by."""

    q = django_filters.CharFilter(label="名称或统一编号", method="search")
    region = django_filters.CharFilter(label="区划代码（含下级）", method="in_region")
    level = django_filters.CharFilter(
        label="层级",
        method="at_level",
        widget=forms.HiddenInput,
        help_text="、".join(LEVEL_KEYS.values()),
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=AssociationStatus.choices, empty_label="全部"
    )
    form = django_filters.ChoiceFilter(
        label="组织形式", choices=AssociationForm.choices, empty_label="全部"
    )
    registered = _yes_no("已登记")
    standardized = _yes_no("已规范化", method="is_standardized")
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
        label="排序",
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

    def in_region(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        region = Region.objects.filter(code=value).only("path").first()
        if region is None:
            return queryset.none()
        return queryset.filter(subtree_q("region__path", region.path))

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
