"""Filters of the project and competition lists, on the pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from qingxie.core.inputs import IntegerFilter
from qingxie.projects.choices import EntryState, ProjectField, ProjectStatus
from qingxie.projects.models import Competition, Entry, Project
from qingxie.regions.filters import RegionFilter


class ProjectFilterSet(django_filters.FilterSet):
    """What the project list can be narrowed and sorted by."""

    q = django_filters.CharFilter(label=_("项目名称"), method="search")
    region = RegionFilter("region_path")
    programme = django_filters.CharFilter(label=_("品牌项目代码"), method="of_programme")
    field = django_filters.ChoiceFilter(
        label=_("服务领域"), choices=ProjectField.choices, empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=ProjectStatus.choices, empty_label=_("全部")
    )
    ordering = django_filters.OrderingFilter(
        fields=(("name", "name"), ("start_on", "start_on"), ("status", "status")),
        label=_("排序"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Project
        fields = ["q", "region", "programme", "field", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def of_programme(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(programme__code=value) | queryset.filter(
            programme__parent__code=value
        )


class CompetitionFilterSet(django_filters.FilterSet):
    """Editions by year."""

    year = IntegerFilter(label=_("年度"), min_value=1949, max_value=9999)

    class Meta:
        model = Competition
        fields = ["year"]


class EntryFilterSet(django_filters.FilterSet):
    """Entries by edition and state."""

    competition = IntegerFilter(label=_("赛事编号"), min_value=1)
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=EntryState.choices, empty_label=_("全部")
    )

    class Meta:
        model = Entry
        fields = ["competition", "state"]
