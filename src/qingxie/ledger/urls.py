"""Ledger page URLs: associations, the verification queue, coverage."""

from django.urls import path

from qingxie.ledger import settings_views, views

app_name = "ledger"
urlpatterns = [
    path("associations/", views.AssociationListView.as_view(), name="association_list"),
    path("associations/new/", views.AssociationCreateView.as_view(), name="association_create"),
    path(
        "associations/<str:number>/",
        views.AssociationDetailView.as_view(),
        name="association_detail",
    ),
    path(
        "associations/<str:number>/edit/",
        views.AssociationEditView.as_view(),
        name="association_edit",
    ),
    path(
        "associations/<str:number>/status/",
        views.AssociationStatusView.as_view(),
        name="association_status",
    ),
    path(
        "associations/<str:number>/checklist/<slug:item>/",
        views.ChecklistSubmitView.as_view(),
        name="checklist_submit",
    ),
    path(
        "associations/<str:number>/members/new/",
        views.GroupMemberCreateView.as_view(),
        name="member_create",
    ),
    path("checklist/<int:pk>/verify/", views.ChecklistVerifyView.as_view(), name="entry_verify"),
    path("checklist/<int:pk>/return/", views.ChecklistReturnView.as_view(), name="entry_return"),
    path("checklist/<int:pk>/revoke/", views.ChecklistRevokeView.as_view(), name="entry_revoke"),
    path(
        "checklist/<int:pk>/evidence/", views.EvidenceDownloadView.as_view(), name="entry_evidence"
    ),
    path("seats/<int:pk>/edit/", views.SeatUpdateView.as_view(), name="seat_edit"),
    path("members/<int:pk>/edit/", views.GroupMemberEditView.as_view(), name="member_edit"),
    path(
        "members/<int:pk>/withdraw/",
        views.GroupMemberWithdrawView.as_view(),
        name="member_withdraw",
    ),
    path("verification/", views.VerificationQueueView.as_view(), name="verification_queue"),
    path("verification/batch/", views.VerificationBatchView.as_view(), name="verification_batch"),
    path("coverage/", views.CoverageIndexView.as_view(), name="coverage_index"),
    path("coverage/<str:code>/", views.CoverageView.as_view(), name="coverage"),
    path("targets/", settings_views.TargetListView.as_view(), name="targets"),
    path(
        "targets/<int:pk>/delete/", settings_views.TargetDeleteView.as_view(), name="target_delete"
    ),
    path(
        "checklist-items/", settings_views.ChecklistItemListView.as_view(), name="checklist_items"
    ),
    path(
        "checklist-items/new/",
        settings_views.ChecklistItemEditView.as_view(),
        name="checklist_item_create",
    ),
    path(
        "checklist-items/<slug:code>/edit/",
        settings_views.ChecklistItemEditView.as_view(),
        name="checklist_item_edit",
    ),
]
