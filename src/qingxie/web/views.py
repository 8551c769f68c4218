"""Home page and health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from qingxie.accounts.permissions import home_region


class HomeView(TemplateView):
    """Send a cadre to the region they are responsible for."""

    template_name = "web/home.html"

    def get(self, request, *args, **kwargs):
        home = home_region(request.user)
        if home is not None or request.user.is_superuser:
            if home is None or home.level == 0:
                return redirect("regions:index")
            return redirect("regions:detail", code=home.code)
        return super().get(request, *args, **kwargs)


@login_not_required
def healthz(request):
    """A trivial page: the baseline for benchmarks and a liveness probe for operators."""
    return HttpResponse("ok", content_type="text/plain")
