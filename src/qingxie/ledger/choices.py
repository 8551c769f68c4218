"""Choices of the ledger: English values in code, Chinese labels on screen."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AssociationForm(models.TextChoices):
    """Every form of 团属志愿服务组织 counts for its region's coverage, as in the bulletin."""

    YOUTH_VOLUNTEER_ASSOCIATION = "youth_volunteer_association", _("青年志愿者协会")
    VOLUNTEER_FEDERATION = "volunteer_federation", _("志愿者联合会")
    YIGONG_FEDERATION = "yigong_federation", _("义工联合会")
    VOLUNTEER_SERVICE_FEDERATION = "volunteer_service_federation", _("志愿服务联合会")
    OTHER = "other", _("其他团属志愿服务组织")


class AssociationStatus(models.TextChoices):
    """An association is live while active or suspended; dissolved and merged are final."""

    ACTIVE = "active", _("正常")
    SUSPENDED = "suspended", _("暂停活动")
    DISSOLVED = "dissolved", _("已注销")
    MERGED = "merged", _("已合并")


LIVE_STATUSES = (AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED)


class ChecklistState(models.TextChoices):
    """Where one checklist item of one association stands in the verification workflow."""

    PENDING = "pending", _("未提交")
    SUBMITTED = "submitted", _("待核验")
    VERIFIED = "verified", _("已核验")
    RETURNED = "returned", _("已退回")


class GroupMemberKind(models.TextChoices):
    """The kinds of organisation an association admits as a group member (团体会员)."""

    VOLUNTEER_ORGANISATION = "volunteer_organisation", _("志愿服务组织")
    SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
    SCHOOL = "school", _("学校团组织")
    ENTERPRISE = "enterprise", _("企业")
    PUBLIC_INSTITUTION = "public_institution", _("机关事业单位")
    COMMUNITY = "community", _("城乡社区")
    OTHER = "other", _("其他")


class GroupMemberStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    WITHDRAWN = "withdrawn", _("已退出")


class CoverageMeasure(models.TextChoices):
    """What a coverage target is set on."""

    ESTABLISHED = "established", _("县级协会覆盖率")
    STANDARDIZED = "standardized", _("规范化建设覆盖率")
    TOWNSHIP_TEAMS = "township_teams", _("乡镇（街道）建队覆盖率")
