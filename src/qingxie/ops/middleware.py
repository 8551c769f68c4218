"""Per request: the JSON access line (with request id, user, status, duration) and metrics."""

from __future__ import annotations

import logging
import time

from qingxie.ops import metrics
from qingxie.ops.logs import request_fields

access_log = logging.getLogger("qingxie.access")


class RequestLogMiddleware:
    """First in the chain, so the duration covers every other middleware.

    The request id is the one core's ChangeContextMiddleware gives the request (and returns as
    X-Request-ID, and records in the change log), so one id ties a log line, the response and
    the audit entry together. Lines logged while the request runs carry it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        fields = {"method": request.method, "path": request.path}
        token = request_fields.set(fields)
        try:
            response = self.get_response(request)
        finally:
            request_fields.reset(token)
        duration = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else None) or "unmatched"
        user = getattr(request, "_qingxie_api_user", None) or getattr(request, "user", None)
        user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        request_id = str(getattr(request, "id", "") or response.get("X-Request-ID", "")) or None
        metrics.REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        metrics.LATENCY.labels(view).observe(duration)
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        access_log.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": request_id,
                "user_id": user_id,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration * 1000, 2),
                "view": view,
            },
        )
        return response
