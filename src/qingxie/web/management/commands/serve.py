"""`qingxie serve`: the production server (gunicorn), static files served by the app itself."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in this process with qingxie's WSGI application."""
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("worker_class", "gthread" if threads > 1 else "sync")
            self.cfg.set("accesslog", str(settings.LOG_DIR / "access.log"))
            self.cfg.set("errorlog", "-")
            self.cfg.set("timeout", 120)

        def load(self):
            from qingxie.wsgi import application

            return application

    _App().run()


def start_worker() -> subprocess.Popen:
    """`qingxie worker` as a child process, ended with this one (even if this one is killed)."""

    def die_with_parent():
        # Linux: PR_SET_PDEATHSIG, so a killed server leaves no orphan worker.
        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)

    return subprocess.Popen([sys.executable, "-m", "qingxie", "worker"], preexec_fn=die_with_parent)


def stop_worker(worker: subprocess.Popen | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()


class Command(BaseCommand):
    help = "启动生产服务器（gunicorn；静态文件由应用自身提供；DEBUG 关闭）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("QINGXIE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("QINGXIE_PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("QINGXIE_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("QINGXIE_THREADS", "4"))
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="不在本机启动后台任务处理进程（另行运行 `qingxie worker`）",
        )

    def handle(self, *args, host, port, workers, threads, no_worker=False, **options):
        if settings.DEBUG:
            raise CommandError("生产服务器不能在 DEBUG 模式下运行，请取消 QINGXIE_DEBUG。")
        if not (settings.STATIC_ROOT / "staticfiles.json").exists():
            raise CommandError("静态文件尚未收集，请先运行 `qingxie setup`。")
        self.stdout.write(f"青协服务已启动：http://{host}:{port}/  （Ctrl+C 停止）")
        self.stdout.flush()
        from qingxie.ops.metrics import reset_multiprocess_dir

        reset_multiprocess_dir()  # metric files of processes that are gone
        worker = None if no_worker else start_worker()
        try:
            run_gunicorn(host, port, workers, threads)
        finally:
            stop_worker(worker)
