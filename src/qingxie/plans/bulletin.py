"""The plans' paragraph of the 工作信息 bulletin (一县一策 progress), from the figures."""

from __future__ import annotations

import datetime

from qingxie.core.extensions import BulletinSection
from qingxie.plans.selectors import blocker_stats, plan_figures


def sections(region, as_of: datetime.date) -> list[BulletinSection]:
    """“一县一策”推进情况 for the region on `as_of`; nothing when it has no plan."""
    f = plan_figures(region, as_of)
    if not f["plans"]:
        return []
    text = (
        f"{region.name}共为{f['counties_with_plan']}个县级单位制定“一县一策”计划，倒排工期任务{f['tasks']}项，"
        f"已完成{f['tasks_done']}项，逾期{f['tasks_overdue']}项"
    )
    if f["tasks_on_time_rate"] is not None:
        text += f"，到期任务按时完成率{f['tasks_on_time_rate']}%"
    if f["share_on_track"] is not None:
        text += f"；进行中的计划按计划推进的占{f['share_on_track']}%"
    paragraphs = [text + "。"]
    stats = blocker_stats(None, region, as_of)
    if stats["open"]:
        kinds = "、".join(f"{k['label']}{k['open']}个" for k in stats["kinds"] if k["open"])
        paragraphs.append(f"尚未解决的建设堵点{stats['open']}个，其中{kinds}。")
    return [BulletinSection("“一县一策”推进情况", paragraphs)]
