"""Writes on users and role grants; each checks the actor's scope and is change-logged."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from qingxie.accounts.models import RoleGrant, User
from qingxie.accounts.permissions import user_grants
from qingxie.accounts.roles import ROLE_LEVEL, ROLE_RANK, Role
from qingxie.core.changelog import log_change
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.regions.models import Region


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise QingxieError("；".join(exc.messages), field="password") from exc


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    is_superuser: bool = False,
    is_demo: bool = False,
    validate: bool = True,
) -> User:
    """Create a user account (passwords checked by Django's validators unless `validate=False`)."""
    if User.objects.filter(username=username).exists():
        raise QingxieError(f"用户名“{username}”已存在。", field="username", code="duplicate")
    user = User(
        username=username,
        display_name=display_name,
        is_superuser=is_superuser,
        is_staff=is_superuser,
        is_demo=is_demo,
    )
    if validate:
        _check_password(password, user)
    user.set_password(password)
    user.save()
    log_change(user, ObjectChange.Action.CREATE, after=_user_snapshot(user))
    return user


def _user_snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
        "is_demo": user.is_demo,
    }


def _may_grant(actor: User | None, role: str, region: Region) -> bool:
    """Admins grant only inside their own subtree and never a role ranked above their own."""
    if actor is None or actor.is_superuser:
        return True
    for grant in user_grants(actor):
        if grant.role not in ROLE_LEVEL or ROLE_RANK[grant.role] > ROLE_RANK[Role.COUNTY_ADMIN]:
            continue
        if region.path.startswith(grant.region.path) and ROLE_RANK[role] >= ROLE_RANK[grant.role]:
            return True
    return False


@transaction.atomic
def role_grant_create(*, actor: User | None, user: User, role: str, region: Region) -> RoleGrant:
    """Grant `role` on `region` (and so its subtree) to `user`.

    `actor` None means the system (command line run by the operator).
    """
    if role not in Role.values:
        raise QingxieError(f"未知角色“{role}”。", field="role")
    level = ROLE_LEVEL[role]
    if level is not None and region.level != level:
        raise QingxieError(
            f"{Role(role).label}只能授予在{Region.Level(level).label}行政区划上，"
            f"{region.name}（{region.code}）是{region.get_level_display()}。",
            field="region",
        )
    if not region.is_current:
        raise QingxieError(f"行政区划 {region.code} 已撤销，不能授权。", field="region")
    if not _may_grant(actor, role, region):
        raise PermissionDeniedError("只能在自己的管辖范围内授予不高于自身的角色。")
    grant, created = RoleGrant.objects.get_or_create(user=user, role=role, region=region)
    if created:
        log_change(grant, ObjectChange.Action.CREATE)
    user.__dict__.pop("_qingxie_grants", None)
    return grant


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User, rotate: bool = False) -> str:
    """The user's API bearer token, created if missing; `rotate` replaces an existing one.

    The change log records that a token was issued or replaced, never the token itself.
    Only the system (operator's command line), a superuser or the user themself may do this.
    """
    from rest_framework.authtoken.models import Token

    if actor is not None and not actor.is_superuser and actor.pk != user.pk:
        raise PermissionDeniedError("只能为自己签发接口令牌。")
    if not user.is_active:
        raise QingxieError(f"用户 {user.username} 已停用，不能签发接口令牌。", field="username")
    existing = Token.objects.filter(user=user).first()
    if existing is not None and not rotate:
        return existing.key
    if existing is not None:
        existing.delete()
    token = Token.objects.create(user=user)
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        before=None,
        after=_user_snapshot(user),
        note="更换接口令牌" if existing else "签发接口令牌",
    )
    return token.key
