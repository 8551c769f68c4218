"""Report pages."""

from django.urls import path

from qingxie.reports import views

app_name = "reports"
urlpatterns = [
    path("bulletin/<str:code>/", views.BulletinView.as_view(), name="bulletin"),
    path("bulletin/<str:code>/job/<int:pk>/", views.BulletinJobView.as_view(), name="bulletin_job"),
    path(
        "bulletin/<str:code>/job/<int:pk>/status/",
        views.BulletinJobStatusView.as_view(),
        name="bulletin_job_status",
    ),
    path(
        "bulletin/<str:code>/<str:kind>.png",
        views.BulletinFigureView.as_view(),
        name="bulletin_figure",
    ),
]
