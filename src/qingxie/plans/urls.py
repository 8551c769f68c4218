"""Plan page URLs."""

from django.urls import path

from qingxie.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan_list"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("<int:pk>/act/", views.PlanActionView.as_view(), name="plan_action"),
    path("generate/", views.GenerateView.as_view(), name="generate"),
    path("tasks/", views.TaskListView.as_view(), name="task_list"),
    path("tasks/<int:pk>/act/", views.TaskActionView.as_view(), name="task_action"),
    path("responsibility/", views.ResponsibilityView.as_view(), name="responsibility"),
    path("map/", views.PlanMapView.as_view(), name="map"),
    path("blockers/", views.BlockerStatsView.as_view(), name="blockers"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
]
