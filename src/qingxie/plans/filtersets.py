"""Filters of the plan and task lists on the API: region subtree, goal, overdue on a date."""

from __future__ import annotations

import datetime

import django_filters
from django.utils.translation import gettext_lazy as _

from qingxie.core.inputs import IntegerFilter
from qingxie.plans.choices import Goal, TaskStatus
from qingxie.plans.models import Plan, Responsibility, Task
from qingxie.plans.selectors import open_on_q
from qingxie.regions.filters import RegionFilter


class PlanFilterSet(django_filters.FilterSet):
    region = RegionFilter("region_path")
    goal = django_filters.ChoiceFilter(label=_("目标"), choices=Goal.choices, empty_label=_("全部"))
    open = django_filters.BooleanFilter(
        label=_("进行中"), field_name="completed_on", lookup_expr="isnull"
    )

    class Meta:
        model = Plan
        fields = ["region", "goal", "open"]


class TaskFilterSet(django_filters.FilterSet):
    region = RegionFilter("region_path")
    plan = IntegerFilter(label=_("计划编号"), field_name="plan_id", min_value=1)
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=TaskStatus.choices, empty_label=_("全部")
    )
    overdue_on = django_filters.CharFilter(label=_("在该日期逾期（YYYY-MM-DD）"), method="overdue")

    class Meta:
        model = Task
        fields = ["region", "plan", "status", "overdue_on"]

    def overdue(self, queryset, name, value):
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            return queryset.none()
        return queryset.filter(due__lt=day, plan__created_on__lte=day).filter(open_on_q(day))


class ResponsibilityFilterSet(django_filters.FilterSet):
    region = RegionFilter("region_path")
    current = django_filters.BooleanFilter(
        label=_("现任"), field_name="until", lookup_expr="isnull"
    )

    class Meta:
        model = Responsibility
        fields = ["region", "current"]
