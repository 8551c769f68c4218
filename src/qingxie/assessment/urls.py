"""Assessment page URLs."""

from django.urls import path

from qingxie.assessment import views

app_name = "assessment"
urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("versions/<slug:code>/", views.VersionDetailView.as_view(), name="version_detail"),
    path("rounds/new/", views.RoundCreateView.as_view(), name="round_create"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round_detail"),
    path("rounds/<int:pk>/report.<str:fmt>", views.RoundReportView.as_view(), name="round_report"),
    path("sheets/<int:pk>/", views.SheetDetailView.as_view(), name="sheet_detail"),
    path("demonstration/", views.DemonstrationView.as_view(), name="demonstration"),
    path("library/", views.LibraryView.as_view(), name="library"),
]
