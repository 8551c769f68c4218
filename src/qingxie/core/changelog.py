"""Record writes in the change log, attributed to the active ChangeContext."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models

from qingxie.core.context import current_context
from qingxie.core.models import ObjectChange


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
    ctx = current_context()
    user = ctx.user.resolve() if hasattr(ctx.user, "resolve") else ctx.user
    if after is None and action != ObjectChange.Action.DELETE:
        after = instance.snapshot()
    return ObjectChange.objects.create(
        user=user if getattr(user, "pk", None) else None,
        user_name=getattr(user, "username", "") or ctx.channel,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
        channel=ctx.channel,
        action=action,
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        before=before,
        after=after,
        note=note[:500],
    )


def changes_for(instance: models.Model):
    """The change history of one object, newest first."""
    return ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=True),
        object_id=str(instance.pk),
    ).select_related("user", "content_type")
