"""Region page URLs."""

from django.urls import path

from qingxie.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.RegionIndexView.as_view(), name="index"),
    path("<str:code>/", views.RegionDetailView.as_view(), name="detail"),
]
