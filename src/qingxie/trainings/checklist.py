"""The checklist item 负责人年度培训 follows attendance (registered as a core ChecklistSource).

An association's item counts as verified from the end date of a held training one of its
leaders (会长、副会长、秘书长) attended until the first of January after it, and lapses then
unless a new one follows: the ledger adds these spans to the level above's own verifications
when it judges standardization on any date, so past figures stay exact.
"""

from __future__ import annotations

import datetime

from qingxie.trainings.choices import LEADER_ROLES, TrainingStatus
from qingxie.trainings.models import Attendee

#: The checklist item's code (ledger migration 0002_default_checklist_and_targets).
TRAINING_ITEM = "training"


def _leader_attendance(association_id: int):
    return Attendee.objects.filter(
        association_id=association_id,
        attended=True,
        role__in=LEADER_ROLES,
        training__status=TrainingStatus.HELD,
    )


def leader_training_spans(association_id: int) -> list[tuple[datetime.date, datetime.date]]:
    """[end date, 1 January of the next year) for each held training a leader attended."""
    days = set(_leader_attendance(association_id).values_list("training__end_date", flat=True))
    return [(day, datetime.date(day.year + 1, 1, 1)) for day in sorted(days)]


def leader_training_line(association_id: int, on: datetime.date) -> str:
    """The checklist page's line: which training verifies the item on `on`, if any."""
    found = (
        _leader_attendance(association_id)
        .filter(training__end_date__lte=on, training__end_date__gte=datetime.date(on.year, 1, 1))
        .select_related("training")
        .order_by("-training__end_date")
        .first()
    )
    if found is None:
        return ""
    return (
        f"{found.get_role_display()}{found.name}已于{found.training.end_date:%Y-%m-%d}参加"
        f"“{found.training.title}”，本年度自动核验（{on.year}年12月31日后失效）"
    )
