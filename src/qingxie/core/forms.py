"""Form pieces every object type's pages reuse: the date picker field."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker; values are ISO dates."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: str, *, required: bool = False) -> forms.DateField:
    """A date typed with the browser's picker (optional unless `required`)."""
    return forms.DateField(label=label, required=required, widget=DateInput())
