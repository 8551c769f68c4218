"""Every text a model stores is bounded, whichever way it arrives.

Forms and serializers check lengths where they are declared; this is the one check below
them all: before any qingxie model is saved, each character field with a `max_length` (a
TextField's too, which the database does not enforce) is measured, and a value past it is a
QingxieError naming the field — a 400 or a form error with the field's name, never 10 MB in
a row (SQLite) or a DataError (PostgreSQL's varchar) surfacing as a server error.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext

from qingxie.core.errors import ErrorCollector

#: Text without a declared bound anywhere (API fields, import columns) stops here.
DEFAULT_TEXT_MAX = 2000


def too_long_message(label, limit: int, length: int) -> str:
    return gettext("“%(label)s”不能超过 %(limit)s 个字（现为 %(length)s 个字）。") % {
        "label": label,
        "limit": limit,
        "length": length,
    }


def refuse_overlong(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: every bounded text field of `instance` within its max_length."""
    if raw or not sender.__module__.startswith("qingxie."):
        return
    errors = ErrorCollector()
    for field in sender._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        if not limit or not isinstance(field, models.CharField | models.TextField):
            continue
        value = getattr(instance, field.attname, None)
        if isinstance(value, str) and len(value) > limit:
            errors.add(field.name, too_long_message(field.verbose_name, limit, len(value)))
    errors.raise_if_any()


def connect() -> None:
    from django.db.models.signals import pre_save

    pre_save.connect(refuse_overlong, dispatch_uid="qingxie.core.bounds.refuse_overlong")
