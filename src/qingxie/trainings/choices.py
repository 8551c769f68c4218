"""Choices of trainings (培训) and their attendees."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingKind(models.TextChoices):
    """What a training is (the guiding opinion, 五、1: 示范培训 by the nation)."""

    DEMONSTRATION = "demonstration", _("示范培训")
    LEADERS = "leaders", _("负责人培训")
    BACKBONE = "backbone", _("骨干培训")
    TOPICAL = "topical", _("专题培训")
    OTHER = "other", _("其他")


class TrainingAudience(models.TextChoices):
    """Who a training is for; a training may name several."""

    LEADERS = "leaders", _("协会负责人")
    SECRETARIAT = "secretariat", _("秘书处负责人")
    BACKBONE = "backbone", _("志愿者骨干")
    OTHER = "other", _("其他")


class TrainingMode(models.TextChoices):
    OFFLINE = "offline", _("线下")
    ONLINE = "online", _("线上")
    HYBRID = "hybrid", _("线上线下结合")


class TrainingStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举办")
    CANCELLED = "cancelled", _("已取消")


class AttendeeRole(models.TextChoices):
    """The attendee's role in the association they represent."""

    PRESIDENT = "president", _("会长")
    VICE_PRESIDENT = "vice_president", _("副会长")
    SECRETARY_GENERAL = "secretary_general", _("秘书长")
    SECRETARIAT_STAFF = "secretariat_staff", _("秘书处工作人员")
    BACKBONE = "backbone", _("骨干志愿者")
    OTHER = "other", _("其他")


#: The roles that count as an association's leaders for the yearly rule (会长、副会长、秘书长).
LEADER_ROLES = (
    AttendeeRole.PRESIDENT,
    AttendeeRole.VICE_PRESIDENT,
    AttendeeRole.SECRETARY_GENERAL,
)
