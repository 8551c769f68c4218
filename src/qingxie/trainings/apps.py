"""Trainings (培训) and the yearly training rule: 省、市两级青年志愿者协会…原则上每年至少培训一次."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class TrainingsConfig(AppConfig):
    name = "qingxie.trainings"
    label = "trainings"
    verbose_name = gettext_lazy("培训")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from qingxie.core.extensions import (
            BulletinContribution,
            ChecklistSource,
            DemoStep,
            NavEntry,
            UrlMount,
            WorkbenchPanel,
            register_association_move_hook,
            register_bulletin_contribution,
            register_checklist_source,
            register_demo_step,
            register_nav_entry,
            register_url_mount,
            register_workbench_panel,
        )
        from qingxie.core.jobs import periodic_job
        from qingxie.core.policies import register_policy
        from qingxie.core.tabular.registry import register_sheet_kind
        from qingxie.trainings import bulletin, checklist, demo, jobs, selectors, services
        from qingxie.trainings.models import Attendee, Training
        from qingxie.trainings.policies import AttendeePolicy, TrainingPolicy
        from qingxie.trainings.sheets import ATTENDEE_KIND, TRAINING_KIND

        register_policy(Training, TrainingPolicy(Training))
        register_policy(Attendee, AttendeePolicy(Attendee))
        register_sheet_kind(TRAINING_KIND, order=50)
        register_sheet_kind(ATTENDEE_KIND, order=51)
        register_url_mount(
            UrlMount(
                "trainings",
                "trainings/",
                urls="qingxie.trainings.urls",
                api="qingxie.trainings.api",
            )
        )
        register_nav_entry(NavEntry("trainings", _("培训"), "trainings:training_list", order=50))
        register_workbench_panel(
            WorkbenchPanel(
                "trainings",
                "trainings/_workbench.html",
                selectors.workbench_context,
                order=50,
                placement="attention",
                fragment_domains=selectors.FIGURE_DOMAINS,
            )
        )
        register_bulletin_contribution(
            BulletinContribution("trainings", bulletin.sections, order=50)
        )
        register_association_move_hook("trainings", services.trainings_follow_association)
        register_checklist_source(
            ChecklistSource(
                "trainings",
                checklist.TRAINING_ITEM,
                checklist.leader_training_spans,
                checklist.leader_training_line,
            )
        )
        register_demo_step(
            DemoStep("trainings", demo.demo_trainings_load, order=50, label="培训演示数据")
        )

        from qingxie.trainings import indicators

        indicators.register()
        periodic_job("trainings.checklist_lapse", minutes=24 * 60)(jobs.checklist_lapse)
