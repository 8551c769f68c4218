"""Record writes in the change log, attributed to the active ChangeContext."""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.fields.files import FieldFile

from qingxie.core.cache import forget_versions
from qingxie.core.context import current_context
from qingxie.core.models import NATION_PATH, FigureVersion, ObjectChange


def figure_path(path: str) -> str:
    """The region path a write is counted under: its codes down to county level (six-digit
    codes; townships fold into their county), the nation for an unscoped object."""
    codes = [c for c in (path or "").strip("/").split("/") if c]
    kept = []
    for code in codes:
        if len(code) > 6:
            break
        kept.append(code)
    return "/".join(kept) + "/" if kept else NATION_PATH


def figure_domain(model) -> str:
    """The domain a model's writes count in: its `figure_domain`, else its app label."""
    return getattr(model, "figure_domain", None) or model._meta.app_label


def bump_figure_versions(model, paths) -> None:
    """Bump the figure version of `model`'s domain in each region of `paths`, inside the
    writing transaction: the counter commits atomically with the data (see core.cache).

    Every write bumps, not once per transaction: a reader in the same transaction (a test, a
    service that writes and then reads figures) must see its own writes; the row is already
    locked by this transaction, so the repeat costs no contention.
    """
    domain = figure_domain(model)
    keys = {(domain, figure_path(p)) for p in paths}
    if not keys:
        return
    connection = transaction.get_connection()
    table = connection.ops.quote_name(FigureVersion._meta.db_table)
    # Sorted, so concurrent writers lock shared rows in one order.
    ordered = sorted(keys)
    sql = (
        f"INSERT INTO {table} (domain, path, counter) VALUES "
        + ", ".join(["(%s, %s, 1)"] * len(ordered))
        + f" ON CONFLICT (domain, path) DO UPDATE SET counter = {table}.counter + 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for key in ordered for v in key])
    forget_versions()


def _old_paths(instance, before: dict | None) -> list[str]:
    """The region path an object had before an update moved it (its `scope_from` key in
    `before`), read from the scope column of the object it hung on, so core names no app."""
    source = getattr(type(instance), "scope_from", None)
    if not before or not source:
        return []
    old = before.get(source)
    if old is None or old == getattr(instance, f"{source}_id", None):
        return []
    related = type(instance)._meta.get_field(source).related_model
    column = getattr(related, "scope_path_field", None)
    if not column or "__" in column:
        return []
    return list(related._base_manager.filter(pk=old).values_list(column, flat=True))


def scope_paths_of(instances: list[models.Model]) -> list[str]:
    """The region path each instance is scoped by (its model's `scope_path_field`), "" if none.

    Scoped models keep that path on their own row (core.models.ScopePathField, or Region's
    `path`), so this reads no other table however many objects a bulk import logs.
    """
    from qingxie.core.policies import scope_path_of

    return [scope_path_of(instance) for instance in instances]


#: A logged value longer than this is kept as its start, its length and its SHA-256: the
#: log can never be deleted, so one 10 MB note must not become 20 MB in it per edit.
LOG_VALUE_MAX = 2000
LOG_VALUE_KEEP = 200


def bounded_value(value):
    """`value` as the change log keeps it: long text cut to its start, length and digest."""
    if isinstance(value, str) and len(value) > LOG_VALUE_MAX:
        import hashlib

        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return f"{value[:LOG_VALUE_KEEP]}…（共 {len(value)} 字，SHA-256 {digest}）"
    if isinstance(value, list) and len(json.dumps(value, default=str)) > LOG_VALUE_MAX * 4:
        return bounded_value(json.dumps(value, ensure_ascii=False, default=str))
    return value


def bounded_snapshot(data: dict | None) -> dict | None:
    """A before/after snapshot with every long value bounded (`bounded_value`)."""
    if not data:
        return data
    return {key: bounded_value(value) for key, value in data.items()}


def _attribution() -> dict:
    """Who is writing, from where and in which request: the fields every entry shares."""
    ctx = current_context()
    user = ctx.user.resolve() if hasattr(ctx.user, "resolve") else ctx.user
    return {
        "user": user if getattr(user, "pk", None) else None,
        "user_name": getattr(user, "username", "") or ctx.channel,
        "request_id": ctx.request_id,
        "client_ip": ctx.client_ip,
        "channel": ctx.channel,
    }


def _note(note: str) -> str:
    return "；".join(n for n in (note, current_context().note) if n)[:500]


def log_access(
    instance: models.Model | None,
    action: str,
    *,
    what: str,
    note: str = "",
    scope_path: str | None = None,
) -> ObjectChange:
    """Record a read worth auditing (an export of personal data, a masked value revealed).

    `instance` is the object read, or None for an export of many (then `what` names it, e.g.
    "协会台账导出 440000"); the entry is scoped like the object, or by `scope_path` (the
    region exported) so that auditors of that region see it.
    """
    # A read of many objects is filed under the change log's own type, with no object id.
    target = instance if instance is not None else ObjectChange()
    return ObjectChange.objects.create(
        **_attribution(),
        action=action,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=True),
        object_id=str(instance.pk) if instance is not None else "",
        object_repr=(what or str(instance))[:200],
        note=_note(note),
        scope_path=(
            scope_path
            if scope_path is not None
            else scope_paths_of([instance])[0]
            if instance is not None
            else ""
        ),
    )


