"""Top-level URLs: pages, the API (with its OpenAPI schema and docs), health check."""

from importlib import import_module

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from qingxie.accounts import login
from qingxie.accounts import views as accounts_views
from qingxie.core.extensions import url_mounts
from qingxie.ledger import api as ledger_api
from qingxie.regions.api import RegionViewSet
from qingxie.sheets import api as sheets_api
from qingxie.web import views as web_views

router = DefaultRouter()
router.trailing_slash = "/?"  # both /api/regions/440000 and /api/regions/440000/
router.register("regions", RegionViewSet, basename="region")
ledger_api.register(router)
# The apps that mount themselves (core.extensions.register_url_mount in their ready()).
mounted_api: list = []
for mount in url_mounts():
    if mount.api:
        module = import_module(mount.api)
        module.register(router)
        mounted_api += getattr(module, "urlpatterns", [])

api_patterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file (?script): the CSP allows no inline one.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
    *ledger_api.urlpatterns,
    *sheets_api.urlpatterns,
    *mounted_api,
    *router.urls,
]

urlpatterns = [
    path("", web_views.DashboardView.as_view(), name="home"),
    path("search/", web_views.SearchView.as_view(), name="search"),
    path("audit/", accounts_views.AuditLogView.as_view(), name="audit"),
    path("map/", web_views.map_home, name="map_home"),
    path("regions/<str:code>/map/", web_views.CoverageMapView.as_view(), name="coverage_map"),
    path("healthz", web_views.healthz, name="healthz"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/login/", login.LoginView.as_view(), name="login"),
    path("accounts/login/code/", login.OTPVerifyView.as_view(), name="otp_verify"),
    path("accounts/login/enrol/", login.OTPEnrolView.as_view(), name="otp_enrol"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The region pages with coverage figures: the shell's views, ahead of the regions app's own
    # (which lies below the ledger); `regions:index` / `regions:detail` reverse to these paths.
    path("regions/", web_views.RegionIndexPageView.as_view(), name="region_index_page"),
    path("regions/<str:code>/", web_views.RegionPageView.as_view(), name="region_page"),
    path("regions/", include("qingxie.regions.urls")),
    path("", include("qingxie.ledger.urls")),
    *[path(m.prefix, include(m.urls)) for m in url_mounts() if m.urls],
    path("sheets/", include("qingxie.sheets.urls")),
    path("reports/", include("qingxie.reports.urls")),
    path("api/", include((api_patterns, "api"))),
]

# A page's refused body (an upload past its limit while it streamed) says why (core/views.py).
handler400 = "qingxie.core.views.bad_request"
# An address that matches no page says so in words, not the resolver's class name.
handler404 = "qingxie.core.views.page_not_found"
