"""Background jobs: attribution carried into the job, restart survival through the reaper,
a clear Chinese failure after the last try, periodic jobs written as schedules."""

from __future__ import annotations

import ast
from datetime import timedelta

import pytest
from django.utils import timezone

from qingxie.core import jobs
from qingxie.core.context import change_context, current_context
from qingxie.core.jobs import Job, job_enqueue, job_handler, jobs_reap

pytestmark = pytest.mark.django_db

seen: list = []  # what the test handler saw, cleared before each test


@job_handler("tests.record")
def _record(job, progress, *, value):
    ctx = current_context()
    progress("处理", 1, 2)
    seen.append((value, ctx.user, ctx.channel, str(ctx.request_id)))
    return {"value": value}


@job_handler("tests.boom", max_attempts=2)
def _boom(job, progress):
    raise RuntimeError("disk on fire")


@pytest.fixture(autouse=True)
def _inline(settings):
    settings.QINGXIE_JOBS_SYNC = True
    seen.clear()


def test_a_job_runs_as_the_user_who_started_it(make_user):
    user = make_user("city_admin", "440100")
    with change_context(user=user, channel="web", client_ip="10.0.0.9") as ctx:
        job = job_enqueue(kind="tests.record", owner=user, payload={"value": 7})
    assert job.state == Job.State.DONE and job.result == {"value": 7}
    assert seen == [(7, user, "web", str(ctx.request_id))]
    assert job.client_ip == "10.0.0.9" and job.attempts == 1 and job.finished


def test_an_unexpected_error_fails_the_job_with_a_chinese_message(make_user):
    job = job_enqueue(kind="tests.boom", owner=make_user())
    assert job.state == Job.State.FAILED
    assert job.message == jobs.UNEXPECTED_MESSAGE and "disk" not in job.message


def _died_while_running(job: Job, attempts: int) -> None:
    """What a killed worker leaves behind: running, with a heartbeat that stopped."""
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        attempts=attempts,
        heartbeat=timezone.now() - timedelta(seconds=jobs.STALE_SECONDS + 5),
    )


def test_a_job_whose_worker_died_is_run_again_by_the_reaper(make_user, settings):
    settings.QINGXIE_JOBS_SYNC = False  # the enqueue message is "lost" with the dead worker
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 1})
    _died_while_running(job, attempts=1)
    settings.QINGXIE_JOBS_SYNC = True
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2 and seen[0][0] == 1


def test_a_job_that_keeps_dying_ends_failed_never_running_forever(make_user, settings):
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 1})
    _died_while_running(job, attempts=job.max_attempts)
    jobs_reap()
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and not seen
    assert (
        f"已尝试 {job.max_attempts} 次仍未完成" in job.message and "未写入任何数据" in job.message
    )


def test_a_running_job_with_a_live_heartbeat_is_left_alone(make_user, settings):
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 1})
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, heartbeat=timezone.now())
    assert jobs_reap() == 0
    jobs.job_run(job.pk)  # a redelivered message for a job another worker is running
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and not seen


def test_a_job_silent_inside_its_transaction_is_not_run_twice(make_user, settings):
    """A handler writing inside its one transaction reports no visible progress for minutes
    (an import's write phase): until the queue's task timeout has passed, its worker may still
    be running it, so the reaper leaves it alone rather than start a second run."""
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 1})
    silent = settings.Q_CLUSTER["timeout"] - 60
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING, attempts=1, heartbeat=timezone.now() - timedelta(seconds=silent)
    )
    assert jobs_reap() == 0
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and job.attempts == 1 and not seen


def test_periodic_jobs_become_schedules_and_run(settings):
    from django_q.models import Schedule

    ran = []
    jobs.periodic_job("tests.tick", minutes=5)(lambda: ran.append(current_context().channel))
    try:
        jobs.schedules_sync()
        tick = Schedule.objects.get(name="qingxie:tests.tick")
        assert tick.minutes == 5 and tick.schedule_type == Schedule.MINUTES
        assert Schedule.objects.filter(name="qingxie:sheets.sweep_uploads").exists()
        assert Schedule.objects.filter(name="qingxie:core.jobs_reap").exists()
        jobs.periodic_run(ast.literal_eval(tick.args))
        assert ran == ["system"]
    finally:
        jobs.PERIODIC.pop("tests.tick")
    jobs.schedules_sync()
    assert not Schedule.objects.filter(name="qingxie:tests.tick").exists()


def test_the_sweep_forgets_uploads_older_than_a_day(settings, tmp_path):
    import os
    import time

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from qingxie.sheets.jobs import sweep_uploads

    settings.MEDIA_ROOT = tmp_path
    old = default_storage.save("imports/1/old.csv", ContentFile(b"a"))
    new = default_storage.save("imports/1/new.csv", ContentFile(b"b"))
    two_days_ago = time.time() - 2 * 86400
    os.utime(default_storage.path(old), (two_days_ago, two_days_ago))
    assert sweep_uploads() == 1
    assert not default_storage.exists(old) and default_storage.exists(new)
