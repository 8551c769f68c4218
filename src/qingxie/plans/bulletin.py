"""The plans' paragraph of the 工作信息 bulletin (一县一策 progress), from the figures."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from qingxie.core.extensions import BulletinSection
from qingxie.plans.selectors import blocker_stats, plan_figures


def sections(region, as_of: datetime.date) -> list[BulletinSection]:
    """“一县一策”推进情况 for the region on `as_of`; nothing when it has no plan."""
    f = plan_figures(region, as_of)
    if not f["plans"]:
        return []
    words = {
        "region": region.name,
        "counties": f["counties_with_plan"],
        "tasks": f["tasks"],
        "done": f["tasks_done"],
        "overdue": f["tasks_overdue"],
    }
    text = (
        ngettext(
            "%(region)s共为%(counties)s个县级单位制定“一县一策”计划，倒排工期任务%(tasks)s项，"
            "已完成%(done)s项，逾期%(overdue)s项",
            "%(region)s共为%(counties)s个县级单位制定“一县一策”计划，倒排工期任务%(tasks)s项，"
            "已完成%(done)s项，逾期%(overdue)s项",
            f["counties_with_plan"],
        )
        % words
    )
    if f["tasks_on_time_rate"] is not None:
        text += _("，到期任务按时完成率%(rate)s%%") % {"rate": f["tasks_on_time_rate"]}
    if f["share_on_track"] is not None:
        text += _("；进行中的计划按计划推进的占%(share)s%%") % {"share": f["share_on_track"]}
    paragraphs = [text + pgettext("full stop", "。")]
    stats = blocker_stats(None, region, as_of)
    if stats["open"]:
        kinds = pgettext("list separator", "、").join(
            _("%(kind)s%(open)s个") % {"kind": k["label"], "open": k["open"]}
            for k in stats["kinds"]
            if k["open"]
        )
        paragraphs.append(
            ngettext(
                "尚未解决的建设堵点%(open)s个，其中%(kinds)s。",
                "尚未解决的建设堵点%(open)s个，其中%(kinds)s。",
                stats["open"],
            )
            % {"open": stats["open"], "kinds": kinds}
        )
    return [BulletinSection(_("“一县一策”推进情况"), paragraphs)]
