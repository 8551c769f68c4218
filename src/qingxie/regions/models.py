"""The region tree (GB/T 2260), its name history and the division data sets loaded."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from qingxie.core.models import ChangeLoggedModel

ROOT_CODE = "000000"


class Region(ChangeLoggedModel):
    """One administrative division: nation root, province, prefecture, county or township.

    `path` is the materialized path of codes from the root ("000000/440000/440100/"), so a
    subtree is one range scan. Divisions are never deleted: a retired one keeps its row with
    `valid_to` and, where known, its `successor`, so everything that refers to it still works.
    """

    scope_path_field = "path"
    read_only_for_users = True

    class Level(models.IntegerChoices):
        NATION = 0, _("全国")
        PROVINCE = 1, _("省级")
        PREFECTURE = 2, _("地级")
        COUNTY = 3, _("县级")
        TOWNSHIP = 4, _("乡级")

    code = models.CharField(_("区划代码"), max_length=9, unique=True)
    name = models.CharField(_("名称"), max_length=100, db_index=True)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("路径"), max_length=80, unique=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True, db_index=True)
    valid_to = models.DateField(_("撤销日期"), null=True, blank=True, db_index=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("继承区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    # Counter caches, recomputed by the loader (division data changes only through it).
    county_count = models.PositiveIntegerField(_("县级单位数"), default=0)
    township_count = models.PositiveIntegerField(_("乡级单位数"), default=0)
    has_shape = models.BooleanField(_("有地图边界"), default=False)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "code"], name="region_parent_code")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to the parent."""
        return self.path.rstrip("/").split("/")[:-1]

    @property
    def is_root(self) -> bool:
        return self.code == ROOT_CODE

    @property
    def province_code(self) -> str | None:
        codes = self.path.rstrip("/").split("/")
        return codes[1] if len(codes) > 1 else None


class RegionName(models.Model):
    """A name a region carried over a period; renames by a newer data set add a row."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="names")
    name = models.CharField(_("名称"), max_length=100)
    valid_from = models.DateField(_("起"), null=True, blank=True)
    valid_to = models.DateField(_("止"), null=True, blank=True)

    class Meta:
        verbose_name = _("区划名称沿革")
        verbose_name_plural = _("区划名称沿革")
        ordering = ["region", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name}（{self.valid_from or '…'}—{self.valid_to or '今'}）"


class DivisionDataset(models.Model):
    """A version of the official division list that was loaded, with provenance.

    Public reference data, written only by the loader; not region-scoped.
    """

    source = models.CharField(_("来源"), max_length=200)
    source_table = models.CharField(_("数据表"), max_length=100, blank=True)
    data_as_of = models.DateField(_("数据截止日期"), unique=True)
    sha256 = models.CharField(_("校验值"), max_length=64)
    item_count = models.PositiveIntegerField(_("条目数"))
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)
    created_count = models.PositiveIntegerField(_("新增"), default=0)
    renamed_count = models.PositiveIntegerField(_("更名"), default=0)
    moved_count = models.PositiveIntegerField(_("隶属变更"), default=0)
    retired_count = models.PositiveIntegerField(_("撤销"), default=0)

    class Meta:
        verbose_name = _("区划数据版本")
        verbose_name_plural = _("区划数据版本")
        ordering = ["-data_as_of"]

    def __str__(self) -> str:
        return f"{self.source_table or self.source} {self.data_as_of}"
