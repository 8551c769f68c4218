"""Competition pages: editions, the judge's screen, ranking."""

from django.urls import path

from qingxie.projects import views

app_name = "competitions"
urlpatterns = [
    path("", views.CompetitionListView.as_view(), name="competition_list"),
    path("new/", views.CompetitionCreateView.as_view(), name="competition_create"),
    path("<int:pk>/", views.CompetitionDetailView.as_view(), name="competition_detail"),
    path("<int:pk>/manage/", views.CompetitionManageView.as_view(), name="competition_manage"),
    path("<int:pk>/enter/", views.EntrySubmitView.as_view(), name="entry_submit"),
    path("<int:pk>/judge/", views.JudgeListView.as_view(), name="judge_list"),
    path("<int:pk>/judge/<int:entry>/", views.JudgeScoreView.as_view(), name="judge_score"),
    path("<int:pk>/ranking/", views.RankingView.as_view(), name="ranking"),
    path(
        "<int:pk>/entries/<int:entry>/withdraw/",
        views.EntryWithdrawView.as_view(),
        name="entry_withdraw",
    ),
]
