"""Brand programmes, projects and their activities, the project library, competitions with
judging and funding, and pilot communities.

Every row carries the region path it is scoped by (`region_path`, copied from `scope_from`),
so the gate filters each table by a range on its own index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qingxie.core.models import ChangeLoggedModel, ScopePathField
from qingxie.core.review import ReviewedModel
from qingxie.ledger.models import Association, GroupMember
from qingxie.projects.choices import (
    EntryState,
    LibraryState,
    Listing,
    ProjectField,
    ProjectStatus,
    SheetState,
    StageKind,
    TargetGroup,
    TieRule,
)
from qingxie.regions.models import Region
from qingxie.teams.models import Team


class Programme(ChangeLoggedModel):
    """A brand programme (品牌项目) such as 关爱行动 or 阳光行动: reference data every cadre
    reads. `region` is the level that set it (None: the nation's, seeded by the migration);
    a province's own programmes are set by its administrators for its subtree. A `parent`
    makes it a variant (朝阳行动 under 关爱行动): a project under the variant counts as run
    under the parent too."""

    # Reference data: any grant reads it; writes are checked by the services (the setting
    # level's administrators), as the region column may be empty for the nation.
    scope_path_field = None

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.TextField(pgettext_lazy("projects", "说明"), blank=True, max_length=2000)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属品牌"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="variants",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("设立层级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(pgettext_lazy("projects", "启用"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("品牌项目")
        verbose_name_plural = _("品牌项目")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class PilotProgramme(ChangeLoggedModel):
    """A pilot programme (试点工作) such as 共创美好社区, set by a national or provincial level."""

    scope_path_field = "region_path"
    scope_from = "organiser"

    name = models.CharField(_("试点名称"), max_length=100)
    organiser = models.ForeignKey(
        Region, verbose_name=_("组织层级"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    programme = models.ForeignKey(
        Programme, verbose_name=_("品牌项目"), on_delete=models.PROTECT, null=True, blank=True
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("试点工作")
        verbose_name_plural = _("试点工作")
        ordering = ["-starts_on", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="pilot_region_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="pilot_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class PilotCommunity(ChangeLoggedModel):
    """A pilot community: a named community in one township/street (or the township itself)."""

    scope_path_field = "region_path"
    scope_from = "township"

    pilot = models.ForeignKey(
        PilotProgramme,
        verbose_name=_("试点工作"),
        on_delete=models.PROTECT,
        related_name="communities",
    )
    township = models.ForeignKey(
        Region, verbose_name=_("所在乡镇（街道）"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    name = models.CharField(_("社区名称"), max_length=100)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("试点社区")
        verbose_name_plural = _("试点社区")
        ordering = ["pilot", "region_path", "name"]
        indexes = [models.Index(fields=["region_path", "id"], name="pilotcommunity_region_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["pilot", "township", "name"], name="pilotcommunity_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PilotUnit(ChangeLoggedModel):
    """An association (usually a county one) taking part in a pilot programme as a 试点单位."""

    scope_path_field = "region_path"
    scope_from = "association"

    pilot = models.ForeignKey(
        PilotProgramme, verbose_name=_("试点工作"), on_delete=models.PROTECT, related_name="units"
    )
    association = models.ForeignKey(
        Association, verbose_name=_("试点单位"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    joined_on = models.DateField(_("加入日期"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("试点单位")
        verbose_name_plural = _("试点单位")
        ordering = ["pilot", "region_path"]
        indexes = [models.Index(fields=["region_path", "id"], name="pilotunit_region_path")]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "association"], name="pilotunit_unique")
        ]

    def __str__(self) -> str:
        return str(self.association_id)


class Project(ChangeLoggedModel):
    """A volunteer service project run by an association (or one of its teams or group
    members), perhaps under a brand programme, serving a county or township inside the
    association's region.

    `county` repeats the county-level unit the served region lies in (None when the project
    serves a whole city or province): the sinking figures count counties from one index
    (`project_sinking`) without walking the region tree. A project counts as run on day D
    when it is not a draft and start_on ≤ D ≤ end_on (or no end).
    """

    scope_path_field = "region_path"
    scope_from = "association"

    association = models.ForeignKey(
        Association, verbose_name=_("实施协会"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("实施队伍"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    group_member = models.ForeignKey(
        GroupMember,
        verbose_name=_("实施团体会员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region_path = ScopePathField()
    name = models.CharField(_("项目名称"), max_length=100)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("品牌项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    field = models.CharField(_("服务领域"), max_length=20, choices=ProjectField.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="+"
    )
    county = models.ForeignKey(
        Region,
        verbose_name=_("所在县级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    target_groups = models.JSONField(_("服务对象"), default=list, blank=True)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    goals = models.TextField(_("项目目标"), blank=True, max_length=2000)
    results = models.TextField(_("实施成效"), blank=True, max_length=2000)
    budget = models.DecimalField(_("预算（元）"), max_digits=12, decimal_places=2, default=0)
    funding_sources = models.CharField(_("资金来源"), max_length=200, blank=True)
    partners = models.CharField(_("合作单位"), max_length=200, blank=True)
    pilot_community = models.ForeignKey(
        PilotCommunity,
        verbose_name=_("试点社区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("志愿服务项目")
        verbose_name_plural = _("志愿服务项目")
        ordering = ["-start_on", "-id"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="project_region_path"),
            models.Index(
                fields=["programme", "county", "status", "start_on", "end_on"],
                name="project_sinking",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="project_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def target_group_labels(self) -> list[str]:
        """The 服务对象 as cadres read them."""
        labels = dict(TargetGroup.choices)
        return [str(labels.get(g, g)) for g in self.target_groups]


class Activity(ChangeLoggedModel):
    """One activity of a project: a time, a place and posts (志愿者岗位, the number of
    volunteers wanted); the volunteers app attaches sign-ups and service hours to it."""

    scope_path_field = "region_path"
    scope_from = "project"

    project = models.ForeignKey(
        Project, verbose_name=_("所属项目"), on_delete=models.PROTECT, related_name="activities"
    )
    region_path = ScopePathField()
    title = models.CharField(_("活动名称"), max_length=100)
    starts_at = models.DateTimeField(pgettext_lazy("projects", "开始时间"))
    ends_at = models.DateTimeField(pgettext_lazy("projects", "结束时间"))
    place = models.CharField(_("活动地点"), max_length=200)
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇（街道）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    posts = models.PositiveIntegerField(_("招募人数"))
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("项目活动")
        verbose_name_plural = _("项目活动")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="activity_region_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message=_("结束时间须晚于开始时间。"),
            )
        ]

    def __str__(self) -> str:
        return self.title


class LibraryEntry(ReviewedModel, ChangeLoggedModel):
    """A project's application to the project library (项目库), reviewed by the level above
    the owning association (core.review); approved, it is listed with a number and a year,
    may be recommended and published to the catalogue (上线推介), and withdrawn (退库)."""

    scope_path_field = "region_path"
    scope_from = "project"

    project = models.OneToOneField(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="library_entry"
    )
    region_path = ScopePathField()
    state = models.CharField(
        _("审核状态"), max_length=16, choices=LibraryState.choices, default=LibraryState.PENDING
    )
    number = models.CharField(_("入库编号"), max_length=40, null=True, blank=True, unique=True)
    year = models.PositiveSmallIntegerField(_("入库年度"), null=True, blank=True)
    listing = models.CharField(
        _("库内状态"), max_length=16, choices=Listing.choices, default=Listing.NONE, blank=True
    )
    published_on = models.DateField(_("上线日期"), null=True, blank=True)
    withdrawn_on = models.DateField(_("退库日期"), null=True, blank=True)
    withdraw_reason = models.CharField(_("退库原因"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("项目库条目")
        verbose_name_plural = _("项目库条目")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="project_library_region_path"),
            models.Index(fields=["listing", "year"], name="libraryentry_listing_year"),
        ]

    def __str__(self) -> str:
        # Chinese in every language: the change log stores it as the row's name (object_repr).
        return f"项目库：{self.project_id}"


class Competition(ChangeLoggedModel):
    """One edition of a project competition (项目大赛, e.g. 益苗计划), organised by a level
    for its subtree; entries come from the level directly below (no skipping). `upper` is the
    edition this one feeds (a province's contest sends its ranked list to the national one)."""

    scope_path_field = "region_path"
    scope_from = "organiser"

    name = models.CharField(_("赛事名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    organiser = models.ForeignKey(
        Region, verbose_name=_("主办层级"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    programme = models.ForeignKey(
        Programme, verbose_name=_("品牌项目"), on_delete=models.PROTECT, null=True, blank=True
    )
    upper = models.ForeignKey(
        "self",
        verbose_name=_("上一级赛事"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feeders",
    )
    tie_rule = models.CharField(
        _("同分规则"), max_length=20, choices=TieRule.choices, default=TieRule.TOP_CRITERION
    )
    entries_open = models.DateField(_("申报开始"), null=True, blank=True)
    entries_close = models.DateField(_("申报截止"), null=True, blank=True)
    notice_starts = models.DateField(_("公示开始"), null=True, blank=True)
    notice_ends = models.DateField(_("公示结束"), null=True, blank=True)
    description = models.TextField(pgettext_lazy("projects", "说明"), blank=True, max_length=2000)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("项目大赛")
        verbose_name_plural = _("项目大赛")
        ordering = ["-year", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="competition_region_path")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("competitions:competition_detail", args=[self.pk])


class Category(ChangeLoggedModel):
    """A category (组别) of an edition, e.g. 关爱少年儿童 or 社区治理与邻里守望."""

    scope_path_field = "region_path"
    scope_from = "competition"

    competition = models.ForeignKey(
        Competition, verbose_name=_("赛事"), on_delete=models.PROTECT, related_name="categories"
    )
    region_path = ScopePathField()
    name = models.CharField(_("组别"), max_length=60)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("赛事组别")
        verbose_name_plural = _("赛事组别")
        ordering = ["competition", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="category_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Quota(ChangeLoggedModel):
    """How many entries a child region of the organiser may send to an edition."""

    scope_path_field = "region_path"
    scope_from = "competition"

    competition = models.ForeignKey(
        Competition, verbose_name=_("赛事"), on_delete=models.PROTECT, related_name="quotas"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("报送地区"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    max_entries = models.PositiveIntegerField(_("名额"))

    class Meta:
        verbose_name = _("报送名额")
        verbose_name_plural = _("报送名额")
        ordering = ["competition", "region"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "region"], name="quota_unique_region")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}: {self.max_entries}"


class Stage(ChangeLoggedModel):
    """A judging stage of an edition (初审, 复审 or 路演, 终审) with its criteria; scores are
    aggregated by weighted mean, dropping the highest and lowest sheet when `drop_extremes`
    and at least three judges scored."""

    scope_path_field = "region_path"
    scope_from = "competition"

    competition = models.ForeignKey(
        Competition, verbose_name=_("赛事"), on_delete=models.PROTECT, related_name="stages"
    )
    region_path = ScopePathField()
    kind = models.CharField(_("阶段"), max_length=16, choices=StageKind.choices)
    position = models.PositiveSmallIntegerField(_("顺序"))
    drop_extremes = models.BooleanField(_("去掉最高分和最低分"), default=False)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("评审阶段")
        verbose_name_plural = _("评审阶段")
        ordering = ["competition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "kind"], name="stage_unique_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Criterion(ChangeLoggedModel):
    """A scoring criterion of a stage: its weight (a stage's weights add up to 100) and the
    highest score a judge may give."""

    scope_path_field = "region_path"
    scope_from = "stage"

    stage = models.ForeignKey(
        Stage, verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="criteria"
    )
    region_path = ScopePathField()
    name = models.CharField(_("评分项"), max_length=60)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2)
    max_score = models.DecimalField(_("满分"), max_digits=6, decimal_places=2, default=100)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["stage", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Entry(ChangeLoggedModel):
    """A project entered in an edition by the child region of the organiser it lies in
    (`submitting_region`), at `list_position` of that region's ranked list; `stage` is the
    furthest stage it reached. One entry per project and edition; a withdrawn entry keeps
    its date and reason."""

    scope_path_field = "region_path"
    scope_from = "project"

    competition = models.ForeignKey(
        Competition, verbose_name=_("赛事"), on_delete=models.PROTECT, related_name="entries"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("组别"), on_delete=models.PROTECT, related_name="entries"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="entries"
    )
    region_path = ScopePathField()
    submitting_region = models.ForeignKey(
        Region, verbose_name=_("报送地区"), on_delete=models.PROTECT, related_name="+"
    )
    list_position = models.PositiveIntegerField(_("报送排序"), default=1)
    stage = models.ForeignKey(
        Stage, verbose_name=_("所处阶段"), on_delete=models.PROTECT, null=True, blank=True
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=EntryState.choices, default=EntryState.ENTERED
    )
    submitted_at = models.DateTimeField(_("报送时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A withdrawal (撤回) keeps the entry and says why; it frees a place of the quota.
    withdrawn_on = models.DateField(_("撤回日期"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("参赛项目")
        verbose_name_plural = _("参赛项目")
        ordering = ["competition", "category", "submitting_region", "list_position", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="entry_region_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["competition", "project"],
                name="entry_one_per_project",
                violation_error_message=_("该项目已报送本届赛事，不能重复报送。"),
            )
        ]

    def __str__(self) -> str:
        return f"参赛项目 {self.pk}"


class JudgeAssignment(ChangeLoggedModel):
    """A judge assigned to a category at a stage. The judge may not score an entry from the
    region of their own grants below the organiser, nor from `home_region` (回避)."""

    scope_path_field = "region_path"
    scope_from = "stage"

    stage = models.ForeignKey(
        Stage, verbose_name=_("阶段"), on_delete=models.PROTECT, related_name="assignments"
    )
    category = models.ForeignKey(
        Category, verbose_name=_("组别"), on_delete=models.PROTECT, related_name="assignments"
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评委"),
        on_delete=models.PROTECT,
        related_name="judge_assignments",
    )
    home_region = models.ForeignKey(
        Region,
        verbose_name=_("评委所在地区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    region_path = ScopePathField()

    class Meta:
        verbose_name = _("评委分配")
        verbose_name_plural = _("评委分配")
        ordering = ["stage", "category", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "category", "judge"], name="judgeassignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"评委 {self.judge_id}"


class ScoreSheet(ChangeLoggedModel):
    """One judge's scores for one entry at one stage: `scores` maps criterion id → score
    (as a decimal string). A draft may be saved again; a submitted sheet is final."""

    scope_path_field = "region_path"
    scope_from = "entry"

    assignment = models.ForeignKey(
        JudgeAssignment, verbose_name=_("评委分配"), on_delete=models.PROTECT, related_name="sheets"
    )
    entry = models.ForeignKey(
        Entry, verbose_name=_("参赛项目"), on_delete=models.PROTECT, related_name="sheets"
    )
    region_path = ScopePathField()
    scores = models.JSONField(_("评分"), default=dict)
    state = models.CharField(
        _("状态"), max_length=16, choices=SheetState.choices, default=SheetState.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["entry", "assignment"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "entry"], name="scoresheet_unique")
        ]

    def __str__(self) -> str:
        return f"评分表 {self.pk}"


class Award(ChangeLoggedModel):
    """An award (金奖/银奖/铜奖, or a funding tier such as 示范项目) given to an entry, with
    the amount of funding it carries (元)."""

    scope_path_field = "region_path"
    scope_from = "entry"

    entry = models.OneToOneField(
        Entry, verbose_name=_("参赛项目"), on_delete=models.PROTECT, related_name="award"
    )
    region_path = ScopePathField()
    tier = models.CharField(_("奖项"), max_length=30)
    amount = models.DecimalField(_("资助金额（元）"), max_digits=12, decimal_places=2, default=0)
    awarded_on = models.DateField(_("授予日期"))
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("奖项")
        verbose_name_plural = _("奖项")
        ordering = ["entry"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="award_amount_nonnegative")
        ]

    def __str__(self) -> str:
        return self.tier


class Disbursement(ChangeLoggedModel):
    """One payment of an award's funding, dated; the payments of an award never exceed it.
    A record: corrected by a new negative payment, never edited."""

    scope_path_field = "region_path"
    scope_from = "award"

    award = models.ForeignKey(
        Award, verbose_name=_("奖项"), on_delete=models.PROTECT, related_name="disbursements"
    )
    region_path = ScopePathField()
    amount = models.DecimalField(_("拨付金额（元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("拨付日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    class Meta:
        verbose_name = _("资金拨付")
        verbose_name_plural = _("资金拨付")
        ordering = ["award", "paid_on", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="disbursement_region_path")]

    def __str__(self) -> str:
        return f"拨付 {self.amount}"
