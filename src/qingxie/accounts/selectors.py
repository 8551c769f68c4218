"""Reads for the account pages: whom an administrator sees and whom they may manage.

Both start at the gate (`RoleGrant.objects.restrict(actor, action)`), so a grant outside the
administrator's subtree never appears; "manage" narrows it to grants strictly below the
administrator's own rank there (a county administrator manages the viewers and staff of the
county, not a fellow county administrator and never a city one).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from qingxie.accounts.models import RoleGrant, User
from qingxie.accounts.policies import user_grants
from qingxie.accounts.roles import ROLE_LEVEL, ROLE_RANK


def admin_grants(user) -> list[RoleGrant]:
    """The user's administrator grants (national, province, city, county)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    return [g for g in user_grants(user) if ROLE_LEVEL.get(g.role) is not None]


def may_manage_accounts(user) -> bool:
    """Whether the account pages are open to `user`: administrators and superusers."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or bool(admin_grants(user))


def _below_q(actor) -> Q | None:
    """Grants strictly below one of `actor`'s administrator grants (None: everything)."""
    if actor.is_superuser:
        return None
    q = Q(pk__in=[])
    for grant in admin_grants(actor):
        lower = [r for r, rank in ROLE_RANK.items() if rank > ROLE_RANK[grant.role]]
        q |= Q(region_path__startswith=grant.region.path, role__in=lower)
    return q


def visible_grants(actor) -> QuerySet[RoleGrant]:
    """Role grants in the administrator's patch (through the gate), with user and region."""
    if not may_manage_accounts(actor):
        return RoleGrant.objects.none()
    return RoleGrant.objects.restrict(actor, "view").select_related("user", "region")


def visible_users(actor) -> QuerySet[User]:
    """Users holding at least one grant in the administrator's patch (superusers: everyone)."""
    if not may_manage_accounts(actor):
        return User.objects.none()
    if actor.is_superuser:
        return User.objects.all()
    grants = RoleGrant.objects.restrict(actor, "view").filter(user=OuterRef("pk"))
    return User.objects.filter(Exists(grants))


def managed_users(actor) -> QuerySet[User]:
    """Users whose every grant lies strictly below the actor inside the actor's subtree.

    A user who also holds a grant elsewhere or at the actor's rank is seen but not managed,
    so one county can never reset the password of someone who also works for another.
    """
    if not may_manage_accounts(actor):
        return User.objects.none()
    below = _below_q(actor)
    users = User.objects.exclude(pk=actor.pk).exclude(is_superuser=True)
    if below is None:
        return users
    in_scope = RoleGrant.objects.restrict(actor, "change").filter(below)
    outside = RoleGrant.objects.exclude(pk__in=in_scope.values("pk"))
    return users.filter(Exists(in_scope.filter(user=OuterRef("pk")))).exclude(
        Exists(outside.filter(user=OuterRef("pk")))
    )


def user_list(actor, *, q: str = "", role: str = "", active: str = "") -> QuerySet[User]:
    """The users of the administrator's patch, filtered, with their grants prefetched."""
    users = visible_users(actor)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if role:
        users = users.filter(grants__role=role).distinct()
    if active in {"1", "0"}:
        users = users.filter(is_active=active == "1")
    return users.prefetch_related("grants__region").order_by("username")


def user_may_be_managed(actor, user: User) -> bool:
    """Whether `actor` may reset, deactivate or change the grants of `user`."""
    return managed_users(actor).filter(pk=user.pk).exists()
