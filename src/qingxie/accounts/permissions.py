"""The permission policy behind `restrict()`: which region subtrees a user may act on."""

from __future__ import annotations

from qingxie.accounts.roles import ROLE_ACTIONS, VIEW


def user_grants(user) -> list:
    """The user's grants with their regions, cached on the user object for one request."""
    cached = getattr(user, "_qingxie_grants", None)
    if cached is None:
        cached = list(user.grants.select_related("region"))
        user._qingxie_grants = cached
    return cached


def scope_paths(user, model, action: str) -> list[str] | None:
    """Region paths under which `user` may take `action` on `model`.

    None means unrestricted (superusers); an empty list means nothing at all.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if action != VIEW and getattr(model, "read_only_for_users", False):
        return []
    if user.is_superuser:
        return None
    paths = {g.region.path for g in user_grants(user) if action in ROLE_ACTIONS.get(g.role, ())}
    # A grant nested inside another adds nothing; keep the outermost only.
    return [p for p in sorted(paths) if not any(p != q and p.startswith(q) for q in paths)]


def home_region(user):
    """The highest region the user holds any grant on (where their pages start)."""
    grants = user_grants(user) if user.is_authenticated else []
    if not grants:
        return None
    return min((g.region for g in grants), key=lambda r: (r.level, r.code))


def user_may(user, model, action: str, path: str) -> bool:
    """Whether the permission gate lets `user` take `action` on `model` at region `path`."""
    from qingxie.core.models import path_in_scope

    return path_in_scope(scope_paths(user, model, action), path)


def require_scope(user, model, action: str, path: str, what: str = "") -> None:
    """Raise PermissionDeniedError unless `user` may take `action` on `model` at region `path`.

    Services call this inside their transaction, so a write is re-checked even when the view
    or serializer that led to it already filtered through `restrict()`. `user` None is the
    system itself (the operator's command line, the demo loader) and is always allowed.
    """
    from qingxie.core.errors import PermissionDeniedError

    if user is None:
        return
    if not user_may(user, model, action, path):
        raise PermissionDeniedError(f"您没有权限{what or '执行此操作'}：不在您的管辖范围内。")


def may_see_personal_at(user, path: str) -> bool:
    """Whether `user` may see personal data (phone and ID numbers) in clear at region `path`.

    The one rule (个人信息保护法, minimum necessary): the administrators of the region or of a
    region above it — national, province, city and county admins whose grant covers `path`
    (and superusers). Association staff, viewers and auditors see masked values, like anyone
    outside the subtree. Seeing a value in clear on a page is a deliberate reveal, logged.
    """
    from qingxie.accounts.roles import ROLE_LEVEL

    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    admin_roles = {role for role, level in ROLE_LEVEL.items() if level is not None}
    return any(g.role in admin_roles and path.startswith(g.region.path) for g in user_grants(user))


def may_see_personal(user, obj) -> bool:
    """`may_see_personal_at` for an object, at the region path it is scoped by."""
    from qingxie.core.changelog import scope_paths_of

    return may_see_personal_at(user, scope_paths_of([obj])[0])
