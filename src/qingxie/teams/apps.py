"""Grassroots teams (基层队伍) under the associations: 县有协会，基层建队."""

from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "qingxie.teams"
    label = "teams"
    verbose_name = "基层队伍"

    def ready(self) -> None:
        from qingxie.accounts.policies import RoleRegionPolicy
        from qingxie.core.policies import register_policy
        from qingxie.teams.models import Team

        register_policy(Team, RoleRegionPolicy(Team))

        from qingxie.core.tabular.registry import register_sheet_kind
        from qingxie.teams.sheets import TEAM_KIND

        register_sheet_kind(TEAM_KIND, order=20)
