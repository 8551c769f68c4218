"""Account page URLs: user management for administrators, one's own password and authenticator."""

from django.urls import path

from qingxie.accounts import user_views as views

app_name = "accounts"
urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("new/", views.UserInviteView.as_view(), name="user_invite"),
    path("me/password/", views.OwnPasswordView.as_view(), name="own_password"),
    path("me/authenticator/", views.OwnAuthenticatorView.as_view(), name="own_authenticator"),
    path("invite/<str:token>/", views.InviteAcceptView.as_view(), name="invite_accept"),
    path("<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user_password_reset"),
    path(
        "<int:pk>/authenticator/",
        views.UserAuthenticatorResetView.as_view(),
        name="user_authenticator_reset",
    ),
    path("<int:pk>/active/", views.UserActiveView.as_view(), name="user_active"),
    path("<int:pk>/invitation/", views.UserInvitationView.as_view(), name="user_invitation"),
    path("<int:pk>/grants/", views.GrantAddView.as_view(), name="grant_add"),
    path(
        "<int:pk>/grants/<int:grant_pk>/revoke/",
        views.GrantRevokeView.as_view(),
        name="grant_revoke",
    ),
]
