"""Background work of the trainings app: the yearly lapse of the checklist item."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone


def checklist_lapse() -> int:
    """Re-judge every association still marked standardized whose standardization period
    has ended (a training's span lapses on 1 January): its `standardized_since` is cleared
    and the change logged. The dated periods themselves were exact already; this keeps the
    cached present-day status in step. Returns how many were refreshed."""
    from qingxie.ledger.models import Association, StandardizationPeriod
    from qingxie.ledger.services import standardization_refresh

    today = timezone.localdate()
    current = StandardizationPeriod.objects.filter(start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gt=today)
    )
    stale = list(
        Association.objects.filter(standardized_since__isnull=False)
        .exclude(pk__in=current.values("association_id"))
        .values_list("pk", flat=True)
    )
    standardization_refresh(association_ids=stale)
    return len(stale)