def log_change(
    instance: models.Model,
    action: str,
    *,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> ObjectChange:
    """Write one ObjectChange for `instance`; call it inside the writing transaction.

    `after` defaults to the instance's current snapshot for create/update.
    """
    if after is None and action != ObjectChange.Action.DELETE:
        after = instance.snapshot()
    scope_path = scope_paths_of([instance])[0]
    bump_figure_versions(type(instance), [scope_path, *_old_paths(instance, before)])
    return ObjectChange.objects.create(
        **_attribution(),
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=bounded_snapshot(before),
        after=bounded_snapshot(after),
        note=_note(note),
        scope_path=scope_path,
    )


def changes_for(instance: models.Model):
    """The change history of one object, newest first."""
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
    ).select_related("user", "content_type")


def changes_for_many(*groups) -> models.QuerySet[ObjectChange]:
    """The history of several objects together, newest first: each group is a model and the
    ids of its objects (e.g. an association with its checklist entries, seats and members)."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for model, ids in groups:
        ids = [str(pk) for pk in ids]
        if ids:
            condition |= Q(
                content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
                object_id__in=ids,
            )
    return ObjectChange.objects.filter(condition).select_related("user", "content_type")


def log_created_bulk(instances: list[models.Model]) -> int:
    """One CREATE entry per instance, inserted in bulk (for batch imports); returns the count.

    Each entry has the content `log_change(instance, CREATE)` would write (the context's
    user, request, channel and note; `after` equal to `instance.snapshot()`; the instance's
    scope path). Fields every entry shares are prepared once; rows go in with `executemany`,
    without building 50,000 model objects or serializing each through Django's serializer,
    which together took most of a 50,000-row import. Models with many-to-many fields are not
    supported (their snapshot would need the related ids).
    """
    if not instances:
        return 0
    from django.core.serializers.json import DjangoJSONEncoder
    from django.db import connection

    ctx = current_context()
    user = ctx.user.resolve() if hasattr(ctx.user, "resolve") else ctx.user
    model = type(instances[0])
    if model._meta.many_to_many:
        raise ValueError(f"{model.__name__} has many-to-many fields; use log_change")
    # The fields snapshot() leaves out (serialize_object), so `after` equals it exactly.
    skip = {"created", "last_updated", "version", *getattr(model, "changelog_exclude", ())}
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in skip]
    template = ObjectChange(
        user=user if getattr(user, "pk", None) else None,
        user_name=getattr(user, "username", "") or ctx.channel,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
        channel=ctx.channel,
        action=ObjectChange.Action.CREATE,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        note=ctx.note[:500],
    )
    columns = [f for f in ObjectChange._meta.concrete_fields if not f.primary_key]
    shared = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in columns]
    at = {f.name: n for n, f in enumerate(columns)}
    after_field = ObjectChange._meta.get_field("after")
    encoder = DjangoJSONEncoder()
    rows = []
    scope_paths = scope_paths_of(instances)
    # Once per affected region, as log_change would for each instance.
    bump_figure_versions(model, set(scope_paths))
    for instance, scope_path in zip(instances, scope_paths, strict=True):
        after = {}
        for f in fields:
            # Encrypted personal fields record a masked value, never the clear one.
            hook = getattr(f, "changelog_value", None)
            value = hook(instance) if hook else getattr(instance, f.attname)
            if isinstance(value, FieldFile):  # the stored name, as Django's serializer writes it
                value = value.name or ""
            after[f.name] = bounded_value(
                value
                if value is None or isinstance(value, str | int | bool)
                else json.loads(encoder.encode(value))
            )
        row = list(shared)
        row[at["object_id"]] = str(instance.pk)
        row[at["object_repr"]] = str(instance)[:200]
        row[at["after"]] = after_field.get_db_prep_save(after, connection)
        row[at["scope_path"]] = scope_path
        rows.append(row)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(ObjectChange._meta.db_table),
        ", ".join(quote(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])
    return len(rows)
