"""Form pieces every object type's pages reuse: the date picker field and required fields
that name themselves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext


class DateInput(forms.DateInput):
    """The browser's date picker; values are ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: str, *, required: bool = False) -> forms.DateField:
    """A date typed with the browser's picker (optional unless `required`)."""
    return forms.DateField(label=label, required=required, widget=DateInput())


def required_named(form, *names: str, **messages: str) -> None:
    """Make the fields `names` required on the page (marked * by core/form_fields.html) with a
    message naming the field ("请填写队伍名称。"), so a missing value is reported in the same
    pass as every other mistake instead of only after the form's own errors are fixed.
    `messages` gives a field its own wording (the service's, e.g. name="请填写协会名称。")."""
    for name in names:
        field = form.fields[name]
        field.required = True
        field.error_messages["required"] = messages.get(name) or gettext("请填写%(label)s。") % {
            "label": field.label
        }


def name_required_messages(form) -> None:
    """Every required field of `form` says which field it is when left empty (Django's own
    message, "这个字段是必填项。", does not); a message a form set itself is kept."""
    default = forms.Field.default_error_messages["required"]
    for field in form.fields.values():
        if field.required and str(field.error_messages.get("required")) == str(default):
            field.error_messages["required"] = gettext("请填写%(label)s。") % {"label": field.label}
