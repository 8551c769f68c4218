"""Grassroots team page URLs."""

from django.urls import path

from qingxie.teams import views

app_name = "teams"
urlpatterns = [
    path("", views.TeamListView.as_view(), name="team_list"),
    path("new/", views.TeamCreateView.as_view(), name="team_create"),
    path("<int:pk>/", views.TeamDetailView.as_view(), name="team_detail"),
    path("<int:pk>/edit/", views.TeamEditView.as_view(), name="team_edit"),
    path("<int:pk>/dissolve/", views.TeamDissolveView.as_view(), name="team_dissolve"),
]
