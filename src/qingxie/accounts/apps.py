"""Users, roles granted on a region (covering its subtree), and the permission policy."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qingxie.accounts"
    label = "accounts"
    verbose_name = "账号与权限"

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
