"""`/readyz`: whether this server can do its work — database, migrations, the job queue and its
worker, storage, personal-data keys — each checked and reported, in Chinese and as data."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

#: A queued job older than this with no worker means cadres are waiting.
QUEUE_WAIT_SECONDS = 120


def check_database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, f"{connection.vendor} 可以连接"


def check_migrations() -> tuple[bool, str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        names = "、".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
        return False, f"有 {len(pending)} 个数据库迁移尚未执行（{names}）：请运行 qingxie setup"
    return True, "数据库结构已是最新"


def check_jobs() -> tuple[bool, str]:
    """The queue answers, and a worker has fired the reaper schedule recently."""
    from qingxie.core.jobs import Job, worker_running

    queued = Job.objects.filter(state=Job.State.QUEUED)
    waiting = queued.count()
    if getattr(settings, "QINGXIE_JOBS_SYNC", False):
        return True, "任务在提交它的进程内直接执行（QINGXIE_JOBS_SYNC）"
    now = timezone.now()
    if not worker_running():
        oldest = queued.order_by("created").values_list("created", flat=True).first()
        wait = f"，{waiting} 个任务正在等待" if waiting else ""
        if oldest is not None:
            wait += f"（最早的已等待 {int((now - oldest).total_seconds() // 60)} 分钟）"
        return False, f"后台任务处理进程没有运行{wait}：请启动 qingxie worker 或 qingxie serve"
    return True, f"后台任务处理进程在运行，排队中的任务 {waiting} 个"


def check_storage() -> tuple[bool, str]:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-", delete=True) as fh:
        fh.write(b"ok")
        fh.flush()
        os.fsync(fh.fileno())
    return True, f"存储目录 {root} 可写"


def check_keys() -> tuple[bool, str]:
    from cryptography.fernet import Fernet

    from qingxie.ops.backup import key_id

    keys = list(settings.FIELD_KEYS)
    if not keys:
        return False, "未配置个人信息加密密钥（QINGXIE_FIELD_KEYS）"
    for key in keys:
        try:
            Fernet(key.encode())
        except ValueError:
            return False, f"QINGXIE_FIELD_KEYS 中有无效的密钥（{key_id(key)}）"
    return True, f"个人信息加密密钥 {len(keys)} 个，当前 {key_id(keys[0])}"


CHECKS: dict[str, Callable[[], tuple[bool, str]]] = {
    "database": check_database,
    "migrations": check_migrations,
    "jobs": check_jobs,
    "storage": check_storage,
    "keys": check_keys,
}


def readiness() -> tuple[bool, dict]:
    """Run every check (one failing never hides another); (all ok, the JSON body)."""
    results = {}
    for name, check in CHECKS.items():
        try:
            ok, detail = check()
        except Exception as exc:
            ok, detail = False, f"检查失败：{exc.__class__.__name__}: {str(exc)[:200]}"
            connection.close_if_unusable_or_obsolete()
        results[name] = {"ok": ok, "detail": detail}
    ready = all(r["ok"] for r in results.values())
    return ready, {"status": "ready" if ready else "not_ready", "checks": results}
