"""Associations at every level, their dated history, standardization, seats and group members."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingxie.core.crypto import EncryptedCharField
from qingxie.core.models import ChangeLoggedModel, ScopePathField
from qingxie.core.review import ReviewedModel
from qingxie.ledger.choices import (
    LIVE_STATUSES,
    AssociationForm,
    AssociationStatus,
    ChecklistState,
    CoverageMeasure,
    GroupMemberKind,
    GroupMemberStatus,
)
from qingxie.regions.models import Region


class Association(ChangeLoggedModel):
    """A 团属志愿服务组织 on one region (national, province, prefecture or county level).

    `number` is the unified number (统一编号), assigned once by `association_create` and never
    changed: it records the region code and level at assignment, so it survives renames and
    recodes of the region. The present status is stored here; its dated history is kept in
    AssociationStatusPeriod and StandardizationPeriod so any past date can be answered exactly.
    """

    scope_path_field = "region_path"
    scope_from = "region"

    number = models.CharField(_("统一编号"), max_length=20, unique=True, editable=False)
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.PROTECT, related_name="associations"
    )
    level = models.PositiveSmallIntegerField(
        _("层级"), choices=Region.Level.choices, editable=False
    )
    region_path = ScopePathField()
    name = models.CharField(_("名称"), max_length=100)
    form = models.CharField(_("组织形式"), max_length=32, choices=AssociationForm.choices)
    supervisor = models.CharField(_("主管团委"), max_length=100, blank=True)
    established_on = models.DateField(_("成立日期"))
    registered = models.BooleanField(_("已在民政部门登记"), default=False)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    registered_on = models.DateField(_("登记日期"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    president_name = models.CharField(_("会长"), max_length=50, blank=True)
    president_phone = EncryptedCharField(_("会长电话"), max_length=20, blank=True)
    secretary_name = models.CharField(_("秘书长"), max_length=50, blank=True)
    secretary_phone = EncryptedCharField(_("秘书长电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=AssociationStatus.choices,
        default=AssociationStatus.ACTIVE,
    )
    status_since = models.DateField(_("状态起始日期"))
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并入"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    # Cache of the open StandardizationPeriod, kept by the services for lists and filters.
    standardized_since = models.DateField(_("规范化认定日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True, max_length=2000)
    # Optimistic locking (core.concurrency): bumped by the services on every saved edit.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("协会")
        verbose_name_plural = _("协会")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="association_region_path"),
            # The ledger filtered by status and sorted by founding date (the usual "active,
            # newest first" view): the first page is read in index order, where PostgreSQL
            # otherwise joined every matching row to its region and sorted them.
            models.Index(
                fields=["status", "established_on"], name="association_status_established"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(status__in=LIVE_STATUSES),
                name="association_one_live_per_region",
                violation_error_message=_("该行政区划已有一个正常或暂停活动的协会。"),
            ),
            models.UniqueConstraint(
                fields=["uscc"],
                condition=~Q(uscc=""),
                name="association_uscc_unique",
                violation_error_message=_("该统一社会信用代码已被另一协会使用。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"

    def get_absolute_url(self) -> str:
        return reverse("ledger:association_detail", args=[self.number])

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def is_standardized(self) -> bool:
        return self.standardized_since is not None


class AssociationStatusPeriod(models.Model):
    """A span [start, end) during which an association had one status.

    The coverage on any date D counts the county-level regions having an `active` period with
    start ≤ D < end (end NULL: still open). `region` repeats the association's region so the
    count is one indexed scan without a join through associations.
    """

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="status_periods"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=AssociationStatus.choices)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["association", "start", "id"]
        indexes = [models.Index(fields=["status", "start", "end"], name="statusperiod_dates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="statusperiod_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.association_id} {self.status} {self.start}–{self.end or ''}"


class StandardizationPeriod(models.Model):
    """A span [start, end) during which an association was standardized (规范化建设).

    Opened when the last required checklist item is verified (from that verification date),
    closed when a verified item is revoked or the association stops being active.
    """

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="standardization_periods"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["association", "start", "id"]
        indexes = [models.Index(fields=["start", "end"], name="stdperiod_dates")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="stdperiod_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.association_id} 规范化 {self.start}–{self.end or ''}"


class ChecklistItem(ChangeLoggedModel):
    """One item of the standardization checklist (规范化建设), national reference data.

    Editable as data by the national level; defaults come from the guiding opinion.
    An association is standardized when every active required item is verified.
    """

    scope_path_field = None

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    title = models.CharField(_("事项"), max_length=100)
    description = models.TextField(_("说明"), blank=True, max_length=2000)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    required = models.BooleanField(_("必备事项"), default=True)
    active = models.BooleanField(_("启用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    # When the item became (and, if so, stopped being) a required, active item: standardization
    # on a past date is judged by the checklist in force that day. NULL from: since always.
    required_from = models.DateField(_("必备起始日期"), null=True, blank=True)
    required_until = models.DateField(_("必备终止日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("规范化建设事项")
        verbose_name_plural = _("规范化建设事项")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.title


def evidence_path(entry: ChecklistEntry, filename: str) -> str:
    """Evidence lives under the association's number, outside the public static files."""
    return f"evidence/{entry.association.number}/{entry.item.code}/{filename}"


