"""Plan page forms: they parse input; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingxie.core.forms import date_field
from qingxie.plans.choices import COORDINATE_WITH, Goal
from qingxie.plans.models import BlockerKind


class GenerateForm(forms.Form):
    """Bulk generation for a region's lagging counties (一县一策)."""

    goal = forms.ChoiceField(
        label=_("目标"), choices=[("", _("按台账自动判断")), *list(Goal.choices)], required=False
    )
    target_date = date_field(_("目标日期（留空：下一个覆盖目标或本省允许的最晚日期）"))


class CloseTaskForm(forms.Form):
    note = forms.CharField(label=_("完成说明"), max_length=500, required=False)
    on = date_field(_("完成日期"))


class BlockerForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=_("堵点类型"), queryset=BlockerKind.objects.filter(active=True), required=False
    )
    coordinate_with = forms.ChoiceField(
        label=_("协调部门"), choices=[("", _("请选择")), *COORDINATE_WITH], required=False
    )
    note = forms.CharField(label=_("情况说明"), max_length=500, required=False)


class ReviseForm(forms.Form):
    target_date = date_field(_("新的目标日期"))
    reason = forms.CharField(label=_("修订原因"), max_length=500, required=False)
