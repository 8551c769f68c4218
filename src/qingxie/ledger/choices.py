"""Choices of the ledger: English values in code, Chinese labels on screen."""

from django.db import models


class AssociationForm(models.TextChoices):
    """Every form of 团属志愿服务组织 counts for its region's coverage, as in the bulletin."""

    YOUTH_VOLUNTEER_ASSOCIATION = "youth_volunteer_association", "青年志愿者协会"
    VOLUNTEER_FEDERATION = "volunteer_federation", "志愿者联合会"
    YIGONG_FEDERATION = "yigong_federation", "义工联合会"
    VOLUNTEER_SERVICE_FEDERATION = "volunteer_service_federation", "志愿服务联合会"
    OTHER = "other", "其他团属志愿服务组织"


class AssociationStatus(models.TextChoices):
    """An association is live while active or suspended; dissolved and merged are final."""

    ACTIVE = "active", "正常"
    SUSPENDED = "suspended", "暂停活动"
    DISSOLVED = "dissolved", "已注销"
    MERGED = "merged", "已合并"


LIVE_STATUSES = (AssociationStatus.ACTIVE, AssociationStatus.SUSPENDED)


class ChecklistState(models.TextChoices):
    """Where one checklist item of one association stands in the verification workflow."""

    PENDING = "pending", "未提交"
    SUBMITTED = "submitted", "待核验"
    VERIFIED = "verified", "已核验"
    RETURNED = "returned", "已退回"


class GroupMemberKind(models.TextChoices):
    """The kinds of organisation an association admits as a group member (团体会员)."""

    VOLUNTEER_ORGANISATION = "volunteer_organisation", "志愿服务组织"
    SOCIAL_ORGANISATION = "social_organisation", "社会组织"
    SCHOOL = "school", "学校团组织"
    ENTERPRISE = "enterprise", "企业"
    PUBLIC_INSTITUTION = "public_institution", "机关事业单位"
    COMMUNITY = "community", "城乡社区"
    OTHER = "other", "其他"


class GroupMemberStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    WITHDRAWN = "withdrawn", "已退出"


class CoverageMeasure(models.TextChoices):
    """What a coverage target is set on."""

    ESTABLISHED = "established", "县级协会覆盖率"
    STANDARDIZED = "standardized", "规范化建设覆盖率"
    TOWNSHIP_TEAMS = "township_teams", "乡镇（街道）建队覆盖率"
