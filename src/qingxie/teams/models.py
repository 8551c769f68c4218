"""Grassroots teams (基层队伍) built under an association, many at township/street level."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingxie.core.crypto import EncryptedCharField
from qingxie.core.models import ChangeLoggedModel, ScopePathField
from qingxie.ledger.models import Association
from qingxie.regions.models import Region
from qingxie.teams.choices import TeamCategory, TeamStatus


class Team(ChangeLoggedModel):
    """A grassroots volunteer team under an association.

    `region` repeats the association's region (the scope of the team); `township` is the
    township/street a 乡镇/街道 team serves, always inside the association's region, and
    `township_parent` repeats that township's parent for the coverage count. A team is
    active on day D when founded_on ≤ D and it was not dissolved on or before D; township
    coverage counts the townships with at least one such team.
    """

    # The association's path: teams follow it when it moves (core.models.scope_paths_follow).
    scope_path_field = "region_path"
    scope_from = "association"

    association = models.ForeignKey(
        Association, verbose_name=_("所属协会"), on_delete=models.PROTECT, related_name="teams"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    region_path = ScopePathField()
    township = models.ForeignKey(
        Region,
        verbose_name=_("所在乡镇（街道）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
    )
    # The township's own parent (a county, or a prefecture without counties such as 东莞),
    # copied so township coverage is counted from one index without joining regions.
    township_parent = models.ForeignKey(
        Region,
        verbose_name=_("乡镇所属区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    name = models.CharField(_("队伍名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=16, choices=TeamCategory.choices)
    leader_name = models.CharField(_("负责人"), max_length=50, blank=True)
    leader_phone = EncryptedCharField(_("负责人电话"), max_length=20, blank=True)
    member_count = models.PositiveIntegerField(_("队员人数"), default=0)
    founded_on = models.DateField(_("成立日期"))
    status = models.CharField(
        _("状态"), max_length=16, choices=TeamStatus.choices, default=TeamStatus.ACTIVE
    )
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # Optimistic locking (core.concurrency): bumped by the services on every saved edit.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("基层队伍")
        verbose_name_plural = _("基层队伍")
        ordering = ["association", "name", "id"]
        indexes = [
            # Covers the township-coverage count: no table row is read.
            models.Index(
                fields=["township_parent", "township", "founded_on", "dissolved_on"],
                name="team_township_coverage",
            ),
            models.Index(fields=["region_path", "id"], name="team_region_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(dissolved_on__gte=models.F("founded_on")),
                name="team_dissolved_after_founded",
            ),
            models.CheckConstraint(
                condition=~Q(category=TeamCategory.TOWNSHIP) | Q(township__isnull=False),
                name="team_township_category_has_township",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:team_detail", args=[self.pk])
