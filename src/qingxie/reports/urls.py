"""Report pages."""

from django.urls import path

from qingxie.reports import views

app_name = "reports"
urlpatterns = [
    path("bulletin/<str:code>/", views.BulletinView.as_view(), name="bulletin"),
    path(
        "bulletin/<str:code>/<str:kind>.png",
        views.BulletinFigureView.as_view(),
        name="bulletin_figure",
    ),
]
