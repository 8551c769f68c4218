"""Project pages: list, detail with activities, the library queue and catalogue, sinking, pilots."""

from django.urls import path

from qingxie.projects import views

app_name = "projects"
urlpatterns = [
    path("", views.ProjectListView.as_view(), name="project_list"),
    path("new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("<int:pk>/activities/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("<int:pk>/library/", views.LibrarySubmitView.as_view(), name="library_submit"),
    path("library/", views.LibraryQueueView.as_view(), name="library_queue"),
    path("library/<int:pk>/<str:step>/", views.LibraryDecideView.as_view(), name="library_decide"),
    path("catalogue/", views.CatalogueView.as_view(), name="catalogue"),
    path("sinking/", views.SinkingView.as_view(), name="sinking"),
    path("pilots/", views.PilotListView.as_view(), name="pilot_list"),
]
