"""Choices of grassroots teams."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TeamCategory(models.TextChoices):
    """Where a grassroots team is built (县有协会，基层建队)."""

    TOWNSHIP = "township", _("乡镇/街道")
    SCHOOL = "school", _("学校")
    INDUSTRY = "industry", _("行业")
    ENTERPRISE = "enterprise", _("企业")
    COMMUNITY = "community", _("社区")
    OTHER = "other", _("其他")


class TeamStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    DISSOLVED = "dissolved", _("已撤销")
