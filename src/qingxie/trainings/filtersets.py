"""Filters of the training list, on the page and the API: region subtree, year, kind, status,
organiser, title."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from qingxie.core.inputs import IntegerFilter
from qingxie.regions.filters import RegionFilter
from qingxie.trainings.choices import TrainingKind, TrainingStatus
from qingxie.trainings.models import Training


class TrainingFilterSet(django_filters.FilterSet):
    """What the training list can be narrowed and sorted by."""

    q = django_filters.CharFilter(label=_("培训名称"), method="search")
    region = RegionFilter("region_path")
    year = IntegerFilter(label=_("年度"), method="in_year", min_value=1949, max_value=9999)
    kind = django_filters.ChoiceFilter(
        label=_("类别"), choices=TrainingKind.choices, empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=TrainingStatus.choices, empty_label=_("全部")
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("title", "title"),
            ("organiser__number", "organiser"),
            ("kind", "kind"),
            ("start_date", "start_date"),
            ("status", "status"),
        ),
        label=_("排序"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Training
        fields = ["q", "region", "year", "kind", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(title__icontains=value) if value else queryset

    def in_year(self, queryset, name, value):
        if value in (None, ""):
            return queryset
        try:
            year = int(value)
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        except (TypeError, ValueError, OverflowError):
            return queryset.none()
        # A training belongs to the year it ends in (the yearly rule's reading).
        return queryset.filter(end_date__gte=start, end_date__lte=end)
