"""The 倒排工期表 (a region's plans, one row per task) as a sheet kind, and as a Word table."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator

from django.utils.translation import gettext_noop

from qingxie.core.tabular.spec import Column, SheetKind, choice_pairs
from qingxie.plans.choices import ClosedBy, Goal, OwnerLevel, TaskStatus
from qingxie.plans.models import Task
from qingxie.plans.selectors import tasks_in

PLAN_TASK_COLUMNS = (
    Column("县级单位代码", "county", width=10),
    Column("县级单位", "county_name", width=14),
    Column("计划编号", "plan", width=8),
    Column("目标", "goal", choices=choice_pairs(Goal.choices), width=12),
    Column("目标日期", "target_date", width=12),
    Column("任务", "title", width=26),
    Column("工期（天）", "duration_days", width=8),
    Column("前置任务", "depends_on", width=26),
    Column("责任层级", "owner_level", choices=choice_pairs(OwnerLevel.choices), width=8),
    Column("责任人", "owner", width=12),
    Column("最迟开始", "start_by", width=12),
    Column("最迟完成", "due", width=12),
    Column("状态", "status", choices=choice_pairs(TaskStatus.choices), width=8),
    Column("完成日期", "done_on", width=12),
    Column("关闭方式", "closed_by", choices=choice_pairs(ClosedBy.choices), width=12),
    Column("逾期", "overdue", width=6),
)


def plan_task_rows(user, region, as_of: datetime.date) -> list[dict]:
    """One dict per task of the plans under `region` made by `as_of`, in county and due order."""
    qs = (
        tasks_in(user, region)
        .filter(plan__created_on__lte=as_of)
        .select_related("plan__county", "owner")
        .prefetch_related("depends_on")
        .order_by("plan__county__code", "plan_id", "due", "position", "id")
    )
    rows = []
    for t in qs:
        open_ = t.done_on is None or t.done_on > as_of
        rows.append(
            {
                "county": t.plan.county.code,
                "county_name": t.plan.county.name,
                "plan": t.plan_id,
                "goal": t.plan.goal,
                "target_date": t.plan.target_date,
                "title": t.title,
                "duration_days": t.duration_days,
                "depends_on": "、".join(d.title for d in t.depends_on.all()),
                "owner_level": t.owner_level,
                "owner": str(t.owner) if t.owner else "",
                "start_by": t.start_by,
                "due": t.due,
                "status": TaskStatus.OPEN if open_ else TaskStatus.DONE,
                "done_on": t.done_on if not open_ else None,
                "closed_by": t.closed_by if not open_ else "",
                "overdue": "是" if open_ and t.due < as_of else "",
            }
        )
    return rows


def export_plan_tasks(user, region, as_of: datetime.date, **options) -> tuple[Iterator[dict], int]:
    """The sheet kind's exporter: the 倒排工期表 of `region` on `as_of`."""
    rows = plan_task_rows(user, region, as_of)
    return iter(rows), len(rows)


PLAN_TASK_KIND = SheetKind(
    name="plan_tasks",
    title="倒排工期表",
    columns=PLAN_TASK_COLUMNS,
    notes=(gettext_noop("每行一项计划任务；最迟完成日期由目标日期沿前置任务倒排得出。"),),
    exporter=export_plan_tasks,
    model=Task,
)


def _label(column: Column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(column.label_of(value))


def plan_tasks_xlsx(user, region, as_of: datetime.date) -> bytes:
    """The 倒排工期表 as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "倒排工期表"
    ws.append([f"{region.name}一县一策倒排工期表（截至{as_of:%Y年%m月%d日}）"])
    ws.append([c.header for c in PLAN_TASK_COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="FFCDD2")
    for row in plan_task_rows(user, region, as_of):
        ws.append([_label(c, row[c.field]) for c in PLAN_TASK_COLUMNS])
        if row["overdue"]:
            for cell in ws[ws.max_row]:
                cell.fill = red
    for n, c in enumerate(PLAN_TASK_COLUMNS, start=1):
        ws.column_dimensions[ws.cell(row=2, column=n).column_letter].width = c.width + 2
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


DOCX_COLUMNS = (
    "county_name",
    "title",
    "owner_level",
    "owner",
    "start_by",
    "due",
    "status",
    "done_on",
)


def plan_tasks_docx(user, region, as_of: datetime.date) -> bytes:
    """The 倒排工期表 as a Word document (a landscape table per county, for the 部署会)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    style = doc.styles["Normal"]
    style.font.size = Pt(9)
    doc.add_heading(f"{region.name}一县一策倒排工期表", level=1)
    doc.add_paragraph(f"截至{as_of:%Y年%m月%d日}。最迟完成日期由目标日期沿前置任务倒排得出。")
    columns = [c for c in PLAN_TASK_COLUMNS if c.field in DOCX_COLUMNS]
    rows = plan_task_rows(user, region, as_of)
    if not rows:
        doc.add_paragraph("该地区尚无一县一策计划。")
    table = doc.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        cell.text = column.header
    for row in rows:
        cells = table.add_row().cells
        for cell, column in zip(cells, columns, strict=True):
            text = _label(column, row[column.field])
            if column.field == "status" and row["overdue"]:
                text += "（逾期）"
            cell.text = text
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
