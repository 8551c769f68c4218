"""Training page forms: they parse input and offer choices; the rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from qingxie.core.forms import date_field
from qingxie.trainings.choices import (
    AttendeeRole,
    TrainingAudience,
    TrainingKind,
    TrainingMode,
    TrainingStatus,
)


class TrainingForm(forms.Form):
    """A training's details (the organiser is chosen on creation only)."""

    title = forms.CharField(label=_("培训名称"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("培训类别"), choices=TrainingKind.choices)
    audience = forms.MultipleChoiceField(
        label=_("培训对象"),
        choices=TrainingAudience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    mode = forms.ChoiceField(label=_("培训方式"), choices=TrainingMode.choices)
    start_date = date_field(_("开始日期"))
    end_date = date_field(_("结束日期"))
    place = forms.CharField(label=_("培训地点"), max_length=200, required=False)
    class_hours = forms.DecimalField(
        label=_("课时（小时）"), min_value=0, max_digits=5, decimal_places=1, required=False
    )
    topics = forms.CharField(
        label=_("培训内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    capacity = forms.IntegerField(label=_("计划人数"), min_value=0, required=False)
    note = forms.CharField(
        label=_("备注"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class TrainingCreateForm(TrainingForm):
    """A new training: its organiser (an association the user may act for) and status."""

    organiser = forms.ChoiceField(label=_("主办协会"))
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[(TrainingStatus.PLANNED, _("计划中")), (TrainingStatus.HELD, _("已举办"))],
    )
    field_order = ["organiser", "status"]

    def __init__(self, *args, organisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisers = {a.number: a for a in organisers}
        self.fields["organiser"].choices = [
            (
                a.number,
                pgettext("organiser choice", "%(name)s（%(region)s）")
                % {"name": a.name, "region": a.region.name},
            )
            for a in organisers
        ]

    def clean_organiser(self):
        return self.organisers[self.cleaned_data["organiser"]]


class TrainingStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=TrainingStatus.choices)


class AttendeeForm(forms.Form):
    """One person added to a training's list."""

    association = forms.CharField(label=_("所在协会统一编号"), max_length=30)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("职务"), choices=AttendeeRole.choices)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("材料名称"), max_length=200, required=False)
    file = forms.FileField(label=_("文件"))
