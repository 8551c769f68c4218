"""Top-level URLs: pages, the API (with its OpenAPI schema and docs), health check."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from qingxie.accounts import views as accounts_views
from qingxie.ledger import api as ledger_api
from qingxie.regions.api import RegionViewSet
from qingxie.teams import api as teams_api
from qingxie.web import views as web_views

router = DefaultRouter()
router.trailing_slash = "/?"  # both /api/regions/440000 and /api/regions/440000/
router.register("regions", RegionViewSet, basename="region")
ledger_api.register(router)
teams_api.register(router)

api_patterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *ledger_api.urlpatterns,
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
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regions/", include("qingxie.regions.urls")),
    path("", include("qingxie.ledger.urls")),
    path("teams/", include("qingxie.teams.urls")),
    path("sheets/", include("qingxie.sheets.urls")),
    path("reports/", include("qingxie.reports.urls")),
    path("api/", include((api_patterns, "api"))),
]
