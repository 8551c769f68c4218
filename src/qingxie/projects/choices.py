"""Choice sets of projects, the library, competitions and pilots (English values, Chinese
labels marked for translation; spreadsheets keep the Chinese through `choice_pairs`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProjectField(models.TextChoices):
    """服务领域 of a project."""

    ELDERLY_DISABLED = "elderly_disabled", _("扶老助残")
    CHILDREN = "children", _("关爱儿童")
    COMMUNITY = "community", _("社区治理")
    RURAL = "rural", _("乡村振兴")
    ENVIRONMENT = "environment", _("生态环保")
    EMERGENCY = "emergency", _("应急救援")
    CIVILISATION = "civilisation", _("文明实践")
    OTHER = "other", _("其他")


class TargetGroup(models.TextChoices):
    """服务对象 a project serves (several per project)."""

    EMPTY_NEST = "empty_nest", _("空巢老人")
    LEFT_BEHIND = "left_behind", _("留守儿童")
    MIGRANT_CHILDREN = "migrant_children", _("异地务工人员随迁子女")
    DISABLED = "disabled", _("残障人士")
    HARDSHIP = "hardship", _("特困群体")
    RESIDENTS = "residents", _("社区居民")
    YOUTH = "youth", _("青少年")
    OTHER = "other", _("其他")


class ProjectStatus(models.TextChoices):
    """Where a project stands; only a running, paused or finished project counts as run."""

    DRAFT = "draft", _("草稿")
    RUNNING = "running", _("实施中")
    PAUSED = "paused", pgettext_lazy("projects", "暂停")
    FINISHED = "finished", _("已结项")


class LibraryState(models.TextChoices):
    """The review state of a library application (core.review's states, relabelled)."""

    PENDING = "pending", _("未提交")
    SUBMITTED = "submitted", _("待审核")
    VERIFIED = "verified", _("已入库")
    RETURNED = "returned", _("已退回")


class Listing(models.TextChoices):
    """Where a project stands in the library once approved."""

    NONE = "", "—"
    LISTED = "listed", _("已入库")
    RECOMMENDED = "recommended", _("推荐上线")
    PUBLISHED = "published", _("已上线推介")
    WITHDRAWN = "withdrawn", _("已退库")


class StageKind(models.TextChoices):
    """The stages of a competition, in order."""

    DECLARE = "declare", _("申报")
    PRELIMINARY = "preliminary", _("初审")
    SECOND = "second", _("复审")
    ROADSHOW = "roadshow", _("路演")
    FINAL = "final", _("终审")


class TieRule(models.TextChoices):
    """How ranking breaks a tie of the aggregated score (stated on the ranking page)."""

    TOP_CRITERION = (
        "top_criterion",
        _("同分时比较权重最高的评分项平均分，高者列前；仍相同者名次并列"),
    )
    SHARED = "shared", _("同分者名次并列")


class EntryState(models.TextChoices):
    """An entry in a competition."""

    ENTERED = "entered", _("已报送")
    ADVANCED = "advanced", _("晋级")
    STOPPED = "stopped", _("未晋级")
    WITHDRAWN = "withdrawn", _("已撤回")


class SheetState(models.TextChoices):
    """A judge's score sheet for one entry at one stage."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
