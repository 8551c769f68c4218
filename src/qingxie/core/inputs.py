"""Input fields that keep malformed values to the one error shape.

The API's error body is {"fields": {name: ["message", ...]}} (core.api.ErrorSerializer). DRF's
own list and dict fields nest their item errors ({"audience": {"1": [...]}}), which breaks
that shape for clients and the published schema; these fields name the item in one flat list
of Chinese messages instead. A query-string number goes through `IntegerFilter`: bounded to
the integer column's range, so `?plan=-1.8e308` is a 400 naming the parameter, never an
OverflowError from the database driver.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext
from rest_framework import serializers

from qingxie.core.errors import QingxieError
from qingxie.core.serializers import INTEGER_RANGE


def flat_messages(detail, prefix: str = "") -> list[str]:
    """Every message in a DRF error detail (lists and dicts nested any depth), each led by
    where it came from (第 2 项、字段名)."""
    if isinstance(detail, dict):
        return [
            m for key, inner in detail.items() for m in flat_messages(inner, f"{prefix}{key}：")
        ]
    if isinstance(detail, list):
        return [m for inner in detail for m in flat_messages(inner, prefix)]
    return [f"{prefix}{detail}"]


class FlatListField(serializers.ListField):
    """A list whose item errors are one flat list of messages naming the item (第 2 项：…)."""

    def run_child_validation(self, data):
        result, errors = [], []
        for index, item in enumerate(data, 1):
            try:
                result.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                errors.extend(
                    flat_messages(exc.detail, gettext("第 %(index)s 项：") % {"index": index})
                )
        if errors:
            raise serializers.ValidationError(errors)
        return result


class FlatDictField(serializers.DictField):
    """A mapping whose value errors are one flat list of messages naming the key (“A”：…)."""

    def run_child_validation(self, data):
        result, errors = {}, []
        for key, value in data.items():
            try:
                result[str(key)] = self.child.run_validation(value)
            except serializers.ValidationError as exc:
                errors.extend(flat_messages(exc.detail, f"“{key}”："))
        if errors:
            raise serializers.ValidationError(errors)
        return result


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter within the integer column's range (narrower with min_value /
    max_value); anything else is a form error, a 400 naming the parameter on the API."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int | None = None, max_value: int | None = None, **kw):
        low, high = INTEGER_RANGE
        kw["min_value"] = low if min_value is None else min_value
        kw["max_value"] = high if max_value is None else max_value
        super().__init__(*args, **kw)


def query_integer(params, name: str, label: str, *, low: int = 1, high: int | None = None):
    """A whole-number query parameter within [low, high] (default: the column's top), None
    when absent; otherwise a QingxieError naming the parameter."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    high = INTEGER_RANGE[1] if high is None else high
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None
    if value is None or not low <= value <= high:
        raise QingxieError(
            gettext("%(label)s“%(value)s”应为 %(low)s 至 %(high)s 之间的整数。")
            % {"label": label, "value": raw[:40], "low": low, "high": high},
            field=name,
        )
    return value
