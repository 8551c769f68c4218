"""Choices of the assessment: English values in code, Chinese labels on screen."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy


class IndicatorKind(models.TextChoices):
    """Where an indicator's value comes from; a gate gives no points, it admits or bars."""

    COMPUTED = "computed", _("平台数据计算")
    MANUAL = "manual", _("自评填报（附佐证）")
    GATE = "gate", _("资格条件")


class ScoringRule(models.TextChoices):
    """How a value becomes points (see assessment.scoring)."""

    THRESHOLDS = "thresholds", _("分档计分")
    LINEAR = "linear", _("区间线性计分")
    ABC = "abc", _("A/B/C 等级计分")
    PASS = "pass", _("达标/不达标")


class Grade(models.TextChoices):
    """The states of an A/B/C indicator (2012 测评体系: A = 100%, B = 66%, C = 33%)."""

    A = "A", _("A（好）")
    B = "B", _("B（较好）")
    C = "C", _("C（一般）")
    D = "D", _("D（未开展）")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("进行中（待截止计算）")
    COMPUTED = "computed", _("已计算（自评与审核）")
    CLOSED = "closed", _("已结束")


class AppealState(models.TextChoices):
    NONE = "", _("无")
    SUBMITTED = "submitted", _("申诉待处理")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("申诉驳回")


class CandidateState(models.TextChoices):
    RECOMMENDED = "recommended", _("已推荐")
    SELECTED = "selected", _("已入选")
    NOT_SELECTED = "not_selected", _("未入选")


class LibraryKind(models.TextChoices):
    ASSOCIATION = "association", _("县级青年志愿者协会")
    GROUP_MEMBER = "group_member", _("团体会员")
    TEAM = "team", _("基层队伍")


class LibraryStatus(models.TextChoices):
    ACTIVE = "active", _("在库")
    REMOVED = "removed", _("已移出")


class SupportKind(models.TextChoices):
    VENTURE = "venture", _("公益创投资金")
    POVERTY = "poverty", _("贫困地区建设支持")
    AWARD = "award", _("表彰奖励")
    OTHER = "other", _("其他支持")


#: The default tier and dimension names, marked for the English catalogue: tiers and
#: dimensions are data (editable per round and version), so the pages translate the stored
#: name when the catalogue knows it and show it as stored otherwise. Dimensions carry a context
#: because the project catalogue, which wins over this app's, has some of the same words in
#: another sense (培训 the trainings list, not the dimension "Training").
DEFAULT_NAMES = (
    gettext_noop("示范"),
    gettext_noop("规范"),
    gettext_noop("基础"),
    gettext_noop("薄弱"),
)
DIMENSION_NAMES = (
    pgettext_lazy("assessment dimension", "组织建设"),
    pgettext_lazy("assessment dimension", "内部治理与规范化"),
    pgettext_lazy("assessment dimension", "队伍与会员"),
    pgettext_lazy("assessment dimension", "项目与活动"),
    pgettext_lazy("assessment dimension", "培训"),
    pgettext_lazy("assessment dimension", "社会影响"),
    pgettext_lazy("assessment dimension", "信息化"),
)
