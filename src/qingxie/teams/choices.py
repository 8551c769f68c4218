"""Choices of grassroots teams."""

from django.db import models


class TeamCategory(models.TextChoices):
    """Where a grassroots team is built (县有协会，基层建队)."""

    TOWNSHIP = "township", "乡镇/街道"
    SCHOOL = "school", "学校"
    INDUSTRY = "industry", "行业"
    ENTERPRISE = "enterprise", "企业"
    COMMUNITY = "community", "社区"
    OTHER = "other", "其他"


class TeamStatus(models.TextChoices):
    ACTIVE = "active", "正常"
    DISSOLVED = "dissolved", "已撤销"
