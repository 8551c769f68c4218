"""Prometheus metrics (prometheus-client): requests and latencies by view, the job queue.

Every gunicorn worker counts into files under PROMETHEUS_MULTIPROC_DIR (settings sets it to
`<data dir>/metrics/` unless given), so a scrape sees the sum over all workers;
`reset_multiprocess_dir()` empties it when the server starts. The job queue's depth and
failures are read from the database at scrape time, so any app server reports the truth.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

REQUESTS = Counter(
    "qingxie_http_requests_total",
    "HTTP requests answered, by method, view and status",
    ["method", "view", "status"],
)
LATENCY = Histogram(
    "qingxie_http_request_duration_seconds",
    "Time to answer a request, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)


def reset_multiprocess_dir() -> None:
    """Empty the per-process metric files (at server start: old processes are gone)."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        shutil.rmtree(path, ignore_errors=True)
        Path(path).mkdir(parents=True, exist_ok=True)


class JobQueueCollector:
    """Job counts by state, the age of the oldest queued job, and failures, from the database."""

    def collect(self):
        from django.db.models import Count, Min
        from django.utils import timezone

        from qingxie.core.jobs import Job

        by_state = GaugeMetricFamily(
            "qingxie_jobs", "Background jobs by state (queued = the queue depth)", labels=["state"]
        )
        counts = dict(Job.objects.values_list("state").annotate(n=Count("id")))
        for state in Job.State.values:
            by_state.add_metric([state], counts.get(state, 0))
        yield by_state
        oldest = Job.objects.filter(state=Job.State.QUEUED).aggregate(t=Min("created"))["t"]
        age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "qingxie_jobs_oldest_queued_seconds", "Age of the oldest job still waiting", value=age
        )


def render() -> tuple[bytes, str]:
    """The exposition text of every process's metrics plus the job queue."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:  # one process (settings normally sets the directory)
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(JobQueueCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
