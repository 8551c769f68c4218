"""Values every page shows: the division data version, the navigation the apps registered."""

from __future__ import annotations

from qingxie.regions.models import DivisionDataset


def site(request) -> dict:
    from qingxie.accounts.audit import may_read_audit

    dataset = DivisionDataset.objects.order_by("-data_as_of").only("data_as_of").first()
    user = getattr(request, "user", None)
    from qingxie.core.extensions import nav_entries

    authenticated = user is not None and user.is_authenticated
    return {
        "nav_entries": nav_entries(user) if authenticated else [],
        "division_data_as_of": dataset.data_as_of if dataset else None,
        "can_audit": bool(authenticated and may_read_audit(user)),
    }
