"""Users and their role grants on regions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingxie.accounts.roles import Role
from qingxie.core.models import ChangeLoggedModel, ScopePathField


class User(AbstractUser):
    """A cadre or staff member who signs in; what they see is decided by their RoleGrants."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    is_demo = models.BooleanField(_("演示账号"), default=False)
    #: Set when an administrator resets the password: the user chooses a new one before any
    #: other page (accounts.middleware.PasswordChangeRequiredMiddleware).
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleGrant(ChangeLoggedModel):
    """A role held by a user on a region; it covers the region's whole subtree."""

    scope_path_field = "region_path"
    scope_from = "region"

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region"], name="rolegrant_unique")
        ]
        indexes = [models.Index(fields=["region_path", "id"], name="rolegrant_region_path")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.region.name}"


class Invitation(models.Model):
    """A one-time link an administrator hands to a new user to choose a password.

    Only the SHA-256 of the token is stored: the link is shown once, to its creator, and a
    copy of the database cannot be turned into working links. Used or expired, it opens nothing.
    """

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, verbose_name=_("邀请人"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("邀请链接")
        verbose_name_plural = _("邀请链接")

    def __str__(self) -> str:
        return f"{self.user} · {self.expires_at:%Y-%m-%d %H:%M}"
