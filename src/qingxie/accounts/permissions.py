"""The gate's helpers for services and views: scopes, checks and the personal-data rule.

Each asks the policy registered for the model (core.policies; the role-and-region policy of
accounts.policies unless the model's app registered its own).
"""

from __future__ import annotations

from django.utils.translation import gettext

from qingxie.accounts.policies import user_grants
from qingxie.accounts.roles import REVEAL
from qingxie.core.errors import PermissionDeniedError
from qingxie.core.policies import policy_for

__all__ = [
    "home_region",
    "may_see_personal",
    "may_see_personal_at",
    "require_scope",
    "scope_paths",
    "user_grants",
    "user_may",
]


def scope_paths(user, model, action: str) -> list[str] | None:
    """Region paths under which `user` may take `action` on `model`.

    None means unrestricted (superusers); an empty list means nothing at all.
    """
    return policy_for(model).scope_paths(user, action)


def home_region(user):
    """The highest region the user holds any grant on (where their pages start)."""
    grants = user_grants(user) if user.is_authenticated else []
    if not grants:
        return None
    return min((g.region for g in grants), key=lambda r: (r.level, r.code))


def user_may(user, model, action: str, path: str) -> bool:
    """Whether the permission gate lets `user` take `action` on `model` at region `path`."""
    return policy_for(model).user_may(user, action, path=path)


def require_scope(user, model, action: str, path: str, what: str = "") -> None:
    """Raise PermissionDeniedError unless `user` may take `action` on `model` at region `path`.

    Services call this inside their transaction, so a write is re-checked even when the view
    or serializer that led to it already filtered through `restrict()`. `user` None is the
    system itself (the operator's command line, the demo loader) and is always allowed.
    """
    if user is None:
        return
    if not user_may(user, model, action, path):
        raise PermissionDeniedError(
            gettext("您没有权限%(action)s：不在您的管辖范围内。")
            % {"action": what or gettext("执行此操作")}
        )


def may_see_personal_at(user, path: str, model=None) -> bool:
    """Whether `user` may see personal data (phone and ID numbers) in clear at region `path`.

    The `reveal` action of the model's policy (of the default policy without a model). By
    default (个人信息保护法, minimum necessary): the administrators of the region or of a
    region above it — national, province, city and county admins whose grant covers `path`
    (and superusers). Association staff, viewers and auditors see masked values, like anyone
    outside the subtree. Seeing a value in clear on a page is a deliberate reveal, logged.
    """
    return policy_for(model).user_may(user, REVEAL, path=path)


def may_see_personal(user, obj) -> bool:
    """`may_see_personal_at` for an object: the `reveal` action of its model's policy."""
    return policy_for(type(obj)).user_may(user, REVEAL, obj=obj)
