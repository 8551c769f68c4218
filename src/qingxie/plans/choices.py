"""Choices of the plans: English values in code, Chinese labels on screen."""

from django.db import models


class Goal(models.TextChoices):
    """What a county's plan is for (一县一策)."""

    FOUND = "found", "成立协会"
    STANDARDIZE = "standardize", "规范化建设"
    BOTH = "both", "成立并规范化"


class OwnerLevel(models.IntegerChoices):
    """The level of the League committee that owns a task (省市县三级工作机制)."""

    PROVINCE = 1, "省级"
    CITY = 2, "市级"
    COUNTY = 3, "县级"


class TaskStatus(models.TextChoices):
    OPEN = "open", "进行中"
    DONE = "done", "已完成"


class ClosedBy(models.TextChoices):
    """How a task was closed: by its owner with a note, or by the ledger's facts."""

    OWNER = "owner", "责任人关闭"
    LEDGER = "ledger", "台账自动关闭"


class LedgerCheck(models.TextChoices):
    """Which fact of the ledger closes a task by itself ("" none: its owner closes it)."""

    NONE = "", "无（由责任人关闭）"
    FOUNDED = "founded", "协会已成立"
    REGISTERED = "registered", "协会已在民政部门登记"
    ITEM = "item", "规范化事项已核验"


class PlanState(models.TextChoices):
    """The plan's sign-off by the level above (core.review states, relabelled)."""

    PENDING = "pending", "未报审"
    SUBMITTED = "submitted", "待审核"
    VERIFIED = "verified", "已审核"
    RETURNED = "returned", "已退回"


class PlanStatus(models.TextChoices):
    """A county's standing on the plan-status map (挂图作战) on a date."""

    NOT_NEEDED = "not_needed", "无需计划"
    MISSING = "missing", "尚无计划"
    ON_TRACK = "on_track", "按计划推进"
    AT_RISK = "at_risk", "有风险"
    OVERDUE = "overdue", "已逾期"
    DONE = "done", "已完成"


#: Map colours, one per status, the same on every page that shows them.
STATUS_COLOURS = {
    PlanStatus.NOT_NEEDED: "#c9d6e3",
    PlanStatus.MISSING: "#9e9e9e",
    PlanStatus.ON_TRACK: "#4caf50",
    PlanStatus.AT_RISK: "#ffb300",
    PlanStatus.OVERDUE: "#e53935",
    PlanStatus.DONE: "#1e88e5",
}

#: Bodies a blocker is taken to (协调部门).
COORDINATE_WITH = [
    ("wenmingban", "文明办"),
    ("minzheng", "民政部门"),
    ("bianban", "编办"),
    ("caizheng", "财政部门"),
    ("jiaoyu", "教育部门"),
    ("other", "其他"),
]
