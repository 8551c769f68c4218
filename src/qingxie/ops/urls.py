"""Operator endpoints at the site root: /readyz and /metrics."""

from django.urls import path

from qingxie.ops import views

app_name = "ops"
urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]
