"""Choices of the plans: English values in code, Chinese labels on screen."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Goal(models.TextChoices):
    """What a county's plan is for (一县一策)."""

    FOUND = "found", _("成立协会")
    STANDARDIZE = "standardize", _("规范化建设")
    BOTH = "both", _("成立并规范化")


class OwnerLevel(models.IntegerChoices):
    """The level of the League committee that owns a task (省市县三级工作机制)."""

    PROVINCE = 1, _("省级")
    CITY = 2, _("市级")
    COUNTY = 3, _("县级")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")


class ClosedBy(models.TextChoices):
    """How a task was closed: by its owner with a note, or by the ledger's facts."""

    OWNER = "owner", _("责任人关闭")
    LEDGER = "ledger", _("台账自动关闭")


class LedgerCheck(models.TextChoices):
    """Which fact of the ledger closes a task by itself ("" none: its owner closes it)."""

    NONE = "", _("无（由责任人关闭）")
    FOUNDED = "founded", _("协会已成立")
    REGISTERED = "registered", _("协会已在民政部门登记")
    ITEM = "item", _("规范化事项已核验")


class PlanState(models.TextChoices):
    """The plan's sign-off by the level above (core.review states, relabelled)."""

    PENDING = "pending", _("未报审")
    SUBMITTED = "submitted", _("待审核")
    VERIFIED = "verified", _("已审核")
    RETURNED = "returned", _("已退回")


class PlanStatus(models.TextChoices):
    """A county's standing on the plan-status map (挂图作战) on a date."""

    NOT_NEEDED = "not_needed", _("无需计划")
    MISSING = "missing", _("尚无计划")
    ON_TRACK = "on_track", _("按计划推进")
    AT_RISK = "at_risk", _("有风险")
    OVERDUE = "overdue", _("已逾期")
    DONE = "done", _("已完成")


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
    ("wenmingban", _("文明办")),
    ("minzheng", _("民政部门")),
    ("bianban", _("编办")),
    ("caizheng", _("财政部门")),
    ("jiaoyu", _("教育部门")),
    ("other", _("其他")),
]
