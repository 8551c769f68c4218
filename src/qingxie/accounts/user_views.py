"""Account pages: administrators manage the users of their patch; everyone their own password.

Views parse, call a selector or a service, and render. Who is seen comes from
accounts.selectors (through the gate): a user outside the administrator's patch is a 404;
inside it but not below them (or for a non-administrator at all) a 403.
"""

from __future__ import annotations

from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingxie.accounts import selectors, services
from qingxie.accounts.forms import (
    GrantForm,
    InviteAcceptForm,
    OwnPasswordForm,
    PasswordResetForm,
    UserInviteForm,
)
from qingxie.accounts.login import qr_svg
from qingxie.accounts.models import User
from qingxie.accounts.roles import Role
from qingxie.core.changelog import changes_for
from qingxie.core.errors import PermissionDeniedError, QingxieError
from qingxie.core.views import add_service_errors

USER_NOT_FOUND = gettext_lazy("未找到该用户，或不在您的管辖范围内。")
ADMINS_ONLY = gettext_lazy("只有管理员可以管理账号。")


def _require_admin(request) -> None:
    if not selectors.may_manage_accounts(request.user):
        raise PermissionDenied(str(ADMINS_ONLY))


def _visible_user(request, pk) -> User:
    """The user `pk` if in the administrator's patch; else 404 (never confirms they exist)."""
    _require_admin(request)
    user = selectors.visible_users(request.user).filter(pk=pk).first()
    if user is None:
        raise Http404(str(USER_NOT_FOUND))
    return user


def _managed_user(request, pk) -> User:
    """The user `pk` if the administrator may manage them; 404 outside the patch, else 403."""
    user = _visible_user(request, pk)
    if not selectors.user_may_be_managed(request.user, user):
        raise PermissionDenied(_("只能管理本辖区内级别低于自己的用户。"))
    return user


def _invite_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("accounts:invite_accept", args=[token]))


class UserListView(View):
    """用户管理: who holds which role in the administrator's patch, with their last sign-in."""

    def get(self, request):
        _require_admin(request)
        params = request.GET
        users = selectors.user_list(
            request.user,
            q=params.get("q", "").strip(),
            role=params.get("role", ""),
            active=params.get("active", ""),
        )
        page = Paginator(users, 50).get_page(params.get("page"))
        ids = [u.pk for u in page.object_list]
        managed = set(
            selectors.managed_users(request.user).filter(pk__in=ids).values_list("pk", flat=True)
        )
        query = params.copy()
        query.pop("page", None)
        return render(
            request,
            "accounts/users/user_list.html",
            {
                "title": _("用户管理"),
                "page_obj": page,
                "rows": [(u, u.pk in managed) for u in page.object_list],
                "params": params,
                "query": query.urlencode(),
                "roles": Role.choices,
            },
        )


class UserInviteView(View):
    """新建用户: a user with a first role, and a one-time link for them to set a password."""

    template = "accounts/users/user_invite.html"

    def get(self, request):
        _require_admin(request)
        form = UserInviteForm(actor=request.user)
        return render(request, self.template, {"title": _("新建用户"), "form": form})

    def post(self, request):
        _require_admin(request)
        form = UserInviteForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                user, token = services.user_invite(actor=request.user, **form.cleaned_data)
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except QingxieError as exc:
                add_service_errors(form, exc)
            else:
                return _invitation_page(request, user, token, created=True)
        return render(request, self.template, {"title": _("新建用户"), "form": form})


def _invitation_page(request, user: User, token: str, *, created: bool):
    return render(
        request,
        "accounts/users/invite_done.html",
        {
            "title": _("邀请链接"),
            "invited": user,
            "link": _invite_link(request, token),
            "hours": services.INVITATION_HOURS,
            "created": created,
        },
    )


class UserDetailView(View):
    """One user: roles, status, last sign-in, what the administrator may do, and history."""

    def get(self, request, pk):
        user = _visible_user(request, pk)
        return render(request, "accounts/users/user_detail.html", _detail_context(request, user))


def _detail_context(request, user: User, **forms) -> dict:
    can_manage = selectors.user_may_be_managed(request.user, user)
    visible = set(
        selectors.visible_grants(request.user).filter(user=user).values_list("pk", flat=True)
    )
    grants = [
        (g, g.pk in visible)
        for g in user.grants.select_related("region").order_by("region__path", "role")
    ]
    return {
        "title": user.display_name or user.username,
        "shown": user,
        "grants": grants,
        "can_manage": can_manage,
        "has_authenticator": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        "pending_invitation": user.invitations.filter(used_at__isnull=True).order_by("-id").first(),
        "reset_form": forms.get("reset_form") or PasswordResetForm(),
        "grant_form": forms.get("grant_form") or GrantForm(actor=request.user),
        "changes": changes_for(user)[:50],
    }


class _UserActionView(View):
    """A POST on a user the administrator manages; errors land on the user's page."""

    def post(self, request, pk, **kwargs):
        user = _managed_user(request, pk)
        try:
            response = self.perform(request, user, **kwargs)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except QingxieError as exc:
            messages.error(request, exc.message)
            response = None
        return response or redirect("accounts:user_detail", pk=user.pk)

    def perform(self, request, user, **kwargs):
        raise NotImplementedError


