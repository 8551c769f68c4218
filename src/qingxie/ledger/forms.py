"""Ledger page forms: they parse what a cadre typed; every business rule is in the services."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from qingxie.core.forms import date_field, required_named
from qingxie.ledger.choices import AssociationForm as AssociationFormChoice
from qingxie.ledger.choices import GroupMemberKind
from qingxie.regions.models import Region

_CODE = re.compile(r"^\d{6}(\d{3})?$")


class AssociationEditForm(forms.Form):
    """The fields of an association a cadre may correct after it is entered."""

    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    form = forms.ChoiceField(label=_("组织形式"), choices=AssociationFormChoice.choices)
    supervisor = forms.CharField(label=_("主管团委"), max_length=100, required=False)
    established_on = date_field(_("成立日期"))
    registered = forms.BooleanField(label=_("已在民政部门登记"), required=False)
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=30, required=False, help_text=_("18位，登记后填写")
    )
    registered_on = date_field(_("登记日期"))
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    president_name = forms.CharField(label=_("会长"), max_length=50, required=False)
    president_phone = forms.CharField(label=_("会长电话"), max_length=20, required=False)
    secretary_name = forms.CharField(label=_("秘书长"), max_length=50, required=False)
    secretary_phone = forms.CharField(label=_("秘书长电话"), max_length=20, required=False)
    note = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service requires them too; on the form they are marked and reported at once.
        required_named(self, "name", "established_on", name=gettext("请填写协会名称。"))


class AssociationCreateForm(AssociationEditForm):
    """A new association: the region (by its code) comes first."""

    region = forms.CharField(
        label=_("行政区划代码"),
        max_length=9,
        help_text=_("6位县级及以上区划代码，如 440105（海珠区）"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    field_order = ["region", "name", "form"]

    def clean_region(self) -> Region:
        code = self.cleaned_data["region"].strip()
        if not _CODE.match(code):
            raise forms.ValidationError(_("区划代码“%(code)s”应为6位数字。") % {"code": code})
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(_("没有代码为 %(code)s 的行政区划。") % {"code": code})
        return region


class StatusChangeForm(forms.Form):
    """Suspend, resume, dissolve or merge an association from a date."""

    ACTIONS = [
        ("suspend", _("暂停活动")),
        ("resume", _("恢复活动")),
        ("dissolve", _("注销")),
        ("merge", _("合并入另一协会")),
    ]
    change = forms.ChoiceField(label=_("变更为"), choices=ACTIONS)
    on = date_field(_("变更日期"), required=True)
    into = forms.CharField(
        label=_("合并入（统一编号）"), max_length=20, required=False, help_text=_("仅合并时填写")
    )
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class ChecklistSubmitForm(forms.Form):
    """The association's evidence for one checklist item."""

    note = forms.CharField(
        label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("PDF、图片、Word、Excel 或 OFD，不超过 20 MB"),
    )


class ChecklistVerifyForm(forms.Form):
    """Verify a submitted item (the date defaults to today)."""

    on = date_field(_("核验日期"))


class ChecklistReturnForm(forms.Form):
    """Send a submitted item back with the reason."""

    reason = forms.CharField(label=_("退回原因"), max_length=500, required=False)


class ChecklistRevokeForm(forms.Form):
    """Withdraw a verification with the reason, from a date (default today)."""

    reason = forms.CharField(label=_("撤销原因"), max_length=500, required=False)
    on = date_field(_("撤销日期"))


class SeatForm(forms.Form):
    """The representative who sits in a seat."""

    representative = forms.CharField(label=_("席位代表"), max_length=80, required=False)


class GroupMemberForm(forms.Form):
    """An organisation admitted as a group member."""

    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=GroupMemberKind.choices)
    admitted_on = date_field(_("入会日期"))
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        required_named(self, "name", "admitted_on", name=gettext("请填写团体会员名称。"))


class WithdrawForm(forms.Form):
    """The date a group member left."""

    on = date_field(_("退出日期"), required=True)
