"""The region box of every list filter (pages and API): a subtree named by code or by name
("广州", "440100"), with the autocomplete of region-picker.js. One definition, so every app's
list filters alike; an app names only the column that holds its rows' region path."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingxie.core.models import subtree_q
from qingxie.regions.selectors import region_by_code_or_name

#: The widget: autocomplete by name or code (region-picker.js, loaded by the base template).
REGION_PICKER = forms.TextInput(
    attrs={"data-region-picker": "", "placeholder": _("如 广州 或 440100"), "autocomplete": "off"}
)


def in_region(*path_fields: str):
    """A filter method: rows whose region lies in the subtree of the region the value names.
    Several path fields are alternatives (a team lies in a region through its association or
    its township). An unknown name or code finds nothing rather than everything."""

    def method(queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        region = region_by_code_or_name(value)
        if region is None:
            return queryset.none()
        condition = Q()
        for field in path_fields:
            condition |= subtree_q(field, region.path)
        return queryset.filter(condition)

    return method


class RegionFilter(django_filters.CharFilter):
    """A list filter on a region subtree. Prefer a path column of the row's own table
    (`region_path`) to a join (`region__path`): the gate and the filter then read one table."""

    def __init__(self, *path_fields: str, label=None, **kwargs):
        super().__init__(
            label=label or _("区划（名称或代码，含下级）"),
            widget=REGION_PICKER,
            method=in_region(*path_fields),
            **kwargs,
        )
