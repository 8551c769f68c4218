"""Background jobs: attribution carried into the job, restart survival through the reaper,
a clear Chinese failure after the last try, periodic jobs written as schedules."""

from __future__ import annotations

import ast
import dataclasses
import os
import subprocess
import sys
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


def _claimed_by(job: Job, process: jobs.WorkerProcess) -> None:
    """A job a worker process claimed a moment ago and is (or was) running."""
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.RUNNING,
        attempts=1,
        heartbeat=timezone.now(),
        worker_host=process.host,
        worker_pid=process.pid,
        worker_process=process.token,
    )


def _killed_worker() -> jobs.WorkerProcess:
    """A worker process on this machine, killed: what `kill -9` or the OOM killer leaves."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        me = jobs.WorkerProcess.current()
        start = jobs._process_start(child.pid) or ""
        return dataclasses.replace(me, pid=child.pid, start=start)
    finally:
        child.kill()
        child.wait()


def test_a_job_whose_process_on_this_machine_died_is_run_again_at_once(make_user, settings):
    """The worker was killed a moment ago: its heartbeat is fresh, but the reaper on the same
    machine sees the process is gone and re-queues the job without waiting out the timeout."""
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 4})
    _claimed_by(job, _killed_worker())
    settings.QINGXIE_JOBS_SYNC = True
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.attempts == 2 and seen[0][0] == 4


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="process states come from /proc")
def test_a_worker_killed_but_not_yet_collected_by_its_parent_counts_as_dead(make_user, settings):
    """A killed worker process stays a zombie until the cluster collects it; it runs nothing,
    so its job is run again without waiting for the timeout."""
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 3})
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        worker = dataclasses.replace(
            jobs.WorkerProcess.current(), pid=child.pid, start=jobs._process_start(child.pid)
        )
        _claimed_by(job, worker)
        assert jobs_reap() == 0  # alive
        child.kill()
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)  # dead, not yet collected
        assert jobs_reap() == 1
    finally:
        child.kill()
        child.wait()
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED


def test_a_dead_process_on_its_last_try_ends_the_job_failed(make_user, settings):
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 4})
    _claimed_by(job, _killed_worker())
    Job.objects.filter(pk=job.pk).update(attempts=job.max_attempts)
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and not seen
    assert f"已尝试 {job.max_attempts} 次仍未完成" in job.message


def test_a_job_whose_process_lives_is_never_run_twice(make_user, settings):
    """The test's own process holds the job: alive, so neither the reaper nor a redelivered
    message starts a second run, however quiet the job has been (short of the timeout)."""
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 5})
    _claimed_by(job, jobs.WorkerProcess.current())
    quiet = timezone.now() - timedelta(seconds=jobs.STALE_SECONDS - 120)
    Job.objects.filter(pk=job.pk).update(heartbeat=quiet)
    assert jobs_reap() == 0
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and job.attempts == 1 and not seen


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="process start times come from /proc")
def test_a_pid_given_to_a_later_process_does_not_keep_a_dead_job_running(make_user, settings):
    """The dead worker's pid now belongs to another process (here: this one): its start time
    differs from the one recorded, so the job is still seen to have lost its worker."""
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 6})
    me = jobs.WorkerProcess.current()
    _claimed_by(job, dataclasses.replace(me, start=str(int(me.start) - 1)))
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.stage == jobs.STAGE_REQUEUED


@pytest.mark.parametrize(
    "elsewhere",
    [
        {"host": "app-server-2"},  # another machine: its processes cannot be seen from here
        {"namespace": "4026532999"},  # another container given this host name
    ],
)
def test_a_job_on_a_process_this_machine_cannot_see_waits_for_the_timeout(
    make_user, settings, elsewhere
):
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 7})
    _claimed_by(job, dataclasses.replace(_killed_worker(), **elsewhere))
    assert jobs_reap() == 0
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and job.attempts == 1
    Job.objects.filter(pk=job.pk).update(
        heartbeat=timezone.now() - timedelta(seconds=jobs.STALE_SECONDS + 5)
    )
    assert jobs_reap() == 1
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED


def test_a_job_from_before_this_machine_restarted_is_run_again_at_once(make_user, settings):
    """Same host name and machine id, an earlier boot: the machine restarted, so no process
    of that boot lives. (Only outside containers, where a machine id is the machine's own.)"""
    me = jobs.WorkerProcess.current()
    if not (me.machine and me.boot and me.namespace == jobs.INITIAL_PID_NAMESPACE):
        pytest.skip("needs a machine id and boot id outside a container")
    settings.QINGXIE_JOBS_SYNC = False
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 8})
    _claimed_by(job, dataclasses.replace(me, boot="00000000-0000-0000-0000-000000000000"))
    assert jobs_reap() == 1
    other_machine = dataclasses.replace(me, boot="0" * 8, machine="f" * 32)
    _claimed_by(job, other_machine)
    assert jobs_reap() == 0


def test_a_claim_records_the_process_that_runs_the_job(make_user):
    job = job_enqueue(kind="tests.record", owner=make_user(), payload={"value": 9})
    me = jobs.WorkerProcess.current()
    assert (job.worker_host, job.worker_pid, job.worker_process) == (me.host, me.pid, me.token)


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
