"""Filters of the team list, on the page and the API: region subtree, association, category,
status, township, name."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from qingxie.core.errors import QingxieError
from qingxie.ledger.numbering import number_normalize
from qingxie.regions.filters import RegionFilter
from qingxie.teams.choices import TeamCategory, TeamStatus
from qingxie.teams.models import Team


class TeamFilterSet(django_filters.FilterSet):
    """What the team list can be narrowed and sorted by."""

    q = django_filters.CharFilter(label=_("队伍名称"), method="search")
    # A team lies in a region through its association's region or its township.
    region = RegionFilter("region__path", "township__path")
    association = django_filters.CharFilter(label=_("协会统一编号"), method="of_association")
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=TeamCategory.choices, empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=TeamStatus.choices, empty_label=_("全部")
    )
    township = django_filters.CharFilter(
        label=_("乡镇（街道）代码"), method="in_township", widget=forms.HiddenInput
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("association__number", "association"),
            ("category", "category"),
            ("township__code", "township"),
            ("member_count", "member_count"),
            ("founded_on", "founded_on"),
            ("status", "status"),
        ),
        label=_("排序"),
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Team
        fields = ["q", "region", "association", "category", "status", "township"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(name__icontains=value) if value else queryset

    def of_association(self, queryset, name, value):
        if not value.strip():
            return queryset
        try:
            return queryset.filter(association__number=number_normalize(value))
        except QingxieError:
            return queryset.none()

    def in_township(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(township__code=value) if value else queryset
