"""What the job progress pages (imports, exports, bulletins) share: whether jobs wait for a
worker that is not running."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def job_waits_for_worker(job) -> bool:
    """True when `job` (a Job or a page's dict with its "state") is queued and no worker runs
    (`core.jobs.worker_running`, as /readyz asks): the page then says why nothing moves."""
    state = job.get("state") if isinstance(job, dict) else getattr(job, "state", None)
    if state != "queued":
        return False
    from qingxie.core.jobs import worker_running

    return not worker_running()
