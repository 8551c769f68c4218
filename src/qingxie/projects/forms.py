"""Project page forms: they parse input and offer choices; the rules are in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from qingxie.core.forms import date_field
from qingxie.projects.choices import ProjectField, ProjectStatus, TargetGroup
from qingxie.projects.models import Programme
from qingxie.regions.models import Region


class ProjectForm(forms.Form):
    """A project's details; the served region is a division code inside the association's."""

    name = forms.CharField(label=_("项目名称"), max_length=100, required=False)
    programme = forms.ModelChoiceField(
        label=_("品牌项目"),
        queryset=Programme.objects.filter(active=True),
        required=False,
        empty_label=_("（不属于品牌项目）"),
        to_field_name="code",
    )
    field = forms.ChoiceField(
        label=_("服务领域"), choices=[("", _("请选择")), *ProjectField.choices], required=False
    )
    region = forms.CharField(label=_("服务区域代码"), max_length=9, required=False)
    target_groups = forms.MultipleChoiceField(
        label=_("服务对象"),
        choices=TargetGroup.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    start_on = date_field(_("开始日期"))
    end_on = date_field(_("结束日期"))
    # A message of its own: core's default one names the label inside a Chinese sentence.
    status = forms.ChoiceField(
        label=_("状态"),
        choices=ProjectStatus.choices,
        error_messages={"required": _("请选择项目状态。")},
    )
    goals = forms.CharField(
        label=_("项目目标"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    results = forms.CharField(
        label=_("实施成效"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    budget = forms.DecimalField(label=_("预算（元）"), required=False, min_value=0)
    funding_sources = forms.CharField(label=_("资金来源"), max_length=200, required=False)
    partners = forms.CharField(label=_("合作单位"), max_length=200, required=False)

    def clean_region(self):
        code = (self.cleaned_data.get("region") or "").strip()
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(gettext("未找到行政区划代码 %(code)s。") % {"code": code})
        return region

    def clean_budget(self):
        return self.cleaned_data.get("budget") or 0


class ActivityForm(forms.Form):
    """An activity: time, place and how many volunteers are wanted."""

    title = forms.CharField(label=_("活动名称"), max_length=100, required=False)
    starts_at = forms.DateTimeField(
        label=pgettext_lazy("projects", "开始时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    ends_at = forms.DateTimeField(
        label=pgettext_lazy("projects", "结束时间"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    place = forms.CharField(label=_("活动地点"), max_length=200, required=False)
    posts = forms.IntegerField(label=_("招募人数"), required=False)


class NoteForm(forms.Form):
    """The note sent with a library submission."""

    note = forms.CharField(
        label=_("申报说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class LibraryDecideForm(forms.Form):
    """A library decision: the number (approve) or the reason (return, withdraw)."""

    number = forms.CharField(label=_("入库编号（留空自动编号）"), max_length=40, required=False)
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class EntryWithdrawForm(forms.Form):
    """Why an entry is withdrawn (the service requires it and names the field)."""

    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
