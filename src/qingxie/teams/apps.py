"""Grassroots teams (基层队伍) under the associations: 县有协会，基层建队."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class TeamsConfig(AppConfig):
    name = "qingxie.teams"
    label = "teams"
    verbose_name = gettext_lazy("基层队伍")

    def ready(self) -> None:
        from qingxie.accounts.policies import RoleRegionPolicy
        from qingxie.core.policies import register_policy
        from qingxie.teams.models import Team

        register_policy(Team, RoleRegionPolicy(Team))

        from qingxie.teams import indicators

        indicators.register()

        from qingxie.core.tabular.registry import register_sheet_kind
        from qingxie.teams.sheets import TEAM_KIND

        register_sheet_kind(TEAM_KIND, order=20)

        from django.utils.translation import gettext_lazy as _

        from qingxie.core.extensions import (
            NavEntry,
            UrlMount,
            WorkbenchPanel,
            register_association_move_hook,
            register_nav_entry,
            register_url_mount,
            register_workbench_panel,
        )
        from qingxie.teams import workbench
        from qingxie.teams.services import teams_follow_association

        register_url_mount(
            UrlMount("teams", "teams/", urls="qingxie.teams.urls", api="qingxie.teams.api")
        )
        register_nav_entry(NavEntry("teams", _("基层队伍"), "teams:team_list", order=40))
        register_association_move_hook("teams", teams_follow_association)
        # A county's workbench: where to build teams next, and the teams it has.
        register_workbench_panel(
            WorkbenchPanel(
                "teams-townships",
                "teams/_workbench_townships.html",
                workbench.townships_without_team,
                order=20,
                placement="attention",
                levels=(3,),
                fragment_domains=workbench.DOMAINS,
            )
        )
        register_workbench_panel(
            WorkbenchPanel(
                "teams-county",
                "teams/_workbench_teams.html",
                workbench.county_teams,
                order=20,
                placement="main",
                levels=(3,),
                fragment_domains=workbench.DOMAINS,
            )
        )
