"""Values every page shows: the division data version and the user's home region."""

from __future__ import annotations

from qingxie.regions.models import DivisionDataset


def site(request) -> dict:
    from qingxie.accounts.audit import may_read_audit

    dataset = DivisionDataset.objects.order_by("-data_as_of").only("data_as_of").first()
    user = getattr(request, "user", None)
    return {
        "division_data_as_of": dataset.data_as_of if dataset else None,
        "can_audit": bool(user is not None and user.is_authenticated and may_read_audit(user)),
    }
