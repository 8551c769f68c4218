"""Background jobs: their state in our database (`Job`), run on the django-q2 queue.

The queue library only carries a message "run job <id>" to a worker; everything a cadre or
another app server sees (state, stage, progress, result, message) lives in the `Job` row, so
any server behind the load balancer can show it, and it outlives every process.

A job's kind names a handler registered with `job_handler`; the handler runs inside a
change context carrying the attribution of the request that started it (user, request id,
client address, channel), so the change log names the cadre, not the worker.

Surviving restarts: a job records at claim which process runs it (`WorkerProcess`: host
name, pid, and what tells that process from a later one given the same pid). The reaper
(`jobs_reap`, run when a worker starts and every minute) re-queues a running job at once when
its process was on this machine and is gone; for a job on another machine, whose processes it
cannot see, it waits until the heartbeat (the job's progress reports) is older than the
queue's task timeout — by then no worker can still be running it. Handlers are one
transaction, so the half-done run left nothing. After `max_attempts` tries the job is marked
failed with a Chinese message instead. A job is never "running" forever. The broker also
redelivers an unacknowledged message, and `job_run` claims a job atomically, so a message
delivered twice runs the job once.

Periodic work: apps register functions with `periodic_job` in AppConfig.ready(); a worker
writes them as django-q2 schedules when it starts.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, gettext_noop, pgettext_lazy

from qingxie.core.context import change_context, current_context
from qingxie.core.errors import QingxieError

log = logging.getLogger(__name__)

#: A running job whose heartbeat (its last progress report) is older than this has lost its
#: worker, wherever it ran (on the worker's own machine the reaper sees sooner that its process
#: is gone: WorkerProcess). The queue stops a task after Q_CLUSTER["timeout"], so past that no
#: worker can still be running it: re-running it then can never run one job twice. (A
#: heartbeat written by a thread beside the handler is not possible: a handler is one
#: transaction, and on SQLite no other connection may write while it holds it.)
STALE_SECONDS = settings.Q_CLUSTER["timeout"] + 60
#: A queued job waiting longer than this lost its message between commit and enqueue.
QUEUED_STALE_SECONDS = 90
#: A job's stage and message are stored in Chinese (msgids) and shown through
#: core.stored.stored_text in the reader's language.
UNEXPECTED_MESSAGE = gettext_noop(
    "任务执行时发生意外错误，未写入任何数据。请稍后重试或联系管理员。"
)
GAVE_UP_MESSAGE = gettext_noop(
    "任务执行期间服务器重启或中断，已尝试 %(tries)s 次仍未完成，已停止重试。"
    "未写入任何数据，请重新提交。"
)
UNKNOWN_KIND_MESSAGE = gettext_noop("未知的任务类型“%(kind)s”，无法执行。")
STAGE_STARTED = "开始"
STAGE_DONE = "完成"
STAGE_REQUEUED = "等待重新执行"
#: The stages core writes, for the catalogue (shown with the context "job stage": the bare
#: words have other senses elsewhere).
STAGES = (
    pgettext_lazy("job stage", "开始"),
    pgettext_lazy("job stage", "完成"),
    pgettext_lazy("job stage", "等待重新执行"),
)


class Job(models.Model):
    """One piece of background work a user started: its state, progress and outcome."""

    class State(models.TextChoices):
        QUEUED = "queued", gettext_lazy("排队中")
        RUNNING = "running", gettext_lazy("进行中")
        DONE = "done", gettext_lazy("已完成")
        FAILED = "failed", gettext_lazy("失败")

    kind = models.CharField(gettext_lazy("类型"), max_length=50)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("发起人"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    #: What the job works on, for finding it again (e.g. an upload's kind and SHA-256).
    subject = models.CharField(gettext_lazy("对象"), max_length=200, blank=True, db_index=True)
    payload = models.JSONField(gettext_lazy("参数"), default=dict, blank=True)
    state = models.CharField(
        gettext_lazy("状态"), max_length=8, choices=State.choices, default=State.QUEUED
    )
    stage = models.CharField(gettext_lazy("阶段"), max_length=100, blank=True)
    done = models.BigIntegerField(gettext_lazy("已处理"), default=0)
    total = models.BigIntegerField(gettext_lazy("总数"), null=True, blank=True)
    result = models.JSONField(gettext_lazy("结果"), null=True, blank=True)
    message = models.CharField(gettext_lazy("说明"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(gettext_lazy("尝试次数"), default=0)
    max_attempts = models.PositiveSmallIntegerField(gettext_lazy("最多尝试"), default=3)
    created = models.DateTimeField(gettext_lazy("提交时间"), default=timezone.now, db_index=True)
    started = models.DateTimeField(gettext_lazy("开始时间"), null=True, blank=True)
    finished = models.DateTimeField(gettext_lazy("结束时间"), null=True, blank=True)
    heartbeat = models.DateTimeField(gettext_lazy("心跳"), null=True, blank=True)
    # The process that claimed the job last (WorkerProcess): lets the reaper on that machine
    # see at once that it died, instead of waiting out the task timeout.
    worker_host = models.CharField(gettext_lazy("执行主机"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(gettext_lazy("执行进程号"), null=True, blank=True)
    worker_process = models.CharField(gettext_lazy("执行进程标识"), max_length=200, blank=True)
    # Attribution of the request that started the job, restored while it runs.
    request_id = models.UUIDField(gettext_lazy("请求编号"), default=uuid.uuid4)
    client_ip = models.GenericIPAddressField(gettext_lazy("客户端地址"), null=True, blank=True)
    channel = models.CharField(gettext_lazy("渠道"), max_length=16, default="system")

    class Meta:
        verbose_name = gettext_lazy("后台任务")
        verbose_name_plural = gettext_lazy("后台任务")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["state", "heartbeat"], name="job_state_heartbeat")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.get_state_display()}"

    @property
    def finished_ok(self) -> bool:
        return self.state == self.State.DONE

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.done / max(1, self.total)))

    def as_dict(self) -> dict:
        """The job as the page and the API show it."""
        return {
            "id": self.pk,
            "kind": self.kind,
            "state": self.state,
            "stage": self.stage,
            "progress": {"done": self.done, "total": self.total, "percent": self.percent},
            "message": self.message,
            "attempts": self.attempts,
            "created": self.created.isoformat() if self.created else None,
            "started": self.started.isoformat() if self.started else None,
            "finished": self.finished.isoformat() if self.finished else None,
        }


# --- Registries ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class JobHandler:
    """What runs a kind of job: `func(job, progress, **payload)` returns the JSON result."""

    kind: str
    func: Callable
    max_attempts: int = 3
    #: Run in the language of the request that queued the job (its messages are for that user).
    #: Off by default: a job that writes stored texts (a bulletin, indicator values) must write
    #: them in Chinese whoever queued it.
    in_owner_language: bool = False


@dataclasses.dataclass(frozen=True)
class PeriodicJob:
    """A function a worker runs every `minutes` minutes."""

    name: str
    func: Callable
    minutes: int


HANDLERS: dict[str, JobHandler] = {}
PERIODIC: dict[str, PeriodicJob] = {}


def job_handler(kind: str, *, max_attempts: int = 3, in_owner_language: bool = False):
    """Register the decorated function as the handler of jobs of `kind`.

    With `in_owner_language` the handler runs in the language of the request that queued the
    job, so the messages of its result (an import's problems) read in that user's language.
    """

    def register(func):
        HANDLERS[kind] = JobHandler(
            kind=kind, func=func, max_attempts=max_attempts, in_owner_language=in_owner_language
        )
        return func

    return register


def periodic_job(name: str, *, minutes: int):
    """Register the decorated function to run every `minutes` minutes on a worker."""

    def register(func):
        PERIODIC[name] = PeriodicJob(name=name, func=func, minutes=minutes)
        return func

    return register


# --- Starting and watching jobs --------------------------------------------------------------


def job_enqueue(*, kind: str, owner, payload: dict | None = None, subject: str = "") -> Job:
    """Record a job of `kind` for `owner` and put it on the queue once the transaction commits.

    The attribution of the active change context (request id, client address, channel) is
    stored on the job and restored when it runs.
    """
    if kind not in HANDLERS:
        raise QingxieError(
            gettext("未知的任务类型“%(kind)s”。") % {"kind": kind}, code="unknown_job"
        )
    ctx = current_context()
    job = Job.objects.create(
        kind=kind,
        owner=owner,
        subject=subject,
        payload=_with_language(payload or {}),
        max_attempts=HANDLERS[kind].max_attempts,
        request_id=ctx.request_id,
        client_ip=ctx.client_ip,
        channel=ctx.channel,
    )
    _schedule(job.pk)
    job.refresh_from_db()
    return job


def job_enqueue_once(*, kind: str, owner, subject: str, payload: dict | None = None) -> Job:
    """The job of `kind` already queued or running for `owner` on `subject` (the same file
    asked for twice), else a new one: a second click never writes the same file twice."""
    running = (
        Job.objects.filter(
            kind=kind,
            owner=owner,
            subject=subject,
            state__in=[Job.State.QUEUED, Job.State.RUNNING],
        )
        .order_by("-created")
        .first()
    )
    if running is not None:
        return running
    return job_enqueue(kind=kind, owner=owner, subject=subject, payload=payload)


#: The payload key that keeps the language of the request that queued a job.
LANGUAGE_KEY = "_language"


def _with_language(payload: dict) -> dict:
    return {**payload, LANGUAGE_KEY: translation.get_language() or settings.LANGUAGE_CODE}


def job_requeue(*, job: Job, payload: dict) -> Job:
    """Run a finished job again with a new payload (an import confirmed after its check).

    Only a job that has finished is put back; a second request while it runs does nothing.
    """
    updated = Job.objects.filter(pk=job.pk, state__in=[Job.State.DONE, Job.State.FAILED]).update(
        payload=_with_language(payload),
        state=Job.State.QUEUED,
        stage="",
        done=0,
        total=None,
        result=None,
        message="",
        attempts=0,
        started=None,
        finished=None,
        heartbeat=None,
        worker_host="",
        worker_pid=None,
        worker_process="",
    )
    if updated:
        _schedule(job.pk)
    job.refresh_from_db()
    return job


def _schedule(job_id: int) -> None:
    """Dispatch now when jobs run inline, else once the caller's transaction commits."""
    if getattr(settings, "QINGXIE_JOBS_SYNC", False):
        _dispatch(job_id)  # inline: the caller sees the finished job (tests, one-shot commands)
    else:
        transaction.on_commit(lambda: _dispatch(job_id))


def _dispatch(job_id: int) -> None:
    """Hand "run job <id>" to the queue (inline when QINGXIE_JOBS_SYNC is set, as in tests)."""
    from django_q.tasks import async_task

    async_task(
        "qingxie.core.jobs.job_run",
        job_id,
        task_name=f"job-{job_id}",
        sync=getattr(settings, "QINGXIE_JOBS_SYNC", False),
        save=False,
    )


class Progress:
    """The callable a handler reports progress through: `progress(stage, done, total)`.

    Writes are throttled (a 1,000,000-row file would otherwise write a million times); each
    write also refreshes the heartbeat.
    """

    def __init__(self, job: Job, interval: float = 0.3):
        self.job = job
        self.interval = interval
        self.last = 0.0

    def __call__(self, stage: str, done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - self.last < self.interval and done != total:
            return
        self.last = now
        Job.objects.filter(pk=self.job.pk).update(
            stage=stage[:100], done=done, total=total, heartbeat=timezone.now()
        )


#: The inode of a Linux kernel's first pid namespace (PROC_PID_INIT_INO), the same on every
#: machine: a process in it is not in a container.
INITIAL_PID_NAMESPACE = "4026531836"


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return ""


def _process_start(pid: int) -> str | None:
    """When process `pid` started, in clock ticks since boot (Linux /proc); None if there is
    no such process, or only its corpse (a zombie runs no code). "" where /proc is not there
    (another system): unknown."""
    if not os.path.isdir("/proc/self"):
        return ""
    stat = _read(f"/proc/{pid}/stat")
    if not stat:
        return None
    # The command name (2nd field) may hold spaces and parentheses: count after its last ")".
    fields = stat.rsplit(")", 1)[-1].split()
    if fields and fields[0] in ("Z", "X"):
        return None
    return fields[19] if len(fields) > 19 else ""


@dataclasses.dataclass(frozen=True)
class WorkerProcess:
    """The process running a job, recorded on the job at claim so that the reaper on the same
    machine can tell at once whether it is still alive.

    A pid names a process only within one pid space: one boot of one machine, one pid
    namespace (a container has its own). So besides the host name and pid it keeps the
    machine id, boot id and pid namespace, and the process's start time, which tells it from
    a later process given the same pid. On a system without /proc these are empty and only
    the pid is checked.
    """

    host: str
    pid: int
    machine: str = ""
    boot: str = ""
    namespace: str = ""
    start: str = ""

    @property
    def token(self) -> str:
        """What is stored in `Job.worker_process`."""
        return "/".join((self.machine, self.boot, self.namespace, self.start))

    @classmethod
    def current(cls) -> WorkerProcess:
        """This process (read on each call: a worker is a forked child with its own pid)."""
        pid = os.getpid()
        namespace = ""
        with contextlib.suppress(OSError):
            namespace = os.readlink("/proc/self/ns/pid").partition("[")[2].rstrip("]")
        return cls(
            host=socket.gethostname()[:255],
            pid=pid,
            machine=_read("/etc/machine-id") or _read("/var/lib/dbus/machine-id"),
            boot=_read("/proc/sys/kernel/random/boot_id"),
            namespace=namespace,
            start=_process_start(pid) or "",
        )

    @classmethod
    def of(cls, job: Job) -> WorkerProcess | None:
        """The process recorded on `job`, None if none was (claimed before it was recorded)."""
        if not job.worker_host or not job.worker_pid:
            return None
        parts = [*job.worker_process.split("/"), "", "", ""][:4]
        return cls(job.worker_host, job.worker_pid, *parts)

    def gone(self) -> bool:
        """Whether this process certainly no longer runs. False whenever this machine cannot
        know: another host, another container with the same host name. Wrongly True would run
        a job twice, so every doubt answers False and leaves the job to the timeout rule."""
        here = WorkerProcess.current()
        if self.host != here.host:
            return False
        if self.boot and here.boot and self.boot != here.boot:
            # This machine has restarted since, if it is this machine: the same machine id,
            # and both outside containers (an image can carry one machine id to many hosts).
            return bool(
                self.machine
                and self.machine == here.machine
                and self.namespace == here.namespace == INITIAL_PID_NAMESPACE
            )
        if self.boot != here.boot or self.namespace != here.namespace:
            return False  # another pid space (a container with the same host name)
        start = _process_start(self.pid)
        if start is None:
            return True
        if start:
            # Alive, unless the pid now names a later process.
            return bool(self.start) and start != self.start
        try:  # no /proc: ask the kernel whether the pid exists
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False  # exists, owned by someone else
        return False


def _claim(job_id: int) -> Job | None:
    """Take the job if it is waiting, or running with a dead worker; None if someone has it."""
    stale = timezone.now() - timedelta(seconds=STALE_SECONDS)
    now = timezone.now()
    me = WorkerProcess.current()
    taken = Job.objects.filter(
        Q(state=Job.State.QUEUED) | Q(state=Job.State.RUNNING, heartbeat__lt=stale), pk=job_id
    ).update(
        state=Job.State.RUNNING,
        attempts=F("attempts") + 1,
        started=now,
        heartbeat=now,
        stage=STAGE_STARTED,
        worker_host=me.host,
        worker_pid=me.pid,
        worker_process=me.token,
    )
    return Job.objects.select_related("owner").get(pk=job_id) if taken else None


def job_run(job_id: int) -> None:
    """Run one job (what a worker executes for the queue's message)."""
    job = _claim(job_id)
    if job is None:
        return  # already done, or running on another worker
    if job.attempts > job.max_attempts:
        _fail(job, _gave_up_message(job.attempts - 1))
        return
    handler = HANDLERS.get(job.kind)
    if handler is None:
        _fail(job, UNKNOWN_KIND_MESSAGE % {"kind": job.kind})
        return
    try:
        with change_context(
            user=job.owner,
            request_id=job.request_id,
            client_ip=job.client_ip,
            channel=job.channel,
        ):
            kwargs = dict(job.payload)
            language = kwargs.pop(LANGUAGE_KEY, None)
            if not handler.in_owner_language or language not in dict(settings.LANGUAGES):
                language = settings.LANGUAGE_CODE
            with translation.override(language):
                result = handler.func(job, Progress(job), **kwargs)
    except QingxieError as exc:
        _fail(job, exc.message)
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, UNEXPECTED_MESSAGE)
    else:
        Job.objects.filter(pk=job.pk).update(
            state=Job.State.DONE,
            result=result,
            stage=STAGE_DONE,
            finished=timezone.now(),
            heartbeat=timezone.now(),
        )


def _fail(job: Job, message: str) -> None:
    Job.objects.filter(pk=job.pk).update(
        state=Job.State.FAILED, message=message[:500], finished=timezone.now()
    )


def _gave_up_message(tries: int) -> str:
    return GAVE_UP_MESSAGE % {"tries": tries}


def jobs_reap() -> int:
    """Re-queue running jobs whose worker died, or fail them after their last try.

    A job's worker died when the process recorded on it was on this machine and is gone
    (`WorkerProcess.gone`), or, wherever it ran, when its heartbeat is older than the queue's
    task timeout. Queued jobs left waiting longer than QUEUED_STALE_SECONDS are handed to the
    queue again too (a message lost between commit and enqueue); `job_run` claims atomically, so
    a duplicate message is harmless. Returns how many jobs were touched.
    """
    stale = timezone.now() - timedelta(seconds=STALE_SECONDS)
    touched = 0
    dead = list(Job.objects.filter(state=Job.State.RUNNING, heartbeat__lt=stale))
    here = socket.gethostname()[:255]
    for job in (
        Job.objects.filter(state=Job.State.RUNNING, worker_host=here)
        .exclude(heartbeat__lt=stale)
        .exclude(worker_pid=None)
    ):
        process = WorkerProcess.of(job)
        if process is not None and process.gone():
            log.warning(
                "job %s (%s): its worker process %s is gone", job.pk, job.kind, job.worker_pid
            )
            dead.append(job)
    for job in dead:
        # Only the run seen dead: a claim since (attempts went up) belongs to a live worker.
        still = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, attempts=job.attempts)
        if job.attempts >= job.max_attempts:
            updated = still.update(
                state=Job.State.FAILED,
                message=_gave_up_message(job.attempts)[:500],
                finished=timezone.now(),
            )
        else:
            updated = still.update(state=Job.State.QUEUED, stage=STAGE_REQUEUED)
            if updated:
                _dispatch(job.pk)
        touched += updated
    waiting = timezone.now() - timedelta(seconds=QUEUED_STALE_SECONDS)
    for job_id in Job.objects.filter(state=Job.State.QUEUED, created__lt=waiting).values_list(
        "pk", flat=True
    ):
        _dispatch(job_id)
        touched += 1
    return touched


