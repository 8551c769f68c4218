"""Team page forms: they parse input and offer the association's townships; rules are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingxie.core.forms import date_field, required_named
from qingxie.core.models import subtree_q
from qingxie.ledger.models import Association
from qingxie.regions.models import Region
from qingxie.teams.choices import TeamCategory


def township_choices(association: Association) -> list[tuple[str, str]]:
    """The current townships/streets inside the association's region, for a select."""
    townships = (
        Region.objects.filter(
            subtree_q("path", association.region.path),
            level=Region.Level.TOWNSHIP,
            valid_to__isnull=True,
        )
        .select_related("parent")
        .order_by("code")
    )
    direct = association.region.level == Region.Level.COUNTY
    return [("", _("（不属于某个乡镇/街道）"))] + [
        (t.code, t.name if direct else f"{t.parent.name} · {t.name}") for t in townships
    ]


class TeamForm(forms.Form):
    """A grassroots team's details; the township list comes from the association's region."""

    name = forms.CharField(label=_("队伍名称"), max_length=100, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=TeamCategory.choices)
    township = forms.ChoiceField(label=_("所在乡镇（街道）"), required=False)
    leader_name = forms.CharField(label=_("负责人"), max_length=50, required=False)
    leader_phone = forms.CharField(label=_("负责人电话"), max_length=20, required=False)
    member_count = forms.IntegerField(label=_("队员人数"), min_value=0, required=False, initial=0)
    founded_on = date_field(_("成立日期"))

    def __init__(self, *args, association: Association, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].choices = township_choices(association)
        # The service requires them too; on the form they are marked and reported at once.
        required_named(self, "name", "founded_on")

    def clean_township(self) -> Region | None:
        code = self.cleaned_data.get("township")
        if not code:
            return None
        return Region.objects.get(code=code)

    def clean_member_count(self) -> int:
        return self.cleaned_data.get("member_count") or 0


class TeamDissolveForm(forms.Form):
    """The date a team was dissolved."""

    on = date_field(_("撤销日期"), required=True)
