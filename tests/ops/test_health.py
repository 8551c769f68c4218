"""/readyz names each dependency that fails; logs are JSON lines carrying the request id;
expected refusals leave no traceback; /metrics is Prometheus text for the operator only."""

from __future__ import annotations

import datetime
import json
import logging

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from qingxie.core.jobs import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker_alive(settings):
    """A worker that fired the every-minute reaper a moment ago."""
    settings.QINGXIE_JOBS_SYNC = False
    Schedule.objects.update_or_create(
        name="qingxie:core.jobs_reap",
        defaults={
            "func": "qingxie.core.jobs.periodic_run",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
            "next_run": timezone.now() + datetime.timedelta(seconds=40),
        },
    )


def _ready():
    response = Client().get("/readyz")
    return response.status_code, response.json()


def test_ready_when_everything_is(worker_alive):
    status, body = _ready()
    assert status == 200 and body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "jobs", "storage", "keys"}
    assert all(c["ok"] for c in body["checks"].values())


def test_worker_stopped_is_named_with_the_waiting_jobs(worker_alive):
    Schedule.objects.filter(name="qingxie:core.jobs_reap").update(
        next_run=timezone.now() - datetime.timedelta(minutes=10)
    )
    Job.objects.create(kind="import", created=timezone.now() - datetime.timedelta(minutes=7))
    status, body = _ready()
    assert status == 503 and body["status"] == "not_ready"
    jobs = body["checks"]["jobs"]
    assert not jobs["ok"] and "没有运行" in jobs["detail"] and "1 个任务正在等待" in jobs["detail"]
    assert body["checks"]["database"]["ok"]


def test_storage_not_writable(worker_alive, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.MEDIA_ROOT = blocker / "storage"  # under a file: cannot be created
    status, body = _ready()
    assert status == 503 and not body["checks"]["storage"]["ok"]


def test_keys_missing_or_invalid(worker_alive, settings):
    settings.FIELD_KEYS = []
    status, body = _ready()
    assert status == 503 and "未配置" in body["checks"]["keys"]["detail"]
    settings.FIELD_KEYS = ["not-a-key"]
    assert "无效" in _ready()[1]["checks"]["keys"]["detail"]


def test_pending_migrations(worker_alive, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(
        MigrationExecutor,
        "migration_plan",
        lambda self, targets: [(type("M", (), {"app_label": "ledger", "name": "0099_new"}), False)],
    )
    status, body = _ready()
    assert status == 503 and "0099_new" in body["checks"]["migrations"]["detail"]


def test_database_down(worker_alive, monkeypatch):
    from qingxie.ops import readiness

    def broken():
        raise OSError("connection refused")

    monkeypatch.setitem(readiness.CHECKS, "database", broken)
    status, body = _ready()
    assert status == 503 and "connection refused" in body["checks"]["database"]["detail"]
    assert body["checks"]["storage"]["ok"]  # one failure hides no other check


def _log_path():
    for handler in logging.getLogger().handlers:
        handler.flush()
    return settings.LOG_DIR / "qingxie.log"


def _log_lines(since: int = 0) -> list[dict]:
    """The log's lines from byte `since` on (the file is shared by every qingxie process
    using the same data directory: other test runs and servers append to it too)."""
    path = _log_path()
    with path.open("rb") as fh:
        fh.seek(since if since <= path.stat().st_size else 0)  # rotated meanwhile: all of it
        text = fh.read().decode("utf-8", errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_log_lines_are_json_with_the_request_id(client_for):
    client = client_for("county_admin", "440105")
    response = client.get("/associations/")
    request_id = response["X-Request-ID"]
    lines = [entry for entry in _log_lines() if entry.get("request_id") == request_id]
    assert lines, "the access line carries the id returned in X-Request-ID"
    access = lines[-1]
    assert access["logger"] == "qingxie.access" and access["status"] == 200
    assert access["path"] == "/associations/" and access["method"] == "GET"
    assert access["user_id"] and access["duration_ms"] > 0 and access["time"]


def test_expected_refusals_leave_no_traceback(client_for):
    viewer = client_for("viewer", "440105")
    path = _log_path()
    # Only what this test's requests wrote: a 500 of another process must not fail it.
    start = path.stat().st_size if path.exists() else 0
    ids = []
    for url, status in [("/users/", 403), ("/associations/000000000/", 404)]:
        response = viewer.get(url)
        assert response.status_code == status
        ids.append(response["X-Request-ID"])
    lines = _log_lines(start)
    for request_id in ids:
        mine = [entry for entry in lines if entry.get("request_id") == request_id]
        assert mine and all("exception" not in entry for entry in mine)
    assert not [e for e in lines if e["logger"] == "django.request" and e.get("exception")]


def test_metrics_for_the_operator_only(make_user, monkeypatch):
    assert Client().get("/metrics").status_code == 401
    viewer = Client()
    viewer.force_login(make_user("national_admin", "000000"))
    assert viewer.get("/metrics").status_code == 401
    operator = Client()
    operator.force_login(make_user(is_superuser=True))
    operator.get("/healthz")
    Job.objects.create(kind="import", state=Job.State.FAILED)
    text = operator.get("/metrics").content.decode()
    assert 'qingxie_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert "qingxie_http_request_duration_seconds_bucket" in text
    assert 'qingxie_jobs{state="failed"} 1.0' in text and 'qingxie_jobs{state="queued"}' in text
    monkeypatch.setenv("QINGXIE_METRICS_TOKEN", "scrape-secret")
    scraper = Client(headers={"Authorization": "Bearer scrape-secret"})
    assert scraper.get("/metrics").status_code == 200
    assert Client(headers={"Authorization": "Bearer wrong"}).get("/metrics").status_code == 401