class UserPasswordResetView(_UserActionView):
    """重置密码: a temporary password; the user must choose a new one at their next sign-in."""

    def perform(self, request, user):
        form = PasswordResetForm(request.POST)
        if form.is_valid():
            try:
                services.user_password_reset(
                    actor=request.user, user=user, password=form.cleaned_data["password"]
                )
            except PermissionDeniedError:
                raise
            except QingxieError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已为 %(username)s 设置临时密码，其下次登录时须修改密码。")
                    % {"username": user.username},
                )
                return None
        context = _detail_context(request, user, reset_form=form)
        return render(request, "accounts/users/user_detail.html", context)


class UserAuthenticatorResetView(_UserActionView):
    """重置验证器: a lost phone; the user binds a new authenticator at their next sign-in."""

    def perform(self, request, user):
        services.user_otp_reset(actor=request.user, user=user)
        messages.success(
            request,
            _("已重置 %(username)s 的验证器，其下次登录时重新绑定。") % {"username": user.username},
        )


class UserActiveView(_UserActionView):
    """停用 / 启用: a deactivated user cannot sign in nor use an API token."""

    def perform(self, request, user):
        active = request.POST.get("active") == "1"
        services.user_set_active(actor=request.user, user=user, active=active)
        messages.success(
            request,
            (_("已启用账号 %(username)s。") if active else _("已停用账号 %(username)s。"))
            % {"username": user.username},
        )


class UserInvitationView(_UserActionView):
    """重新发送邀请: a fresh one-time link (the previous one stops working)."""

    def perform(self, request, user):
        token = services.invitation_reissue(actor=request.user, user=user)
        return _invitation_page(request, user, token, created=False)


class GrantAddView(_UserActionView):
    """授予角色: one more role on a region, inside the administrator's subtree and rank."""

    def perform(self, request, user):
        form = GrantForm(request.POST, actor=request.user)
        if form.is_valid():
            try:
                services.role_grant_add(actor=request.user, user=user, **form.cleaned_data)
            except PermissionDeniedError:
                raise
            except QingxieError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("已授予角色。"))
                return None
        context = _detail_context(request, user, grant_form=form)
        return render(request, "accounts/users/user_detail.html", context)


class GrantRevokeView(_UserActionView):
    """撤销角色."""

    def perform(self, request, user, grant_pk):
        grant = selectors.visible_grants(request.user).filter(user=user, pk=grant_pk).first()
        if grant is None:
            raise Http404(_("未找到该角色授权，或不在您的管辖范围内。"))
        services.role_grant_revoke(actor=request.user, grant=grant)
        messages.success(
            request,
            _("已撤销角色：%(role)s（%(name)s）。")
            % {"role": grant.get_role_display(), "name": grant.region.name},
        )


@method_decorator(login_not_required, name="dispatch")
class InviteAcceptView(View):
    """The invited user's page: choose a password through the one-time link, then sign in."""

    template = "accounts/users/invite_accept.html"

    def _invitation(self, token):
        try:
            return services.invitation_for_token(token), None
        except QingxieError as exc:
            status = 404 if exc.code == "not_found" else 410
            return None, render(
                self.request,
                self.template,
                {"title": _("邀请链接"), "refused": exc.message},
                status=status,
            )

    def get(self, request, token):
        invitation, refused = self._invitation(token)
        if refused:
            return refused
        context = {"title": _("设置密码"), "form": InviteAcceptForm(), "invited": invitation.user}
        return render(request, self.template, context)

    def post(self, request, token):
        invitation, refused = self._invitation(token)
        if refused:
            return refused
        form = InviteAcceptForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_accept(token=token, **form.cleaned_data)
            except QingxieError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("密码已设置，请用新密码登录。"))
                return redirect(f"{reverse('login')}?username={invitation.user.username}")
        context = {"title": _("设置密码"), "form": form, "invited": invitation.user}
        return render(request, self.template, context)


class OwnPasswordView(View):
    """修改密码: one's own; required after an administrator reset it."""

    template = "accounts/users/own_password.html"

    def get(self, request):
        return render(request, self.template, {"title": _("修改密码"), "form": OwnPasswordForm()})

    def post(self, request):
        form = OwnPasswordForm(request.POST)
        if form.is_valid():
            try:
                changed = services.password_change(user=request.user, **form.cleaned_data)
            except QingxieError as exc:
                add_service_errors(form, exc)
            else:
                # Keep this session signed in; other sessions of the user end.
                update_session_auth_hash(request, changed)
                messages.success(request, _("密码已修改。"))
                return redirect("home")
        return render(request, self.template, {"title": _("修改密码"), "form": form})


class OwnAuthenticatorView(View):
    """重新绑定验证器: a new phone, while signed in; the old authenticator stops working."""

    template = "accounts/users/own_authenticator.html"

    def _device(self, request) -> TOTPDevice:
        return TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by(
            "-id"
        ).first() or TOTPDevice.objects.create(user=request.user, name="青协", confirmed=False)

    def _context(self, device, **extra):
        secret = b32encode(device.bin_key).decode()
        return {
            "title": _("重新绑定验证器"),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": qr_svg(device.config_url),
            "has_authenticator": TOTPDevice.objects.filter(
                user=self.request.user, confirmed=True
            ).exists(),
            **extra,
        }

    def get(self, request):
        return render(request, self.template, self._context(self._device(request)))

    def post(self, request):
        device = self._device(request)
        code = "".join(request.POST.get("code", "").split())
        if device.verify_token(code):
            services.totp_device_replace(user=request.user, device=device)
            messages.success(request, _("新的验证器已绑定，旧验证器不再有效。"))
            return redirect("home")
        error = _("验证码不正确或已过期，请输入验证器上当前显示的 6 位数字。")
        return render(request, self.template, self._context(device, error=error))
