"""Import and export pages."""

from django.urls import path

from qingxie.sheets import views

app_name = "sheets"
urlpatterns = [
    path("", views.SheetsIndexView.as_view(), name="index"),
    path("<slug:kind>/template/", views.template_download, name="template"),
    path("<slug:kind>/import/", views.ImportView.as_view(), name="import"),
    path("<slug:kind>/import/<str:sha>/", views.ImportJobView.as_view(), name="import_job"),
    path("<slug:kind>/import/<str:sha>/status/", views.import_status, name="import_status"),
    path("<slug:kind>/import/<str:sha>/problems/", views.import_problems, name="import_problems"),
    path("<slug:kind>/export/", views.ExportView.as_view(), name="export"),
    path("<slug:kind>/export/job/<int:pk>/", views.ExportJobView.as_view(), name="export_job"),
    path(
        "<slug:kind>/export/job/<int:pk>/status/",
        views.ExportJobStatusView.as_view(),
        name="export_job_status",
    ),
    path(
        "<slug:kind>/export/job/<int:pk>/download/",
        views.export_download,
        name="export_download",
    ),
]
