"""一县一策 and 倒排工期: per-county plans scheduled backward from the deadline, with
responsibility by level (划片, 盯县), blockers (堵点) and overdue alerts (挂图作战)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PlansConfig(AppConfig):
    name = "qingxie.plans"
    label = "plans"
    verbose_name = gettext_lazy("一县一策")

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
        from qingxie.core.jobs import periodic_job
        from qingxie.core.tabular.registry import register_sheet_kind
        from qingxie.plans import (
            bulletin,
            jobs,
            policies,
            selectors,
            services,  # noqa: F401  (registers the sign-off review spec)
        )
        from qingxie.plans.sheets import PLAN_TASK_KIND

        policies.register()
        register_sheet_kind(PLAN_TASK_KIND, order=60)
        register_url_mount(
            UrlMount("plans", "plans/", urls="qingxie.plans.urls", api="qingxie.plans.api")
        )
        register_nav_entry(NavEntry("plans", _("一县一策"), "plans:plan_list", order=60))
        register_workbench_panel(
            WorkbenchPanel(
                "plans-counties",
                "plans/_workbench_counties.html",
                selectors.workbench_counties_context,
                order=5,
            )
        )
        register_workbench_panel(
            WorkbenchPanel(
                "plans-tasks",
                "plans/_workbench_tasks.html",
                selectors.workbench_tasks_context,
                order=6,
                fragment_domains=("plans", "regions"),
            )
        )
        register_bulletin_contribution(BulletinContribution("plans", bulletin.sections, order=60))
        periodic_job("plans.sync_ledger", minutes=30)(jobs.sync_ledger)
        periodic_job("plans.daily_digest", minutes=24 * 60)(jobs.daily_digest)

        from qingxie.plans import demo, indicators

        indicators.register()
        # After the trainings' and projects' demos, before the assessment's (which reads plans).
        register_demo_step(
            DemoStep("plans", demo.demo_plans_load, order=70, label="一县一策演示数据")
        )
