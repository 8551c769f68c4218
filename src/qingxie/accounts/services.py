"""Writes on users and role grants; each checks the actor's scope and is change-logged."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from qingxie.accounts.models import Invitation, RoleGrant, User
from qingxie.accounts.permissions import user_grants
from qingxie.accounts.roles import ROLE_LEVEL, ROLE_RANK, Role
from qingxie.core.changelog import log_change
from qingxie.core.errors import ErrorCollector, PermissionDeniedError, QingxieError
from qingxie.core.models import ObjectChange
from qingxie.regions.models import Region


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise QingxieError(gettext("；").join(exc.messages), field="password") from exc


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
        raise QingxieError(
            gettext("用户名“%(username)s”已存在。") % {"username": username},
            field="username",
            code="duplicate",
        )
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
        "must_change_password": user.must_change_password,
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
        raise QingxieError(gettext("未知角色“%(role)s”。") % {"role": role}, field="role")
    level = ROLE_LEVEL[role]
    if level is not None and region.level != level:
        raise QingxieError(
            gettext(
                "%(label)s只能授予在%(label2)s行政区划上，%(name)s（%(code)s）是%(get_level_display)s。"
            )
            % {
                "label": Role(role).label,
                "label2": Region.Level(level).label,
                "name": region.name,
                "code": region.code,
                "get_level_display": region.get_level_display(),
            },
            field="region",
        )
    if not region.is_current:
        raise QingxieError(
            gettext("行政区划 %(code)s 已撤销，不能授权。") % {"code": region.code}, field="region"
        )
    if not _may_grant(actor, role, region):
        raise PermissionDeniedError(gettext("只能在自己的管辖范围内授予不高于自身的角色。"))
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
        raise PermissionDeniedError(gettext("只能为自己签发接口令牌。"))
    if not user.is_active:
        raise QingxieError(
            gettext("用户 %(username)s 已停用，不能签发接口令牌。") % {"username": user.username},
            field="username",
        )
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
        note=gettext_noop("更换接口令牌") if existing else gettext_noop("签发接口令牌"),
    )
    return token.key


# ------------------------------------------------------------- accounts managed from the web

#: How long an invitation link opens the password page (and no longer).
INVITATION_HOURS = 72


def _require_manageable(actor: User | None, user: User) -> None:
    """Refuse unless `actor` (None: the operator) may manage `user`: inside the actor's subtree
    and strictly below the actor's rank (accounts.selectors.managed_users)."""
    from qingxie.accounts.selectors import user_may_be_managed

    if actor is None:
        return
    if not user_may_be_managed(actor, user):
        raise PermissionDeniedError(gettext("只能管理本辖区内级别低于自己的用户。"))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _invitation_issue(*, actor: User | None, user: User) -> str:
    """A new one-time link token for `user` (earlier unused ones stop working)."""
    Invitation.objects.filter(user=user, used_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        user=user,
        token_hash=_token_hash(token),
        created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(hours=INVITATION_HOURS),
    )
    return token


@transaction.atomic
def user_invite(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    role: str,
    region: Region,
) -> tuple[User, str]:
    """Create a user holding `role` on `region` and a one-time link for them to set a password.

    The actor grants only inside their subtree and never above their rank (role_grant_create).
    The account has no usable password until the link is used. Returns (user, token): the
    token is shown once to the actor and only its hash is kept.
    """
    username = username.strip()
    if not username:
        raise QingxieError(gettext("请填写用户名。"), field="username")
    if role in Role.values and not _may_grant(actor, role, region):
        raise PermissionDeniedError(gettext("只能在自己的管辖范围内授予不高于自身的角色。"))
    if User.objects.filter(username=username).exists():
        raise QingxieError(
            gettext("用户名“%(username)s”已存在。") % {"username": username},
            field="username",
            code="duplicate",
        )
    user = User(username=username, display_name=display_name.strip())
    user.set_unusable_password()
    user.save()
    log_change(
        user,
        ObjectChange.Action.CREATE,
        after=_user_snapshot(user),
        note=gettext_noop("邀请新用户"),
    )
    role_grant_create(actor=actor, user=user, role=role, region=region)
    token = _invitation_issue(actor=actor, user=user)
    return user, token


@transaction.atomic
def invitation_reissue(*, actor: User | None, user: User) -> str:
    """A fresh one-time link for a user below the actor (the old one stops working)."""
    _require_manageable(actor, user)
    token = _invitation_issue(actor=actor, user=user)
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        after=_user_snapshot(user),
        note=gettext_noop("重新发出邀请链接"),
    )
    return token


def invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, refused with a Chinese message if unknown, used or expired."""
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None:
        raise QingxieError(
            gettext("邀请链接无效。请向为您开通账号的管理员索取新的链接。"), code="not_found"
        )
    if invitation.used_at is not None:
        raise QingxieError(
            gettext("该邀请链接已经使用过，不能再次使用。请直接登录，或向管理员索取新的链接。"),
            code="used",
        )
    if invitation.expires_at <= timezone.now():
        raise QingxieError(
            gettext(
                "该邀请链接已过期（有效期 %(INVITATION_HOURS)s 小时）。请向管理员索取新的链接。"
            )
            % {"INVITATION_HOURS": INVITATION_HOURS},
            code="expired",
        )
    if not invitation.user.is_active:
        raise QingxieError(gettext("该账号已停用。请联系管理员。"), code="inactive")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str, password_again: str) -> User:
    """The invited user sets their password through the link; the link is then spent."""
    invitation = invitation_for_token(token)
    # Lock the row so two tabs cannot both use the link.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise QingxieError(gettext("该邀请链接已经使用过，不能再次使用。"), code="used")
    user = invitation.user
    if password != password_again:
        raise QingxieError(gettext("两次输入的密码不一致。"), field="password_again")
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        after=_user_snapshot(user),
        note=gettext_noop("通过邀请链接设置密码"),
    )
    return user


@transaction.atomic
def user_password_reset(*, actor: User | None, user: User, password: str) -> User:
    """An administrator sets a temporary password for a user below them; the user must choose
    a new one at their next sign-in. Logged without the password."""
    _require_manageable(actor, user)
    _check_password(password, user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        after=_user_snapshot(user),
        note=gettext_noop("管理员重置密码（下次登录须修改）"),
    )
    return user


@transaction.atomic
def user_otp_reset(*, actor: User | None, user: User) -> int:
    """Remove a user's authenticators (a lost phone): an administrator then enrols a new one at
    the next sign-in. Returns how many were removed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_manageable(actor, user)
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        before={"二次验证": "已启用" if removed else "未启用"},
        after={"二次验证": "已重置，下次登录重新绑定"},
        note=gettext_noop("管理员重置验证器"),
    )
    return removed


@transaction.atomic
def user_set_active(*, actor: User | None, user: User, active: bool) -> User:
    """Deactivate (no sign-in, no API token) or reactivate a user below the actor."""
    _require_manageable(actor, user)
    if user.is_active == active:
        return user
    before = _user_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        before=before,
        after=_user_snapshot(user),
        note=gettext_noop("启用账号") if active else gettext_noop("停用账号"),
    )
    return user


@transaction.atomic
def role_grant_add(*, actor: User | None, user: User, role: str, region: Region) -> RoleGrant:
    """Grant one more role to a user the actor manages (role_grant_create's rules apply)."""
    _require_manageable(actor, user)
    return role_grant_create(actor=actor, user=user, role=role, region=region)


@transaction.atomic
def role_grant_revoke(*, actor: User | None, grant: RoleGrant) -> None:
    """Take a role away; the last one stays (deactivate the account instead), so no account
    drifts out of every administrator's sight."""
    user = grant.user
    _require_manageable(actor, user)
    if not _may_grant(actor, grant.role, grant.region):
        raise PermissionDeniedError(gettext("只能撤销自己有权授予的角色。"))
    if user.grants.count() <= 1:
        raise QingxieError(
            gettext("不能撤销该用户的最后一个角色；如不再使用，请停用账号。"), field="grant"
        )
    before = grant.snapshot()
    log_change(grant, ObjectChange.Action.DELETE, before=before)
    grant.delete()
    user.__dict__.pop("_qingxie_grants", None)


@transaction.atomic
def password_change(
    *, user: User, old_password: str, new_password: str, new_password_again: str
) -> User:
    """A user changes their own password (required after an administrator's reset)."""
    # The row itself, locked (a request's user is a lazy wrapper, and two tabs may race).
    user = User.objects.select_for_update().get(pk=user.pk)
    problems = ErrorCollector()
    if not user.check_password(old_password):
        problems.add("old_password", gettext("当前密码不正确。"))
    if new_password != new_password_again:
        problems.add("new_password_again", gettext("两次输入的新密码不一致。"))
    elif old_password and new_password == old_password:
        problems.add("new_password", gettext("新密码不能与当前密码相同。"))
    else:
        try:
            _check_password(new_password, user)
        except QingxieError as exc:
            problems.add("new_password", exc.message)
    problems.raise_if_any()
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        after=_user_snapshot(user),
        note=gettext_noop("本人修改密码"),
    )
    return user


@transaction.atomic
def totp_device_replace(*, user: User, device) -> None:
    """Confirm `device` as the user's authenticator and remove every other one (re-enrolment
    on a new phone, while signed in)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(pk=user.pk)
    had = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    log_change(
        user,
        ObjectChange.Action.UPDATE,
        before={"二次验证": "已启用" if had else "未启用"},
        after={"二次验证": "已启用（新验证器）"},
        note=gettext_noop("本人重新绑定验证器"),
    )