class ChecklistEntry(ReviewedModel, ChangeLoggedModel):
    """One checklist item for one association: evidence, submission, and the upper level's decision.

    Reviewed with the one workflow (core.review; the spec is `services.CHECKLIST_REVIEW`); the
    fields below relabel the workflow's own for the checklist.
    """

    scope_path_field = "region_path"
    scope_from = "association"

    association = models.ForeignKey(
        Association, verbose_name=_("协会"), on_delete=models.CASCADE, related_name="checklist"
    )
    region_path = ScopePathField()
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="entries"
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=ChecklistState.choices, default=ChecklistState.PENDING
    )
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True, max_length=300)
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核验人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_on = models.DateField(_("核验日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("规范化建设材料")
        verbose_name_plural = _("规范化建设材料")
        ordering = ["association", "item__position", "item__code"]
        constraints = [
            models.UniqueConstraint(fields=["association", "item"], name="checklist_entry_unique")
        ]
        indexes = [
            models.Index(fields=["state"], name="checklist_entry_state"),
            models.Index(fields=["region_path", "id"], name="checklist_entry_region_path"),
        ]

    def __str__(self) -> str:
        return f"{self.association.name}·{self.item.title}"


class ChecklistVerification(models.Model):
    """A span [start, end) during which one checklist entry stood verified.

    Opened by a verification (from its date), closed by a revocation (on its date). With the
    association's active periods these give its standardization on any date, even when a fact
    is entered out of order (a revocation dated before a later suspension, say).
    """

    entry = models.ForeignKey(
        ChecklistEntry, on_delete=models.CASCADE, related_name="verifications"
    )
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["entry", "start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="verification_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} 核验 {self.start}–{self.end or ''}"


class Seat(ChangeLoggedModel):
    """A seat (席位) an upper association holds for a live association on the level below.

    Kept in step by the services whenever an association is founded, suspended, resumed,
    dissolved or merged; a closed seat keeps its dates (`until`) as history.
    """

    scope_path_field = "region_path"
    scope_from = "holder"

    holder = models.ForeignKey(
        Association, verbose_name=_("席位所在协会"), on_delete=models.CASCADE, related_name="seats"
    )
    member = models.ForeignKey(
        Association, verbose_name=_("成员协会"), on_delete=models.CASCADE, related_name="seats_in"
    )
    region_path = ScopePathField()
    representative = models.CharField(_("席位代表"), max_length=50, blank=True)
    since = models.DateField(_("起始日期"))
    until = models.DateField(_("终止日期"), null=True, blank=True)
    # Optimistic locking (core.concurrency): bumped by the services on every saved edit.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("席位")
        verbose_name_plural = _("席位")
        ordering = ["holder", "member__region__code"]
        indexes = [models.Index(fields=["region_path", "id"], name="seat_region_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "member"],
                condition=Q(until__isnull=True),
                name="seat_one_open_per_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.holder.name}·{self.member.name}席位"


class GroupMember(ChangeLoggedModel):
    """An organisation admitted by an association as a group member (团体会员)."""

    scope_path_field = "region_path"
    scope_from = "association"

    association = models.ForeignKey(
        Association, verbose_name=_("协会"), on_delete=models.CASCADE, related_name="group_members"
    )
    region_path = ScopePathField()
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=32, choices=GroupMemberKind.choices)
    admitted_on = models.DateField(_("入会日期"))
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=GroupMemberStatus.choices,
        default=GroupMemberStatus.ACTIVE,
    )
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # Optimistic locking (core.concurrency): bumped by the services on every saved edit.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("团体会员")
        verbose_name_plural = _("团体会员")
        ordering = ["association", "admitted_on", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="groupmember_region_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "name"],
                condition=Q(status="active"),
                name="groupmember_unique_active_name",
                violation_error_message=_("该协会已有同名的在册团体会员。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CoverageTarget(ChangeLoggedModel):
    """A target rate for one measure by a due date, set nationally or by a province.

    A region follows the targets of its nearest ancestor (or itself) that has any for the
    measure, so a province's own targets replace the national defaults below it.
    """

    scope_path_field = "region_path"
    scope_from = "region"

    region = models.ForeignKey(
        Region,
        verbose_name=_("设定区划"),
        on_delete=models.PROTECT,
        related_name="coverage_targets",
    )
    region_path = ScopePathField()
    measure = models.CharField(_("指标"), max_length=20, choices=CoverageMeasure.choices)
    due_on = models.DateField(_("截止日期"))
    rate = models.DecimalField(_("目标（%）"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("覆盖目标")
        verbose_name_plural = _("覆盖目标")
        ordering = ["region__code", "measure", "due_on"]
        indexes = [models.Index(fields=["region_path", "id"], name="coveragetarget_region_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "measure", "due_on"], name="coveragetarget_unique"
            ),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=100), name="coveragetarget_rate_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.due_on} 达到 {self.rate}%"
