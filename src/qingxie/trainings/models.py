"""Trainings (培训) organised by associations, their attendees and materials."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qingxie.core.crypto import EncryptedCharField
from qingxie.core.models import ChangeLoggedModel, ScopePathField
from qingxie.ledger.models import Association
from qingxie.trainings.choices import (
    AttendeeRole,
    TrainingAudience,
    TrainingKind,
    TrainingMode,
    TrainingStatus,
)


class Training(ChangeLoggedModel):
    """A training session organised by an association (national, province, city or county).

    The organiser's region is the training's scope: `region_path` copies the organiser's and
    follows it when it moves. `audience` holds the codes of TrainingAudience joined by commas
    (",leaders,backbone,"), so "the audience includes association leaders" is one indexed
    LIKE on both databases. A training counts for the yearly rule when it is `held` and its
    `end_date` lies in the year; the services refuse a held training dated in the future.
    """

    scope_path_field = "region_path"
    scope_from = "organiser"

    organiser = models.ForeignKey(
        Association, verbose_name=_("主办协会"), on_delete=models.PROTECT, related_name="trainings"
    )
    region_path = ScopePathField()
    title = models.CharField(_("培训名称"), max_length=200)
    kind = models.CharField(_("培训类别"), max_length=16, choices=TrainingKind.choices)
    audience = models.CharField(_("培训对象"), max_length=80)
    mode = models.CharField(
        _("培训方式"), max_length=16, choices=TrainingMode.choices, default=TrainingMode.OFFLINE
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    place = models.CharField(_("培训地点"), max_length=200, blank=True)
    class_hours = models.DecimalField(_("课时（小时）"), max_digits=5, decimal_places=1, default=0)
    topics = models.TextField(_("培训内容"), blank=True, max_length=2000)
    capacity = models.PositiveIntegerField(_("计划人数"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=TrainingStatus.choices, default=TrainingStatus.PLANNED
    )
    note = models.TextField(_("备注"), blank=True, max_length=2000)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    # Optimistic locking (core.concurrency): bumped by the services on every saved edit.
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-start_date", "-id"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="training_region_path"),
            # The yearly rule: held trainings ending in a year.
            models.Index(fields=["status", "end_date"], name="training_status_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="training_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def class_hours_form(self) -> int:
        """The number that picks the plural form of "hours" (the hours may be a fraction, which
        gettext does not take): 1 only for exactly one hour."""
        return 1 if self.class_hours == 1 else 2

    def get_absolute_url(self) -> str:
        return reverse("trainings:training_detail", args=[self.pk])

    @property
    def audience_codes(self) -> list[str]:
        return [c for c in self.audience.split(",") if c]

    @property
    def audience_labels(self) -> str:
        labels = dict(TrainingAudience.choices)
        return "、".join(str(labels.get(c, c)) for c in self.audience_codes)

    @property
    def for_leaders(self) -> bool:
        return TrainingAudience.LEADERS in self.audience_codes


def material_path(material: TrainingMaterial, filename: str) -> str:
    """Materials live under the training's id in the storage, outside the static files."""
    return f"trainings/{material.training_id}/{filename}"


class TrainingMaterial(ChangeLoggedModel):
    """A file of a training (courseware, a notice, photos, the signed sheet), in the storage."""

    scope_path_field = "region_path"
    scope_from = "training"

    training = models.ForeignKey(
        Training, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="materials"
    )
    region_path = ScopePathField()
    title = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=material_path, max_length=300)

    class Meta:
        verbose_name = _("培训材料")
        verbose_name_plural = _("培训材料")
        ordering = ["training", "id"]
        indexes = [models.Index(fields=["region_path", "id"], name="trainingmaterial_path")]

    def __str__(self) -> str:
        return self.title


class Attendee(ChangeLoggedModel):
    """One person on a training's list: who, for which association, whether they came.

    `region_path` is the training's (its organiser decides the list); `association_path`
    copies the represented association's path, so "the trainings a county attended" and
    "the counties whose leaders attended" are ranges on this table without a join.
    `volunteer_number` (志愿者统一编号, the public identifier) is where a volunteer record
    will be linked later: a nullable foreign key can then be added beside it without a
    rewrite.
    """

    scope_path_field = "region_path"
    scope_from = "training"

    training = models.ForeignKey(
        Training, verbose_name=_("培训"), on_delete=models.CASCADE, related_name="attendees"
    )
    region_path = ScopePathField()
    association = models.ForeignKey(
        Association, verbose_name=_("所在协会"), on_delete=models.PROTECT, related_name="+"
    )
    association_path = ScopePathField(verbose_name=_("所在协会区划路径"))
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=20, choices=AttendeeRole.choices)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    attended = models.BooleanField(_("已参加"), default=False)
    hours = models.DecimalField(
        _("参训学时"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    completion_number = models.CharField(_("结业证书编号"), max_length=50, blank=True)
    volunteer_number = models.CharField(_("志愿者编号"), max_length=30, blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("参训人员")
        verbose_name_plural = _("参训人员")
        ordering = ["training", "id"]
        indexes = [
            models.Index(fields=["region_path", "id"], name="attendee_region_path"),
            models.Index(
                fields=["association_path", "attended", "role"], name="attendee_assoc_path"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["training", "association", "name"],
                name="attendee_unique_per_training",
                violation_error_message=_("同一培训中该协会已有同名参训人员。"),
            )
        ]

    def __str__(self) -> str:
        return self.name
