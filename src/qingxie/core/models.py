"""Base models every domain model builds on, the scoped queryset, and the change log."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def subtree_q(path_field: str, path: str) -> Q:
    """Rows whose materialized path lies under `path` (inclusive), as an index-friendly range.

    Paths are codes joined by "/" with a trailing "/"; every descendant's path starts with its
    ancestor's and continues with a digit, so [path, path + "~") is exactly the subtree and uses
    a plain B-tree index on SQLite and PostgreSQL alike (LIKE 'x%' does not on SQLite).
    """
    return Q(**{f"{path_field}__gte": path, f"{path_field}__lt": path + "~"})


#: Path of the national root region; a grant there covers the whole country.
NATION_PATH = "000000/"


def path_in_scope(paths: list[str] | None, path: str) -> bool:
    """Whether `path` lies inside one of the subtrees `paths` (None: unrestricted)."""
    return paths is None or any(path.startswith(p) for p in paths)


class ScopePathField(models.CharField):
    """The region path of a row, stored on the row itself so the gate filters without a join.

    Compared byte by byte: on PostgreSQL the column uses the "C" collation (see
    regions/migrations/0002_region_path_c_collation.py for why the subtree range needs it);
    SQLite compares with BINARY already. Filled by `ScopedModel.save()` and `bulk_create`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("verbose_name", _("区划路径"))
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def _scope_source(model) -> tuple[models.ForeignKey, str] | None:
    """The foreign key a model's path comes from and the parent's path column, if declared."""
    name = getattr(model, "scope_from", None)
    if not name:
        return None
    fk = model._meta.get_field(name)
    return fk, fk.related_model.scope_path_field


def fill_scope_paths(instances) -> None:
    """Set the scope column of each instance from its `scope_from` parent, for a list.

    Parents already loaded on the instance are used as they are; the others are read with one
    query per thousand, so bulk inserts stay bulk. Call it before `bulk_create` (the gate's
    queryset does it for you).
    """
    instances = list(instances)
    if not instances:
        return
    model = type(instances[0])
    source = _scope_source(model)
    if source is None:
        return
    fk, parent_field = source
    missing = []
    for instance in instances:
        if fk.is_cached(instance) and fk.get_cached_value(instance) is not None:
            parent = fk.get_cached_value(instance)
            setattr(instance, model.scope_path_field, getattr(parent, parent_field) or "")
        else:
            missing.append(instance)
    wanted = sorted({getattr(i, fk.attname) for i in missing} - {None})
    paths: dict = {}
    manager = fk.related_model._base_manager
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        paths.update(manager.filter(pk__in=chunk).values_list("pk", parent_field))
    for instance in missing:
        setattr(instance, model.scope_path_field, paths.get(getattr(instance, fk.attname), ""))


def scope_paths_follow(model, ids) -> int:
    """Refresh the scope column of every row whose path comes from the `model` rows `ids`.

    Called by the service that moves objects (an association onto a successor region, a
    division moved by the loader): each model declaring `scope_from` a foreign key to `model`
    copies the parent's path in one UPDATE, then the rows below those follow in turn.
    Returns the number of rows refreshed.
    """
    from django.apps import apps
    from django.db.models import OuterRef, Subquery

    ids = list(ids)
    if not ids:
        return 0
    count = 0
    for child in apps.get_models():
        source = _scope_source(child) if issubclass(child, ScopedModel) else None
        if source is None or source[0].related_model is not model:
            continue
        fk, parent_field = source
        rows = child._base_manager.filter(**{f"{fk.name}__in": ids})
        parent_path = model._base_manager.filter(pk=OuterRef(fk.attname)).values(parent_field)
        count += rows.update(**{child.scope_path_field: Subquery(parent_path[:1])})
        count += scope_paths_follow(child, rows.values_list("pk", flat=True))
    return count


class RestrictedQuerySet(models.QuerySet):
    """The single permission gate: `Model.objects.restrict(user, action)`.

    The model's registered policy (core.policies) decides; a role granted on a region covers
    its whole subtree. Each model names the column holding its region path in
    `scope_path_field` ("path" for Region, "region_path" stored on the row for the others),
    so the filter is a range on the model's own table, with no join.
    """

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet:
        from qingxie.core.policies import policy_for

        policy = policy_for(self.model)
        policy.check_action(action)
        return policy.restrict(self, user, action)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        fill_scope_paths(objs)
        return super().bulk_create(objs, *args, **kwargs)


class ScopedModel(models.Model):
    """A model reached through the permission gate; subclasses set `scope_path_field`.

    `scope_path_field` None marks national reference data with no region of its own. A model
    whose path is copied onto its own row declares `scope_from` (the foreign key the path comes
    from, e.g. "region" or "association") and a `ScopePathField`; `save()` keeps it filled.
    """

    scope_path_field: str | None = "region__path"
    #: The foreign key whose path this row copies into `scope_path_field` (None: not copied).
    scope_from: str | None = None
    #: Users may only read these objects (e.g. official division data).
    read_only_for_users: bool = False

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        source = _scope_source(type(self))
        if source is not None:
            fk = source[0]
            update_fields = kwargs.get("update_fields")
            if update_fields is None or {fk.name, fk.attname} & set(update_fields):
                moved = getattr(self, "_scope_loaded_from", None) != getattr(self, fk.attname)
                empty = not getattr(self, self.scope_path_field)
                if self._state.adding or moved or empty or fk.is_cached(self):
                    fill_scope_paths([self])
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, self.scope_path_field}
            self._scope_loaded_from = getattr(self, fk.attname)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        source = _scope_source(cls)
        if source is not None:
            instance._scope_loaded_from = instance.__dict__.get(source[0].attname)
        return instance


