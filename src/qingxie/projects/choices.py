"""Choice sets of projects, the library, competitions and pilots (English values, Chinese labels)."""

from django.db import models


class ProjectField(models.TextChoices):
    """服务领域 of a project."""

    ELDERLY_DISABLED = "elderly_disabled", "扶老助残"
    CHILDREN = "children", "关爱儿童"
    COMMUNITY = "community", "社区治理"
    RURAL = "rural", "乡村振兴"
    ENVIRONMENT = "environment", "生态环保"
    EMERGENCY = "emergency", "应急救援"
    CIVILISATION = "civilisation", "文明实践"
    OTHER = "other", "其他"


class TargetGroup(models.TextChoices):
    """服务对象 a project serves (several per project)."""

    EMPTY_NEST = "empty_nest", "空巢老人"
    LEFT_BEHIND = "left_behind", "留守儿童"
    MIGRANT_CHILDREN = "migrant_children", "异地务工人员随迁子女"
    DISABLED = "disabled", "残障人士"
    HARDSHIP = "hardship", "特困群体"
    RESIDENTS = "residents", "社区居民"
    YOUTH = "youth", "青少年"
    OTHER = "other", "其他"


class ProjectStatus(models.TextChoices):
    """Where a project stands; only a running, paused or finished project counts as run."""

    DRAFT = "draft", "草稿"
    RUNNING = "running", "实施中"
    PAUSED = "paused", "暂停"
    FINISHED = "finished", "已结项"


class LibraryState(models.TextChoices):
    """The review state of a library application (core.review's states, relabelled)."""

    PENDING = "pending", "未提交"
    SUBMITTED = "submitted", "待审核"
    VERIFIED = "verified", "已入库"
    RETURNED = "returned", "已退回"


class Listing(models.TextChoices):
    """Where a project stands in the library once approved."""

    NONE = "", "—"
    LISTED = "listed", "已入库"
    RECOMMENDED = "recommended", "推荐上线"
    PUBLISHED = "published", "已上线推介"
    WITHDRAWN = "withdrawn", "已退库"


class StageKind(models.TextChoices):
    """The stages of a competition, in order."""

    DECLARE = "declare", "申报"
    PRELIMINARY = "preliminary", "初审"
    SECOND = "second", "复审"
    ROADSHOW = "roadshow", "路演"
    FINAL = "final", "终审"


class TieRule(models.TextChoices):
    """How ranking breaks a tie of the aggregated score (stated on the ranking page)."""

    TOP_CRITERION = "top_criterion", "同分时比较权重最高的评分项平均分，高者列前；仍相同者名次并列"
    SHARED = "shared", "同分者名次并列"


class EntryState(models.TextChoices):
    """An entry in a competition."""

    ENTERED = "entered", "已报送"
    ADVANCED = "advanced", "晋级"
    STOPPED = "stopped", "未晋级"
    WITHDRAWN = "withdrawn", "已撤回"


class SheetState(models.TextChoices):
    """A judge's score sheet for one entry at one stage."""

    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
