"""Filters of the plan and task lists on the API: region subtree, goal, overdue on a date."""

from __future__ import annotations

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _

from qingxie.core.inputs import IntegerFilter
from qingxie.core.models import subtree_q
from qingxie.plans.choices import Goal, TaskStatus
from qingxie.plans.models import Plan, Responsibility, Task
from qingxie.plans.selectors import open_on_q
from qingxie.regions.models import Region


def _in_region(queryset, value: str):
    value = (value or "").strip()
    if not value:
        return queryset
    region = Region.objects.filter(code=value).only("path").first()
    if region is None:
        return queryset.none()
    return queryset.filter(subtree_q("region_path", region.path))


class PlanFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(label=_("区划代码（含下级）"), method="in_region")
    goal = django_filters.ChoiceFilter(label=_("目标"), choices=Goal.choices, empty_label=_("全部"))
    open = django_filters.BooleanFilter(
        label=_("进行中"), field_name="completed_on", lookup_expr="isnull"
    )

    class Meta:
        model = Plan
        fields = ["region", "goal", "open"]

    def in_region(self, queryset, name, value):
        return _in_region(queryset, value)


class TaskFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(label=_("区划代码（含下级）"), method="in_region")
    plan = IntegerFilter(label=_("计划编号"), field_name="plan_id", min_value=1)
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=TaskStatus.choices, empty_label=_("全部")
    )
    overdue_on = django_filters.CharFilter(label=_("在该日期逾期（YYYY-MM-DD）"), method="overdue")

    class Meta:
        model = Task
        fields = ["region", "plan", "status", "overdue_on"]

    def in_region(self, queryset, name, value):
        return _in_region(queryset, value)

    def overdue(self, queryset, name, value):
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            return queryset.none()
        return queryset.filter(due__lt=day, plan__created_on__lte=day).filter(open_on_q(day))


class ResponsibilityFilterSet(django_filters.FilterSet):
    region = django_filters.CharFilter(label=_("区划代码（含下级）"), method="in_region")
    current = django_filters.BooleanFilter(
        label=_("现任"), field_name="until", lookup_expr="isnull"
    )

    class Meta:
        model = Responsibility
        fields = ["region", "current"]

    def in_region(self, queryset, name, value):
        return _in_region(queryset, value)
