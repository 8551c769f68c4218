"""Training page URLs."""

from django.urls import path

from qingxie.trainings import views

app_name = "trainings"
urlpatterns = [
    path("", views.TrainingListView.as_view(), name="training_list"),
    path("new/", views.TrainingCreateView.as_view(), name="training_create"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("<int:pk>/", views.TrainingDetailView.as_view(), name="training_detail"),
    path("<int:pk>/edit/", views.TrainingEditView.as_view(), name="training_edit"),
    path("<int:pk>/status/", views.TrainingStatusView.as_view(), name="training_status"),
    path("<int:pk>/attendees/", views.AttendeeAddView.as_view(), name="attendee_add"),
    path("<int:pk>/attendance/", views.AttendanceView.as_view(), name="attendance"),
    path(
        "<int:pk>/attendees/<int:attendee_id>/remove/",
        views.AttendeeRemoveView.as_view(),
        name="attendee_remove",
    ),
    path("<int:pk>/materials/", views.MaterialAddView.as_view(), name="material_add"),
    path(
        "<int:pk>/materials/<int:material_id>/remove/",
        views.MaterialRemoveView.as_view(),
        name="material_remove",
    ),
    path(
        "materials/<int:material_id>/",
        views.MaterialDownloadView.as_view(),
        name="material_download",
    ),
    path(
        "<int:pk>/sign-in.<str:fmt>",
        views.SignInSheetView.as_view(),
        name="sign_in_sheet",
    ),
]
