"""The roles a cadre can hold, the region level each is granted at, and what each may do."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL_ACTIONS = frozenset({VIEW, ADD, CHANGE, DELETE})
#: Seeing personal data (phone and ID numbers) in clear: a custom action of the policies.
REVEAL = "reveal"


class Role(models.TextChoices):
    """A role is always granted on one region and covers that region's whole subtree."""

    NATIONAL_ADMIN = "national_admin", _("全国管理员")
    PROVINCE_ADMIN = "province_admin", _("省级管理员")
    CITY_ADMIN = "city_admin", _("地市级管理员")
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    ASSOCIATION_STAFF = "association_staff", _("协会工作人员")
    VIEWER = "viewer", _("只读用户")
    AUDITOR = "auditor", _("审计员")


#: The region level an admin role must be granted at (None: any level).
ROLE_LEVEL: dict[str, int | None] = {
    Role.NATIONAL_ADMIN: 0,
    Role.PROVINCE_ADMIN: 1,
    Role.CITY_ADMIN: 2,
    Role.COUNTY_ADMIN: 3,
    Role.ASSOCIATION_STAFF: None,
    Role.VIEWER: None,
    Role.AUDITOR: None,
}

#: Actions each role may take on scoped objects inside its subtree: the default table of the
#: role-and-region policy (accounts.policies); a model may register a table of its own.
#: Personal data in clear (个人信息保护法, minimum necessary) is for the administrators only.
ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.NATIONAL_ADMIN: ALL_ACTIONS | {REVEAL},
    Role.PROVINCE_ADMIN: ALL_ACTIONS | {REVEAL},
    Role.CITY_ADMIN: ALL_ACTIONS | {REVEAL},
    Role.COUNTY_ADMIN: ALL_ACTIONS | {REVEAL},
    Role.ASSOCIATION_STAFF: frozenset({VIEW, ADD, CHANGE}),
    Role.VIEWER: frozenset({VIEW}),
    Role.AUDITOR: frozenset({VIEW}),
}


def role_table(
    base: dict[str, frozenset[str]] | None = None,
    *,
    grant: dict[str, set[str] | frozenset[str]] | None = None,
    revoke: dict[str, set[str] | frozenset[str]] | None = None,
) -> dict[str, frozenset[str]]:
    """A copy of `base` (default ROLE_ACTIONS) with actions added to and taken from roles.

    For a model's own rules, e.g. "association staff may not verify checklist items":
    `role_table(grant={Role.COUNTY_ADMIN: {"verify"}})`.
    """
    table = dict(ROLE_ACTIONS if base is None else base)
    for role, actions in (grant or {}).items():
        table[role] = table.get(role, frozenset()) | frozenset(actions)
    for role, actions in (revoke or {}).items():
        table[role] = table.get(role, frozenset()) - frozenset(actions)
    return table


#: Lower number = higher rank; an admin never grants a role ranked above its own.
ROLE_RANK: dict[str, int] = {
    Role.NATIONAL_ADMIN: 0,
    Role.PROVINCE_ADMIN: 1,
    Role.CITY_ADMIN: 2,
    Role.COUNTY_ADMIN: 3,
    Role.ASSOCIATION_STAFF: 4,
    Role.AUDITOR: 4,
    Role.VIEWER: 5,
}
