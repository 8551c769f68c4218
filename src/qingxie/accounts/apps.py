"""Users, roles granted on a region (covering its subtree), and the permission policy."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qingxie.accounts"
    label = "accounts"
    verbose_name = "账号与权限"
