"""Values every page shows: the division data version, the navigation by role."""

from __future__ import annotations

from qingxie.regions.models import DivisionDataset


def may_read_api_docs(user) -> bool:
    """The API docs are for those who connect other systems: superusers and the national and
    provincial administrators (a county cadre has nothing to integrate)."""
    from qingxie.accounts.policies import user_grants
    from qingxie.accounts.roles import Role

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return any(g.role in (Role.NATIONAL_ADMIN, Role.PROVINCE_ADMIN) for g in user_grants(user))


def site(request) -> dict:
    from qingxie.accounts.audit import may_read_audit
    from qingxie.accounts.permissions import home_region
    from qingxie.core.extensions import nav_entries
    from qingxie.regions.models import ROOT_CODE

    dataset = DivisionDataset.objects.order_by("-data_as_of").only("data_as_of").first()
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    home_code = None
    if authenticated:
        home = home_region(user)
        home_code = home.code if home else (ROOT_CODE if user.is_superuser else None)
    return {
        "nav_entries": nav_entries(user) if authenticated else [],
        "division_data_as_of": dataset.data_as_of if dataset else None,
        "can_audit": bool(authenticated and may_read_audit(user)),
        "can_api_docs": may_read_api_docs(user),
        "nav_home_code": home_code,
    }
