"""Operator endpoints: /healthz is the web app's; here /readyz and /metrics."""

from __future__ import annotations

import hmac
import os

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache

from qingxie.ops import metrics
from qingxie.ops.readiness import readiness


@login_not_required
@never_cache
def readyz(request):
    """200 when every dependency is ready, 503 naming what is not (a load balancer reads the
    status, an operator the body)."""
    ready, body = readiness()
    return JsonResponse(
        body, status=200 if ready else 503, json_dumps_params={"ensure_ascii": False}
    )


def _is_operator(request) -> bool:
    """A superuser's session, or the scraper's `Authorization: Bearer $QINGXIE_METRICS_TOKEN`."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_superuser:
        return True
    expected = os.environ.get("QINGXIE_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "")
    return bool(expected) and hmac.compare_digest(given, f"Bearer {expected}")


@login_not_required
@never_cache
def metrics_view(request):
    """Prometheus text format, for the operator only (401 otherwise: no sign-in page here)."""
    if not _is_operator(request):
        return JsonResponse(
            {
                "error": {
                    "code": "not_authenticated",
                    "message": gettext("指标只对运维人员开放：请使用 QINGXIE_METRICS_TOKEN。"),
                }
            },
            status=401,
            json_dumps_params={"ensure_ascii": False},
        )
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
