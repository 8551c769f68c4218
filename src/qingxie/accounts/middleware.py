"""After an administrator reset their password, a user changes it before any other page."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

#: Paths open to a user who must first change their password (prefixes).
_ALLOWED = ("/static/", "/healthz", "/readyz", "/i18n/", "/accounts/logout/", "/users/invite/")


class PasswordChangeRequiredMiddleware:
    """Send a signed-in user whose password was reset to 修改密码 (the API answers 403)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            target = reverse("accounts:own_password")
            path = request.path_info
            if path != target and not path.startswith(_ALLOWED):
                message = gettext("管理员已重置您的密码，请先修改密码。")
                if path.startswith("/api/"):
                    error = {"code": "password_change_required", "message": message}
                    return JsonResponse({"error": error}, status=403)
                return redirect(target)
        return self.get_response(request)
