"""Account page forms: they parse input; the rules (scope, rank, passwords) are in services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingxie.accounts.roles import ROLE_LEVEL, ROLE_RANK, Role
from qingxie.accounts.selectors import admin_grants
from qingxie.regions.models import Region


def grantable_roles(actor) -> list[tuple[str, str]]:
    """The roles `actor` may grant somewhere: none ranked above their highest admin grant."""
    if actor.is_superuser:
        return list(Role.choices)
    best = min((ROLE_RANK[g.role] for g in admin_grants(actor)), default=None)
    if best is None:
        return []
    return [(value, label) for value, label in Role.choices if ROLE_RANK[value] >= best]


class RegionCodeField(forms.CharField):
    """A region given by its code (six digits, or nine for a township); must exist and be current."""

    def clean(self, value):
        code = super().clean(value).strip()
        region = Region.objects.filter(code=code, valid_to__isnull=True).first()
        if region is None:
            raise forms.ValidationError(
                _("行政区划代码“%(code)s”不存在或已撤销。") % {"code": code}
            )
        return region


class GrantForm(forms.Form):
    """A role on a region (the role's level must match the region's for administrators)."""

    role = forms.ChoiceField(label=_("角色"))
    region = RegionCodeField(
        label=_("行政区划代码"),
        max_length=12,
        help_text=_("管理员角色须授予在对应级别的区划上，如县级管理员授予在区县代码（440105）上。"),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = grantable_roles(actor)
        home = min((g.region for g in admin_grants(actor)), key=lambda r: r.level, default=None)
        if home is not None and not self.is_bound:
            self.fields["region"].initial = home.code

    def clean(self):
        data = super().clean()
        role, region = data.get("role"), data.get("region")
        level = ROLE_LEVEL.get(role) if role else None
        if region is not None and level is not None and region.level != level:
            self.add_error(
                "region",
                _("%(Role)s须授予在%(Level)s区划上，%(name)s（%(code)s）是%(level)s。")
                % {
                    "Role": Role(role).label,
                    "Level": Region.Level(level).label,
                    "name": region.name,
                    "code": region.code,
                    "level": region.get_level_display(),
                },
            )
        return data


class UserInviteForm(GrantForm):
    """A new user: user name, name, and their first role; a one-time link sets the password."""

    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _。")},
        help_text=_("登录用，建议用拼音或工号，如 haizhu-zhang。"),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=100, required=False)
    field_order = ["username", "display_name", "role", "region"]


class PasswordResetForm(forms.Form):
    """A temporary password an administrator tells the user; they change it at next sign-in."""

    password = forms.CharField(
        label=_("临时密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，不能是常见密码或纯数字；用户下次登录时须修改。"),
    )


class InviteAcceptForm(forms.Form):
    """The invited user's own password, twice."""

    password = forms.CharField(
        label=_("设置密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("再次输入密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


class OwnPasswordForm(forms.Form):
    """Change one's own password."""

    old_password = forms.CharField(
        label=_("当前密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password_again = forms.CharField(
        label=_("再次输入新密码"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
