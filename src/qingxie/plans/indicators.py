"""The plans' figure offered to the assessment indicators (core.indicators): the share of a
county's plan tasks due by the cut-off that were done on time (倒排工期 kept)."""

from __future__ import annotations

import datetime

from qingxie.core.indicators import IndicatorSource, register_indicator_source
from qingxie.plans.selectors import plan_figures


def tasks_on_time(association, as_of: datetime.date) -> tuple[float, str]:
    """The on-time rate (%) of the tasks in the plans of the association's region due by
    `as_of`, as the plans page shows it; 100 when nothing was due (no plan was needed, or no
    deadline has passed yet), so a county that needed no plan is not marked down."""
    figures = plan_figures(association.region, as_of)
    if not figures["tasks_due"]:
        return 100.0, "截至评估日没有到期的计划任务"
    return (
        figures["tasks_on_time_rate"],
        f"到期任务 {figures['tasks_due']} 项，按期完成 {figures['tasks_done_on_time']} 项",
    )


def register() -> None:
    """Offer the plans' figure to the assessment indicators."""
    register_indicator_source(
        IndicatorSource(
            "plans.tasks_on_time",
            "一县一策任务按期完成率",
            tasks_on_time,
            app="plans",
            unit="%",
        )
    )