@periodic_job("core.jobs_reap", minutes=1)
def _reap_periodically() -> None:
    jobs_reap()


def periodic_run(name: str) -> None:
    """What a django-q2 schedule calls: run the registered periodic job `name`."""
    entry = PERIODIC.get(name)
    if entry is None:
        log.warning("periodic job %s is no longer registered", name)
        return
    with change_context(channel="system"):
        entry.func()


def schedules_sync() -> None:
    """Write the registered periodic jobs as django-q2 schedules (and drop retired ones)."""
    from django_q.models import Schedule

    prefix = "qingxie:"
    for entry in PERIODIC.values():
        Schedule.objects.update_or_create(
            name=prefix + entry.name,
            defaults={
                "func": "qingxie.core.jobs.periodic_run",
                "args": repr(entry.name),
                "schedule_type": Schedule.MINUTES,
                "minutes": entry.minutes,
                "repeats": -1,
            },
        )
    Schedule.objects.filter(name__startswith=prefix).exclude(
        name__in=[prefix + name for name in PERIODIC]
    ).delete()


#: A worker fires the every-minute reaper schedule; one silent for this long is gone.
WORKER_SILENT_SECONDS = 180


def worker_running() -> bool:
    """Whether a job worker is alive: jobs run in the submitting process (QINGXIE_JOBS_SYNC),
    or a worker fired the every-minute reaper schedule within WORKER_SILENT_SECONDS (django-q2
    moves a schedule's next run forward each time a worker fires it; /readyz asks the same)."""
    if getattr(settings, "QINGXIE_JOBS_SYNC", False):
        return True
    from django_q.models import Schedule

    next_run = (
        Schedule.objects.filter(name="qingxie:core.jobs_reap")
        .values_list("next_run", flat=True)
        .first()
    )
    silent_since = timezone.now() - timedelta(seconds=WORKER_SILENT_SECONDS)
    return next_run is not None and next_run >= silent_since


def job_of(user, job_id) -> Job | None:
    """The job `job_id` if `user` started it (nobody else may see it), else None."""
    try:
        job_id = int(job_id)
    except (TypeError, ValueError):
        return None
    if not 0 < job_id < 2**63 or not getattr(user, "is_authenticated", False):
        return None
    return Job.objects.filter(pk=job_id, owner=user).first()


def storage_sweep(root: str, older_than: timedelta) -> int:
    """Delete the files kept under `root/<folder>/` in the default storage that are older than
    `older_than` (uploads, problem lists, written bulletins); how many went.

    A file that cannot be read or removed is logged and left: a sweep never fails its job.
    """
    from django.core.files.storage import default_storage

    cutoff = timezone.now() - older_than
    removed = 0
    try:
        folders, _files = default_storage.listdir(root)
    except FileNotFoundError:
        return 0
    for folder in folders:
        _dirs, files = default_storage.listdir(f"{root}/{folder}")
        for name in files:
            stored = f"{root}/{folder}/{name}"
            try:
                if default_storage.get_modified_time(stored) < cutoff:
                    default_storage.delete(stored)
                    removed += 1
            except (OSError, NotImplementedError):
                log.warning("could not sweep %s", stored)
    return removed
