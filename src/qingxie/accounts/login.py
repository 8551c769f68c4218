"""Sign-in: password (with django-axes' lockout), then for administrators a TOTP code.

An administrator is not signed in at all until the second step passes: after the password the
session only holds a short-lived "pending" mark (user id, backend, time), so no page and no
session-authenticated API call sees that user before the code is confirmed. An administrator
without a confirmed TOTP device enrols one first (secret as text and as a QR code drawn as SVG
on the server). Wrong codes count as failed logins for django-axes, so the same lockout (per
user name and address) covers guessing codes as guessing passwords.
"""

from __future__ import annotations

import time
from base64 import b32encode

import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_failure_limit
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from qingxie.accounts.roles import Role
from qingxie.core.changelog import log_change

ADMIN_ROLES = frozenset(
    {Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN, Role.CITY_ADMIN, Role.COUNTY_ADMIN}
)
PENDING = "qingxie_otp_pending"
#: Minutes between the password and the code; after that the password is asked again.
PENDING_SECONDS = 5 * 60


def lockout_response(request, original_response=None, credentials=None):
    """The Chinese lockout page (AXES_LOCKOUT_CALLABLE), status 429, with the wait in minutes."""
    credentials = credentials or {}
    context = {
        "username": get_client_username(request, credentials) or credentials.get("username", ""),
        "failure_limit": get_failure_limit(request, credentials),
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "accounts/lockout.html", context, status=429)


def otp_required(user) -> bool:
    """Administrators (and superusers) confirm a TOTP code, unless the account is a demo one or
    QINGXIE_ADMIN_OTP is off."""
    if not settings.QINGXIE_ADMIN_OTP or getattr(user, "is_demo", False):
        return False
    return user.is_superuser or user.grants.filter(role__in=ADMIN_ROLES).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def safe_next(request, target: str | None) -> str:
    """`target` if it is a path inside qingxie (absolute, on this host, one of its pages);
    else "" (the caller falls back to the workbench). `?next=foo`, `//evil.example`,
    `https://evil.example/` and paths that lead nowhere all fall back."""
    from django.urls import Resolver404, resolve

    target = (target or "").strip()
    if not target.startswith("/") or target.startswith(("//", "/\\")) or len(target) > 2000:
        return ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    try:
        resolve(target.split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return ""
    return target


class LoginView(auth_views.LoginView):
    """The password step; an administrator goes on to the code step instead of being signed in."""

    template_name = "accounts/login.html"

    def get_redirect_url(self):
        """Where to go after signing in: only a safe path inside qingxie (`safe_next`)."""
        raw = self.request.POST.get(
            self.redirect_field_name, self.request.GET.get(self.redirect_field_name)
        )
        return safe_next(self.request, raw)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["idle_logout"] = self.request.session.pop("qingxie_idle_logout", False)
        return context

    def form_valid(self, form):
        user = form.get_user()
        if not otp_required(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "since": int(time.time()),
            "next": self.get_redirect_url() or "",
        }
        step = "otp_verify" if confirmed_device(user) else "otp_enrol"
        return redirect(step)


def _pending_user(request):
    """The administrator who gave the right password a moment ago, or None."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["since"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    user = auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def _finish(request, user, device):
    """Sign in for real: the session now belongs to the user, verified by `device`."""
    pending = request.session.pop(PENDING)
    auth.login(request, user, backend=pending["backend"])
    otp_login(request, device)
    target = safe_next(request, pending.get("next")) or resolve_url(settings.LOGIN_REDIRECT_URL)
    return HttpResponseRedirect(target)


def _refuse(request, user, device, template, context):
    """A wrong code: counted by django-axes like a wrong password; locked out at the limit."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username}, request=request
    )
    if getattr(request, "axes_locked_out", False):
        request.session.pop(PENDING, None)
        return lockout_response(request, credentials={"username": user.username})
    context["error"] = _("验证码不正确或已过期，请输入验证器上当前显示的 6 位数字。")
    return render(request, template, context, status=200)


def _code(request) -> str:
    return "".join(request.POST.get("code", "").split())


def _locked(request, user) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": user.username})


@method_decorator(login_not_required, name="dispatch")
class OTPVerifyView(View):
    """The second step for an administrator with a device: the current 6-digit code."""

    template = "accounts/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        self.user = _pending_user(request)
        if self.user is None:
            return redirect("login")
        self.device = confirmed_device(self.user)
        if self.device is None:
            return redirect("otp_enrol")
        if _locked(request, self.user):
            request.session.pop(PENDING, None)
            return lockout_response(request, credentials={"username": self.user.username})
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template, {"pending_user": self.user})

    def post(self, request):
        if self.device.verify_token(_code(request)):
            return _finish(request, self.user, self.device)
        return _refuse(request, self.user, self.device, self.template, {"pending_user": self.user})


def qr_svg(url: str) -> str:
    """The otpauth:// URL as an inline SVG (paths only, no style attribute: the CSP allows none)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice) -> TOTPDevice:
    """Confirm `device` as the user's authenticator, drop unconfirmed ones; logged on the user."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    log_change(
        user,
        "update",
        # Stored: written in Chinese, shown in the reader's language by the history page.
        before={"二次验证": gettext_noop("未启用")},
        after={"二次验证": gettext_noop("已启用（TOTP）")},
        note=gettext_noop("管理员启用二次验证"),
    )
    return device


@method_decorator(login_not_required, name="dispatch")
class OTPEnrolView(View):
    """The second step for an administrator without a device: set up an authenticator app."""

    template = "accounts/otp_enrol.html"

    def dispatch(self, request, *args, **kwargs):
        self.user = _pending_user(request)
        if self.user is None:
            return redirect("login")
        if confirmed_device(self.user) is not None:
            return redirect("otp_verify")
        if _locked(request, self.user):
            request.session.pop(PENDING, None)
            return lockout_response(request, credentials={"username": self.user.username})
        self.device = TOTPDevice.objects.filter(user=self.user, confirmed=False).order_by(
            "-id"
        ).first() or TOTPDevice.objects.create(user=self.user, name="青协", confirmed=False)
        return super().dispatch(request, *args, **kwargs)

    def _context(self):
        secret = b32encode(self.device.bin_key).decode()
        return {
            "pending_user": self.user,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr_svg": qr_svg(self.device.config_url),
            "verify_url": reverse("otp_enrol"),
        }

    def get(self, request):
        return render(request, self.template, self._context())

    def post(self, request):
        if self.device.verify_token(_code(request)):
            totp_device_confirm(user=self.user, device=self.device)
            return _finish(request, self.user, self.device)
        return _refuse(request, self.user, self.device, self.template, self._context())
