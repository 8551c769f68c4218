"""Projects and brand programmes sinking to the county, the project library, competitions
with judging and funding, and pilot communities."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ProjectsConfig(AppConfig):
    name = "qingxie.projects"
    label = "projects"
    verbose_name = gettext_lazy("志愿服务项目")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from qingxie.core.extensions import (
            BulletinContribution,
            DemoStep,
            NavEntry,
            UrlMount,
            WorkbenchPanel,
            register_bulletin_contribution,
            register_demo_step,
            register_nav_entry,
            register_url_mount,
            register_workbench_panel,
        )
        from qingxie.projects import bulletin, demo, policies, selectors, services  # noqa: F401

        policies.register()

        from qingxie.core.tabular.registry import register_sheet_kind
        from qingxie.projects.sheets import PROJECT_KIND

        register_sheet_kind(PROJECT_KIND, order=60)
        register_url_mount(
            UrlMount(
                "projects", "projects/", urls="qingxie.projects.urls", api="qingxie.projects.api"
            )
        )
        register_url_mount(
            UrlMount("competitions", "competitions/", urls="qingxie.projects.competition_urls")
        )
        register_nav_entry(NavEntry("projects", _("项目"), "projects:project_list", order=60))
        register_nav_entry(
            NavEntry("competitions", _("项目大赛"), "competitions:competition_list", order=61)
        )
        register_workbench_panel(
            WorkbenchPanel(
                "projects",
                "projects/_workbench.html",
                selectors.workbench_context,
                order=60,
                fragment_domains=selectors.WORKBENCH_DOMAINS,
            )
        )
        register_bulletin_contribution(
            BulletinContribution("projects", bulletin.sections, order=60)
        )
        # After the trainings' demo (50): the projects demo reads the demo ledger only.
        register_demo_step(
            DemoStep("projects", demo.demo_projects_load, order=60, label="项目与大赛演示数据")
        )
