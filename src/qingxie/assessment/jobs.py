"""Background work of the assessment: computing a round's indicators at its cut-off."""

from __future__ import annotations

from qingxie.core.jobs import job_handler


@job_handler("assessment.compute")
def compute(job, progress, *, round_id: int) -> dict:
    """Fill a round's computed indicators from the data as of its cut-off (one transaction)."""
    from qingxie.assessment.services import round_compute

    return round_compute(round_id=round_id, progress=progress)


def compute_due() -> int:
    """Periodic: queue every open round whose cut-off date has passed."""
    from qingxie.assessment.services import rounds_compute_due

    return rounds_compute_due()
