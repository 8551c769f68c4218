"""Users, roles granted on a region (covering its subtree), and the permission policy."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AccountsConfig(AppConfig):
    name = "qingxie.accounts"
    label = "accounts"
    verbose_name = gettext_lazy("账号与权限")

    def ready(self) -> None:
        from qingxie.accounts.models import RoleGrant
        from qingxie.accounts.policies import RoleRegionPolicy
        from qingxie.core.policies import register_policy, set_default_policy
        from qingxie.regions.models import Region

        # Every model without rules of its own follows the roles and their regions.
        set_default_policy(RoleRegionPolicy)
        # Division data is read-only for users (Region.read_only_for_users), superusers too.
        for model in (RoleGrant, Region):
            register_policy(model, RoleRegionPolicy(model))

        from django.utils.translation import gettext_lazy as _

        from qingxie.accounts.selectors import may_manage_accounts
        from qingxie.core.extensions import (
            NavEntry,
            UrlMount,
            register_nav_entry,
            register_url_mount,
        )

        register_url_mount(UrlMount("accounts", "users/", urls="qingxie.accounts.urls"))
        register_nav_entry(
            NavEntry(
                "accounts",
                _("用户管理"),
                "accounts:user_list",
                order=90,
                visible=may_manage_accounts,
            )
        )
        # Everyone else reaches their own password from the navigation (administrators from 用户管理).
        register_nav_entry(
            NavEntry(
                "own_password",
                _("修改密码"),
                "accounts:own_password",
                order=95,
                visible=lambda user: not may_manage_accounts(user),
            )
        )