class ChangeLoggedModel(ScopedModel):
    """A scoped model whose every write is recorded as an ObjectChange with before/after."""

    created = models.DateTimeField(_("创建时间"), auto_now_add=True, null=True)
    last_updated = models.DateTimeField(_("更新时间"), auto_now=True, null=True)

    #: Fields never copied into the change log (secrets, derived caches). The copied region
    #: path is a cache of the parent's; each entry records it in `ObjectChange.scope_path`.
    changelog_exclude: tuple[str, ...] = ("region_path",)

    class Meta:
        abstract = True

    def snapshot(self) -> dict:
        """A JSON-safe copy of the stored field values, for before/after records."""
        return serialize_object(self, exclude=self.changelog_exclude)


def serialize_object(instance: models.Model, *, exclude: tuple[str, ...] = ()) -> dict:
    """Field values of `instance` as JSON-safe data (dates as ISO strings, FKs as ids)."""
    data = json.loads(serializers.serialize("json", [instance]))[0]["fields"]
    for name in ("created", "last_updated", "version", *exclude):
        data.pop(name, None)
    return data


class FigureVersion(models.Model):
    """How many recorded writes touched one domain (app) in one region, for cached figures.

    A write bumps only the row of its own domain and region (the deepest region of its path at
    county level or above) inside the writing transaction, so the counter becomes visible
    atomically with the data and no row is bumped by every commit. A figure of a region reads
    the rows of its subtree and its ancestors for the domains it depends on (`core.cache`).
    """

    domain = models.CharField(_("数据域"), max_length=50)
    path = models.CharField(_("区划路径"), max_length=80)
    counter = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("统计数据版本")
        verbose_name_plural = _("统计数据版本")
        constraints = [
            models.UniqueConstraint(fields=["domain", "path"], name="figureversion_domain_path")
        ]
        # Every page reads a subtree's counters by path range (core.cache._versions): this
        # index answers it alone, without the table (0.6 → 0.1 ms on SQLite).
        indexes = [
            models.Index(fields=["path", "domain", "counter"], name="figureversion_path_counter")
        ]

    def __str__(self) -> str:
        return f"{self.domain} {self.path} {self.counter}"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a recorded change."""


class AppendOnlyQuerySet(models.QuerySet):
    """Rows may be added (one by one or in bulk) and read, never updated or deleted."""

    def update(self, **kwargs):
        raise AppendOnlyError(gettext("变更记录只能追加，不能修改。"))

    def delete(self):
        raise AppendOnlyError(gettext("变更记录只能追加，不能删除。"))

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(gettext("变更记录只能追加，不能修改。"))


class ObjectChange(models.Model):
    """One recorded write: who, when, from where, to which object, and its state before and after.

    Append-only: no path in the application updates or deletes these rows (the queryset and
    `save()`/`delete()` refuse), and on PostgreSQL a trigger refuses UPDATE and DELETE from
    any client (migration core/0002).
    """

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        UPDATE = "update", _("修改")
        DELETE = "delete", _("删除")
        # Reads worth recording: personal data leaving the system, a masked value shown.
        EXPORT = "export", _("导出")
        REVEAL = "reveal", _("查看明文")

    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        # A user who has made changes cannot be removed, only deactivated: the log keeps them.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    user_name = models.CharField(_("用户名"), max_length=150, blank=True)
    request_id = models.UUIDField(_("请求编号"), db_index=True)
    client_ip = models.GenericIPAddressField(_("客户端地址"), null=True, blank=True)
    channel = models.CharField(_("渠道"), max_length=16)
    action = models.CharField(_("操作"), max_length=8, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    # The region path of the object written, so auditors read the log of their own patch
    # ("" for objects with no region: users, national reference data).
    scope_path = models.CharField(_("区划路径"), max_length=80, blank=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="objectchange_object")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(gettext("变更记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(gettext("变更记录只能追加，不能删除。"))

    @property
    def kind_label(self) -> str:
        """The type of object written, as cadres know it (the model's Chinese name)."""
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model else self.content_type.model

    @property
    def changed_field_labels(self) -> list[str]:
        """The changed fields as cadres know them (the model's Chinese verbose names)."""
        model = self.content_type.model_class()
        labels = []
        for name in self.changed_fields:
            try:
                labels.append(str(model._meta.get_field(name).verbose_name))
            except FieldDoesNotExist:  # a field since removed: show its code name
                labels.append(name)
        return labels

    #: How each channel is shown on screen.
    CHANNEL_LABELS = {
        "web": _("网页"),
        "api": _("接口"),
        "cli": _("命令行"),
        "import": _("导入"),
        "system": _("系统"),
    }

    @property
    def channel_label(self) -> str:
        return str(self.CHANNEL_LABELS.get(self.channel, self.channel))

    @property
    def changed_fields(self) -> list[str]:
        """Names of the fields whose values differ between before and after."""
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


# Background jobs live in their own module; imported here so Django registers the model.
from qingxie.core.jobs import Job  # noqa: E402,F401
from qingxie.core.notifications import Notification  # noqa: E402,F401  (registers the model)
from qingxie.core.review import ReviewDecision  # noqa: E402,F401  (registers the model)
