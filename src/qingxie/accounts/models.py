"""Users and their role grants on regions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from qingxie.accounts.roles import Role
from qingxie.core.models import ChangeLoggedModel, ScopePathField


class User(AbstractUser):
    """A cadre or staff member who signs in; what they see is decided by their RoleGrants."""

    display_name = models.CharField("姓名", max_length=100, blank=True)
    is_demo = models.BooleanField("演示账号", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(ChangeLoggedModel):
    """A role held by a user on a region; it covers the region's whole subtree."""

    scope_path_field = "region_path"
    scope_from = "region"

    user = models.ForeignKey(
        User, verbose_name="用户", on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name="行政区划", on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="rolegrant_unique")
        ]
        indexes = [models.Index(fields=["region_path", "id"], name="rolegrant_region_path")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region.name}"
