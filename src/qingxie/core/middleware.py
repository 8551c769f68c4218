"""Request middleware: login required for pages, idle sign-out, security headers, and change-log
attribution per request."""

from __future__ import annotations

import time
import uuid

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.utils.translation import gettext, gettext_lazy

from qingxie.core.context import ChangeContext, _current


class ChosenLanguageMiddleware:
    """Chinese unless the user chose English with the switch in the header.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many
    intranet machines run English-language browsers; a cadre should not land on a half-English
    page without asking for it, so only the language cookie set by the switch counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Every page needs a signed-in user; the API answers 401 itself instead of redirecting."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class IdleTimeoutMiddleware:
    """Sign out a session left idle longer than QINGXIE_IDLE_SECONDS (a cadre's unattended office
    PC); SESSION_COOKIE_AGE still bounds the whole session."""

    #: The last-seen stamp is rewritten at most this often, so a page with many requests (map
    #: tiles, htmx polling) does not write its session on every one.
    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib import auth

        limit = settings.QINGXIE_IDLE_SECONDS
        user = getattr(request, "user", None)
        if limit and user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get("qingxie_seen")
            if seen is not None and now - seen > limit:
                auth.logout(request)
                request.session["qingxie_idle_logout"] = True
            elif seen is None or now - seen >= self.RESOLUTION:
                request.session["qingxie_seen"] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy, and Cross-Origin-Resource-Policy so
    no other site can embed our responses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.QINGXIE_PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind N trusted reverse proxies
    (QINGXIE_TRUSTED_PROXIES=N) the address the outermost trusted proxy saw."""
    from django.conf import settings

    hops = settings.QINGXIE_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [a.strip() for a in forwarded.split(",") if a.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR")


class ChangeContextMiddleware:
    """Bind the request's user, id and address to every write made while it is served."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.id = uuid.uuid4()
        # The user is resolved lazily: DRF token users are only known inside the view.
        ctx = ChangeContext(
            user=_LazyRequestUser(request),
            request_id=request.id,
            client_ip=client_ip(request),
            channel="api" if request.path.startswith("/api/") else "web",
        )
        token = _current.set(ctx)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = str(request.id)
        return response


class _LazyRequestUser:
    """Resolves to the request's user at the moment a change is recorded."""

    def __init__(self, request):
        self._request = request

    def resolve(self):
        user = getattr(self._request, "_qingxie_api_user", None) or getattr(
            self._request, "user", None
        )
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


class NulByteMiddleware:
    """Refuse a request whose path or query parameters hold a NUL character (400).

    PostgreSQL text cannot hold NUL, so such a value used as a filter would fail inside the
    database as a server error; no code, name or date contains one. Bodies need no check:
    Django's and DRF's character fields already refuse NUL.
    """

    MESSAGE = gettext_lazy("请求参数中含有不允许的空字符（NUL）。")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            from django.http import HttpResponseBadRequest, JsonResponse

            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "invalid", "message": self.MESSAGE}}, status=400
                )
            return HttpResponseBadRequest(self.MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class ApiErrorShapeMiddleware:
    """Every /api/ answer that is an error has the one shape {"error": {"code", "message"}}.

    DRF's views already answer so; what reaches a client from elsewhere — a URL that matches
    no route or lookup pattern (Django's HTML 404), a body Django refuses before any view
    (RequestDataTooBig → 400), CSRF, a server error — is rewritten here, and an exception
    escaping an API view is logged and answered as a JSON 500, never a page or a trace.
    """

    MESSAGES = {
        400: ("bad_request", gettext_lazy("请求有误。")),
        403: ("permission_denied", gettext_lazy("无权执行此操作。")),
        404: ("not_found", gettext_lazy("未找到：该地址不存在，或其中的编号、代码格式不对。")),
        405: ("method_not_allowed", gettext_lazy("该地址不接受这种请求方法。")),
        413: ("too_large", gettext_lazy("请求体过大。")),
        500: ("server_error", gettext_lazy("服务器内部错误，已记录，请稍后再试或联系管理员。")),
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/api/") or response.status_code < 400:
            return response
        content_type = response.get("Content-Type", "")
        if content_type and not content_type.startswith(("text/html", "text/plain")):
            return response  # DRF's own answer (JSON, or the schema's renderer)
        if getattr(response, "streaming", False):
            return response
        shaped = self.error(response.status_code)
        for header in ("Retry-After", "WWW-Authenticate", "Allow"):
            if header in response:
                shaped[header] = response[header]
        return shaped

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        import logging

        from django.core.exceptions import RequestDataTooBig, SuspiciousOperation

        if isinstance(exception, RequestDataTooBig):
            return self.error(413)
        if isinstance(exception, SuspiciousOperation):
            return self.error(400)
        logging.getLogger("qingxie.api").exception("API request failed: %s", request.path)
        return self.error(500)

    def error(self, status: int):
        from django.http import JsonResponse

        code, message = self.MESSAGES.get(status, ("error", gettext("请求未能完成。")))
        return JsonResponse(
            {"error": {"code": code, "message": message}},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
