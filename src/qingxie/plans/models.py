"""Per-county plans (一县一策) scheduled backward from the deadline (倒排工期), the
responsibility for each county (划片, 盯县) and the blockers (堵点) met on the way."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingxie.core.models import AppendOnlyQuerySet, ChangeLoggedModel, ScopePathField
from qingxie.core.review import ReviewedModel
from qingxie.plans.choices import (
    COORDINATE_WITH,
    ClosedBy,
    Goal,
    LedgerCheck,
    OwnerLevel,
    PlanState,
    TaskStatus,
)
from qingxie.regions.models import Region


class TaskTemplate(ChangeLoggedModel):
    """One founding task, as data: the nation's list, which a province may replace with its own.

    A province that has any active template of its own uses its list instead of the nation's
    (as coverage targets do). `depends_on` names the codes of the templates that must finish
    first; `ledger_check` the ledger fact that closes a generated task by itself.
    """

    scope_path_field = "region_path"
    scope_from = "region"

    region = models.ForeignKey(
        Region, verbose_name=_("设定区划"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    code = models.SlugField(_("代码"), max_length=40)
    title = models.CharField(_("任务"), max_length=100)
    duration_days = models.PositiveIntegerField(_("工期（天）"))
    depends_on = models.JSONField(_("前置任务代码"), default=list, blank=True)
    owner_level = models.PositiveSmallIntegerField(
        _("责任层级"), choices=OwnerLevel.choices, default=OwnerLevel.COUNTY
    )
    ledger_check = models.CharField(
        _("自动关闭条件"), max_length=16, choices=LedgerCheck.choices, blank=True, default=""
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("筹建任务模板")
        verbose_name_plural = _("筹建任务模板")
        ordering = ["region__code", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="tasktemplate_region_code")
        ]

    def __str__(self) -> str:
        return self.title


class BlockerKind(ChangeLoggedModel):
    """A class of blocker (堵点), national reference data kept as a list."""

    scope_path_field = None

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=50)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("堵点类型")
        verbose_name_plural = _("堵点类型")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class PlanRule(ChangeLoggedModel):
    """How far past the final national coverage target a plan's target date may lie.

    Set nationally, replaceable by a province for its counties (nearest ancestor wins).
    """

    scope_path_field = "region_path"
    scope_from = "region"

    region = models.OneToOneField(
        Region, verbose_name=_("设定区划"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    grace_days = models.PositiveIntegerField(_("最终目标后可延长天数"))

    class Meta:
        verbose_name = _("计划期限规则")
        verbose_name_plural = _("计划期限规则")

    def __str__(self) -> str:
        return f"{self.region_id} +{self.grace_days}"


class Patch(ChangeLoggedModel):
    """A patch (片) of counties a city (or province) groups under one lead cadre."""

    scope_path_field = "region_path"
    scope_from = "region"

    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    name = models.CharField(_("片区名称"), max_length=50)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("片长"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("片区")
        verbose_name_plural = _("片区")
        ordering = ["region__code", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="patch_region_name")]

    def __str__(self) -> str:
        return self.name


class Responsibility(ChangeLoggedModel):
    """Who chases one county (盯县) from `since` until `until` (open while None).

    Reassignment closes the open row and opens a new one, so the history stays.
    """

    scope_path_field = "region_path"
    scope_from = "county"

    county = models.ForeignKey(
        Region, verbose_name=_("县级单位"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="plan_responsibilities",
    )
    patch = models.ForeignKey(
        Patch,
        verbose_name=_("片区"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="responsibilities",
    )
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("终止日期"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指派人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("包县责任")
        verbose_name_plural = _("包县责任")
        ordering = ["county__code", "-since", "-id"]
        indexes = [models.Index(fields=["region_path", "id"], name="responsibility_region_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["county"], condition=Q(until__isnull=True), name="responsibility_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county_id}·{self.cadre}"


class Plan(ReviewedModel, ChangeLoggedModel):
    """One county's plan (一县一策) for a goal by a target date, signed off by the level above.

    Its tasks' due dates are scheduled backward from `target_date` through their dependencies
    (services.schedule). `revision` counts the revisions; each is kept in PlanRevision.
    """

    scope_path_field = "region_path"
    scope_from = "county"

    county = models.ForeignKey(
        Region, verbose_name=_("县级单位"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    goal = models.CharField(_("目标"), max_length=16, choices=Goal.choices)
    target_date = models.DateField(_("目标日期"))
    state = models.CharField(
        _("审核状态"), max_length=16, choices=PlanState.choices, default=PlanState.PENDING
    )
    note = models.TextField(_("报审说明"), blank=True, max_length=2000)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_on = models.DateField(_("审核通过日期"), null=True, blank=True)
    created_on = models.DateField(_("制定日期"))
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("修订次数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("一县一策计划")
        verbose_name_plural = _("一县一策计划")
        ordering = ["region_path", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="plan_region_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["county"], condition=Q(completed_on__isnull=True), name="plan_one_open"
            )
        ]

    def __str__(self) -> str:
        return _("%(county)s%(goal)s计划") % {
            "county": self.county.name,
            "goal": self.get_goal_display(),
        }

    def get_absolute_url(self) -> str:
        return reverse("plans:plan_detail", args=[self.pk])


class Task(ChangeLoggedModel):
    """One task of a plan: its duration, dependencies, owner and the due date worked back from
    the plan's target date (latest finish; `start_by` the latest start)."""

    scope_path_field = "region_path"
    scope_from = "plan"

    plan = models.ForeignKey(
        Plan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="tasks"
    )
    region_path = ScopePathField()
    code = models.CharField(_("代码"), max_length=60)
    title = models.CharField(_("任务"), max_length=100)
    duration_days = models.PositiveIntegerField(_("工期（天）"))
    depends_on = models.ManyToManyField(
        "self", verbose_name=_("前置任务"), symmetrical=False, blank=True, related_name="successors"
    )
    owner_level = models.PositiveSmallIntegerField(
        _("责任层级"), choices=OwnerLevel.choices, default=OwnerLevel.COUNTY
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plan_tasks",
    )
    ledger_check = models.CharField(
        _("自动关闭条件"), max_length=16, choices=LedgerCheck.choices, blank=True, default=""
    )
    #: The checklist item's code for LedgerCheck.ITEM.
    item_code = models.CharField(_("规范化事项代码"), max_length=40, blank=True)
    start_by = models.DateField(_("最迟开始"))
    due = models.DateField(_("最迟完成"))
    status = models.CharField(
        _("状态"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    closed_by = models.CharField(_("关闭方式"), max_length=8, choices=ClosedBy.choices, blank=True)
    close_note = models.CharField(_("完成说明"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("计划任务")
        verbose_name_plural = _("计划任务")
        ordering = ["plan", "due", "position", "id"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="task_region_path"),
            models.Index(fields=["status", "due"], name="task_status_due"),
        ]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="task_plan_code")]

    def __str__(self) -> str:
        return self.title


class Blocker(ChangeLoggedModel):
    """A blocker (堵点) met on a task, of a kind from the list, with the body to coordinate."""

    scope_path_field = "region_path"
    scope_from = "task"

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="blockers"
    )
    region_path = ScopePathField()
    kind = models.ForeignKey(BlockerKind, verbose_name=_("堵点类型"), on_delete=models.PROTECT)
    note = models.CharField(_("情况说明"), max_length=500)
    coordinate_with = models.CharField(_("协调部门"), max_length=16, choices=COORDINATE_WITH)
    raised_on = models.DateField(_("提出日期"))
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("堵点")
        verbose_name_plural = _("堵点")
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["region_path", "id"], name="blocker_region_path")]

    def __str__(self) -> str:
        return f"{self.kind.label}：{self.note[:30]}"


class PlanRevision(models.Model):
    """A plan as it stood before one revision (append-only): target date, goal, tasks."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("修订号"))
    reason = models.CharField(_("修订原因"), max_length=500)
    snapshot = models.JSONField(_("修订前"))
    created = models.DateTimeField(_("修订时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修订人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("计划修订记录")
        verbose_name_plural = _("计划修订记录")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planrevision_plan_number")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} 第{self.number}次修订"
