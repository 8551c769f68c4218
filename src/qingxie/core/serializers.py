"""API parse helpers every object type reuses: dates, masking, the body a write accepts.

Serializers here only parse types; the services hold every rule and write. Nothing in this
module knows a domain app.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import serializers

from qingxie.core.errors import QingxieError
from qingxie.core.validators import phone_masked

#: A phone number as the API and the pages show it to anyone who has not revealed it.
mask_phone = phone_masked

#: No recorded fact precedes the People's Republic; earlier dates are typing mistakes.
EARLIEST_DATE = datetime.date(1949, 10, 1)

TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def parse_date(raw, *, field: str, label: str, allow_future: bool = False) -> datetime.date:
    """A YYYY-MM-DD date from a query string or the command line, or a Chinese error."""
    try:
        day = datetime.date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise QingxieError(
            gettext("%(label)s“%(raw)s”不是有效日期，应为 YYYY-MM-DD 格式，如 2021-05-06。")
            % {"label": label, "raw": raw},
            field=field,
        ) from exc
    if not allow_future and day > timezone.localdate():
        raise QingxieError(
            gettext("%(label)s（%(day)s）不能晚于今天。")
            % {"label": label, "day": format(day, "%Y-%m-%d")},
            field=field,
        )
    if day < EARLIEST_DATE:
        raise QingxieError(
            gettext("%(label)s（%(isoformat)s）不能早于1949年10月1日。")
            % {"label": label, "isoformat": day.isoformat()},
            field=field,
        )
    return day


def parse_flag(params, name: str) -> bool | None:
    """A yes/no query parameter (1/0, true/false), None when absent."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    raw = raw.strip().lower()
    if raw in TRUE:
        return True
    if raw in FALSE:
        return False
    raise QingxieError(
        gettext("参数 %(name)s 应为 1 或 0（true 或 false）。") % {"name": name}, field=name
    )


def parse_choice(params, name: str, choices, label: str) -> str | None:
    """A query parameter that must be one of `choices` (values), None when absent."""
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if raw not in choices.values:
        raise QingxieError(
            gettext("%(label)s“%(raw)s”不在可选范围内，可选：%(join)s。")
            % {"label": label, "raw": raw, "join": gettext("、").join(choices.values)},
            field=name,
        )
    return raw


def refuse_fields(data, allowed, model=None, hints: dict[str, str] | None = None) -> None:
    """400 naming every key of `data` that this write does not accept (no mass assignment)."""
    errors: dict[str, list[str]] = {}
    hints = hints or {}
    for key in data:
        if key in allowed:
            continue
        label = None
        if model is not None:
            try:
                label = model._meta.get_field(key).verbose_name
            except FieldDoesNotExist:
                label = None
        if key in hints:
            errors[key] = [str(hints[key])]
        elif label:
            errors[key] = [
                gettext("“%(label)s”（%(key)s）由系统维护或不能在此修改。")
                % {"label": label, "key": key}
            ]
        else:
            errors[key] = [gettext("不认识的字段“%(key)s”。") % {"key": key}]
    if errors:
        raise QingxieError(
            gettext("；").join(m for ms in errors.values() for m in ms), errors=errors
        )


#: What an integer column holds on every database qingxie runs on (PostgreSQL's integer).
INTEGER_RANGE = (-(2**31), 2**31 - 1)


def _model_max_length(model, name: str | None) -> int | None:
    if model is None or not name:
        return None
    try:
        return getattr(model._meta.get_field(name), "max_length", None)
    except FieldDoesNotExist:
        return None


def bound_fields(serializer, model=None) -> None:
    """Give every integer field without its own bounds the column's range, and every text
    field without a maximum the model field's (else DEFAULT_TEXT_MAX), so `2**70` or a 10 MB
    note is a 400 naming the field, not an OverflowError or megabytes in a row."""
    from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator

    from qingxie.core.bounds import DEFAULT_TEXT_MAX

    low, high = INTEGER_RANGE
    for name, field in serializer.fields.items():
        if (
            isinstance(field, serializers.CharField)
            and not field.read_only
            and field.max_length is None
        ):
            limit = _model_max_length(model, field.source or name) or DEFAULT_TEXT_MAX
            field.max_length = limit
            field.validators.append(
                MaxLengthValidator(
                    limit, message=gettext("不能超过 %(limit)s 个字。") % {"limit": limit}
                )
            )
        if isinstance(field, serializers.IntegerField) and not field.read_only:
            if field.max_value is None:
                field.max_value = high
                field.validators.append(
                    MaxValueValidator(high, message=gettext("不能大于 %(high)s。") % {"high": high})
                )
            if field.min_value is None:
                field.min_value = low
                field.validators.append(
                    MinValueValidator(low, message=gettext("不能小于 %(low)s。") % {"low": low})
                )


def parse_input(serializer_class, data, *, partial: bool = False, model=None) -> dict:
    """Parse the request body's types with `serializer_class`; 400 per field when wrong.

    Numbers and text are bounded first (`bound_fields`; text by `model`'s field lengths)."""
    serializer = serializer_class(data=data, partial=partial)
    bound_fields(serializer, model)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class WithdrawSerializer(serializers.Serializer):
    """A dated withdrawal or dissolution."""

    on = serializers.DateField()
