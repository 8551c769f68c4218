"""The audit trail as auditors read it: the change log of their own patch, searchable.

Who may read it: auditors (the role exists for this), national administrators and
superusers. An auditor granted on a region reads the entries scoped to that region's subtree
(`ObjectChange.scope_path`); entries with no region (users, national reference data, exports
of the whole country) only from a national grant.
"""

from __future__ import annotations

import datetime
import uuid

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from qingxie.accounts.permissions import user_grants
from qingxie.accounts.roles import Role
from qingxie.core.models import NATION_PATH, ObjectChange, subtree_q

AUDIT_ROLES = {Role.AUDITOR, Role.NATIONAL_ADMIN}


def audit_paths(user) -> list[str] | None:
    """Region paths whose log `user` may read; None: all; [] nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return sorted({g.region.path for g in user_grants(user) if g.role in AUDIT_ROLES})


def may_read_audit(user) -> bool:
    """Whether the audit page is open to `user` at all."""
    return audit_paths(user) != []


def audit_entries(user, params: dict) -> tuple[QuerySet[ObjectChange], dict[str, str]]:
    """The log entries `user` may read, filtered by `params`; problems per filter, in Chinese.

    Filters: q (object, note), user (username fragment), action, channel, kind (model name),
    start / end (dates, inclusive), request (request id), ip (client address), region (name
    or code: entries scoped to that region and below).
    """
    paths = audit_paths(user)
    qs = ObjectChange.objects.select_related("content_type", "user")
    if paths is not None:
        if not paths:
            return qs.none(), {}
        condition = Q()
        for path in paths:
            condition |= subtree_q("scope_path", path)
            if path == NATION_PATH:
                condition |= Q(scope_path="")
        qs = qs.filter(condition)
    problems: dict[str, str] = {}
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(object_repr__contains=q) | Q(note__contains=q))
    if who := (params.get("user") or "").strip():
        qs = qs.filter(user_name__contains=who)
    if (action := params.get("action")) in ObjectChange.Action.values:
        qs = qs.filter(action=action)
    if channel := (params.get("channel") or "").strip():
        qs = qs.filter(channel=channel)
    if kind := (params.get("kind") or "").strip():
        qs = qs.filter(content_type__model=kind)
    for name, lookup in (("start", "time__date__gte"), ("end", "time__date__lte")):
        raw = (params.get(name) or "").strip()
        if raw:
            try:
                qs = qs.filter(**{lookup: datetime.date.fromisoformat(raw)})
            except ValueError:
                problems[name] = _("日期“%(raw)s”格式不对，应为 YYYY-MM-DD。") % {"raw": raw}
    if request := (params.get("request") or "").strip():
        try:
            qs = qs.filter(request_id=uuid.UUID(request))
        except ValueError:
            problems["request"] = _("请求编号“%(request)s”格式不对。") % {"request": request}
    if region_raw := (params.get("region") or "").strip()[:50]:
        from qingxie.regions.selectors import region_by_code_or_name

        region = region_by_code_or_name(region_raw)
        if region is None:
            problems["region"] = _("没有名称或代码为“%(region)s”的行政区划。") % {
                "region": region_raw
            }
            qs = qs.none()
        else:
            # Within what the auditor may read already (the filter above): only narrows.
            qs = qs.filter(subtree_q("scope_path", region.path))
    if ip := (params.get("ip") or "").strip():
        qs = qs.filter(client_ip=ip) if _valid_ip(ip) else qs.none()
        if not _valid_ip(ip):
            problems["ip"] = _("客户端地址“%(ip)s”格式不对。") % {"ip": ip}
    return qs.order_by("-time", "-id"), problems


def _valid_ip(raw: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(raw)
    except ValueError:
        return False
    return True
