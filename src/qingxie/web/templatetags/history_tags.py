"""The change history's old → new values, as cadres read them (labels, choice names)."""

from __future__ import annotations

import re

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext as _

register = template.Library()

#: Values longer than this are cut on screen (the full record stays in the audit log).
SHOWN_CHARS = 60


def _shown(field, value) -> str:
    if value is None or value == "":
        return "—"
    if field is not None and getattr(field, "choices", None):
        value = dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if field is None and isinstance(value, str):
        value = gettext(value)  # a fixed stored text (gettext_noop where written), or itself
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


@register.filter
def field_diffs(change) -> list[tuple[str, str, str]]:
    """(label, old, new) for each changed field of an ObjectChange. Personal fields are
    recorded masked by the change log itself, so they are shown masked here too."""
    model = change.content_type.model_class()
    before, after = change.before or {}, change.after or {}
    rows = []
    for name in change.changed_fields:
        try:
            field = model._meta.get_field(name) if model else None
            label = str(field.verbose_name) if field is not None else gettext(name)
        except FieldDoesNotExist:
            field, label = None, name
        rows.append((label, _shown(field, before.get(name)), _shown(field, after.get(name))))
    return rows


_SHA256 = re.compile(r"SHA-256 ([0-9a-f]{8})[0-9a-f]{56}")


@register.filter
def readable_note(note: str) -> str:
    """A change-log note as a cadre reads it: an import's 64-character SHA-256 shortened to
    a file check code of eight, and the demo's technical words ("bulk_create") in Chinese.
    The stored note is unchanged (the page keeps it whole in the cell's title). A fixed note
    (marked with gettext_noop where it is written) is shown in the reader's language."""
    if not note:
        return ""
    if (translated := gettext(note)) != note:
        return translated
    text = _SHA256.sub(lambda m: gettext("文件校验码 %(code)s") % {"code": m.group(1)}, note)
    return text.replace("bulk_create，", "").replace("bulk_create", gettext("批量载入"))
