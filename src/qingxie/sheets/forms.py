"""Forms of the import and export pages: they parse; the import runner and exports decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingxie.sheets.exports import FORMATS


class UploadForm(forms.Form):
    """The file to import."""

    file = forms.FileField(
        label=_("选择文件"),
        help_text=_("Excel（.xlsx）或 CSV（.csv，UTF-8 或 GB18030 编码）"),
        error_messages={"required": _("请选择要导入的文件。"), "empty": _("上传的文件是空的。")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


class ExportForm(forms.Form):
    """Which region, date and format to export."""

    region = forms.CharField(
        label=_("行政区划（名称或代码）"),
        max_length=50,
        error_messages={"required": _("请填写行政区划名称或代码。")},
        widget=forms.TextInput(
            attrs={
                "data-region-picker": "",
                "placeholder": _("如 广州 或 440100"),
                "autocomplete": "off",
            }
        ),
    )
    as_of = forms.DateField(
        label=_("统计日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("请填写有效日期，如 2021-05-06。")},
    )
    format = forms.ChoiceField(
        label=_("格式"), choices=[(f, f.upper()) for f in FORMATS], initial="xlsx"
    )
    depth = forms.TypedChoiceField(
        label=_("下级层数"),
        choices=[(1, _("1 层")), (2, _("2 层")), (3, _("3 层"))],
        coerce=int,
        initial=1,
        required=False,
    )
