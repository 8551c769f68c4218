"""Yearly assessment: indicator versions, rounds, assessment sheets, demonstration and the library."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingxie.assessment.choices import (
    AppealState,
    CandidateState,
    Grade,
    IndicatorKind,
    LibraryKind,
    LibraryStatus,
    RoundStatus,
    ScoringRule,
    SupportKind,
)
from qingxie.core.models import ChangeLoggedModel, ScopePathField
from qingxie.core.review import ReviewedModel
from qingxie.ledger.models import Association
from qingxie.regions.models import Region

DEFAULT_TIERS = [["示范", 85], ["规范", 70], ["基础", 55], ["薄弱", 0]]


def default_tiers() -> list:
    return [list(t) for t in DEFAULT_TIERS]


class IndicatorVersion(ChangeLoggedModel):
    """A versioned indicator system (e.g. the 2021 default): dimensions and weighted indicators.

    National reference data: any grant reads it, the national level edits it. The weights of
    its point-bearing indicators must add up to `total` before a round may use it, and it is
    frozen (no edits) from the moment a round uses it.
    """

    scope_path_field = None

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("适用年度"))
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=100)
    frozen = models.BooleanField(_("已冻结"), default=False)
    note = models.TextField(_("说明"), blank=True, max_length=2000)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("指标体系")
        verbose_name_plural = _("指标体系")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.name


class Dimension(ChangeLoggedModel):
    """A dimension of a version (组织建设, 内部治理与规范化 …): its indicators' points add up."""

    scope_path_field = None

    indicator_version = models.ForeignKey(
        IndicatorVersion,
        verbose_name=_("指标体系"),
        on_delete=models.CASCADE,
        related_name="dimensions",
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=50)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评估维度")
        verbose_name_plural = _("评估维度")
        ordering = ["indicator_version", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_version", "code"], name="dimension_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(ChangeLoggedModel):
    """One indicator: computed from a registered data source, filled by hand with evidence, or a
    gate (资格条件) that admits or bars without points. `rule` and `params` say how a value
    becomes points (assessment.scoring)."""

    scope_path_field = None

    indicator_version = models.ForeignKey(
        IndicatorVersion,
        verbose_name=_("指标体系"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("维度"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
    )
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(pgettext_lazy("assessment", "说明"), blank=True, max_length=2000)
    kind = models.CharField(_("类型"), max_length=16, choices=IndicatorKind.choices)
    source = models.CharField(_("数据来源"), max_length=60, blank=True)
    rule = models.CharField(_("计分方式"), max_length=16, choices=ScoringRule.choices)
    params = models.JSONField(_("计分参数"), default=dict, blank=True)
    weight = models.DecimalField(_("分值"), max_digits=7, decimal_places=2, default=0)
    max_value = models.DecimalField(
        _("填报上限"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    evidence_required = models.BooleanField(_("须附佐证材料"), default=False)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("评估指标")
        verbose_name_plural = _("评估指标")
        ordering = ["indicator_version", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_version", "code"], name="indicator_code_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Round(ChangeLoggedModel):
    """A yearly assessment round opened by the nation (or a province, for its own counties).

    Computed indicators are filled by a job at `cut_off`; counties self-assess until
    `self_until`, the city reviews and the province confirms until `review_until`; appeals
    are accepted until `appeal_until`. `tiers` are the tier cut-offs ([name, at least], best
    first); `tier_overrides` maps a province code to its own cut-offs.
    """

    scope_path_field = "region_path"
    scope_from = "region"

    region = models.ForeignKey(
        Region, verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    year = models.PositiveSmallIntegerField(_("年度"))
    name = models.CharField(_("名称"), max_length=100)
    indicator_version = models.ForeignKey(
        IndicatorVersion,
        verbose_name=_("指标体系"),
        on_delete=models.PROTECT,
        related_name="rounds",
    )
    cut_off = models.DateField(_("数据截止日期"))
    self_until = models.DateField(_("自评截止日期"))
    review_until = models.DateField(_("审核截止日期"))
    appeal_until = models.DateField(_("申诉截止日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN
    )
    tiers = models.JSONField(_("分类指导档次"), default=default_tiers)
    tier_overrides = models.JSONField(_("省级档次调整"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("评估轮次")
        verbose_name_plural = _("评估轮次")
        ordering = ["-year", "region_path", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="round_region_path")]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="round_one_per_region_year")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("assessment:round_detail", args=[self.pk])

    def tiers_for(self, province_code: str | None) -> list:
        """The cut-offs that apply in a province (its own, else the round's)."""
        return (self.tier_overrides or {}).get(province_code or "") or self.tiers


class Sheet(ReviewedModel, ChangeLoggedModel):
    """One county association's assessment sheet (评估表) in a round.

    Reviewed with the one workflow (core.review, `services.SHEET_REVIEW`): the county submits
    its self-assessment, the level directly above (the city) verifies or returns it; the
    province then confirms it (`confirmed_on`) or sends it back. `total`, `tier`,
    `dimension_scores` and `eligible` are recomputed from the values whenever one changes.
    """

    scope_path_field = "region_path"
    scope_from = "association"
    # The workflow's own evidence field is unused here (evidence is per indicator, on Value);
    # core.changelog.log_created_bulk cannot encode a FileField, and sheets are made in bulk.
    changelog_exclude = ("region_path", "evidence")

    round = models.ForeignKey(
        Round, verbose_name=_("评估轮次"), on_delete=models.CASCADE, related_name="sheets"
    )
    association = models.ForeignKey(
        Association,
        verbose_name=pgettext_lazy("assessment", "协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区划"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    total = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=0)
    tier = models.CharField(_("档次"), max_length=20, blank=True)
    eligible = models.BooleanField(_("符合资格条件"), default=True)
    gate_notes = models.CharField(_("资格说明"), max_length=300, blank=True)
    dimension_scores = models.JSONField(_("维度得分"), default=dict, blank=True)
    state = models.CharField(
        _("审核状态"),
        max_length=16,
        choices=[
            ("pending", _("未提交自评")),
            ("submitted", _("待市级审核")),
            ("verified", _("市级已审核")),
            ("returned", _("已退回")),
        ],
        default="pending",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_on = models.DateField(_("市级审核日期"), null=True, blank=True)
    confirmed_on = models.DateField(_("省级确认日期"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    appeal_state = models.CharField(
        _("申诉"), max_length=16, choices=AppealState.choices, default="", blank=True
    )
    appeal_reason = models.CharField(_("申诉理由"), max_length=500, blank=True)
    appeal_outcome = models.CharField(_("申诉处理结果"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("评估表")
        verbose_name_plural = _("评估表")
        ordering = ["round", "region_path", "id"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="sheet_region_path"),
            models.Index(fields=["round", "region_path"], name="sheet_round_path"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["round", "association"], name="sheet_one_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.association.name}·{self.round.year}年度评估"

    def get_absolute_url(self) -> str:
        return reverse("assessment:sheet_detail", args=[self.pk])


def evidence_path(value: Value, filename: str) -> str:
    return f"assessment/{value.sheet.round_id}/{value.sheet.association.number}/{value.indicator.code}/{filename}"


class Value(ChangeLoggedModel):
    """One indicator's value on one sheet: computed (with the figures it came from) or filled
    by the county (a number or an A/B/C grade, with evidence), and the points it earns."""

    scope_path_field = "region_path"
    scope_from = "sheet"

    sheet = models.ForeignKey(
        Sheet, verbose_name=_("评估表"), on_delete=models.CASCADE, related_name="values"
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=pgettext_lazy("assessment", "指标"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_path = ScopePathField()
    value = models.DecimalField(_("数值"), max_digits=14, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices, blank=True)
    points = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, default=0)
    source_text = models.CharField(_("数据依据"), max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True, max_length=300)
    filled = models.BooleanField(_("已填报"), default=False)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["sheet", "indicator__position", "indicator__code"]
        indexes = [models.Index(fields=["region_path", "id"], name="value_region_path")]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "indicator"], name="value_one_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name}：{self.points}"


class DemoQuota(ChangeLoggedModel):
    """How many 示范 candidates a province may recommend in a year, set by the nation."""

    scope_path_field = "region_path"
    scope_from = "region"

    region = models.ForeignKey(
        Region, verbose_name=_("省份"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    year = models.PositiveSmallIntegerField(_("年度"))
    quota = models.PositiveSmallIntegerField(_("推荐名额"))

    class Meta:
        verbose_name = _("示范推荐名额")
        verbose_name_plural = _("示范推荐名额")
        ordering = ["-year", "region_path"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="demoquota_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.quota} 个"


class Candidate(ChangeLoggedModel):
    """A province's recommendation of a county association for the year's 示范 selection."""

    scope_path_field = "region_path"
    scope_from = "association"

    association = models.ForeignKey(
        Association,
        verbose_name=pgettext_lazy("assessment", "协会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    region_path = ScopePathField()
    year = models.PositiveSmallIntegerField(_("年度"))
    sheet = models.ForeignKey(
        Sheet,
        verbose_name=_("评估表"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=CandidateState.choices, default=CandidateState.RECOMMENDED
    )
    note = models.CharField(_("推荐理由"), max_length=500, blank=True)
    decided_on = models.DateField(_("遴选日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("示范候选")
        verbose_name_plural = _("示范候选")
        ordering = ["-year", "region_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["association", "year"], name="candidate_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.association.name}（{self.year}）"


class LibraryEntry(ChangeLoggedModel):
    """An organisation in the 示范性志愿服务组织库: an association, or a group member or team a
    province chose (named in `name`), from `entered_on` until `valid_until`, reviewed at expiry
    (renewed), or removed with a reason."""

    scope_path_field = "region_path"
    scope_from = "association"

    association = models.ForeignKey(
        Association, verbose_name=_("所属协会"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    kind = models.CharField(
        _("类型"), max_length=16, choices=LibraryKind.choices, default=LibraryKind.ASSOCIATION
    )
    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("入库年度"))
    entered_on = models.DateField(_("入库日期"))
    valid_until = models.DateField(_("有效期至"))
    reviewed_on = models.DateField(_("复核日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=LibraryStatus.choices, default=LibraryStatus.ACTIVE
    )
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    removed_reason = models.CharField(_("移出原因"), max_length=300, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("示范性志愿服务组织库")
        verbose_name_plural = _("示范性志愿服务组织库")
        ordering = ["region_path", "entered_on", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="demo_library_region_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("entered_on")),
                name="libraryentry_valid_after_entry",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Support(ChangeLoggedModel):
    """Support given to a library organisation in a year (amount in yuan and kind)."""

    scope_path_field = "region_path"
    scope_from = "entry"

    entry = models.ForeignKey(
        LibraryEntry, verbose_name=_("入库组织"), on_delete=models.PROTECT, related_name="supports"
    )
    region_path = ScopePathField()
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("支持方式"), max_length=16, choices=SupportKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2, default=0)
    given_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("扶持记录")
        verbose_name_plural = _("扶持记录")
        ordering = ["-given_on", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="support_region_path")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="support_amount_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} 元"
