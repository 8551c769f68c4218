"""Yearly assessment (年度评估), classified guidance (分类指导) and demonstration (示范选树)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "qingxie.assessment"
    label = "assessment"
    verbose_name = _("年度评估")

    def ready(self) -> None:
        from qingxie.assessment import jobs, policies, services  # noqa: F401 (registrations)

        policies.register()

        from django.utils.translation import gettext_lazy as _

        from qingxie.assessment import bulletin, selectors
        from qingxie.assessment.sheets import SELF_ASSESSMENT_KIND
        from qingxie.core.extensions import (
            AssociationPanel,
            BulletinContribution,
            DemoStep,
            NavEntry,
            UrlMount,
            WorkbenchPanel,
            register_association_panel,
            register_bulletin_contribution,
            register_demo_step,
            register_nav_entry,
            register_url_mount,
            register_workbench_panel,
        )
        from qingxie.core.jobs import periodic_job
        from qingxie.core.tabular.registry import register_sheet_kind

        register_sheet_kind(SELF_ASSESSMENT_KIND, order=70)

        register_url_mount(
            UrlMount(
                "assessment",
                "assessment/",
                urls="qingxie.assessment.urls",
                api="qingxie.assessment.api",
            )
        )
        register_nav_entry(NavEntry("assessment", _("年度评估"), "assessment:index", order=60))
        register_workbench_panel(
            WorkbenchPanel(
                "assessment",
                "assessment/_workbench.html",
                selectors.workbench_context,
                order=60,
                placement="main",
                fragment_domains=selectors.WORKBENCH_DOMAINS,
            )
        )
        register_bulletin_contribution(
            BulletinContribution("assessment", bulletin.sections, order=60)
        )
        register_association_panel(
            AssociationPanel(
                "assessment", "assessment/_association.html", selectors.association_panel
            )
        )
        periodic_job("assessment.compute_due", minutes=60)(jobs.compute_due)

        from qingxie.assessment import demo

        # Last of the demo steps: the round reads the trainings and projects demos' figures.
        register_demo_step(
            DemoStep("assessment", demo.demo_assessment_load, order=90, label="年度评估演示数据")
        )
